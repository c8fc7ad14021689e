"""The SLA scan run by real Celery workers on PostgreSQL + Redis: each step arrives exactly once.

A ticket is submitted (urgent: 24 calendar hours) 25 hours before now and accepted 10 minutes
later, so its 75 % warning (18 h) and its target (24 h) have passed and the next escalation
level is 23 hours away: the scan owes exactly one reminder and one escalation per ticket.
The grid worker and the community supervisor take SMS too, so each step is also a line in the
file backend's outbox, written by whichever worker delivers it.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from apps.notifications.models import Channel, Notification, Preference
from apps.sla.tasks import scan
from apps.tickets import services
from apps.tickets.models import SlaStep, Ticket, TicketEvent
from tests.conftest import sms_keys, wait_for
from tests.notifications.world import submit, world_fixture

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    yield from world_fixture()


def overdue_tickets(world, count: int) -> list[Ticket]:
    base = timezone.now() - timedelta(hours=25)
    tickets = []
    for _ in range(count):
        with time_machine.travel(base, tick=False):
            ticket = submit(world, priority="urgent")
        with time_machine.travel(base + timedelta(minutes=10), tick=False):
            tickets.append(services.ticket_accept(ticket=ticket, actor=world.worker))
    for user in (world.worker, world.sup_c):
        Preference.objects.create(user=user, sms=True)
    return tickets


def succeeded(workers, task_name: str) -> int:
    """How many runs of the task the workers' logs report as finished."""
    return sum(
        1
        for w in workers
        for line in w.log.read_text(errors="replace").splitlines()
        if f"Task {task_name}[" in line and "succeeded" in line
    )


def assert_each_step_once(world, tickets, path: Path) -> None:
    ids = [t.pk for t in tickets]
    n = len(tickets)
    assert sorted(SlaStep.objects.filter(ticket_id__in=ids).values_list("key", flat=True)) == sorted(
        ["escalation:1", "resolution_warning"] * n
    )
    assert TicketEvent.objects.filter(ticket_id__in=ids, action="remind").count() == n
    assert TicketEvent.objects.filter(ticket_id__in=ids, action="escalate").count() == n
    in_app = Counter(
        Notification.objects.filter(ticket_id__in=ids, channel=Channel.IN_APP, kind__in=["reminder", "escalation"])
        .values_list("recipient__username", "kind")
        .order_by()
    )
    assert in_app == {("worker", "reminder"): n, ("sup_c", "escalation"): n}
    sms = list(Notification.objects.filter(ticket_id__in=ids, channel=Channel.SMS))
    assert Counter((s.address, s.kind, s.state) for s in sms) == {
        ("13900000001", "reminder", "sent"): n,
        ("13900000011", "escalation", "sent"): n,
    }
    lines = sms_keys(path)
    assert {f"notification-{s.pk}" for s in sms} == set(lines)
    assert set(lines.values()) == {1}, lines
    fresh = Ticket.objects.filter(pk__in=ids)
    assert {t.escalation_level for t in fresh} == {1}
    assert {t.next_action_at for t in fresh} == {t.resolve_by + timedelta(hours=24) for t in fresh}


def test_one_worker_sends_the_reminder_and_the_escalation_once_and_a_repeated_task_adds_nothing(
    world, start_worker, tmp_path
):
    path = tmp_path / "sms.jsonl"
    tickets = overdue_tickets(world, 2)
    worker = start_worker(concurrency=1, SMS_BACKEND=f"file://{path}")
    scan.delay()
    wait_for(lambda: sum(sms_keys(path).values()) >= 4, timeout=60, message="4 SMS lines")
    wait_for(lambda: succeeded([worker], "apps.sla.tasks.scan") == 1, timeout=30, message="the scan to finish")
    assert_each_step_once(world, tickets, path)
    # The same task twice (same id, as a broker redelivery would) and a fresh copy: nothing more.
    scan.apply_async(task_id="sla-scan-twice")
    scan.apply_async(task_id="sla-scan-twice")
    scan.delay()
    wait_for(lambda: succeeded([worker], "apps.sla.tasks.scan") == 4, timeout=60, message="three more scans")
    assert_each_step_once(world, tickets, path)


def test_two_workers_scanning_at_once_send_each_step_once(world, start_worker, tmp_path):
    path = tmp_path / "sms.jsonl"
    tickets = overdue_tickets(world, 8)
    workers = [start_worker(concurrency=2, SMS_BACKEND=f"file://{path}") for _ in range(2)]
    for _ in range(3):
        scan.delay()
    scan.apply_async(task_id="sla-scan-duplicate")
    scan.apply_async(task_id="sla-scan-duplicate")
    wait_for(lambda: succeeded(workers, "apps.sla.tasks.scan") == 5, timeout=90, message="five scans")
    wait_for(lambda: sum(sms_keys(path).values()) >= 16, timeout=60, message="16 SMS lines")
    assert_each_step_once(world, tickets, path)
