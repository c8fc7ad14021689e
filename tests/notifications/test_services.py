"""The outbox services: writing rows (rendered per language), delivering them once, retrying with
back-off, giving up, the sweep, and marking the inbox read."""

from __future__ import annotations

from datetime import timedelta
from datetime import timezone as dt_timezone

import pytest
import time_machine
from django.core import mail
from django.utils import timezone, translation

from apps.notifications import messages
from apps.notifications.models import Channel, DeliveryState, Notification, Preference
from apps.notifications.services import Recipient, backoff, deliver, mark_read, notify, render, sweep
from apps.notifications.tasks import deliver_notification
from tests.notifications.world import at, submit

NOW = at(2025, 6, 9, 10, 0)


def context(**extra) -> dict:
    return {
        "code": "ABCDEFGH23",
        "title": "路面有坑",
        "category": "道路破损",
        "place": "青龙第1网格",
        "assignee": "worker",
        "actor": "—",
        "note": "",
        "respond_by": at(2025, 6, 9, 11, 0),
        "resolve_by": at(2025, 6, 11, 17, 30),
        "due": at(2025, 6, 9, 10, 30),
        "target": "response",
        **extra,
    }


def row(**fields) -> Notification:
    values = {
        "channel": Channel.SMS,
        "address": "13811112222",
        "kind": "ticket_submitted",
        "subject": "Request received: ABCDEFGH23",
        "body": "We have received your request.",
        "next_attempt_at": NOW,
        "created_at": NOW,
    }
    values.update(fields)
    return Notification.objects.create(**values)


@pytest.fixture
def published(monkeypatch) -> list:
    """Delivery tasks handed to the broker (nothing is really published)."""
    calls = []
    monkeypatch.setattr(deliver_notification, "apply_async", lambda args=(), kwargs=None, **opts: calls.append(args))
    return calls


@pytest.fixture
def sms_file(settings, tmp_path):
    path = tmp_path / "outbox" / "sms.jsonl"
    settings.SMS_BACKEND = f"file://{path}"
    return path


def lines(path) -> list[dict]:
    import json

    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


# -- rendering and writing -----------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(messages.MESSAGES))
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_kind_renders_in_both_languages(kind, language):
    subject, body = render(kind, context(), language)
    assert "ABCDEFGH23" in subject or "ABCDEFGH23" in body
    assert "%(" not in subject + body  # every placeholder was filled
    assert subject.strip() and body.strip()


def test_times_are_rendered_on_the_local_wall_clock():
    _, body = render("assigned", context(respond_by=at(2025, 6, 9, 11, 0).astimezone(dt_timezone.utc)), "en")
    assert "2025-06-09 11:00" in body
    assert "2025-06-11 17:30" in body


def test_the_english_text_is_exact():
    assert render("reminder", context(), "en") == (
        "Reminder: ABCDEFGH23 is due soon",
        "The response time limit of “路面有坑” ends at 2025-06-09 10:30.",
    )


class LanguageProbe:
    """A message whose text names the language active while it is rendered."""

    def __init__(self, text):
        self.text = text

    def __str__(self):
        return f"[{translation.get_language()}] {self.text}"


def test_each_recipient_gets_the_text_in_their_own_language(world, monkeypatch):
    monkeypatch.setitem(
        messages.MESSAGES, "reminder", (LanguageProbe("%(code)s"), LanguageProbe("%(title)s by %(due)s"))
    )
    Preference.objects.create(user=world.sup_c, language="en")
    Preference.objects.create(user=world.sup_s, language="zh-hans")
    rows = notify(
        kind="reminder",
        recipients=[Recipient(user=world.sup_c), Recipient(user=world.sup_s), Recipient(user=world.sup_d)],
        context=context(),
    )
    texts = {r.recipient.username: (r.subject, r.body) for r in rows}
    assert texts == {
        "sup_c": ("[en] ABCDEFGH23", "[en] 路面有坑 by 2025-06-09 10:30"),
        "sup_s": ("[zh-hans] ABCDEFGH23", "[zh-hans] 路面有坑 by 2025-06-09 10:30"),
        "sup_d": ("[zh-hans] ABCDEFGH23", "[zh-hans] 路面有坑 by 2025-06-09 10:30"),  # no preference: the default
    }


