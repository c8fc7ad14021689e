"""Twenty workers taking the same action on one ticket at the same moment: one wins, nineteen get 409."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.notifications.models import Notification
from apps.tickets import services
from apps.tickets.models import Channel, State, Ticket, TicketEvent
from tests.hostile.conftest import center

pytestmark = [pytest.mark.postgres]
THREADS = 20


def race(url: str, token: str, body: dict) -> list[int]:
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    lock = threading.Lock()

    def one():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        try:
            barrier.wait(timeout=30)
            status = client.post(url, body, format="json").status_code
            with lock:
                statuses.append(status)
        finally:
            connection.close()  # each thread has its own connection: give it back

    threads = [threading.Thread(target=one) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return sorted(statuses)


@pytest.mark.parametrize(
    ("action", "body", "start_state", "end_state"),
    [
        ("accept", {"note": "我来处理"}, State.SUBMITTED, State.ACCEPTED),
        ("resolve", {"note": "已修复"}, State.IN_PROGRESS, State.RESOLVED),
    ],
)
def test_twenty_threads_one_winner(transactional_db, world, action, body, start_state, end_state):
    ticket = services.ticket_submit(
        category=world.road,
        description="路面塌陷",
        lat=center(0)[0],
        lng=center(0)[1],
        resident=world.resident,
        actor=world.resident,
        channel=Channel.API,
    )
    assert ticket.assignee == world.worker
    if start_state == State.IN_PROGRESS:
        ticket = services.ticket_accept(ticket=ticket, actor=world.worker)
        ticket = services.ticket_start(ticket=ticket, actor=world.worker)
    token = Token.objects.create(user=world.worker).key
    events_before = TicketEvent.objects.filter(ticket=ticket).count()
    notices_before = Notification.objects.filter(ticket=ticket).count()

    statuses = race(f"/api/v1/tickets/{ticket.pk}/{action}/", token, body)

    assert statuses == [200] + [409] * (THREADS - 1)
    ticket.refresh_from_db()
    assert ticket.state == end_state
    new_events = list(TicketEvent.objects.filter(ticket=ticket).values_list("action", flat=True)[events_before:])
    assert new_events == [action]
    # The winner's notifications only (the resident hears once).
    new_kinds = list(
        Notification.objects.filter(ticket=ticket).order_by("pk").values_list("kind", flat=True)[notices_before:]
    )
    assert new_kinds.count(f"ticket_{'accepted' if action == 'accept' else 'resolved'}") == 1
    assert Ticket.objects.filter(pk=ticket.pk, state=end_state).count() == 1
