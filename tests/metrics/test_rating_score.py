"""The rates count ratings from the ticket's copy of its score (Ticket.rating_score).

The copy is written by the rating service in the rating's transaction and filled for existing
ratings by migration 0002; the rates must give what the old definition (a join with the rating
table) gave.
"""

from __future__ import annotations

import importlib
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps as django_apps
from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.test.utils import CaptureQueriesContext

from apps.core.errors import Conflict, ValidationFailed
from apps.metrics.definitions import RESOLVED_STATES, breach_q, counted_tickets
from apps.metrics.rates import Rates, rates_by_child, rates_for, total_of
from apps.places.models import OrgNode
from apps.tickets import services
from apps.tickets.models import Rating, Ticket
from tests.tickets.conftest import (  # noqa: F401 - fixtures of the tickets tests' world
    G1,
    G2,
    G4,
    bring_to,
    fresh_index_and_cache,
    media,
    submit,
    world,
)

SH = ZoneInfo("Asia/Shanghai")
MARCH = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}
LATER = datetime(2026, 4, 20, 10, 0, tzinfo=SH)

pytestmark = pytest.mark.django_db


def old_rates(*, node, start, end, now) -> Rates:
    """The definition as it was before rating_score: rated and satisfied through a join with
    tickets_rating. Kept here, verbatim, as the reference the new queries must agree with."""
    row = counted_tickets(node=node, start=start, end=end).aggregate(
        tickets=Count("pk"),
        responded_on_time=Count("pk", filter=Q(accepted_at__isnull=False, accepted_at__lte=F("respond_by"))),
        resolved=Count("pk", filter=Q(state__in=RESOLVED_STATES)),
        resolved_on_time=Count("pk", filter=Q(resolved_at__isnull=False, resolved_at__lte=F("resolve_by"))),
        rated=Count("rating"),
        satisfied=Count("rating", filter=Q(rating__score__gte=4)),
        resolved_at_window=Count("pk", filter=Q(resolved_at_window=True)),
        overdue_open=Count("pk", filter=breach_q(now)),
        response_minutes_sum=Sum("response_minutes"),
        responses_timed=Count("response_minutes"),
        resolution_minutes_sum=Sum("resolution_minutes", filter=Q(state__in=RESOLVED_STATES)),
        resolutions_timed=Count("resolution_minutes", filter=Q(state__in=RESOLVED_STATES)),
    )
    return Rates.from_row(row)


def _at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 3, day, hour, 0, tzinfo=SH)


@pytest.fixture
def rated_world(world):  # noqa: F811 - the imported fixture
    """Tickets in three grids moved by the real services, rated 1 to 5, one reopened after rating."""
    tickets = {}
    plan = [
        # (key, grid, day, final state, score)
        ("a", G1, 2, "closed", 5),
        ("b", G1, 3, "closed", 4),
        ("c", G1, 4, "resolved", 3),
        ("d", G1, 5, "closed", 1),
        ("e", G2, 6, "resolved", 2),
        ("f", G2, 7, "resolved", None),
        ("g", G4, 8, "closed", 5),
        ("h", G1, 9, "in_progress", None),
        ("i", G1, 10, "rejected", None),
        ("j", G2, 11, "merged", None),
    ]
    for key, where, day, state, _score in plan:
        with time_machine.travel(_at(day), tick=False):
            tickets[key] = bring_to(world, submit(world, where=where), state)
    with time_machine.travel(LATER, tick=False):
        for key, _where, _day, _state, score in plan:
            if score is not None:
                resident = tickets[key].resident or world.admin
                services.ticket_rate(ticket=tickets[key], actor=resident, score=score)
        # Reopened after its rating: the rating stays (it counts in both definitions).
        tickets["e"] = Ticket.objects.get(pk=tickets["e"].pk)
        services.ticket_reopen(ticket=tickets["e"], actor=tickets["e"].resident, note="又坏了")
    return tickets


