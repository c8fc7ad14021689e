"""The ticket page's action forms: parse one POST, call the one service for that action.

Each handler returns a success message or raises the service's ``ValidationFailed`` /
``Conflict``; the view turns those into field errors or a message (never a 500).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import ValidationFailed
from apps.tickets import services
from apps.tickets.attachments import attachment_add
from apps.tickets.selectors import visible_tickets

UPLOAD_LIMIT = 6  # photos per action: enough for a repair, not a gallery


def _text(request, name: str) -> str:
    return (request.POST.get(name) or "").strip()


def _int(request, name: str, message: str) -> int:
    raw = _text(request, name)
    if not raw.isdigit():
        raise ValidationFailed(message, fields={name: [message]})
    return int(raw)


def _photos(request, ticket, event, field="photos") -> int:
    uploads = request.FILES.getlist(field)
    if len(uploads) > UPLOAD_LIMIT:
        msg = _("Attach at most %(n)d photos.") % {"n": UPLOAD_LIMIT}
        raise ValidationFailed(msg, fields={field: [msg]})
    for upload in uploads:
        try:
            attachment_add(ticket=ticket, uploaded_by=request.user, upload=upload, event=event)
        except ValidationFailed as exc:
            messages = [f"{upload.name}: {m}" for m in exc.fields.get("file", [exc.message])]
            raise ValidationFailed(messages[0], fields={field: messages}) from None
    return len(uploads)


def _due_at(request) -> datetime:
    raw = _text(request, "due_at")
    msg = _("Give the new deadline as a date and time, such as 2026-12-01 17:30.")
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(msg, fields={"due_at": [msg]}) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
    return moment


def accept(request, ticket):
    services.ticket_accept(ticket=ticket, actor=request.user, note=_text(request, "note"))
    return _("Accepted.")


def start(request, ticket):
    services.ticket_start(ticket=ticket, actor=request.user, note=_text(request, "note"))
    return _("Work started.")


def wait_on_resident(request, ticket):
    services.ticket_wait_on_resident(ticket=ticket, actor=request.user, note=_text(request, "note"))
    return _("Waiting on the resident; the clock is paused.")


def resume(request, ticket):
    services.ticket_resume(ticket=ticket, actor=request.user, note=_text(request, "note"))
    return _("Resumed.")


def resolve(request, ticket):
    with transaction.atomic():
        ticket, event = services.ticket_resolve(ticket=ticket, actor=request.user, note=_text(request, "note"))
        _photos(request, ticket, event)
    return _("Resolved.")


def close(request, ticket):
    services.ticket_close(ticket=ticket, actor=request.user, note=_text(request, "note"))
    return _("Confirmed and closed. Thank you.")


def reopen(request, ticket):
    services.ticket_reopen(ticket=ticket, actor=request.user, note=_text(request, "note"))
    return _("Reopened: the handler will look at it again.")


def reject(request, ticket):
    services.ticket_reject(ticket=ticket, actor=request.user, reason=_text(request, "reason"))
    return _("Rejected.")


def transfer(request, ticket):
    services.ticket_transfer(
        ticket=ticket,
        actor=request.user,
        reason=_text(request, "reason"),
        grid_code=_text(request, "grid") or None,
        department_code=_text(request, "department") or None,
    )
    return _("Transferred.")


def return_(request, ticket):
    services.ticket_return(ticket=ticket, actor=request.user, reason=_text(request, "reason"))
    return _("Returned to dispatch.")


def reassign(request, ticket):
    assignee = _int(request, "assignee", _("Choose a worker."))
    services.ticket_reassign(ticket=ticket, actor=request.user, assignee_id=assignee, note=_text(request, "note"))
    return _("Reassigned.")


def merge(request, ticket):
    code = _text(request, "into").upper()
    target = visible_tickets(request.user).filter(code=code).values_list("pk", flat=True).first() if code else None
    if target is None:
        msg = _("Give the tracking code of another open ticket you can see.")
        raise ValidationFailed(msg, fields={"into": [msg]})
    services.ticket_merge(ticket=ticket, actor=request.user, into_id=target, note=_text(request, "note"))
    return _("Merged as a duplicate.")


def comment(request, ticket):
    internal = request.POST.get("is_internal") in ("on", "1", "true")
    services.ticket_comment(ticket=ticket, actor=request.user, body=_text(request, "body"), is_internal=internal)
    return _("Comment added.")


def rate(request, ticket):
    raw = _text(request, "score")
    score = int(raw) if raw.isdigit() else 0
    services.ticket_rate(ticket=ticket, actor=request.user, score=score, comment=_text(request, "comment"))
    return _("Thank you for your rating.")


def supervise(request, ticket):
    services.ticket_supervise(ticket=ticket, actor=request.user, note=_text(request, "note"), due_at=_due_at(request))
    return _("Supervision order issued.")


def reclassify(request, ticket):
    services.ticket_reclassify(
        ticket=ticket,
        actor=request.user,
        category_code=_text(request, "category") or None,
        priority=_text(request, "priority") or None,
        note=_text(request, "note"),
    )
    return _("Category or priority changed; the time limits were recomputed.")


HANDLERS = {
    "accept": accept,
    "start": start,
    "wait_on_resident": wait_on_resident,
    "resume": resume,
    "resolve": resolve,
    "close": close,
    "reopen": reopen,
    "reject": reject,
    "transfer": transfer,
    "return": return_,
    "reassign": reassign,
    "merge": merge,
    "comment": comment,
    "rate": rate,
    "supervise": supervise,
    "reclassify": reclassify,
}
