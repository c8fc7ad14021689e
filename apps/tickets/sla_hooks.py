"""The seam between tickets and time limits: deadlines set on the ticket row by apps.sla.

Tickets never compute time themselves; they ask apps.sla and store the answers
as indexed columns (respond_by, resolve_by, the warning times, next_action_at).
"""

from __future__ import annotations

from apps.sla.deadlines import compute_deadlines, extend_for_pause, policy_for
from apps.sla.schedule import next_action_time


def place_of(ticket):
    return ticket.grid or ticket.community or (ticket.department.org_node if ticket.department_id else None)


def on_submit(ticket) -> None:
    deadlines = compute_deadlines(
        category=ticket.category, priority=ticket.priority, org_node=place_of(ticket), start=ticket.submitted_at
    )
    ticket.respond_by = deadlines.respond_by
    ticket.resolve_by = deadlines.resolve_by
    ticket.respond_warn_at = deadlines.warn_respond_at
    ticket.resolve_warn_at = deadlines.warn_resolve_at
    ticket.sla_policy_id = deadlines.policy_id
    ticket.sla_calendar = deadlines.calendar_code


def on_resume(ticket, *, now) -> dict:
    """Push the resolution deadlines back by the time spent waiting on the resident.

    The response target is already met or missed before a ticket can wait (it must be
    accepted first), so only the resolution side moves.
    """
    if ticket.paused_at is None or ticket.resolve_by is None:
        return {}
    mode = policy_for(category=ticket.category, priority=ticket.priority).resolution_mode
    before = ticket.resolve_by
    for field in ("resolve_by", "resolve_warn_at"):
        value = getattr(ticket, field)
        if value is not None:
            setattr(
                ticket, field,
                extend_for_pause(deadline=value, paused_from=ticket.paused_at, paused_until=now, mode=mode,
                                 calendar=ticket.sla_calendar or None),
            )  # fmt: skip
    return {"from": ticket.paused_at.isoformat(), "resolve_by_was": before.isoformat(),
            "resolve_by": ticket.resolve_by.isoformat()}  # fmt: skip


def after_change(ticket, action: str, *, now=None) -> None:
    """Set when the SLA scan must next look at this ticket (None when nothing is pending)."""
    if ticket.pk is None:
        done, supervisions = (), ()
    else:
        done = ticket.sla_steps.values_list("key", flat=True)
        supervisions = ticket.supervision_orders.filter(fulfilled_at__isnull=True)
    ticket.next_action_at = next_action_time(ticket, done=done, supervisions=supervisions)
    del now  # the schedule depends on the ticket's own times, not on the clock
