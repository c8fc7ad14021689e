from __future__ import annotations

from django.utils import timezone

from apps.tickets.models import Ticket, TicketEvent


def record_event(
    ticket: Ticket,
    *,
    action: str,
    actor,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    data: dict | None = None,
    is_public: bool = True,
    at=None,
) -> TicketEvent:
    """Append one row to the ticket's audit trail, and write the notifications it causes
    (the outbox), in the transaction of the change."""
    from apps.notifications.rules import notify_event

    event = TicketEvent.objects.create(
        ticket=ticket,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        from_state=from_state,
        to_state=to_state or from_state,
        note=note,
        data=data or {},
        is_public=is_public,
        at=at or timezone.now(),
    )
    notify_event(event)
    return event
