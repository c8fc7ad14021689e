"""Who hears what. Called for every TicketEvent, inside the transaction that wrote it.

- the resident: on submit, accept, reject, resolve, and public comments by staff
- the assignee (or, with nobody assigned, the department's staff or the community's
  dispatchers): on assignment, reopen, reminders and supervision orders
- supervisors: on breach and escalation, at the level the escalation reached
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from apps.notifications.services import Recipient, notify
from apps.people.models import Role, User

# The position of each level in a ticket's org path: city/district/subdistrict/community/grid.
LEVEL_INDEX = {"district": 1, "subdistrict": 2, "community": 3}
ESCALATION_LEVEL_NAMES = {1: "community", 2: "subdistrict", 3: "district"}
# Rendered in the recipient's language (lazy strings are evaluated inside translation.override).
TARGET_LABELS = {"response": _("response"), "resolution": _("resolution")}
COMMENT_EXCERPT = 500  # characters of a comment quoted in its notification (an SMS must stay short)
RESIDENT_KINDS = {
    "submit": "ticket_submitted",
    "accept": "ticket_accepted",
    "reject": "ticket_rejected",
    "resolve": "ticket_resolved",
}


def node_code_at(ticket, level: str) -> str | None:
    codes = [c for c in ticket.org_path.split("/") if c]
    index = LEVEL_INDEX[level]
    return codes[index] if len(codes) > index else None


def supervisors_at(ticket, level: str) -> list[User]:
    code = node_code_at(ticket, level)
    if code is None:
        return []
    return list(User.objects.filter(role=Role.SUPERVISOR, is_active=True, scopes__org_node__code=code).distinct())


def handlers(ticket) -> list[User]:
    """Whoever must act: the assignee, else the department's staff, else the community's dispatchers."""
    if ticket.assignee_id:
        return [ticket.assignee]
    if ticket.department_id:
        return list(
            User.objects.filter(role=Role.DEPARTMENT_STAFF, is_active=True, scopes__department_id=ticket.department_id)
        )
    code = node_code_at(ticket, "community")
    if code is None:
        return []
    return list(
        User.objects.filter(role__in=[Role.CLERK, Role.SUPERVISOR], is_active=True, scopes__org_node__code=code)
        .distinct()
        .order_by("role", "pk")
    )


def resident_recipient(ticket) -> list[Recipient]:
    if ticket.resident_id:
        return [Recipient(user=ticket.resident)]
    return [Recipient(phone=ticket.contact_phone)] if ticket.contact_phone else []


def _instant(value):
    """An ISO 8601 string from event data as a datetime, so messages show it in local time like the others."""
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


def _note(event) -> str:
    """The text the event carries; a comment event's text is the comment itself."""
    if event.action == "comment" and not event.note:
        from apps.tickets.models import Comment

        body = Comment.objects.filter(pk=event.data.get("comment_id")).values_list("body", flat=True).first() or ""
        return body if len(body) <= COMMENT_EXCERPT else body[: COMMENT_EXCERPT - 1] + "…"
    return event.note


def _context(ticket, event, **extra) -> dict:
    place = ticket.grid or ticket.community
    return {
        "code": ticket.code,
        "title": ticket.title,
        "category": ticket.category.name,
        "place": place.name if place else ticket.address or "—",
        "assignee": (ticket.assignee.full_name or ticket.assignee.username) if ticket.assignee_id else "—",
        "actor": (event.actor.full_name or event.actor.username) if event.actor_id else "—",
        "note": _note(event),
        "respond_by": ticket.respond_by,
        "resolve_by": ticket.resolve_by,
        "due": _instant(event.data.get("due", "")),
        "target": TARGET_LABELS.get(event.data.get("target", ""), ""),
        **extra,
    }


def notify_event(event) -> None:
    ticket = event.ticket
    action = event.action
    plan: list[tuple[str, list[Recipient]]] = []
    if action in RESIDENT_KINDS:
        plan.append((RESIDENT_KINDS[action], resident_recipient(ticket)))
    if action in ("submit", "transfer", "reassign", "return"):
        kind = "assigned" if (ticket.assignee_id or ticket.department_id) else "dispatch_queue"
        plan.append((kind, [Recipient(user=u) for u in handlers(ticket)]))
    elif action == "comment" and event.is_public:
        if event.actor_id and event.actor_id == ticket.resident_id:
            plan.append(("comment", [Recipient(user=u) for u in handlers(ticket)]))
        else:
            plan.append(("comment", resident_recipient(ticket)))
    elif action == "reopen":
        plan.append(("reopened", [Recipient(user=u) for u in handlers(ticket)]))
    elif action == "remind":
        plan.append(("reminder", [Recipient(user=u) for u in handlers(ticket)]))
    elif action == "supervise":
        plan.append(("supervision", [Recipient(user=u) for u in handlers(ticket)]))
    elif action == "supervision_overdue":
        issuer = [Recipient(user=u) for u in User.objects.filter(pk=event.data.get("issued_by") or None)]
        plan.append(("supervision_overdue", [*issuer, *(Recipient(user=u) for u in handlers(ticket))]))
    elif action == "escalate":
        level = ESCALATION_LEVEL_NAMES.get(event.data.get("level", 1), "community")
        plan.append(("escalation", [Recipient(user=u) for u in supervisors_at(ticket, level)]))
    for kind, recipients in plan:
        # A person is never told about their own action.
        recipients = [r for r in recipients if r.user is None or r.user.pk != event.actor_id]
        if recipients:
            notify(kind=kind, recipients=recipients, context=_context(ticket, event), ticket=ticket, event=event)
