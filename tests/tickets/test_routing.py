"""Routing on submission (place → grid → worker) and the manual moves: transfer, return, reassign."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.errors import Conflict, ValidationFailed
from apps.people.models import DutyStatus, GridMembership, Leave, Role
from apps.places import locator
from apps.tickets import services
from apps.tickets.models import Ticket
from apps.tickets.routing import pick_worker, route_ticket
from tests.tickets.conftest import C1, CELL, G1, G2, G3, LAT0, LNG0, api_client, make_user, snapshot, submit


def route_event(ticket):
    return ticket.events.get(action="route")


def on_leave(user):
    today = timezone.localdate()
    return Leave.objects.create(user=user, start_date=today - timedelta(days=1), end_date=today + timedelta(days=2))


# --- in a grid -----------------------------------------------------------------------------------


def test_in_grid_goes_to_its_worker_with_the_reason(world):
    ticket = submit(world)
    assert (ticket.grid, ticket.community, ticket.assignee, ticket.department) == (
        world.g1,
        world.c1,
        world.worker,
        None,
    )
    assert ticket.org_path == world.g1.path
    event = route_event(ticket)
    assert event.note == f"point in grid {G1}; worker worker chosen; 0 open tickets"
    assert event.data == {
        "grid": G1, "community": C1, "department": None, "assignee": "worker", "reason": event.note,
    }  # fmt: skip


def test_fewest_open_tickets_wins_and_a_tie_goes_by_position(world):
    second = make_user("worker_b", Role.GRID_WORKER, nodes=[world.g1])
    GridMembership.objects.create(grid=world.g1, user=second, position=2)
    first = submit(world)  # tie 0–0: position 1 wins
    assert first.assignee == world.worker
    following = submit(world)  # worker has 1 open, worker_b 0
    assert following.assignee == second
    assert route_event(following).note.endswith("worker worker_b chosen; 0 open tickets")
    third = submit(world)  # tie 1–1 again: position
    assert third.assignee == world.worker
    # Closed tickets do not count as open.
    Ticket.objects.filter(assignee=world.worker).update(state="closed")
    assert submit(world).assignee == world.worker


def test_tie_order_follows_position_not_creation_order(world):
    early = make_user("early", Role.GRID_WORKER, nodes=[world.g2])
    GridMembership.objects.filter(grid=world.g2).update(position=5)
    GridMembership.objects.create(grid=world.g2, user=early, position=2)
    user, why = pick_worker(world.g2, timezone.localdate())
    assert (user, why) == (early, "worker early chosen; 0 open tickets")


@pytest.mark.parametrize("attempt", range(3))
def test_a_point_on_a_shared_edge_goes_to_the_smallest_grid_code(world, attempt):
    lat, lng = LAT0 + CELL / 2, LNG0 + CELL  # on the edge between G1 and G2
    if attempt:
        locator.invalidate_index()  # the answer does not depend on how the index was built
    ticket = submit(world, where=None, lat=lat, lng=lng)
    assert ticket.grid == world.g1
    assert route_event(ticket).note.startswith(f"point in grid {G1}")


def test_a_corner_shared_by_three_cells_is_deterministic(world):
    grids = {submit(world, where=None, lat=LAT0, lng=LNG0 + 2 * CELL).grid for _ in range(3)}
    assert grids == {world.g2}


# --- outside every grid --------------------------------------------------------------------------


def test_outside_every_grid_goes_to_the_nearest_community_dispatch_queue(world):
    ticket = submit(world, where=None, lat=LAT0 + CELL / 2, lng=LNG0 - CELL / 2)  # ≈ 90 m west of G1
    assert (ticket.grid, ticket.community, ticket.assignee) == (None, world.c1, None)
    assert ticket.org_path == world.c1.path
    note = route_event(ticket).note
    assert note.startswith(f"outside every grid; nearest community {C1} at ")
    assert note.endswith(f"community {C1} dispatch queue")
    # The community's clerk sees it in the unassigned queue.
    queue = api_client(world.clerk).get("/api/v1/tickets/", {"assignee": "none"}).json()["results"]
    assert [t["id"] for t in queue] == [ticket.pk]


def test_far_from_every_grid_goes_to_the_city_queue(world):
    ticket = submit(world, where=None, lat=36.0, lng=116.0)
    assert (ticket.grid, ticket.community, ticket.assignee) == (None, None, None)
    assert ticket.org_path == "370100/"
    assert route_event(ticket).note.endswith("city dispatch queue")


def test_outside_every_grid_a_chosen_community_is_used(world):
    ticket = submit(world, where=None, lat=36.0, lng=116.0, community=world.c2)
    assert (ticket.grid, ticket.community) == (None, world.c2)
    assert ticket.org_path == world.c2.path


def test_no_point_uses_the_chosen_community(world):
    ticket = submit(world, where=None, community=world.c1)
    assert (ticket.grid, ticket.community, ticket.assignee) == (None, world.c1, None)
    assert route_event(ticket).note == f"no point; community {C1} chosen; community {C1} dispatch queue"


def test_address_only_goes_to_the_city_queue(world):
    ticket = submit(world, where=None, address="某路 1 号")
    assert ticket.org_path == "370100/"
    assert route_event(ticket).note == "no location given; city dispatch queue"


# --- availability --------------------------------------------------------------------------------


def test_worker_on_leave_deputy_chosen_with_the_reason_stored(world):
    leave = on_leave(world.worker)
    ticket = submit(world)
    assert ticket.assignee == world.deputy
    event = route_event(ticket)
    expected = (
        f"point in grid {G1}; worker on leave {leave.start_date.isoformat()}–{leave.end_date.isoformat()}; "
        "deputy deputy chosen; 0 open tickets"
    )
    assert event.note == expected
    assert event.data["reason"] == expected and event.data["assignee"] == "deputy"


def test_worker_off_duty_deputy_chosen(world):
    world.worker.duty_status = DutyStatus.OFF
    world.worker.save()
    ticket = submit(world)
    assert ticket.assignee == world.deputy
    assert "worker off duty; deputy deputy chosen" in route_event(ticket).note


def test_leave_in_the_past_does_not_count(world):
    today = timezone.localdate()
    Leave.objects.create(user=world.worker, start_date=today - timedelta(days=9), end_date=today - timedelta(days=2))
    assert submit(world).assignee == world.worker


def test_nobody_available_goes_to_the_community_dispatch_queue(world):
    on_leave(world.worker)
    on_leave(world.deputy)
    ticket = submit(world)
    assert (ticket.grid, ticket.assignee, ticket.org_path) == (world.g1, None, world.g1.path)
    note = route_event(ticket).note
    assert "nobody available (worker on leave" in note and "deputy on leave" in note
    assert note.endswith(f"community {C1} dispatch queue")


def test_grid_without_a_roster_goes_to_the_community_dispatch_queue(world):
    ticket = submit(world, where=G3)
    assert (ticket.grid, ticket.assignee) == (world.g3, None)
    assert route_event(ticket).note == (
        f"point in grid {G3}; no worker in this grid's roster; community {C1} dispatch queue"
    )


def test_inactive_worker_is_skipped(world):
    world.worker.is_active = False
    world.worker.save()
    assert submit(world).assignee == world.deputy


def test_department_category_goes_to_the_department_queue(world):
    ticket = submit(world, category=world.water)
    assert (ticket.department, ticket.assignee, ticket.grid) == (world.department, None, world.g1)
    note = route_event(ticket).note
    assert note == f"point in grid {G1}; category handled by department DEPT-WATER; department queue"
    queue = api_client(world.department_staff).get("/api/v1/tickets/").json()["results"]
    assert [t["id"] for t in queue] == [ticket.pk]


def test_route_ticket_is_pure_of_writes(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        route = route_ticket(category=world.road, lat=None, lng=None, community=None, grid=world.g1,
                             day=timezone.localdate())  # fmt: skip
    assert route.assignee == world.worker and Ticket.objects.count() == 0


# --- manual moves --------------------------------------------------------------------------------


def test_transfer_to_another_grid_routes_there(world):
    ticket = submit(world)
    services.ticket_transfer(ticket=ticket, actor=world.worker, reason="在隔壁网格", grid_code=G2)
    ticket.refresh_from_db()
    assert (ticket.state, ticket.grid, ticket.assignee, ticket.department) == (
        "submitted",
        world.g2,
        world.worker2,
        None,
    )
    assert ticket.org_path == world.g2.path
    event = ticket.events.get(action="transfer")
    assert event.note == "在隔壁网格"
    assert event.data["from"] == {"grid": G1, "assignee": "worker"}
    assert event.data["to"]["grid"] == G2 and event.data["to"]["assignee"] == "worker2"


def test_transfer_to_a_department(world):
    ticket = submit(world)
    services.ticket_transfer(ticket=ticket, actor=world.clerk, reason="属于供水", department_code="DEPT-WATER")
    ticket.refresh_from_db()
    assert (ticket.department, ticket.assignee, ticket.state) == (world.department, None, "submitted")
    assert api_client(world.department_staff).get(f"/api/v1/tickets/{ticket.pk}/").status_code == 200


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"grid": "999"}, "grid"), ({"department": "NOPE"}, "department"), ({}, "grid"),
     ({"grid": G2, "department": "DEPT-WATER"}, "grid")],
)  # fmt: skip
def test_transfer_needs_exactly_one_real_target(world, payload, field):
    ticket = submit(world)
    before = snapshot(ticket)
    response = api_client(world.clerk).post(
        f"/api/v1/tickets/{ticket.pk}/transfer/", {"reason": "转派", **payload}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert snapshot(ticket) == before


def test_transfer_to_the_same_grid_is_a_conflict(world):
    ticket = submit(world)
    before = snapshot(ticket)
    with pytest.raises(Conflict) as refused:
        services.ticket_transfer(ticket=ticket, actor=world.clerk, reason="x", grid_code=G1)
    assert refused.value.code == "same_target"
    assert snapshot(ticket) == before


def test_return_sends_the_ticket_back_to_dispatch(world):
    ticket = submit(world)
    services.ticket_accept(ticket=ticket, actor=world.worker)
    services.ticket_return(ticket=ticket, actor=world.worker, reason="不是我的网格")
    ticket.refresh_from_db()
    assert (ticket.state, ticket.assignee, ticket.department, ticket.grid) == ("submitted", None, None, world.g1)
    event = ticket.events.get(action="return")
    assert (event.from_state, event.to_state, event.data) == (
        "accepted",
        "submitted",
        {"assignee": "worker", "department": None},
    )
    queue = api_client(world.clerk).get("/api/v1/tickets/", {"assignee": "none"}).json()["results"]
    assert [t["id"] for t in queue] == [ticket.pk]


def test_department_returns_a_misrouted_ticket(world):
    ticket = submit(world, category=world.water)
    services.ticket_return(ticket=ticket, actor=world.department_staff, reason="不归我们管")
    ticket.refresh_from_db()
    assert (ticket.department, ticket.assignee) == (None, None)
    # Out of the department's queue, into the community's.
    assert api_client(world.department_staff).get(f"/api/v1/tickets/{ticket.pk}/").status_code == 404


def test_reassign_within_scope(world):
    ticket = submit(world)
    services.ticket_reassign(ticket=ticket, actor=world.clerk, assignee_id=world.worker2.pk, note="人手调整")
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.state) == (world.worker2, "submitted")
    event = ticket.events.get(action="reassign")
    assert (event.data, event.is_public, event.actor) == ({"from": "worker", "to": "worker2"}, False, world.clerk)


@pytest.mark.parametrize("target", ["worker_far", "resident", "admin"])
def test_reassign_outside_scope_or_to_a_non_worker_is_refused(world, target):
    ticket = submit(world)
    before = snapshot(ticket)
    response = api_client(world.clerk).post(
        f"/api/v1/tickets/{ticket.pk}/reassign/", {"assignee": getattr(world, target).pk}, format="json"
    )
    assert response.status_code == 400
    assert "assignee" in response.json()["fields"]
    assert snapshot(ticket) == before


def test_admin_reassigns_anywhere_and_same_worker_is_a_conflict(world):
    ticket = submit(world)
    services.ticket_reassign(ticket=ticket, actor=world.admin, assignee_id=world.worker_far.pk)
    ticket.refresh_from_db()
    assert ticket.assignee == world.worker_far
    before = snapshot(ticket)
    with pytest.raises(Conflict):
        services.ticket_reassign(ticket=ticket, actor=world.admin, assignee_id=world.worker_far.pk)
    assert snapshot(ticket) == before


def test_district_supervisor_cannot_reassign_to_another_district(world):
    ticket = submit(world)
    with pytest.raises(ValidationFailed):
        services.ticket_reassign(ticket=ticket, actor=world.district_supervisor, assignee_id=world.worker_far.pk)
    services.ticket_reassign(ticket=ticket, actor=world.district_supervisor, assignee_id=world.worker2.pk)
    ticket.refresh_from_db()
    assert ticket.assignee == world.worker2


def test_reassigning_a_waiting_ticket_restarts_its_clock(world):
    ticket = submit(world)
    services.ticket_accept(ticket=ticket, actor=world.worker)
    services.ticket_wait_on_resident(ticket=ticket, actor=world.worker, note="请补充照片")
    services.ticket_reassign(ticket=ticket, actor=world.clerk, assignee_id=world.worker2.pk)
    ticket.refresh_from_db()
    assert ticket.state == "submitted"
    assert ticket.paused_at is None


# --- the language of the stored reason ----------------------------------------------------------


def test_the_reason_is_written_in_the_desks_language_whatever_the_request_speaks(world, settings):
    from tests.tickets.test_intake import URL, body

    settings.LANGUAGE_CODE = "zh-hans"
    response = api_client(world.resident).post(URL, body(), format="json")  # the client asks for English
    assert response.status_code == 201
    assert response.json()["category"]["name"] and response.headers["Content-Language"] == "en"
    event = route_event(Ticket.objects.get(pk=response.json()["id"]))
    assert event.note == f"该点位于网格 {G1} 内；网格员 worker 接单；手头 0 件未办结"
    assert event.data["reason"] == event.note
