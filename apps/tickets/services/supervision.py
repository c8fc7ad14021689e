"""督办 (supervision orders) and reclassification: supervisors steering a ticket."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.catalog.models import ServiceCategory
from apps.core.choices import Priority
from apps.core.errors import ValidationFailed
from apps.tickets import sla_hooks, workflow
from apps.tickets.models import SupervisionOrder
from apps.tickets.services.actions import _finish, _required, lock_ticket


@transaction.atomic
def ticket_supervise(*, ticket, actor, note: str, due_at) -> SupervisionOrder:
    """A supervisor orders the handler to act by ``due_at``; the order is tracked like a target."""
    ticket = lock_ticket(ticket)
    workflow.check("supervise", user=actor, ticket=ticket)
    note = _required(note, "note", _("Say what must be done."))
    now = timezone.now()
    if due_at is None or due_at <= now:
        raise ValidationFailed(
            _("The new deadline must be in the future."),
            fields={"due_at": [_("The new deadline must be in the future.")]},
        )
    order = SupervisionOrder.objects.create(ticket=ticket, issued_by=actor, note=note, due_at=due_at, created_at=now)
    _finish(
        ticket,
        "supervise",
        actor,
        ticket.state,
        note=note,
        data={"order": order.pk, "due": due_at.isoformat()},
        is_public=False,
        now=now,
    )
    return order


@transaction.atomic
def ticket_reclassify(*, ticket, actor, category_code: str | None = None, priority: str | None = None, note: str = ""):
    """Change the category and/or priority; deadlines are recomputed keeping the time already spent."""
    ticket = lock_ticket(ticket)
    workflow.check("reclassify", user=actor, ticket=ticket)
    changes = {}
    if category_code and category_code != ticket.category.code:
        category = ServiceCategory.objects.filter(code=category_code, is_active=True).first()
        if category is None:
            raise ValidationFailed(
                _("No such service category."), fields={"category": [_("No such service category.")]}
            )
        changes["category"] = [ticket.category.code, category.code]
        ticket.category = category
    if priority and priority != ticket.priority:
        if priority not in Priority.values:
            raise ValidationFailed(_("Unknown priority."), fields={"priority": [_("Unknown priority.")]})
        changes["priority"] = [ticket.priority, priority]
        ticket.priority = priority
    if not changes:
        raise ValidationFailed(_("Nothing to change."), fields={"category": [_("Nothing to change.")]})
    now = timezone.now()
    changes["deadlines_were"] = sla_hooks.reclassify(ticket, now=now)
    _finish(ticket, "reclassify", actor, ticket.state, note=note, data=changes, is_public=False, now=now)
    return ticket
