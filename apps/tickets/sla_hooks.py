"""The seam between tickets and time limits: deadlines set on the ticket row by apps.sla.

Tickets never compute time themselves; they ask apps.sla and store the answers
as indexed columns (respond_by, resolve_by, the warning times, next_action_at).
"""

from __future__ import annotations

from django.utils import timezone

from apps.sla.deadlines import compute_deadlines, extend_for_pause, outcome, policy_for, recompute_deadlines
from apps.sla.schedule import next_action_time


def _iso(value) -> str | None:
    # Event data is read by people: local wall-clock time with its offset, whatever the database returned.
    return timezone.localtime(value).isoformat() if value is not None else None


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
                ticket,
                field,
                extend_for_pause(
                    deadline=value,
                    paused_from=ticket.paused_at,
                    paused_until=now,
                    mode=mode,
                    calendar=ticket.sla_calendar or None,
                ),
            )
    return {
        "from": _iso(ticket.paused_at),
        "resolve_by_was": _iso(before),
        "resolve_by": _iso(ticket.resolve_by),
    }


def after_change(ticket, action: str, *, now=None) -> None:
    """Set when the SLA scan must next look at this ticket (None when nothing is pending)."""
    if ticket.pk is None:
        done, supervisions = (), ()
    else:
        done = ticket.sla_steps.values_list("key", flat=True)
        supervisions = ticket.supervision_orders.filter(fulfilled_at__isnull=True)
    ticket.next_action_at = next_action_time(ticket, done=done, supervisions=supervisions)
    del now  # the schedule depends on the ticket's own times, not on the clock


def pauses_of(ticket) -> list[tuple]:
    """The (from, until) pairs the ticket spent waiting on the resident, from its events."""
    pauses, start = [], None
    for action, at in ticket.events.filter(action__in=["wait_on_resident", "resume"]).values_list("action", "at"):
        if action == "wait_on_resident":
            start = at
        elif start is not None:
            pauses.append((start, at))
            start = None
    if ticket.paused_at is not None:
        pauses.append((ticket.paused_at, None))
    return pauses


def record_outcome(ticket, *, now) -> None:
    """Met or breached, and the working minutes taken, for whichever target was just reached."""
    if ticket.respond_by is None or ticket.resolve_by is None:
        return
    result = outcome(
        calendar=ticket.sla_calendar or None,
        start=ticket.submitted_at,
        respond_by=ticket.respond_by,
        resolve_by=ticket.resolve_by,
        responded_at=ticket.accepted_at,
        resolved_at=ticket.resolved_at,
        pauses=pauses_of(ticket) if ticket.pk else (),
    )
    ticket.response_met, ticket.response_minutes = result.response_met, result.response_working_minutes
    if ticket.resolved_at is not None:
        ticket.resolution_met, ticket.resolution_minutes = result.resolution_met, result.resolution_working_minutes


def reclassify(ticket, *, now) -> dict:
    """New deadlines after a category or priority change, keeping the time already spent."""
    deadlines = recompute_deadlines(
        category=ticket.category,
        priority=ticket.priority,
        org_node=place_of(ticket),
        start=ticket.submitted_at,
        now=now,
        pauses=pauses_of(ticket),
    )
    before = {"respond_by": ticket.respond_by, "resolve_by": ticket.resolve_by}
    ticket.respond_by, ticket.resolve_by = deadlines.respond_by, deadlines.resolve_by
    ticket.respond_warn_at, ticket.resolve_warn_at = deadlines.warn_respond_at, deadlines.warn_resolve_at
    ticket.sla_policy_id, ticket.sla_calendar = deadlines.policy_id, deadlines.calendar_code
    # An open pause is not counted here: on_resume adds it when it ends, as for any pause.
    return {k: _iso(v) for k, v in before.items()}
