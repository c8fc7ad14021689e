"""Delivery by real Celery workers on PostgreSQL + Redis: once per notification, and nothing lost
while the broker is down (a private redis-server is stopped and started; the shared one is left alone)."""

from __future__ import annotations

import json
import time

import pytest

from apps.notifications.models import Channel, DeliveryState, Notification, Preference
from apps.notifications.services import sweep
from apps.notifications.tasks import deliver_notification
from apps.tickets import services
from servicedesk.celery import app as celery_app
from tests.conftest import sms_keys, wait_for
from tests.notifications.world import submit

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def finished(worker, task_name: str) -> int:
    return sum(
        1
        for line in worker.log.read_text(errors="replace").splitlines()
        if f"Task {task_name}[" in line and "succeeded" in line
    )


def test_an_sms_is_delivered_once_even_when_its_task_is_delivered_again(world, start_worker, tmp_path):
    path = tmp_path / "sms.jsonl"
    worker = start_worker(concurrency=2, SMS_BACKEND=f"file://{path}")
    Preference.objects.create(user=world.resident, sms=True)
    ticket = submit(world)  # the resident submits: told nothing of their own action
    services.ticket_accept(ticket=ticket, actor=world.worker)  # commits: the delivery task is published
    sms = Notification.objects.get(ticket=ticket, channel=Channel.SMS)
    assert (sms.kind, sms.address, sms.recipient) == ("ticket_accepted", "13812345678", world.resident)
    key = f"notification-{sms.pk}"
    wait_for(lambda: sms_keys(path)[key] == 1, timeout=60, message="the SMS line")
    wait_for(
        lambda: finished(worker, "apps.notifications.tasks.deliver_notification") == 1,
        timeout=30,
        message="the first delivery",
    )
    deliver_notification.delay(sms.pk)
    deliver_notification.apply_async(args=[sms.pk], task_id="deliver-twice")
    deliver_notification.apply_async(args=[sms.pk], task_id="deliver-twice")
    wait_for(
        lambda: finished(worker, "apps.notifications.tasks.deliver_notification") == 4,
        timeout=60,
        message="three more deliveries",
    )
    assert sms_keys(path) == {key: 1}
    sms.refresh_from_db()
    assert (sms.state, sms.attempts) == (DeliveryState.SENT, 1)
    assert sms.sent_at is not None
    line = json.loads(path.read_text().splitlines()[0])
    assert line["phone"] == "13812345678"
    assert ticket.code in line["text"]


def use_broker(url: str, monkeypatch) -> None:
    """Point this process's Celery app at ``url`` with fresh connections.

    Celery reads the CELERY_BROKER_URL environment variable before its configuration, so that
    is what must change.
    """
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    drop_connections()


def drop_connections() -> None:
    # Not force_close_all(): kombu keeps pools in a global registry, and a closed one would be
    # handed back when the URL is switched back; dropping the references is enough.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def submit_by_phone(world, phone: str):
    """A clerk records a phone call from a resident without an account: the receipt goes by SMS."""
    started = time.monotonic()
    ticket = submit(world, resident=None, contact_phone=phone)
    return ticket, time.monotonic() - started


@pytest.mark.slow
def test_notifications_survive_the_broker_being_stopped_and_restarted(
    world, start_worker, private_redis, tmp_path, monkeypatch
):
    path = tmp_path / "sms.jsonl"
    broker, redis = private_redis.url, private_redis
    try:
        use_broker(broker, monkeypatch)
        assert celery_app.connection_for_write().port == redis.port
        start_worker(concurrency=2, CELERY_BROKER_URL=broker, SMS_BACKEND=f"file://{path}")

        before, _ = submit_by_phone(world, "13700000000")
        first = Notification.objects.get(ticket=before, channel=Channel.SMS)
        wait_for(lambda: sms_keys(path)[f"notification-{first.pk}"] == 1, timeout=60, message="the SMS before")

        redis.stop()
        during = []
        for i in range(3):
            ticket, took = submit_by_phone(world, f"1370000000{i + 1}")
            assert took < 10, f"a submission waited {took:.1f}s for the broker"
            during.append(ticket)
        rows = list(Notification.objects.filter(ticket__in=during, channel=Channel.SMS))
        assert len(rows) == 3
        assert {(r.kind, r.state) for r in rows} == {("ticket_submitted", DeliveryState.PENDING)}
        time.sleep(2)
        assert all(sms_keys(path)[f"notification-{r.pk}"] == 0 for r in rows)

        redis.start()
        report = wait_for(lambda: (r := sweep())["enqueued"] and r, timeout=30, message="the sweep to publish")
        assert report["due"] == report["enqueued"] == 3
        keys = {f"notification-{r.pk}" for r in rows}
        wait_for(lambda: keys <= set(sms_keys(path)), timeout=90, message="the SMS after the outage")
        time.sleep(2)  # anything sent twice would show up now
        sweep()  # and a sweep after delivery re-sends nothing
        time.sleep(2)
        lines = sms_keys(path)
        assert lines == {f"notification-{first.pk}": 1, **dict.fromkeys(keys, 1)}
        assert set(Notification.objects.filter(channel=Channel.SMS).values_list("state", flat=True)) == {
            DeliveryState.SENT
        }
    finally:
        redis.stop()
        monkeypatch.undo()
        drop_connections()
