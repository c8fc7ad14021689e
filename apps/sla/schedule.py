"""What the SLA scan must do for a ticket, and when: pure, given the ticket's columns.

Steps (each happens exactly once per ticket; the key is what makes it unique):
- ``response_warning``   at ``respond_warn_at`` if not yet accepted: a reminder to the assignee
- ``response_breach``    at ``respond_by`` if not yet accepted: the community supervisor is told
- ``resolution_warning`` at ``resolve_warn_at`` while open: a reminder to the assignee
- ``escalation:1..3``    from ``resolve_by`` while open, one level up the org tree each
                          ``SLA_ESCALATION_INTERVAL_HOURS``: community, subdistrict, district
- ``supervision:<id>``   at a supervision order's due time while it is open
- ``auto_close``         ``AUTO_CLOSE_DAYS`` after resolution without a dispute

Nothing runs while the ticket waits on the resident (its clock is paused). The
earliest pending step's time is stored as ``Ticket.next_action_at`` — the
indexed column the scan reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

ESCALATION_LEVELS = {1: "community", 2: "subdistrict", 3: "district"}
OPEN = ("submitted", "accepted", "in_progress")  # waiting_on_resident: paused, nothing is due


@dataclass(frozen=True)
class Step:
    key: str
    at: datetime
    kind: str  # warning | breach | escalation | supervision | auto_close
    target: str = ""  # response | resolution
    level: int = 0
    supervision_id: int | None = None


def escalation_interval() -> timedelta:
    return timedelta(hours=float(getattr(settings, "SLA_ESCALATION_INTERVAL_HOURS", 24)))


def auto_close_after() -> timedelta:
    return timedelta(days=float(getattr(settings, "AUTO_CLOSE_DAYS", 7)))


def pending_steps(ticket, *, done: Iterable[str], supervisions: Iterable = ()) -> list[Step]:
    """Every step still to happen for ``ticket``, earliest first (due or not)."""
    done = set(done)
    steps: list[Step] = []
    state = ticket.state
    if state in OPEN and ticket.accepted_at is None:
        if ticket.respond_warn_at:
            steps.append(Step("response_warning", ticket.respond_warn_at, "warning", "response"))
        if ticket.respond_by:
            steps.append(Step("response_breach", ticket.respond_by, "breach", "response"))
    if state in OPEN:
        if ticket.resolve_warn_at:
            steps.append(Step("resolution_warning", ticket.resolve_warn_at, "warning", "resolution"))
        if ticket.resolve_by:
            for level in ESCALATION_LEVELS:
                at = ticket.resolve_by + escalation_interval() * (level - 1)
                steps.append(Step(f"escalation:{level}", at, "escalation", "resolution", level))
        for order in supervisions:
            if order.fulfilled_at is None and order.due_at:
                steps.append(Step(f"supervision:{order.pk}", order.due_at, "supervision", supervision_id=order.pk))
    if state == "resolved" and ticket.resolved_at:
        steps.append(Step("auto_close", ticket.resolved_at + auto_close_after(), "auto_close"))
    return sorted((s for s in steps if s.key not in done), key=lambda s: (s.at, s.key))


def due_steps(ticket, *, now: datetime, done: Iterable[str], supervisions: Iterable = ()) -> list[Step]:
    return [s for s in pending_steps(ticket, done=done, supervisions=supervisions) if s.at <= now]


def next_action_time(ticket, *, done: Iterable[str], supervisions: Iterable = ()) -> datetime | None:
    steps = pending_steps(ticket, done=done, supervisions=supervisions)
    return steps[0].at if steps else None
