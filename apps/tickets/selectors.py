"""Reads for tickets. ``visible_tickets`` is the one permission query: every list, detail,
action, download and export starts from it."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from apps.people.models import Role
from apps.people.scopes import scope_for
from apps.tickets.codes import normalise
from apps.tickets.models import BOUNDARIES, OPEN_STATES, Attachment, Comment, Ticket, TicketEvent


def visible_tickets(user) -> QuerySet[Ticket]:
    """Resident → own; grid worker → assigned to them or in their grids; clerk → their community;
    department staff → their department's; supervisor → their subtree; admin → all."""
    qs = Ticket.objects.all()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    scope = scope_for(user)
    if scope.everything:
        return qs
    if user.role == Role.RESIDENT:
        return qs.filter(resident=user)
    condition = Q(assignee=user)
    if scope.paths:
        condition |= scope.q_for_paths("org_path")
    if scope.department_ids:
        condition |= Q(department_id__in=scope.department_ids)
    return qs.filter(condition)


def ticket_list(user, *, filters: dict | None = None) -> QuerySet[Ticket]:
    return (
        visible_tickets(user)
        .select_related("category", "grid", "community", "department", "assignee")
        .defer(*BOUNDARIES)
    )


def ticket_detail(user, pk: int) -> Ticket | None:
    """One ticket with everything its page shows, in a fixed number of queries."""
    staff = user.is_authenticated and user.role != Role.RESIDENT
    events = TicketEvent.objects.select_related("actor").order_by("at", "id")
    comments = Comment.objects.select_related("author").order_by("created_at", "id")
    attachments = Attachment.objects.order_by("created_at", "id")
    if not staff:
        events = events.filter(is_public=True)
        comments = comments.filter(is_internal=False)
        attachments = attachments.filter(is_internal=False)
    return (
        ticket_list(user)
        .select_related("rating")
        .prefetch_related(
            # Not a join: a self-join on the whole ticket row made this query's plan cost more
            # than running it (the merged-into ticket is rare; no query when there is none).
            Prefetch("merged_into", queryset=Ticket.objects.only("id", "code")),
            Prefetch("events", queryset=events),
            Prefetch("comments", queryset=comments),
            Prefetch("attachments", queryset=attachments),
        )
        .filter(pk=pk)
        .first()
    )


def overdue_q(now=None) -> Q:
    now = now or timezone.now()
    return Q(state__in=OPEN_STATES) & (Q(resolve_by__lt=now) | Q(accepted_at__isnull=True, respond_by__lt=now))


def track(*, code: str, phone_last4: str) -> Ticket | None:
    """Anonymous tracking: the code and the last four digits of the contact phone must both match.
    A wrong code and wrong digits give the same answer (None)."""
    code = normalise(code)
    digits = "".join(ch for ch in (phone_last4 or "") if ch.isdigit())
    if len(digits) != 4 or not code:
        return None
    ticket = (
        Ticket.objects.select_related("category", "rating")
        .prefetch_related(Prefetch("events", queryset=TicketEvent.objects.filter(is_public=True).order_by("at", "id")))
        .filter(code=code)
        .first()
    )
    if ticket is None or not ticket.contact_phone.endswith(digits):
        return None
    return ticket