def test_one_row_per_person_and_channel_even_if_named_twice(world, published, django_capture_on_commit_callbacks):
    Preference.objects.create(user=world.sup_c, sms=True)
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(
            kind="escalation",
            recipients=[Recipient(user=world.sup_c), Recipient(user=world.sup_c), Recipient(phone="13800000000")] * 2,
            context=context(),
        )
    assert sorted((r.channel, r.address, r.state) for r in rows) == [
        ("in_app", "", "sent"),
        ("sms", "13800000000", "pending"),
        ("sms", "13900000011", "pending"),
    ]
    # Only what needs a worker is enqueued, and only after the commit.
    assert sorted(published) == sorted((r.pk,) for r in rows if r.channel == Channel.SMS)


def test_delivery_is_enqueued_only_when_the_transaction_commits(world, published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ticket = submit(world, resident=None)
    assert published == []  # nothing published before the commit
    for callback in callbacks:
        callback()
    sms = Notification.objects.get(ticket=ticket, channel=Channel.SMS)
    assert published == [(sms.pk,)]


def test_a_broker_outage_never_fails_a_submission(world, monkeypatch, django_capture_on_commit_callbacks):
    def down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(deliver_notification, "apply_async", down)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = submit(world, resident=None)
    sms = Notification.objects.get(ticket=ticket, channel=Channel.SMS)
    assert (sms.state, sms.attempts) == (DeliveryState.PENDING, 0)  # the sweep will take it


# -- delivery ------------------------------------------------------------------------------


def test_an_sms_is_sent_once_through_the_file_backend(db, sms_file):
    note = row()
    with time_machine.travel(NOW, tick=False):
        assert deliver(note.pk, token="task-1") == "sent"
        assert deliver(note.pk, token="task-2") == "skipped"  # another copy of the task
        assert deliver(note.pk, token="task-1") == "skipped"  # the same task again, after success
    assert [(line["key"], line["phone"]) for line in lines(sms_file)] == [(f"notification-{note.pk}", "13811112222")]
    assert lines(sms_file)[0]["text"] == "Request received: ABCDEFGH23: We have received your request."
    note.refresh_from_db()
    assert (note.state, note.attempts, note.sent_at, note.claim_token, note.last_error) == (
        DeliveryState.SENT,
        1,
        NOW,
        "task-1",
        "",
    )


def test_an_email_is_sent_with_djangos_backend(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    note = row(channel=Channel.EMAIL, address="resident@example.org", subject="Request ABC accepted", body="Hello")
    with time_machine.travel(NOW, tick=False):
        assert deliver(note.pk) == "sent"
    assert [(m.subject, m.body, m.to, m.from_email) for m in mail.outbox] == [
        ("Request ABC accepted", "Hello", ["resident@example.org"], settings.DEFAULT_FROM_EMAIL)
    ]


def test_a_row_claimed_by_another_task_is_left_alone(db, sms_file):
    note = row(state=DeliveryState.SENDING, claim_token="task-1", claimed_at=NOW, attempts=1)
    with time_machine.travel(NOW + timedelta(seconds=5), tick=False):
        assert deliver(note.pk, token="task-2") == "skipped"
        assert deliver(note.pk) == "skipped"
    assert lines(sms_file) == []


def test_the_redelivered_task_of_a_dead_worker_takes_its_own_claim_back(db, sms_file):
    note = row(state=DeliveryState.SENDING, claim_token="task-1", claimed_at=NOW, attempts=1)
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        assert deliver(note.pk, token="task-1") == "sent"
    note.refresh_from_db()
    assert (note.state, note.attempts) == (DeliveryState.SENT, 2)
    assert len(lines(sms_file)) == 1


def test_a_row_not_due_yet_is_not_sent(db, sms_file):
    note = row(next_attempt_at=NOW + timedelta(minutes=1))
    with time_machine.travel(NOW, tick=False):
        assert deliver(note.pk) == "skipped"
    assert lines(sms_file) == []


def test_backoff_doubles_up_to_an_hour():
    assert [backoff(n).total_seconds() for n in range(1, 10)] == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


class Unreachable:
    def __init__(self):
        self.calls = 0

    def __call__(self, request, timeout=None):
        import urllib.error

        self.calls += 1
        raise urllib.error.URLError("connection refused")


def test_a_failing_gateway_is_retried_with_backoff_then_given_up(db, settings, monkeypatch):
    settings.SMS_BACKEND = "https://sms.example.com/send"
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    gateway = Unreachable()
    monkeypatch.setattr("urllib.request.urlopen", gateway)
    note = row()
    outcomes, next_times, when = [], [], NOW
    for _ in range(3):
        with time_machine.travel(when, tick=False):
            outcomes.append(deliver(note.pk, token="t"))
        note.refresh_from_db()
        next_times.append(note.next_attempt_at)
        if note.next_attempt_at:
            with time_machine.travel(note.next_attempt_at - timedelta(seconds=1), tick=False):
                assert deliver(note.pk, token="t") == "skipped"  # never before its time
            when = note.next_attempt_at
    assert outcomes == ["retry", "retry", "failed"]
    assert next_times == [NOW + timedelta(seconds=30), NOW + timedelta(seconds=90), None]
    assert gateway.calls == 3
    assert (note.state, note.attempts) == (DeliveryState.FAILED, 3)
    assert note.last_error == "SmsError: gateway unreachable: <urlopen error connection refused>"
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        assert deliver(note.pk) == "skipped"  # failed for good: not even the sweep takes it
        assert sweep()["due"] == 0
    assert gateway.calls == 3


# -- the sweep -----------------------------------------------------------------------------


def test_the_sweep_re_enqueues_what_is_due_and_reclaims_what_is_stuck(db, published):
    due = row()
    later = row(next_attempt_at=NOW + timedelta(minutes=5))
    stuck = row(state=DeliveryState.SENDING, claim_token="dead", claimed_at=NOW - timedelta(minutes=11), attempts=1)
    busy = row(state=DeliveryState.SENDING, claim_token="alive", claimed_at=NOW - timedelta(minutes=2), attempts=1)
    row(state=DeliveryState.SENT, sent_at=NOW)
    row(state=DeliveryState.FAILED, next_attempt_at=None)
    row(channel=Channel.IN_APP, address="", state=DeliveryState.SENT, next_attempt_at=None)
    with time_machine.travel(NOW, tick=False):
        report = sweep()
    assert report == {"due": 2, "enqueued": 2, "reclaimed": 1}
    assert sorted(published) == sorted([(due.pk,), (stuck.pk,)])
    stuck.refresh_from_db()
    assert (stuck.state, stuck.next_attempt_at) == (DeliveryState.PENDING, NOW)
    busy.refresh_from_db()
    assert busy.state == DeliveryState.SENDING
    later.refresh_from_db()
    assert later.state == DeliveryState.PENDING


def test_the_sweep_with_the_broker_down_loses_nothing(db, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(deliver_notification, "apply_async", down)
    note = row()
    with time_machine.travel(NOW, tick=False):
        assert sweep() == {"due": 1, "enqueued": 0, "reclaimed": 0}
    note.refresh_from_db()
    assert note.state == DeliveryState.PENDING


def test_the_sweep_task_and_the_delivery_task_call_the_services(db, sms_file):
    from apps.notifications.tasks import sweep as sweep_task

    note = row(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert deliver_notification.apply(args=[note.pk]).get() == "sent"
    assert sweep_task.apply().get() == {"due": 0, "enqueued": 0, "reclaimed": 0}


# -- the inbox -----------------------------------------------------------------------------


def test_mark_read_touches_only_the_callers_unread_in_app_rows(world):
    mine = [row(recipient=world.worker, channel=Channel.IN_APP, state="sent") for _ in range(3)]
    sms = row(recipient=world.worker)
    theirs = row(recipient=world.sup_c, channel=Channel.IN_APP, state="sent")
    with time_machine.travel(NOW, tick=False):
        assert mark_read(user=world.worker, ids=[mine[0].pk, theirs.pk]) == 1
        assert mark_read(user=world.worker, ids=[mine[0].pk]) == 0  # already read
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        assert mark_read(user=world.worker) == 2
    read = dict(Notification.objects.values_list("pk", "read_at"))
    assert read[mine[0].pk] == NOW
    assert read[mine[1].pk] == read[mine[2].pk] == NOW + timedelta(hours=1)
    assert read[sms.pk] is None
    assert read[theirs.pk] is None
