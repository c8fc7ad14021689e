"""One service per ticket action. Each locks the row, checks the workflow, changes the
ticket, writes its TicketEvent and its SLA bookkeeping — in one transaction."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import Conflict, NotFound, ValidationFailed
from apps.core.i18n import in_desk_language
from apps.people.models import Role, User
from apps.people.scopes import scope_for
from apps.places.models import Department, Level, OrgNode
from apps.tickets import sla_hooks, workflow
from apps.tickets.models import BOUNDARIES, OPEN_STATES, Comment, Rating, State, SupervisionOrder, Ticket
from apps.tickets.routing import route_ticket
from apps.tickets.services.events import record_event

UPDATE_FIELDS = [
    "state",
    "assignee",
    "accepted_at",
    "resolved_at",
    "closed_at",
    "resolution_note",
    "reject_reason",
    "resolved_at_window",
    "reopen_count",
    "merged_into",
    "grid",
    "community",
    "department",
    "org_path",
    "respond_by",
    "resolve_by",
    "respond_warn_at",
    "resolve_warn_at",
    "sla_policy_id",
    "sla_calendar",
    "escalation_level",
    "paused_at",
    "next_action_at",
    "updated_at",
    "response_met",
    "resolution_met",
    "response_minutes",
    "resolution_minutes",
    "category",
    "priority",
]


def lock_ticket(ticket, *, related: tuple[str, ...] = ("category", "department")) -> Ticket:
    """Re-read the ticket under a row lock: the second of two racing actions sees the first's result."""
    pk = ticket.pk if isinstance(ticket, Ticket) else ticket
    try:
        # of=("self",): lock the ticket row only; PostgreSQL refuses FOR UPDATE on the
        # nullable side of the outer joins that select_related makes (SQLite ignores the clause).
        qs = Ticket.objects.select_for_update(of=("self",)).select_related(*related)
        return qs.defer(*(field for field in BOUNDARIES if field.partition("__")[0] in related)).get(pk=pk)
    except Ticket.DoesNotExist:
        raise NotFound(_("No such ticket.")) from None


@in_desk_language
def _no_confirmation_note() -> str:
    return _("Closed: this service needs no confirmation.")


def fulfil_supervision(ticket: Ticket, *, now) -> None:
    """Open supervision orders end when the ticket is resolved, rejected or merged."""
    SupervisionOrder.objects.filter(ticket=ticket, fulfilled_at__isnull=True).update(fulfilled_at=now)


