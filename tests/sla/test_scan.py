"""The SLA scan with the clock moved: reminders, breaches, escalations, supervision, auto-close.

A ticket submitted Monday 9 June 2025 09:00 (default policy) is due:
response warning 10:30, response breach 11:00, resolution warning Wed 11 June 10:45,
escalation 1/2/3 at Wed 17:30, Thu 17:30, Fri 17:30 (interval 24 h).
"""

from __future__ import annotations

import threading
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.notifications.models import Channel, Notification
from apps.sla.scan import scan_once
from apps.tickets import services
from apps.tickets.models import SlaStep, State, Ticket, TicketEvent
from apps.tickets.services import sla_actions
from tests.notifications.world import at, submit, world_fixture

MONDAY = at(2025, 6, 9, 9, 0)


@pytest.fixture
def world(db):
    yield from world_fixture()


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.SLA_ESCALATION_INTERVAL_HOURS = 24
    settings.AUTO_CLOSE_DAYS = 7
    settings.SLA_SCAN_BATCH = 50


def submit_at(world, when=MONDAY, **kwargs) -> Ticket:
    with time_machine.travel(when, tick=False):
        return submit(world, **kwargs)


def act_at(when, service, **kwargs):
    with time_machine.travel(when, tick=False):
        return service(**kwargs)


def scan_at(when, **kwargs):
    with time_machine.travel(when, tick=False):
        return scan_once(**kwargs)


def accepted(world, when=MONDAY, **kwargs) -> Ticket:
    ticket = submit_at(world, when, **kwargs)
    return act_at(when, services.ticket_accept, ticket=ticket, actor=world.worker)


def sent(ticket, kind: str) -> list[tuple[str, str]]:
    """(recipient, channel) of the ticket's notifications of ``kind``, sorted."""
    rows = Notification.objects.filter(ticket=ticket, kind=kind).select_related("recipient")
    return sorted((n.recipient.username if n.recipient else n.address, n.channel) for n in rows)


def events(ticket, action: str) -> list[dict]:
    return list(ticket.events.filter(action=action).order_by("id").values_list("data", flat=True))


def steps(ticket) -> list[str]:
    return sorted(ticket.sla_steps.values_list("key", flat=True))


