"""Tickets move with their place: a grid or community re-rooted by the grid import or the admin.

The tickets are submitted through the real intake (routing writes their org path), the move
is made through the real places services, and what a supervisor sees is read through the
one permission selector and the metrics' counted tickets.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.metrics.definitions import counted_tickets
from apps.places.models import OrgNode
from apps.places.services import import_grids, org_node_save
from apps.tickets.models import Ticket
from apps.tickets.selectors import visible_tickets
from tests.places import geo
from tests.tickets.conftest import C1, C2, D2, G1, G2, G4, features, make_ticket, submit

pytestmark = pytest.mark.django_db


def g1_under_c2() -> list[dict]:
    """The G1 feature alone, now under C2 (another community of another district)."""
    [g1] = [f for f in features() if f["properties"]["code"] == G1]
    g1["properties"].update(
        community_code=C2,
        community_name="大观社区",
        subdistrict_code=f"{D2}001",
        subdistrict_name="大观园街道",
        district_code=D2,
        district_name="市中区",
    )
    return [g1]


def run_import(feats, **kwargs):
    return import_grids(
        features=feats, allow_moves=True, default_city_code="370100", default_city_name="济南市", **kwargs
    )


def row(ticket: Ticket) -> dict:
    return Ticket.objects.filter(pk=ticket.pk).values().get()


def visible_to(user) -> set[int]:
    return set(visible_tickets(user).values_list("pk", flat=True))


def counted_under(node: OrgNode) -> set[int]:
    today = timezone.localdate()
    node.refresh_from_db()
    return set(counted_tickets(node=node, start=today, end=today).values_list("pk", flat=True))


def test_a_grid_moved_to_another_community_takes_its_tickets(world):
    grid_ticket = submit(world)  # located in G1, assigned to its worker
    department_ticket = submit(world, category=world.water)  # in G1 too, handled by the water department
    other = submit(world, where=G2)
    assert grid_ticket.org_path == department_ticket.org_path == world.g1.path
    before_other = row(other)
    before_grid = row(grid_ticket)
    events_before = grid_ticket.events.count()
    assert {grid_ticket.pk, department_ticket.pk} <= visible_to(world.community_supervisor)

    report = run_import(g1_under_c2())

    g1 = OrgNode.objects.get(code=G1)
    assert g1.path == f"370100/{D2}/{D2}001/{C2}/{G1}/"
    assert report.carried == {G1: {"tickets": 2}}
    for ticket in (grid_ticket, department_ticket):
        ticket.refresh_from_db()
        assert ticket.org_path == g1.path
        assert ticket.community_id == world.c2.pk
        assert ticket.grid_id == g1.pk
    # Nothing else about the ticket changed: same state, assignee, deadlines, updated_at; no event.
    after_grid = row(grid_ticket)
    changed = {k for k in after_grid if after_grid[k] != before_grid[k]}
    assert changed == {"org_path", "community_id"}
    assert grid_ticket.events.count() == events_before
    # The other grid's ticket is untouched.
    assert row(other) == before_other

    moved = {grid_ticket.pk, department_ticket.pk}
    assert moved <= visible_to(world.other_supervisor)  # D2, the new district
    assert not moved & visible_to(world.community_supervisor)  # C1
    assert not moved & visible_to(world.district_supervisor)  # D1
    assert other.pk in visible_to(world.community_supervisor)
    assert moved <= counted_under(world.d2)
    assert moved <= counted_under(world.c2)
    assert not moved & counted_under(world.d1)
    assert counted_under(world.c1) == {other.pk}


def test_a_moved_community_takes_the_tickets_of_all_its_grids(world):
    in_g1, in_g2 = submit(world), submit(world, where=G2)
    far = submit(world, where=G4)
    before_far = row(far)
    moved_community = [dict(f, properties=dict(f["properties"])) for f in features()[:1]]
    moved_community[0]["properties"].update(
        subdistrict_code=f"{D2}001", subdistrict_name="大观园街道", district_code=D2, district_name="市中区"
    )

    report = run_import(moved_community)

    assert report.carried == {C1: {"tickets": 2}}
    for ticket, grid in ((in_g1, G1), (in_g2, G2)):
        ticket.refresh_from_db()
        assert ticket.org_path == f"370100/{D2}/{D2}001/{C1}/{grid}/"
        assert ticket.community_id == world.c1.pk  # the grid stayed in its community
    assert row(far) == before_far
    assert {in_g1.pk, in_g2.pk} <= visible_to(world.other_supervisor)
    assert {in_g1.pk, in_g2.pk} <= visible_to(world.community_supervisor)  # C1's supervisor follows C1
    assert not {in_g1.pk, in_g2.pk} & visible_to(world.district_supervisor)


def test_a_dry_run_counts_the_tickets_and_moves_nothing(world):
    ticket = submit(world)
    before = row(ticket)
    report = run_import(g1_under_c2(), dry_run=True)
    assert report.carried == {G1: {"tickets": 1}}
    assert row(ticket) == before


def test_a_recode_in_the_admin_service_rewrites_the_tickets_paths(world):
    ticket = submit(world)
    community = OrgNode.objects.get(code=C1)
    community.code = "370102001099"
    org_node_save(node=community)
    ticket.refresh_from_db()
    assert ticket.org_path == f"370100/{world.d1.code}/370102001/370102001099/{G1}/"
    assert ticket.pk in visible_to(world.community_supervisor)


def test_moving_tickets_costs_the_same_queries_for_one_ticket_or_many(world):
    def queries_to_move(n_tickets: int, feats) -> int:
        g1 = OrgNode.objects.get(code=G1)
        for _ in range(n_tickets):
            make_ticket(world, org_path=g1.path, community=g1.parent)
        with CaptureQueriesContext(connection) as ctx:
            run_import(feats)
        return len([q for q in ctx.captured_queries if "tickets_ticket" in q["sql"]])

    to_c2 = queries_to_move(1, g1_under_c2())
    back = features()[:1]  # G1 back under C1, now with 31 tickets
    assert queries_to_move(30, back) == to_c2
    assert Ticket.objects.filter(org_path=world.g1.path, community=world.c1).count() == 31


def test_the_import_command_reports_the_tickets_moved(world, tmp_path):
    submit(world)
    submit(world)
    path = geo.write(tmp_path / "moved.geojson", {"type": "FeatureCollection", "features": g1_under_c2()})
    out = io.StringIO()
    call_command("import_grids", str(path), "--allow-moves", "--city-code", "370100", stdout=out, stderr=io.StringIO())
    lines = out.getvalue().splitlines()
    assert "tickets: 2 moved with their places" in lines
    assert f"  moved: {G1} (2 tickets)" in lines
