"""2,000 submissions from 32 concurrent clients against a live gunicorn: nothing lost, nothing doubled."""

from __future__ import annotations

import pytest
from django.db.models import Count

from apps.notifications.models import Notification
from apps.tickets.models import Ticket, TicketEvent
from bench.load import payloads_for, submit_all
from tests.hostile.conftest import center, resident_tokens

pytestmark = [pytest.mark.postgres]

SUBMISSIONS = 2000
CLIENTS = 32


def test_two_thousand_submissions_from_32_clients_lose_nothing(world, live_gunicorn):
    tokens = resident_tokens(CLIENTS)
    server = live_gunicorn(workers=5)
    points = [center(0), center(1)]  # grids G1 and G2, both with a worker on duty
    payloads = payloads_for(points, ["ROAD", "INFO"], SUBMISSIONS, tag="load-")

    result = submit_all(server.url, tokens=tokens, payloads=payloads, concurrency=CLIENTS, timeout=120)

    assert result.errors == []
    assert result.statuses == {201: SUBMISSIONS}
    assert len(set(result.codes)) == SUBMISSIONS  # no duplicate tracking codes handed out
    tickets = Ticket.objects.filter(description__contains="load-")
    assert tickets.count() == SUBMISSIONS
    assert set(tickets.values_list("code", flat=True)) == set(result.codes)
    assert set(tickets.values_list("pk", flat=True)) == set(result.ids)
    # Every ticket has its audit trail: exactly one submit and one route event.
    events = dict(
        TicketEvent.objects.filter(ticket__in=tickets, action="submit")
        .values_list("ticket")
        .annotate(n=Count("pk"))
        .values_list("ticket", "n")
    )
    assert len(events) == SUBMISSIONS and set(events.values()) == {1}
    assert TicketEvent.objects.filter(ticket__in=tickets, action="route").count() == SUBMISSIONS
    # …and its outbox row: the assignee's notice, once (residents are not told of their own submission).
    kinds = Notification.objects.filter(ticket__in=tickets).values("ticket", "kind").annotate(n=Count("pk"))
    per_ticket: dict[int, dict[str, int]] = {}
    for row in kinds:
        per_ticket.setdefault(row["ticket"], {})[row["kind"]] = row["n"]
    assert len(per_ticket) == SUBMISSIONS
    assert all(k == {"assigned": 1} for k in per_ticket.values()), next(
        k for k in per_ticket.values() if k != {"assigned": 1}
    )
    # Routing held under load: each ticket went to its grid's worker.
    assert set(tickets.values_list("grid__code", "assignee__username").distinct()) == {
        (world.g1.code, world.worker.username),
        (world.g2.code, world.worker2.username),
    }
