"""What the SLA scan does to a due ticket: reminders, breaches, escalations, supervision
deadlines and auto-close — through the same event and notification path as every action."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.i18n import in_desk_language
from apps.sla.schedule import ESCALATION_LEVELS, Step, due_steps
from apps.tickets import sla_hooks
from apps.tickets.models import SlaStep, State, Ticket
from apps.tickets.services.actions import lock_ticket
from apps.tickets.services.events import record_event

logger = logging.getLogger(__name__)


def _claim_step(ticket: Ticket, step: Step, now) -> bool:
    """Insert the step's row; False if it already happened (the unique key says so)."""
    try:
        with transaction.atomic():
            SlaStep.objects.create(ticket=ticket, key=step.key, due_at=step.at, done_at=now)
    except IntegrityError:
        return False
    return True


def _perform(ticket: Ticket, step: Step, now) -> None:
    data = {"step": step.key, "due": timezone.localtime(step.at).isoformat(), "target": step.target}
    if step.kind == "warning":
        record_event(ticket, action="remind", actor=None, from_state=ticket.state, data=data, is_public=False, at=now)
    elif step.kind == "breach":
        # A missed response: the community supervisor hears of it (first escalation level).
        data["level"] = 1
        record_event(ticket, action="escalate", actor=None, from_state=ticket.state, data=data, is_public=False, at=now)
    elif step.kind == "escalation":
        data.update(level=step.level, level_name=ESCALATION_LEVELS[step.level])
        ticket.escalation_level = max(ticket.escalation_level, step.level)
        record_event(ticket, action="escalate", actor=None, from_state=ticket.state, data=data, is_public=False, at=now)
    elif step.kind == "supervision":
        # The scan acts here, not the supervisor: with the issuer as actor, the rule "nobody is
        # told of their own action" would keep the overdue order from the one who issued it.
        order = ticket.supervision_orders.filter(pk=step.supervision_id).first()
        data.update(order=step.supervision_id, issued_by=order.issued_by_id if order else None)
        record_event(
            ticket,
            action="supervision_overdue",
            actor=None,
            from_state=ticket.state,
            data=data,
            is_public=False,
            at=now,
        )
    elif step.kind == "auto_close":
        ticket.state, ticket.closed_at = State.CLOSED, now
        record_event(
            ticket,
            action="close",
            actor=None,
            from_state=State.RESOLVED,
            to_state=State.CLOSED,
            at=now,
            note=_auto_close_note(),
            data=data,
        )


@in_desk_language
def _auto_close_note() -> str:
    return _("Closed automatically: no dispute since the request was resolved.")


def ticket_process_due(*, ticket_id: int, now=None) -> list[str]:
    """Run every step of the ticket whose time has come, once. The caller holds the row lock
    (the scan's SELECT … FOR UPDATE SKIP LOCKED) inside its transaction."""
    now = now or timezone.now()
    # Lock the row even though the scan already holds it (a no-op then): called on its own, two
    # copies must not both save a stale ticket over each other's escalation level or state.
    ticket = lock_ticket(ticket_id, related=("category", "assignee", "department", "grid", "community"))
    done = set(ticket.sla_steps.values_list("key", flat=True))
    supervisions = list(ticket.supervision_orders.filter(fulfilled_at__isnull=True))
    performed = []
    for step in due_steps(ticket, now=now, done=done, supervisions=supervisions):
        if _claim_step(ticket, step, now):
            _perform(ticket, step, now)
            performed.append(step.key)
    sla_hooks.after_change(ticket, "sla", now=now)
    ticket.save(update_fields=["state", "closed_at", "escalation_level", "next_action_at", "updated_at"])
    return performed
