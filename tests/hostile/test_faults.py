"""Faults: the broker stopped during submissions, a Celery worker killed mid-task."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import transaction

from apps.notifications.models import Channel, DeliveryState, Notification
from apps.tickets.models import Ticket
from bench.load import payloads_for, submit_all
from tests.conftest import ROOT, sms_keys, subprocess_env, wait_for
from tests.hostile.conftest import anonymous_ticket, center

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.celery_worker]


def anonymous(payloads: list[dict]) -> list[dict]:
    # Residents without an account get their receipt by SMS: one outbox row per ticket to deliver.
    return [{**p, "contact_name": "王女士", "contact_phone": f"1361234{i:04d}"} for i, p in enumerate(payloads)]


def run_sweep(env: dict) -> dict:
    """The sweep as beat would run it: a separate process, on the private broker."""
    code = (
        "import django, json; django.setup(); from apps.notifications.services import sweep; print(json.dumps(sweep()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# Celery 5.7's consumer could stop consuming for good after this outage (kombu raised an
# AttributeError while closing the lost connection); servicedesk/worker.py makes the worker
# recover, and this test is the proof: every notice queued during the outage goes out once.
def test_submissions_survive_a_broker_outage_and_every_notice_goes_out_once(
    world, live_gunicorn, start_worker, private_redis, tmp_path
):
    sms = tmp_path / "sms.jsonl"
    env = {
        "CELERY_BROKER_URL": private_redis.url,
        "SMS_BACKEND": f"file://{sms}",
        "THROTTLE_ANON_SUBMIT": "100000/min",
    }
    worker = start_worker(concurrency=2, **env)
    server = live_gunicorn(workers=3, **env)
    points = [center(0), center(1)]

    before = submit_all(
        server.url, tokens=[], payloads=anonymous(payloads_for(points, ["ROAD"], 30, tag="up-")), concurrency=8
    )
    assert before.statuses == {201: 30}

    private_redis.stop()
    during = submit_all(
        server.url, tokens=[], payloads=anonymous(payloads_for(points, ["ROAD"], 60, tag="down-")), concurrency=8
    )
    # The broker being down costs a request at most a failed publish, never the ticket.
    assert during.errors == []
    assert during.statuses == {201: 60}
    assert max(during.latencies) < 5.0, max(during.latencies)
    assert Ticket.objects.filter(description__contains="down-").count() == 60

    private_redis.start()
    expected = set(
        Notification.objects.filter(channel=Channel.SMS, ticket__description__contains="-").values_list("pk", flat=True)
    )
    assert len(expected) == 90
    sweep_env = subprocess_env(**env)
    run_sweep(sweep_env)

    deadline = time.monotonic() + 240
    while True:
        left = list(
            Notification.objects.filter(pk__in=expected)
            .exclude(state=DeliveryState.SENT)
            .values_list("pk", "state", "attempts", "next_attempt_at", "last_error")
        )
        if not left:
            break
        if time.monotonic() > deadline:
            worker_log = "\n".join(worker.log.read_text(errors="replace").splitlines()[-40:])
            pytest.fail(
                f"{len(left)} notifications not delivered after the broker came back: {left[:10]}\n{worker_log}"
            )
        run_sweep(sweep_env)  # beat's next tick: re-enqueue whatever is still pending
        time.sleep(1.0)
    keys = sms_keys(sms)
    assert set(keys) == {f"notification-{pk}" for pk in expected}
    assert set(keys.values()) == {1}  # exactly once each, even with the sweep run repeatedly
    # Another sweep (a beat tick after recovery) sends nothing more.
    run_sweep(sweep_env)
    time.sleep(1.0)
    assert sms_keys(sms) == keys


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def test_a_worker_killed_mid_task_redelivers_and_the_message_is_sent_once(world, start_worker, tmp_path):
    fifo = tmp_path / "sms.fifo"
    os.mkfifo(fifo)
    # Delivery opens the FIFO to append and blocks there until the test reads it: the task is
    # caught mid-flight, after its claim, before its effect.
    worker = start_worker(concurrency=1, extra_args=("--pool", "prefork"), SMS_BACKEND=f"file://{fifo}")
    with transaction.atomic():
        ticket = anonymous_ticket(world)
    notice = Notification.objects.get(ticket=ticket, channel=Channel.SMS)
    wait_for(
        lambda: Notification.objects.filter(pk=notice.pk, state=DeliveryState.SENDING).exists(),
        timeout=30,
        message="the worker claimed the notification",
    )
    children = wait_for(lambda: _children(worker.proc.pid), timeout=10, message="the pool's child process")
    assert len(children) == 1
    os.kill(children[0], signal.SIGKILL)

    # reject_on_worker_lost puts the message back; a new child takes it and takes back its claim.
    wait_for(
        lambda: Notification.objects.filter(pk=notice.pk, attempts=2).exists(),
        timeout=60,
        message="the task redelivered to a new child",
    )
    lines: list[str] = []

    def read():
        with open(fifo, encoding="utf-8") as fh:
            lines.extend(fh.readlines())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=30)
    assert not reader.is_alive()
    wait_for(
        lambda: Notification.objects.filter(pk=notice.pk, state=DeliveryState.SENT).exists(),
        timeout=30,
        message="the notification marked sent",
    )
    assert [json.loads(line)["key"] for line in lines] == [f"notification-{notice.pk}"]
    log = worker.log.read_text(errors="replace")
    assert "SIGKILL" in log or "signal 9" in log
    # Nothing more is written: a further delivery attempt would block on the FIFO and stay "sending".
    time.sleep(1.0)
    notice.refresh_from_db()
    assert (notice.state, notice.attempts) == (DeliveryState.SENT, 2)
