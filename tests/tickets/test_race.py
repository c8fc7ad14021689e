"""Concurrent actions on one ticket: one wins, the others get Conflict / 409, no lost update (PostgreSQL)."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection

from apps.core.errors import Conflict
from apps.people.models import User
from apps.tickets import services
from apps.tickets.models import Ticket, TicketEvent
from tests.tickets.conftest import api_client, make_ticket

pytestmark = [pytest.mark.postgres]


def run_together(n: int, work) -> list:
    """Run ``work(i)`` in ``n`` threads released at the same instant; return their outcomes in order."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def body(i):
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as exc:  # the outcome under test, recorded for the assertions
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=body, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results


def outcome(result) -> str:
    if isinstance(result, Conflict):
        return "conflict"
    if isinstance(result, Exception):
        return f"error: {result!r}"
    return "ok"


@pytest.mark.parametrize("n", [2, 20])
def test_racing_accepts_through_the_service(transactional_db, world, n):
    ticket = make_ticket(world)

    def accept(_i):
        actor = User.objects.get(pk=world.worker.pk)
        return services.ticket_accept(ticket=ticket.pk, actor=actor)

    results = run_together(n, accept)
    assert Counter(outcome(r) for r in results) == Counter({"ok": 1, "conflict": n - 1})
    assert all(r.code == "invalid_transition" for r in results if isinstance(r, Conflict))
    assert TicketEvent.objects.filter(ticket=ticket, action="accept").count() == 1
    assert Ticket.objects.get(pk=ticket.pk).state == "accepted"


@pytest.mark.parametrize("n", [2, 20])
def test_racing_accepts_through_the_api(transactional_db, world, n):
    ticket = make_ticket(world)

    def accept(i):
        client = api_client(User.objects.get(pk=(world.worker if i % 2 else world.clerk).pk))
        response = client.post(f"/api/v1/tickets/{ticket.pk}/accept/", {}, format="json")
        return response.status_code, response.json()

    results = run_together(n, accept)
    statuses = Counter(status for status, _body in results)
    assert statuses == Counter({200: 1, 409: n - 1}), results
    assert all(body["code"] == "invalid_transition" for status, body in results if status == 409)
    assert TicketEvent.objects.filter(ticket=ticket, action="accept").count() == 1


def test_accept_and_reject_at_once_serialise(transactional_db, world):
    """The row lock serialises the two: reject first → the accept is refused (409); accept first →
    the reject still applies (rejecting an accepted ticket is allowed). Either way the ticket ends
    rejected and its events tell exactly what happened, in order — no lost update."""
    ticket = make_ticket(world)

    def act(i):
        if i == 0:
            return services.ticket_accept(ticket=ticket.pk, actor=User.objects.get(pk=world.worker.pk))
        return services.ticket_reject(ticket=ticket.pk, actor=User.objects.get(pk=world.clerk.pk), reason="重复")

    accepted, rejected = (outcome(r) for r in run_together(2, act))
    ticket.refresh_from_db()
    assert rejected == "ok"
    assert ticket.state == "rejected"
    events = list(TicketEvent.objects.filter(ticket=ticket, action__in=["accept", "reject"]).order_by("at", "id"))
    if accepted == "ok":
        assert [(e.action, e.from_state, e.to_state) for e in events] == [
            ("accept", "submitted", "accepted"),
            ("reject", "accepted", "rejected"),
        ]
    else:
        assert accepted == "conflict"
        assert [(e.action, e.from_state, e.to_state) for e in events] == [("reject", "submitted", "rejected")]


def test_concurrent_comments_are_all_kept(transactional_db, world):
    ticket = make_ticket(world)

    def comment(i):
        return services.ticket_comment(ticket=ticket.pk, actor=User.objects.get(pk=world.worker.pk), body=f"#{i}")

    results = run_together(10, comment)
    assert [outcome(r) for r in results] == ["ok"] * 10
    assert ticket.comments.count() == 10
    assert TicketEvent.objects.filter(ticket=ticket, action="comment").count() == 10