def _required(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(message, fields={field: [message]})
    return value


def _finish(ticket: Ticket, action: str, actor, from_state: str, *, note="", data=None, is_public=True, now=None):
    now = now or timezone.now()
    if ticket.paused_at is not None and ticket.state != State.WAITING_ON_RESIDENT:
        # Any action that takes a ticket out of waiting (resume, reassign, merge …) ends the pause.
        data = {**(data or {}), "paused": sla_hooks.on_resume(ticket, now=now)}
        ticket.paused_at = None
    sla_hooks.after_change(ticket, action, now=now)
    ticket.save(update_fields=UPDATE_FIELDS)
    return record_event(
        ticket,
        action=action,
        actor=actor,
        from_state=from_state,
        to_state=ticket.state,
        note=note,
        data=data,
        is_public=is_public,
        at=now,
    )


@transaction.atomic
def ticket_accept(*, ticket, actor, note: str = "") -> Ticket:
    ticket = lock_ticket(ticket)
    action = workflow.check("accept", user=actor, ticket=ticket)
    before, now = ticket.state, timezone.now()
    if ticket.assignee_id is None:
        ticket.assignee = actor  # a department or dispatcher taking it from the queue
    ticket.state = action.to_state
    if ticket.accepted_at is None:
        ticket.accepted_at = now  # the first response; later re-accepts (after a transfer) keep it
        sla_hooks.record_outcome(ticket, now=now)
    _finish(ticket, "accept", actor, before, note=note, now=now)
    return ticket


@transaction.atomic
def ticket_start(*, ticket, actor, note: str = "") -> Ticket:
    ticket = lock_ticket(ticket)
    action = workflow.check("start", user=actor, ticket=ticket)
    before = ticket.state
    ticket.state = action.to_state
    _finish(ticket, "start", actor, before, note=note)
    return ticket


@transaction.atomic
def ticket_wait_on_resident(*, ticket, actor, note: str) -> Ticket:
    ticket = lock_ticket(ticket)
    action = workflow.check("wait_on_resident", user=actor, ticket=ticket)
    note = _required(note, "note", _("Say what the resident needs to provide."))
    before, now = ticket.state, timezone.now()
    ticket.state = action.to_state
    ticket.paused_at = now
    _finish(ticket, "wait_on_resident", actor, before, note=note, now=now)
    return ticket


@transaction.atomic
def ticket_resume(*, ticket, actor, note: str = "") -> Ticket:
    ticket = lock_ticket(ticket)
    action = workflow.check("resume", user=actor, ticket=ticket)
    before = ticket.state
    ticket.state = action.to_state
    _finish(ticket, "resume", actor, before, note=note)  # _finish ends the pause
    return ticket


@transaction.atomic
def ticket_resolve(*, ticket, actor, note: str) -> tuple[Ticket, object]:
    """Resolve with a note; returns the ticket and the event (photos are attached to it)."""
    ticket = lock_ticket(ticket)
    action = workflow.check("resolve", user=actor, ticket=ticket)
    note = _required(note, "note", _("Say how the request was resolved."))
    before, now = ticket.state, timezone.now()
    ticket.state = action.to_state
    ticket.resolved_at = now
    ticket.resolution_note = note
    sla_hooks.record_outcome(ticket, now=now)
    fulfil_supervision(ticket, now=now)
    event = _finish(ticket, "resolve", actor, before, note=note, now=now)
    if not ticket.category.requires_confirmation:
        ticket.state, ticket.closed_at = State.CLOSED, now
        _finish(ticket, "close", None, State.RESOLVED, note=_no_confirmation_note(), now=now)
    return ticket, event


def resolve_at_window(*, ticket: Ticket, actor, note: str) -> Ticket:
    """当场办结: a clerk resolves the request while the resident is at the window.

    Called by ticket_submit inside its transaction; counted by ``resolved_at_window``.
    """
    now = timezone.now()
    ticket.assignee = actor
    ticket.accepted_at = now
    ticket.resolved_at = now
    ticket.resolution_note = note
    ticket.resolved_at_window = True
    ticket.state = State.RESOLVED
    sla_hooks.record_outcome(ticket, now=now)
    _finish(ticket, "resolve", actor, State.SUBMITTED, note=note, data={"at_window": True}, now=now)
    if not ticket.category.requires_confirmation:
        ticket.state, ticket.closed_at = State.CLOSED, now
        _finish(ticket, "close", None, State.RESOLVED, note=_no_confirmation_note(), now=now)
    return ticket


@transaction.atomic
def ticket_close(*, ticket, actor, note: str = "") -> Ticket:
    ticket = lock_ticket(ticket)
    action = workflow.check("close", user=actor, ticket=ticket)
    before, now = ticket.state, timezone.now()
    ticket.state = action.to_state
    ticket.closed_at = now
    _finish(ticket, "close", actor, before, note=note, now=now)
    return ticket


@transaction.atomic
def ticket_reopen(*, ticket, actor, note: str) -> Ticket:
    ticket = lock_ticket(ticket)
    action = workflow.check("reopen", user=actor, ticket=ticket)
    note = _required(note, "note", _("Say what is still wrong."))
    before = ticket.state
    ticket.state = action.to_state
    ticket.reopen_count += 1
    ticket.resolved_at = None  # "resolved and not currently reopened": the next resolution counts
    _finish(ticket, "reopen", actor, before, note=note, data={"reopen_count": ticket.reopen_count})
    return ticket


@transaction.atomic
def ticket_reject(*, ticket, actor, reason: str) -> Ticket:
    ticket = lock_ticket(ticket)
    action = workflow.check("reject", user=actor, ticket=ticket)
    reason = _required(reason, "reason", _("Give the reason the resident will see."))
    before, now = ticket.state, timezone.now()
    ticket.state = action.to_state
    ticket.reject_reason = reason
    ticket.closed_at = now
    fulfil_supervision(ticket, now=now)
    _finish(ticket, "reject", actor, before, note=reason, now=now)
    return ticket


def _grid_or_department(grid_code: str | None, department_code: str | None):
    if bool(grid_code) == bool(department_code):
        msg = _("Give either a grid or a department to transfer to.")
        raise ValidationFailed(msg, fields={"grid": [msg], "department": [msg]})
    if grid_code:
        grid = OrgNode.objects.filter(code=grid_code, level=Level.GRID, is_active=True).select_related("parent").first()
        if grid is None:
            raise ValidationFailed(_("No such grid."), fields={"grid": [_("No such grid.")]})
        return grid, None
    department = Department.objects.filter(code=department_code, is_active=True).select_related("org_node").first()
    if department is None:
        raise ValidationFailed(_("No such department."), fields={"department": [_("No such department.")]})
    return None, department


@transaction.atomic
def ticket_transfer(*, ticket, actor, reason: str, grid_code: str | None = None, department_code: str | None = None):
    ticket = lock_ticket(ticket)
    action = workflow.check("transfer", user=actor, ticket=ticket)
    reason = _required(reason, "reason", _("Give the reason for the transfer."))
    grid, department = _grid_or_department(grid_code, department_code)
    if grid is not None and grid.pk == ticket.grid_id and ticket.department_id is None:
        raise Conflict(_("The ticket is already in this grid."), code="same_target")
    before = ticket.state
    from_data = {
        "grid": ticket.grid.code if ticket.grid else None,
        "assignee": getattr(ticket.assignee, "username", None),
    }
    if grid is not None:
        route = route_ticket(
            category=ticket.category,
            lat=None,
            lng=None,
            community=None,
            grid=grid,
            day=timezone.localdate(),
            exclude_user_id=actor.pk,
        )
        ticket.grid, ticket.community, ticket.department = route.grid, route.community, None
        ticket.assignee, ticket.org_path = route.assignee, route.org_path
        route_data = route.as_data()
    else:
        ticket.department, ticket.assignee = department, None
        route_data = {"department": department.code, "reason": f"transferred to department {department.code}"}
    ticket.state = action.to_state
    _finish(ticket, "transfer", actor, before, note=reason, data={"from": from_data, "to": route_data})
    return ticket


@transaction.atomic
def ticket_return(*, ticket, actor, reason: str) -> Ticket:
    ticket = lock_ticket(ticket)
    action = workflow.check("return", user=actor, ticket=ticket)
    reason = _required(reason, "reason", _("Say why the ticket is misrouted."))
    before = ticket.state
    data = {
        "assignee": getattr(ticket.assignee, "username", None),
        "department": getattr(ticket.department, "code", None),
    }
    ticket.assignee = None
    ticket.department = None
    ticket.state = action.to_state
    _finish(ticket, "return", actor, before, note=reason, data=data)
    return ticket


@transaction.atomic
def ticket_reassign(*, ticket, actor, assignee_id: int, note: str = "") -> Ticket:
    ticket = lock_ticket(ticket)
    action = workflow.check("reassign", user=actor, ticket=ticket)
    worker = User.objects.filter(
        pk=assignee_id, is_active=True, role__in=[Role.GRID_WORKER, Role.DEPARTMENT_STAFF, Role.CLERK]
    ).first()
    worker_scope = scope_for(worker) if worker else None
    actor_scope = scope_for(actor)
    in_reach = worker_scope is not None and (
        actor_scope.everything
        or any(actor_scope.covers_path(p) for p in worker_scope.paths)
        or bool(set(worker_scope.department_ids) & set(actor_scope.department_ids))
    )
    if not in_reach:
        msg = _("Choose an active worker within your scope.")
        raise ValidationFailed(msg, fields={"assignee": [msg]})
    if worker.pk == ticket.assignee_id:
        raise Conflict(_("The ticket is already assigned to this worker."), code="same_target")
    before = ticket.state
    data = {"from": getattr(ticket.assignee, "username", None), "to": worker.username}
    ticket.assignee = worker
    ticket.state = action.to_state
    _finish(ticket, "reassign", actor, before, note=note, data=data, is_public=False)
    return ticket


@transaction.atomic
def ticket_merge(*, ticket, actor, into_id: int, note: str = "") -> Ticket:
    from apps.tickets.selectors import visible_tickets

    ticket = lock_ticket(ticket)
    action = workflow.check("merge", user=actor, ticket=ticket)
    target = visible_tickets(actor).select_for_update().filter(pk=into_id).first() if into_id != ticket.pk else None
    if target is None or target.state not in OPEN_STATES:
        msg = _("Choose another open ticket you can see.")
        raise ValidationFailed(msg, fields={"into": [msg]})
    before = ticket.state
    ticket.state = action.to_state
    ticket.merged_into = target
    ticket.closed_at = timezone.now()
    fulfil_supervision(ticket, now=ticket.closed_at)
    _finish(ticket, "merge", actor, before, note=note, data={"into": target.code})
    record_event(
        target,
        action="merged_from",
        actor=actor,
        from_state=target.state,
        to_state=target.state,
        data={"from": ticket.code},
        note=note,
        is_public=False,
    )
    return ticket


@transaction.atomic
def ticket_comment(*, ticket, actor, body: str, is_internal: bool = False) -> Comment:
    ticket = lock_ticket(ticket)
    workflow.check("comment", user=actor, ticket=ticket)
    body = _required(body, "body", _("Write a comment."))
    if len(body) > 4000:
        raise ValidationFailed(_("At most 4,000 characters."), fields={"body": [_("At most 4,000 characters.")]})
    if is_internal and not workflow.relations(actor, ticket) - {"owner"}:
        msg = _("Residents cannot write internal comments.")
        raise ValidationFailed(msg, fields={"is_internal": [msg]})
    now = timezone.now()
    comment = Comment.objects.create(ticket=ticket, author=actor, body=body, is_internal=is_internal, created_at=now)
    record_event(
        ticket,
        action="comment",
        actor=actor,
        from_state=ticket.state,
        to_state=ticket.state,
        data={"comment_id": comment.pk, "internal": is_internal},
        is_public=not is_internal,
        at=now,
    )
    return comment


@transaction.atomic
def ticket_rate(*, ticket, actor, score: int, comment: str = "") -> Rating:
    ticket = lock_ticket(ticket)
    workflow.check("rate", user=actor, ticket=ticket)
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationFailed(_("Rate from 1 to 5."), fields={"score": [_("Rate from 1 to 5.")]})
    if Rating.objects.filter(ticket=ticket).exists():
        raise Conflict(_("This ticket has already been rated."), code="already_rated")
    now = timezone.now()
    rating = Rating.objects.create(ticket=ticket, score=score, comment=(comment or "").strip()[:2000], created_at=now)
    # The metrics read the score from the ticket row (Ticket.rating_score): kept in step here,
    # in the same transaction. updated_at is left alone: rating does not change the ticket's handling.
    ticket.rating_score = score
    ticket.save(update_fields=["rating_score"])
    record_event(
        ticket,
        action="rate",
        actor=actor,
        from_state=ticket.state,
        to_state=ticket.state,
        data={"score": score},
        note=rating.comment,
        at=now,
    )
    return rating
