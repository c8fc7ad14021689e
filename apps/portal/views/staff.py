"""The grid worker's queue and patrol report, the clerk's one-window desk, the inbox."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, F, Q, When
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.notifications.selectors import inbox as inbox_selector
from apps.notifications.services import mark_read
from apps.people.models import Role
from apps.people.scopes import scope_for
from apps.people.selectors import grids_of
from apps.portal.clock import clock_for
from apps.portal.forms import DeskForm, RequestForm
from apps.portal.mapsvg import grid_map
from apps.portal.views.common import paginate, role_required
from apps.portal.views.public import remember_submitted, request_form, submit_with_photos
from apps.tickets.models import OPEN_STATES, Channel
from apps.tickets.selectors import ticket_list

QUEUE_LIMIT = 200  # a worker with more open tickets than this has a dispatch problem, not a paging one
HISTORY_LIMIT = 10


def _by_urgency(qs):
    # The running deadline: the response target until first response, then the resolution target.
    return qs.annotate(
        deadline=Case(When(accepted_at__isnull=True, then=F("respond_by")), default=F("resolve_by"))
    ).order_by(F("deadline").asc(nulls_last=True), "submitted_at", "id")


@role_required(Role.GRID_WORKER, Role.DEPARTMENT_STAFF, Role.CLERK, Role.SUPERVISOR)
def queue(request):
    user = request.user
    open_tickets = ticket_list(user).filter(state__in=OPEN_STATES)
    mine = list(_by_urgency(open_tickets.filter(assignee=user))[:QUEUE_LIMIT])
    # What nobody holds yet in my grids (a deputy's cover) or in my departments' queues.
    grid_ids = list(grids_of(user).values_list("pk", flat=True))
    department_ids = scope_for(user).department_ids
    unassigned = []
    if grid_ids or department_ids:
        place = Q(grid_id__in=grid_ids, department__isnull=True) | Q(department_id__in=department_ids)
        unassigned = list(_by_urgency(open_tickets.filter(place, assignee__isnull=True))[:QUEUE_LIMIT])
    now = timezone.now()
    rows = [(t, clock_for(t, now)) for t in mine]
    counts = {
        "breach": sum(1 for _t, c in rows if c.status == "breach"),
        "warning": sum(1 for _t, c in rows if c.status == "warning"),
    }
    return render(
        request,
        "portal/queue.html",
        {"rows": rows, "unassigned": [(t, clock_for(t, now)) for t in unassigned], "counts": counts},
    )


class PatrolForm(RequestForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_name"].label = _("Contact name (if a resident is involved)")
        self.fields["contact_phone"].label = _("Contact phone")


@role_required(Role.GRID_WORKER)
def patrol(request):
    user = request.user
    form = request_form(
        request, form_class=PatrolForm, initial={"contact_name": user.full_name, "contact_phone": user.phone}
    )
    # On patrol the photo comes from the phone's camera.
    form.fields["photos"].widget.attrs["capture"] = "environment"
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = {**form.service_data(), "channel": Channel.PATROL}
            data["contact_name"] = data["contact_name"] or user.full_name or user.username
            data["contact_phone"] = data["contact_phone"] or user.phone
            ticket = submit_with_photos(request, form, data)
            if ticket is not None:
                messages.success(request, _("Patrol report %(code)s recorded.") % {"code": ticket.code})
                return redirect("portal:ticket", pk=ticket.pk)
    return render(request, "portal/patrol.html", {"form": form, "map": grid_map()}, status=status)


@role_required(Role.CLERK)
def desk(request):
    form = request_form(request, form_class=DeskForm, initial={"channel": Channel.WINDOW})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            ticket = submit_with_photos(request, form, form.service_data())
            if ticket is not None:
                remember_submitted(request, ticket)
                messages.success(request, _("Request %(code)s recorded.") % {"code": ticket.code})
                return redirect("portal:receipt", pk=ticket.pk)
    return render(request, "portal/desk.html", {"form": form}, status=status)


@role_required(Role.CLERK, Role.SUPERVISOR, Role.GRID_WORKER)
@require_GET
def desk_history(request):
    """htmx: the resident's earlier requests, found by phone number, within the clerk's scope."""
    phone = "".join(ch for ch in request.GET.get("contact_phone", "") if ch.isdigit() or ch == "+")
    tickets = []
    if len(phone) >= 7:
        tickets = list(
            ticket_list(request.user).filter(contact_phone=phone).order_by("-submitted_at", "-id")[:HISTORY_LIMIT]
        )
    return render(request, "portal/_history.html", {"tickets": tickets, "phone": phone})


@login_required
def inbox(request):
    page = paginate(request, inbox_selector(request.user))
    return render(request, "portal/inbox.html", {"page": page})


@login_required
@require_POST
def inbox_read(request):
    raw = request.POST.getlist("id")
    ids = [int(x) for x in raw if x.isdigit()] or None
    mark_read(user=request.user, ids=ids)
    return redirect("portal:inbox")
