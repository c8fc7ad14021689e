"""The step schedule: what must happen when, from a ticket's columns alone (no database)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from apps.sla.schedule import due_steps, next_action_time, pending_steps

from .conftest import at

SUBMITTED = at(2025, 6, 9, 9, 0)  # Monday
RESPOND_WARN, RESPOND_BY = at(2025, 6, 9, 10, 30), at(2025, 6, 9, 11, 0)
RESOLVE_WARN, RESOLVE_BY = at(2025, 6, 11, 10, 45), at(2025, 6, 11, 17, 30)


def ticket(**fields):
    values = {
        "state": "submitted",
        "accepted_at": None,
        "resolved_at": None,
        "respond_warn_at": RESPOND_WARN,
        "respond_by": RESPOND_BY,
        "resolve_warn_at": RESOLVE_WARN,
        "resolve_by": RESOLVE_BY,
    }
    values.update(fields)
    return SimpleNamespace(**values)


def order(pk, due_at, fulfilled_at=None):
    return SimpleNamespace(pk=pk, due_at=due_at, fulfilled_at=fulfilled_at)


def keys_and_times(steps):
    return [(s.key, s.at) for s in steps]


@pytest.fixture(autouse=True)
def _intervals(settings):
    settings.SLA_ESCALATION_INTERVAL_HOURS = 24
    settings.AUTO_CLOSE_DAYS = 7


def test_a_fresh_ticket_has_every_step_in_time_order():
    steps = pending_steps(ticket(), done=())
    assert keys_and_times(steps) == [
        ("response_warning", RESPOND_WARN),
        ("response_breach", RESPOND_BY),
        ("resolution_warning", RESOLVE_WARN),
        ("escalation:1", RESOLVE_BY),
        ("escalation:2", RESOLVE_BY + timedelta(hours=24)),
        ("escalation:3", RESOLVE_BY + timedelta(hours=48)),
    ]
    assert [(s.kind, s.target, s.level) for s in steps] == [
        ("warning", "response", 0),
        ("breach", "response", 0),
        ("warning", "resolution", 0),
        ("escalation", "resolution", 1),
        ("escalation", "resolution", 2),
        ("escalation", "resolution", 3),
    ]


def test_the_escalation_interval_is_a_setting(settings):
    settings.SLA_ESCALATION_INTERVAL_HOURS = 2.5
    steps = [s for s in pending_steps(ticket(), done=()) if s.kind == "escalation"]
    assert [s.at for s in steps] == [
        RESOLVE_BY,
        RESOLVE_BY + timedelta(hours=2, minutes=30),
        RESOLVE_BY + timedelta(hours=5),
    ]


@pytest.mark.parametrize("state", ["accepted", "in_progress"])
def test_an_accepted_ticket_has_no_response_steps(state):
    steps = pending_steps(ticket(state=state, accepted_at=at(2025, 6, 9, 9, 30)), done=())
    assert [s.key for s in steps] == ["resolution_warning", "escalation:1", "escalation:2", "escalation:3"]


def test_done_steps_are_not_pending_again():
    done = {"response_warning", "response_breach", "resolution_warning", "escalation:1"}
    steps = pending_steps(ticket(), done=done)
    assert [s.key for s in steps] == ["escalation:2", "escalation:3"]
    assert next_action_time(ticket(), done=done) == RESOLVE_BY + timedelta(hours=24)


def test_nothing_is_pending_while_waiting_on_the_resident():
    paused = ticket(state="waiting_on_resident", accepted_at=at(2025, 6, 9, 9, 30))
    supervision = [order(7, at(2025, 6, 10, 12, 0))]
    assert pending_steps(paused, done=(), supervisions=supervision) == []
    assert next_action_time(paused, done=(), supervisions=supervision) is None
    assert due_steps(paused, now=at(2030, 1, 1), done=(), supervisions=supervision) == []


@pytest.mark.parametrize("state", ["closed", "rejected", "merged"])
def test_a_final_ticket_has_nothing_pending(state):
    assert pending_steps(ticket(state=state, resolved_at=at(2025, 6, 10, 9, 0)), done=()) == []


def test_a_resolved_ticket_is_closed_automatically_after_the_configured_days(settings):
    resolved = ticket(state="resolved", accepted_at=at(2025, 6, 9, 9, 30), resolved_at=at(2025, 6, 10, 15, 0))
    assert keys_and_times(pending_steps(resolved, done=())) == [("auto_close", at(2025, 6, 17, 15, 0))]
    settings.AUTO_CLOSE_DAYS = 0.5
    assert next_action_time(resolved, done=()) == at(2025, 6, 11, 3, 0)
    assert next_action_time(resolved, done=("auto_close",)) is None


def test_open_supervision_orders_are_steps_and_fulfilled_ones_are_not():
    orders = [order(3, at(2025, 6, 10, 12, 0)), order(4, at(2025, 6, 9, 16, 0), fulfilled_at=at(2025, 6, 9, 15, 0))]
    steps = pending_steps(ticket(state="in_progress", accepted_at=SUBMITTED), done=(), supervisions=orders)
    assert keys_and_times(steps)[:2] == [
        ("supervision:3", at(2025, 6, 10, 12, 0)),
        ("resolution_warning", RESOLVE_WARN),
    ]
    assert "supervision:4" not in [s.key for s in steps]
    assert steps[0].supervision_id == 3
    assert steps[0].kind == "supervision"


def test_due_steps_are_those_whose_time_has_come_inclusive():
    t = ticket()
    assert due_steps(t, now=RESPOND_WARN - timedelta(microseconds=1), done=()) == []
    assert [s.key for s in due_steps(t, now=RESPOND_WARN, done=())] == ["response_warning"]
    assert [s.key for s in due_steps(t, now=RESOLVE_BY, done=())] == [
        "response_warning",
        "response_breach",
        "resolution_warning",
        "escalation:1",
    ]
    assert [s.key for s in due_steps(t, now=RESOLVE_BY, done=("response_warning", "response_breach"))] == [
        "resolution_warning",
        "escalation:1",
    ]


def test_next_action_time_is_the_earliest_pending_step():
    assert next_action_time(ticket(), done=()) == RESPOND_WARN
    assert next_action_time(ticket(), done=("response_warning",)) == RESPOND_BY
    early = order(9, at(2025, 6, 9, 10, 0))
    assert next_action_time(ticket(), done=(), supervisions=[early]) == at(2025, 6, 9, 10, 0)


def test_a_ticket_without_deadlines_has_no_time_steps():
    bare = ticket(respond_warn_at=None, respond_by=None, resolve_warn_at=None, resolve_by=None)
    assert pending_steps(bare, done=()) == []
    assert next_action_time(bare, done=()) is None


def test_a_step_on_the_same_instant_is_ordered_by_key():
    same = ticket(respond_warn_at=RESPOND_BY, resolve_warn_at=RESPOND_BY)
    assert [s.key for s in pending_steps(same, done=())][:3] == [
        "resolution_warning",
        "response_breach",
        "response_warning",
    ]