def reload(ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


# -- reminders and escalations -------------------------------------------------------


def test_nothing_happens_before_the_warning(world):
    ticket = submit_at(world)
    report = scan_at(at(2025, 6, 9, 10, 29, 59))
    assert report.as_dict() == {"processed": 0, "steps": 0, "failed": [], "batches": 0}
    assert steps(ticket) == []
    assert sent(ticket, "reminder") == []


def test_the_warning_reminds_the_assignee_exactly_once_however_often_the_scan_runs(world):
    ticket = submit_at(world)
    reports = [scan_at(at(2025, 6, 9, 10, 31)) for _ in range(3)]
    assert [r.as_dict() for r in reports] == [
        {"processed": 1, "steps": 1, "failed": [], "batches": 1},
        {"processed": 0, "steps": 0, "failed": [], "batches": 0},
        {"processed": 0, "steps": 0, "failed": [], "batches": 0},
    ]
    assert steps(ticket) == ["response_warning"]
    assert events(ticket, "remind") == [
        {"step": "response_warning", "due": at(2025, 6, 9, 10, 30).isoformat(), "target": "response"}
    ]
    assert sent(ticket, "reminder") == [("worker", Channel.IN_APP)]
    note = Notification.objects.get(ticket=ticket, kind="reminder")
    assert note.state == "sent"
    assert ticket.code in note.subject
    event = ticket.events.get(action="remind")
    assert (event.actor, event.is_public, event.at) == (None, False, at(2025, 6, 9, 10, 31))
    step = ticket.sla_steps.get()
    assert (step.due_at, step.done_at) == (at(2025, 6, 9, 10, 30), at(2025, 6, 9, 10, 31))
    assert reload(ticket).next_action_at == at(2025, 6, 9, 11, 0)


def test_a_missed_response_tells_the_community_supervisor_only(world):
    ticket = submit_at(world)
    scan_at(at(2025, 6, 9, 11, 1))
    scan_at(at(2025, 6, 9, 11, 2))
    assert steps(ticket) == ["response_breach", "response_warning"]
    assert [e["level"] for e in events(ticket, "escalate")] == [1]
    assert sent(ticket, "escalation") == [("sup_c", Channel.IN_APP)]
    assert sent(ticket, "reminder") == [("worker", Channel.IN_APP)]
    assert reload(ticket).next_action_at == at(2025, 6, 11, 10, 45)


def test_escalation_climbs_one_level_per_interval_each_exactly_once(world):
    ticket = accepted(world)
    assert ticket.next_action_at == at(2025, 6, 11, 10, 45)
    ladder = [
        (at(2025, 6, 11, 10, 46), ["resolution_warning"], at(2025, 6, 11, 17, 30), 0),
        (at(2025, 6, 11, 17, 31), ["escalation:1"], at(2025, 6, 12, 17, 30), 1),
        (at(2025, 6, 12, 17, 31), ["escalation:2"], at(2025, 6, 13, 17, 30), 2),
        (at(2025, 6, 13, 17, 31), ["escalation:3"], None, 3),
    ]
    done = []
    for when, new, next_at, level in ladder:
        for _ in range(3):
            scan_at(when)
        done += new
        assert steps(ticket) == sorted(done)
        fresh = reload(ticket)
        assert (fresh.next_action_at, fresh.escalation_level) == (next_at, level)
    assert [(e["level"], e["level_name"]) for e in events(ticket, "escalate")] == [
        (1, "community"),
        (2, "subdistrict"),
        (3, "district"),
    ]
    assert sent(ticket, "escalation") == [("sup_c", "in_app"), ("sup_d", "in_app"), ("sup_s", "in_app")]
    assert sent(ticket, "reminder") == [("worker", "in_app")]
    levels = {
        n.recipient.username: n.event.data["level"]
        for n in Notification.objects.filter(ticket=ticket, kind="escalation").select_related("event", "recipient")
    }
    assert levels == {"sup_c": 1, "sup_s": 2, "sup_d": 3}
    assert Notification.objects.filter(recipient=world.sup_other).count() == 0
    assert scan_at(at(2025, 6, 30)).processed == 0  # nothing pending any more


def test_a_scan_long_after_does_every_step_at_once_and_once(world):
    ticket = submit_at(world)
    report = scan_at(at(2025, 6, 16, 9, 0))
    assert (report.processed, report.steps) == (1, 6)
    assert steps(ticket) == sorted(
        ["response_warning", "response_breach", "resolution_warning", "escalation:1", "escalation:2", "escalation:3"]
    )
    assert scan_at(at(2025, 6, 16, 9, 0)).steps == 0
    assert len(events(ticket, "remind")) == 2
    assert len(events(ticket, "escalate")) == 4  # the missed response and three levels
    fresh = reload(ticket)
    assert (fresh.next_action_at, fresh.escalation_level) == (None, 3)


def test_nothing_is_sent_while_waiting_on_the_resident(world):
    ticket = accepted(world)
    ticket = act_at(
        at(2025, 6, 9, 10, 0), services.ticket_wait_on_resident, ticket=ticket, actor=world.worker, note="请补充照片"
    )
    assert reload(ticket).next_action_at is None
    report = scan_at(at(2025, 6, 20, 9, 0))
    assert report.processed == 0
    assert steps(ticket) == []
    assert ticket.events.filter(action__in=["remind", "escalate"]).count() == 0
    # Resumed a week later (Mon 16 June 10:00): 21 h of the target are left, from Wed 17:30 + 35 h paused.
    ticket = act_at(at(2025, 6, 16, 10, 0), services.ticket_resume, ticket=ticket, actor=world.worker)
    fresh = reload(ticket)
    assert fresh.resolve_by == at(2025, 6, 18, 17, 30)
    assert fresh.next_action_at == fresh.resolve_warn_at == at(2025, 6, 18, 10, 45)
    assert scan_at(at(2025, 6, 18, 10, 44)).processed == 0
    assert scan_at(at(2025, 6, 18, 10, 45)).steps == 1
    assert sent(ticket, "reminder") == [("worker", "in_app")]


def test_an_accepted_ticket_is_not_reminded_to_respond(world):
    ticket = submit_at(world)
    act_at(at(2025, 6, 9, 10, 0), services.ticket_accept, ticket=ticket, actor=world.worker)
    scan_at(at(2025, 6, 9, 11, 30))
    assert steps(ticket) == []
    assert reload(ticket).next_action_at == at(2025, 6, 11, 10, 45)


# -- supervision orders and auto-close -------------------------------------------------


def test_an_overdue_supervision_order_is_reported_once_to_the_handler_and_the_issuer(world):
    ticket = accepted(world)
    order = act_at(
        at(2025, 6, 9, 10, 0),
        services.ticket_supervise,
        ticket=ticket,
        actor=world.sup_c,
        note="今天内修好",
        due_at=at(2025, 6, 10, 12, 0),
    )
    assert sent(ticket, "supervision") == [("worker", "in_app")]  # the supervisor is not told of their own order
    assert reload(ticket).next_action_at == at(2025, 6, 10, 12, 0)
    assert scan_at(at(2025, 6, 10, 11, 59)).processed == 0
    for _ in range(2):
        scan_at(at(2025, 6, 10, 12, 1))
    assert steps(ticket) == [f"supervision:{order.pk}"]
    assert [(e["order"], e["issued_by"]) for e in events(ticket, "supervision_overdue")] == [(order.pk, world.sup_c.pk)]
    assert sent(ticket, "supervision_overdue") == [("sup_c", "in_app"), ("worker", "in_app")]
    assert reload(ticket).next_action_at == at(2025, 6, 11, 10, 45)


def test_a_resolved_ticket_fulfils_its_supervision_order(world):
    ticket = accepted(world)
    act_at(
        at(2025, 6, 9, 10, 0),
        services.ticket_supervise,
        ticket=ticket,
        actor=world.sup_c,
        note="今天内修好",
        due_at=at(2025, 6, 10, 12, 0),
    )
    act_at(at(2025, 6, 9, 16, 0), services.ticket_resolve, ticket=ticket, actor=world.worker, note="已修复")
    assert ticket.supervision_orders.get().fulfilled_at == at(2025, 6, 9, 16, 0)
    scan_at(at(2025, 6, 10, 12, 1))
    assert steps(ticket) == []
    assert ticket.events.filter(action="supervision_overdue").count() == 0


@pytest.mark.parametrize("days", [7, 2])
def test_a_resolved_ticket_closes_itself_after_the_configured_days(world, settings, days):
    settings.AUTO_CLOSE_DAYS = days
    ticket = accepted(world)
    resolved_at = at(2025, 6, 10, 10, 0)
    act_at(resolved_at, services.ticket_resolve, ticket=ticket, actor=world.worker, note="已修复")
    close_at = at(2025, 6, 10 + days, 10, 0)
    assert reload(ticket).next_action_at == close_at
    assert scan_at(at(2025, 6, 10 + days, 9, 59)).processed == 0
    assert reload(ticket).state == State.RESOLVED
    for _ in range(2):
        scan_at(at(2025, 6, 10 + days, 10, 0))
    fresh = reload(ticket)
    assert (fresh.state, fresh.closed_at, fresh.next_action_at) == (State.CLOSED, close_at, None)
    close = ticket.events.get(action="close")
    assert (close.actor, close.from_state, close.to_state) == (None, State.RESOLVED, State.CLOSED)
    assert steps(ticket) == ["auto_close"]


def test_a_reopened_ticket_is_not_closed_by_the_old_schedule(world):
    ticket = accepted(world)
    act_at(at(2025, 6, 10, 10, 0), services.ticket_resolve, ticket=ticket, actor=world.worker, note="已修复")
    act_at(at(2025, 6, 11, 9, 0), services.ticket_reopen, ticket=ticket, actor=world.resident, note="还没修好")
    scan_at(at(2025, 6, 17, 10, 0))
    fresh = reload(ticket)
    assert fresh.state == State.IN_PROGRESS
    assert "auto_close" not in steps(ticket)


# -- robustness and cost ---------------------------------------------------------------


def test_a_failing_ticket_is_pushed_back_and_logged_while_the_others_proceed(world, monkeypatch, caplog):
    good1, bad, good2 = (submit_at(world) for _ in range(3))
    original = sla_actions.ticket_process_due

    def flaky(*, ticket_id, now=None):
        performed = original(ticket_id=ticket_id, now=now)  # its writes must be rolled back
        if ticket_id == bad.pk:
            raise RuntimeError("boom")
        return performed

    monkeypatch.setattr(sla_actions, "ticket_process_due", flaky)
    now = at(2025, 6, 9, 10, 31)
    report = scan_at(now)
    assert report.as_dict() == {"processed": 2, "steps": 2, "failed": [bad.pk], "batches": 1}
    assert steps(good1) == steps(good2) == ["response_warning"]
    assert steps(bad) == []
    assert bad.events.filter(action="remind").count() == 0
    assert sent(bad, "reminder") == []
    assert reload(bad).next_action_at == at(2025, 6, 9, 10, 36)  # five minutes later
    assert f"ticket {bad.pk} failed" in caplog.text
    assert "boom" in caplog.text
    # Not retried before its new time; processed normally once the fault is gone.
    assert scan_at(at(2025, 6, 9, 10, 35)).processed == 0
    monkeypatch.setattr(sla_actions, "ticket_process_due", original)
    assert scan_at(at(2025, 6, 9, 10, 36)).steps == 1
    assert steps(bad) == ["response_warning"]
    assert sent(bad, "reminder") == [("worker", "in_app")]


def test_the_scan_works_in_small_batches(world):
    tickets = [submit_at(world) for _ in range(5)]
    report = scan_at(at(2025, 6, 9, 10, 31), batch_size=2)
    assert (report.processed, report.steps, report.batches) == (5, 5, 3)
    assert all(steps(t) == ["response_warning"] for t in tickets)


def _clone_not_due(template: Ticket, count: int, start: int) -> None:
    """Open tickets whose next action lies in the future (or nowhere): the scan must not read them."""
    row = Ticket.objects.filter(pk=template.pk).values().get()
    row.pop("id")
    clones = []
    for i in range(start, start + count):
        values = {**row, "code": f"ND{i:08d}", "next_action_at": at(2025, 7, 1) if i % 3 else None}
        clones.append(Ticket(**values))
    Ticket.objects.bulk_create(clones)


def test_the_scan_cost_follows_the_due_tickets_not_the_open_ones(world):
    due = [submit_at(world) for _ in range(10)]

    def measure() -> tuple[int, int]:
        with transaction.atomic():
            with CaptureQueriesContext(connection) as queries:
                report = scan_at(at(2025, 6, 9, 10, 31))
            transaction.set_rollback(True)  # measure the same work again below
        assert (report.processed, report.steps) == (10, 10)
        return len(queries), report.processed

    _clone_not_due(due[0], 20, 0)
    few = measure()
    _clone_not_due(due[0], 480, 20)
    assert Ticket.objects.filter(state=State.SUBMITTED).count() == 510
    many = measure()
    assert few == many
    assert few[0] <= 10 * 15 + 6  # a bounded number per due ticket


def test_the_sla_scan_command_runs_one_pass(world):
    ticket = submit_at(world)
    out = StringIO()
    with time_machine.travel(at(2025, 6, 9, 11, 1), tick=False):
        call_command("sla_scan", stdout=out)
    assert out.getvalue().strip() == "processed 1 tickets, 2 steps, 0 failed"
    assert steps(ticket) == ["response_breach", "response_warning"]


# -- concurrency (PostgreSQL: row locks and SKIP LOCKED) --------------------------------


def _in_threads(count: int, target) -> list:
    results, errors = [None] * count, []
    barrier = threading.Barrier(count)

    def run(index):
        try:
            barrier.wait()
            results[index] = target()
        except Exception as exc:  # reported by the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_do_each_step_exactly_once(world, monkeypatch):
    tickets = [submit_at(world) for _ in range(12)]
    original = sla_actions.ticket_process_due

    def slow(*, ticket_id, now=None):
        import time

        time.sleep(0.05)  # hold the row locks long enough for the scans to overlap
        return original(ticket_id=ticket_id, now=now)

    monkeypatch.setattr(sla_actions, "ticket_process_due", slow)
    now = at(2025, 6, 16, 9, 0)  # every step of every ticket is due
    reports = _in_threads(2, lambda: scan_once(now=now, batch_size=2))
    assert sum(r.processed for r in reports) == 12
    assert sum(r.steps for r in reports) == 12 * 6
    assert all(r.processed > 0 for r in reports), [r.as_dict() for r in reports]
    ids = [t.pk for t in tickets]
    assert SlaStep.objects.filter(ticket_id__in=ids).count() == 12 * 6
    assert TicketEvent.objects.filter(ticket_id__in=ids, action="remind").count() == 12 * 2
    assert TicketEvent.objects.filter(ticket_id__in=ids, action="escalate").count() == 12 * 4
    by_user = {
        name: Notification.objects.filter(ticket_id__in=ids, recipient__username=name, kind=kind).count()
        for name, kind in [("worker", "reminder"), ("sup_c", "escalation"), ("sup_s", "escalation")]
    }
    by_user["sup_d"] = Notification.objects.filter(ticket_id__in=ids, recipient=world.sup_d).count()
    assert by_user == {"worker": 24, "sup_c": 24, "sup_s": 12, "sup_d": 12}
    assert Ticket.objects.filter(pk__in=ids, next_action_at__isnull=False).count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_ticket_processed_twice_at_once_does_each_step_once(world):
    ticket = submit_at(world)
    now = at(2025, 6, 16, 9, 0)

    def process():
        with transaction.atomic():  # no row lock taken: only the unique step keys stand in the way
            return sla_actions.ticket_process_due(ticket_id=ticket.pk, now=now)

    results = _in_threads(2, process)
    assert sorted(len(r) for r in results) == [0, 6]  # the second waits for the first's row lock
    assert reload(ticket).escalation_level == 3  # and does not overwrite its result with a stale copy
    assert ticket.sla_steps.count() == 6
    assert ticket.events.filter(action__in=["remind", "escalate"]).count() == 6
    assert Notification.objects.filter(ticket=ticket, kind__in=["reminder", "escalation"]).count() == 2 + 4


def test_the_beat_task_runs_one_pass_and_stamps_its_heartbeat(world):
    from apps.core.models import Heartbeat
    from apps.sla.tasks import scan

    ticket = submit_at(world)
    with time_machine.travel(at(2025, 6, 9, 10, 31), tick=False):
        result = scan.apply().get()
    assert result == {"processed": 1, "steps": 1, "failed": [], "batches": 1}
    assert steps(ticket) == ["response_warning"]
    assert Heartbeat.objects.get(name="sla-scan").beat_at == at(2025, 6, 9, 10, 31)
