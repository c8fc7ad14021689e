"""The ticket page (staff and residents), its actions, the receipt and the staff's ticket list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.catalog.selectors import active_categories
from apps.core.choices import Priority
from apps.core.errors import Conflict, ServiceError
from apps.people.masking import mask_phone
from apps.people.models import Role
from apps.people.selectors import staff_in_scope
from apps.places.models import Department, Level, OrgNode
from apps.portal.actions import HANDLERS
from apps.portal.clock import clock_for
from apps.portal.templatetags.portal import loc_name
from apps.portal.views.common import paginate, role_required
from apps.tickets.models import OPEN_STATES, State
from apps.tickets.selectors import overdue_q, ticket_detail, ticket_list
from apps.tickets.serializers import phone_visible_to
from apps.tickets.workflow import ACTIONS, allowed_actions

TARGETS_LIMIT = 300  # grids offered for a transfer: those of the same district, at most this many


def _transfer_targets(ticket):
    district = "/".join(ticket.org_path.split("/")[:2]) + "/" if ticket.org_path.count("/") >= 2 else ""
    grids = OrgNode.objects.filter(level=Level.GRID, is_active=True)
    if district:
        grids = grids.filter(path__startswith=district)
    grids = list(grids.exclude(pk=ticket.grid_id).order_by("path").only("code", "name")[:TARGETS_LIMIT])
    departments = list(Department.objects.filter(is_active=True).order_by("code").only("code", "name")[:100])
    return grids, departments


PRIMARY_ACTIONS = {"accept", "start", "resolve", "close", "resume"}


def attribute_rows(ticket) -> list[tuple[str, str]]:
    """The category's questions and the answers, with choice keys shown as their names."""
    answers = ticket.attributes or {}
    if not answers:
        return []
    rows = []
    for attribute in ticket.category.attributes.all():
        if attribute.code not in answers:
            continue
        names = {str(v.get("key")): v.get("name", v.get("key")) for v in attribute.values or []}
        value = answers[attribute.code]
        values = value if isinstance(value, list) else [value]
        rows.append((loc_name(attribute), ", ".join(str(names.get(str(v), v)) for v in values)))
    return rows


def ticket_context(request, ticket, *, errors=None, failed_action=None) -> dict:
    user = request.user
    actions = allowed_actions(user, ticket)
    staff = user.role != Role.RESIDENT
    ctx = {
        "ticket": ticket,
        "actions": actions,
        "action_labels": {name: ACTIONS[name].label for name in actions},
        "is_staff": staff,
        "clock": clock_for(ticket),
        "phone": ticket.contact_phone if phone_visible_to(user, ticket) else mask_phone(ticket.contact_phone),
        "errors": errors or {},
        "failed_action": failed_action,
        "posted": request.POST if failed_action else {},
        "events": list(ticket.events.all()),
        "comments": list(ticket.comments.all()),
        "attachments": list(ticket.attachments.all()),
        "attribute_rows": attribute_rows(ticket),
        "primary_actions": PRIMARY_ACTIONS,
    }
    if "transfer" in actions:
        ctx["grids"], ctx["departments"] = _transfer_targets(ticket)
    if "reassign" in actions:
        ctx["workers"] = list(
            staff_in_scope(user=user).filter(role__in=[Role.GRID_WORKER, Role.CLERK, Role.DEPARTMENT_STAFF])[
                :TARGETS_LIMIT
            ]
        )
    if "reclassify" in actions:
        categories = list(active_categories())
        groups = {c.parent_id for c in categories}
        ctx["categories"] = [c for c in categories if c.pk not in groups][:TARGETS_LIMIT]
        ctx["priorities"] = Priority.choices
    if staff:
        ctx["supervision_orders"] = list(
            ticket.supervision_orders.select_related("issued_by").order_by("-created_at")[:20]
        )
    return ctx


def _rating(ticket):
    try:
        return ticket.rating
    except Exception:  # RelatedObjectDoesNotExist: not rated yet
        return None


@login_required
def ticket_page(request, pk: int):
    ticket = ticket_detail(request.user, pk)
    if ticket is None:
        raise Http404  # outside your scope looks the same as no such ticket
    ctx = ticket_context(request, ticket)
    ctx["rating"] = _rating(ticket)
    return render(request, "portal/ticket.html", ctx)


@login_required
@require_POST
def ticket_act(request, pk: int, action: str):
    handler = HANDLERS.get(action)
    ticket = ticket_list(request.user).filter(pk=pk).first()
    if ticket is None or handler is None:
        raise Http404
    try:
        with transaction.atomic():
            message = handler(request, ticket)
    except Conflict as exc:
        status = 409
        errors = {"general": [exc.message]}
    except ServiceError as exc:
        errors = {k.replace("attributes.", "attr_"): [str(m) for m in v] for k, v in exc.fields.items()}
        errors.setdefault("general", [] if exc.fields else [exc.message])
        status = 400
    else:
        messages.success(request, message)
        return redirect("portal:ticket", pk=pk)
    ticket = ticket_detail(request.user, pk)
    if ticket is None:
        raise Http404
    ctx = ticket_context(request, ticket, errors=errors, failed_action=action)
    ctx["rating"] = _rating(ticket)
    return render(request, "portal/ticket.html", ctx, status=status)


@login_required
def receipt(request, pk: int):
    ticket = ticket_list(request.user).filter(pk=pk).first()
    if ticket is None:
        raise Http404
    return render(request, "portal/receipt.html", {"ticket": ticket, "phone": mask_phone(ticket.contact_phone)})


@role_required(Role.CLERK, Role.GRID_WORKER, Role.SUPERVISOR, Role.DEPARTMENT_STAFF)
def ticket_index(request):
    """Staff: the tickets of their scope, with a few filters."""
    if request.user.role == Role.RESIDENT:
        raise PermissionDenied
    qs = ticket_list(request.user).order_by("-submitted_at", "-id")
    state = request.GET.get("state", "")
    if state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif state == "overdue":
        qs = qs.filter(overdue_q())
    elif state in State.values:
        qs = qs.filter(state=state)
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(code__iexact=q.upper()) | Q(title__icontains=q) | Q(contact_phone=q))
    states = [("open", _("Open")), ("overdue", _("Overdue")), *State.choices]
    return render(
        request, "portal/ticket_list.html", {"page": paginate(request, qs), "state": state, "q": q, "states": states}
    )
