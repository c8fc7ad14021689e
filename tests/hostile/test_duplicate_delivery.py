"""Every Celery task delivered twice with the same arguments (and the same task id, as a
broker redelivery would) has one effect."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.models import Heartbeat
from apps.core.tasks import heartbeat
from apps.notifications import services as notification_services
from apps.notifications.models import Channel, DeliveryState, Notification
from apps.notifications.tasks import deliver_notification, sweep
from apps.sla.tasks import scan
from apps.tickets.models import SlaStep, Ticket, TicketEvent
from tests.conftest import sms_keys
from tests.hostile.conftest import anonymous_ticket


def twice(task, *args, task_id: str = "same-task-id"):
    """Run the task's body twice in this process, as two deliveries of one message."""
    return [task.apply(args=args, task_id=task_id).get() for _ in range(2)]


@pytest.fixture
def sms_file(settings, tmp_path):
    path = tmp_path / "sms.jsonl"
    settings.SMS_BACKEND = f"file://{path}"
    return path


def test_heartbeat_twice_writes_one_row(db):
    twice(heartbeat, "hostile-beat")
    assert Heartbeat.objects.filter(name="hostile-beat").count() == 1


def test_deliver_notification_twice_sends_once(world, sms_file):
    ticket = anonymous_ticket(world)
    notice = Notification.objects.get(ticket=ticket, channel=Channel.SMS)

    assert twice(deliver_notification, notice.pk) == ["sent", "skipped"]
    # Two different task ids (two enqueues of the same row) also send once.
    assert deliver_notification.apply(args=(notice.pk,), task_id="another-id").get() == "skipped"

    assert sms_keys(sms_file) == {f"notification-{notice.pk}": 1}
    notice.refresh_from_db()
    assert (notice.state, notice.attempts) == (DeliveryState.SENT, 1)


def test_sweep_twice_then_every_enqueued_copy_delivered_sends_once(world, sms_file, monkeypatch):
    enqueued: list[int] = []

    def fake_send_now(task, *args, **kwargs):
        enqueued.append(args[0])
        return True

    # The broker is "up" but no worker has run yet: both sweeps see the rows pending.
    monkeypatch.setattr("apps.core.enqueue.send_now", fake_send_now)
    tickets = [anonymous_ticket(world) for _ in range(3)]
    pending = set(Notification.objects.filter(ticket__in=tickets, channel=Channel.SMS).values_list("pk", flat=True))
    enqueued.clear()

    twice(sweep)
    assert sorted(enqueued) == sorted([*pending, *pending])  # each row enqueued by both sweeps
    for pk in enqueued:
        notification_services.deliver(pk, token=f"task-{len(enqueued)}-{pk}")

    assert sms_keys(sms_file) == Counter(f"notification-{pk}" for pk in pending)
    assert set(Notification.objects.filter(pk__in=pending).values_list("state", flat=True)) == {DeliveryState.SENT}


def test_scan_twice_takes_each_step_once(world):
    ticket = anonymous_ticket(world)
    now = timezone.now()
    Ticket.objects.filter(pk=ticket.pk).update(
        respond_warn_at=now - timedelta(minutes=5),
        respond_by=now + timedelta(hours=2),
        next_action_at=now - timedelta(minutes=5),
    )
    events_before = TicketEvent.objects.filter(ticket=ticket).count()
    notices_before = Notification.objects.filter(ticket=ticket).count()

    twice(scan)

    assert list(SlaStep.objects.filter(ticket=ticket).values_list("key", flat=True)) == ["response_warning"]
    assert list(TicketEvent.objects.filter(ticket=ticket).values_list("action", flat=True)[events_before:]) == [
        "remind"
    ]
    assert (
        Notification.objects.filter(ticket=ticket, kind="reminder").count()
        == Notification.objects.filter(ticket=ticket).count() - notices_before
    )
    assert Notification.objects.filter(ticket=ticket, kind="reminder").count() >= 1