def test_rating_copies_the_score_onto_the_ticket(world):  # noqa: F811 - the imported fixture
    with time_machine.travel(_at(2), tick=False):
        ticket = bring_to(world, submit(world), "closed")
    assert Ticket.objects.get(pk=ticket.pk).rating_score is None

    with time_machine.travel(LATER, tick=False):
        updated_before = Ticket.objects.get(pk=ticket.pk).updated_at
        rating = services.ticket_rate(ticket=ticket, actor=world.resident, score=4)

    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.rating_score, rating.score, Rating.objects.get(ticket=ticket).score) == (4, 4, 4)
    assert stored.updated_at == updated_before  # rating is not a change of the ticket's handling
    rates = rates_for(node=world.c1, **MARCH)
    assert (rates.rated, rates.satisfied, rates.satisfaction_rate) == (1, 1, 1.0)


def test_a_refused_rating_leaves_the_copy_alone(world):  # noqa: F811 - the imported fixture
    with time_machine.travel(_at(2), tick=False):
        ticket = bring_to(world, submit(world), "closed")
    with pytest.raises(ValidationFailed):
        services.ticket_rate(ticket=ticket, actor=world.resident, score=6)
    assert Ticket.objects.get(pk=ticket.pk).rating_score is None

    services.ticket_rate(ticket=ticket, actor=world.resident, score=2)
    # A rating cannot be changed: the second one is refused and the first score stays, on both rows.
    with pytest.raises(Conflict):
        services.ticket_rate(ticket=ticket, actor=world.resident, score=5)
    assert Ticket.objects.get(pk=ticket.pk).rating_score == 2
    assert Rating.objects.get(ticket=ticket).score == 2


def test_copy_and_rating_table_agree(rated_world):
    copies = dict(Ticket.objects.filter(rating_score__isnull=False).values_list("pk", "rating_score"))
    ratings = dict(Rating.objects.values_list("ticket_id", "score"))
    assert copies == ratings
    assert sorted(ratings.values()) == [1, 2, 3, 4, 5, 5]


@pytest.mark.parametrize("code", [None, "370100", "370102", "370102001001", G1, G2, G4])
def test_rates_match_the_old_definition(rated_world, code):
    node = OrgNode.objects.get(code=code) if code else None
    now = LATER
    expected = old_rates(node=node, now=now, **MARCH)
    assert expected.tickets > 0
    assert rates_for(node=node, now=now, **MARCH) == expected
    rows = rates_by_child(node=node, now=now, **MARCH)
    assert total_of(rows) == expected
    for row in rows:
        if row.kind == "node" and row.level:
            child = OrgNode.objects.get(code=row.code)
            assert row.rates == old_rates(node=child, now=now, **MARCH), row.code


def test_old_and_new_agree_on_the_satisfaction_figures(rated_world, world):  # noqa: F811
    # In C1 (G1 and G2): rated a 5, b 4, c 3, d 1, e 2 → 5 rated, 2 satisfied; f is not rated.
    rates = rates_for(node=world.c1, now=LATER, **MARCH)
    assert (rates.rated, rates.satisfied, rates.satisfaction_rate) == (5, 2, 0.4)


def test_migration_fills_the_copy_from_existing_ratings(rated_world):
    migration = importlib.import_module("apps.tickets.migrations.0002_ticket_rating_score")
    expected = dict(Ticket.objects.values_list("pk", "rating_score"))
    Ticket.objects.update(rating_score=None)  # as the rows were before the migration

    migration.copy_scores(django_apps, None)

    assert dict(Ticket.objects.values_list("pk", "rating_score")) == expected
    assert sum(1 for score in expected.values() if score is not None) == Rating.objects.count() == 6


def test_rate_queries_do_not_join_the_rating_table(rated_world, world):  # noqa: F811
    with CaptureQueriesContext(connection) as ctx:
        rates_for(node=world.c1, now=LATER, **MARCH)
        rates_by_child(node=world.c1, now=LATER, **MARCH)
        rates_by_child(node=world.g1, now=LATER, **MARCH)
    assert ctx.captured_queries
    assert not [q["sql"] for q in ctx.captured_queries if "tickets_rating" in q["sql"]]
