"""Pages for residents (and anyone): catalog and guides, the request form, tracking, sign-up."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from apps.catalog.selectors import active_categories
from apps.core.errors import ServiceError
from apps.people.models import Role
from apps.people.scopes import scope_for
from apps.people.services import resident_register
from apps.places.models import Level, OrgNode
from apps.portal.forms import MultipleFileField, RegisterForm, RequestForm, TrackForm, add_service_errors
from apps.portal.mapsvg import grid_map
from apps.portal.views.common import paginate, throttled
from apps.tickets.apis import submit_from_input
from apps.tickets.attachments import attachment_add
from apps.tickets.models import Channel, Ticket
from apps.tickets.selectors import track, visible_tickets

SUBMITTED_KEY = "portal_submitted_codes"
MAX_PHOTOS = 6


def home(request):
    user = request.user
    if user.is_authenticated and user.role != Role.RESIDENT:
        target = {
            Role.CLERK: "portal:desk",
            Role.GRID_WORKER: "portal:queue",
            Role.DEPARTMENT_STAFF: "portal:queue",
            Role.SUPERVISOR: "portal:dashboard",
        }.get(user.role, "portal:dashboard")
        return redirect(target)
    return render(request, "portal/home.html", {"track_form": TrackForm()})


def catalog(request):
    categories = list(active_categories())
    parent_ids = {c.parent_id for c in categories if c.parent_id}
    groups = [
        {"group": c, "items": [x for x in categories if x.parent_id == c.pk]} for c in categories if c.pk in parent_ids
    ]
    loose = [c for c in categories if c.parent_id is None and c.pk not in parent_ids]
    if loose:
        groups.append({"group": None, "items": loose})
    return render(request, "portal/catalog.html", {"groups": groups})


def guide(request, code: str):
    category = active_categories().filter(code=code).first()
    if category is None:
        raise Http404
    return render(request, "portal/guide.html", {"category": category})


def _category(categories, code):
    return next((c for c in categories if c.code == code), None) if code else None


COMMUNITY_LIMIT = 2000


def communities_for(user):
    """Communities to choose from: a staff member's own first (the clerk's desk), else all active ones."""
    nodes = OrgNode.objects.filter(level=Level.COMMUNITY, is_active=True).order_by("path").only("code", "name")
    scope = scope_for(user)
    if getattr(user, "is_authenticated", False) and user.role != Role.RESIDENT and scope.paths and not scope.everything:
        mine = nodes.filter(scope.q_for_paths("path"))
        # A clerk scoped to a community: that community (its ancestors' scope gives all below).
        return list(mine[:COMMUNITY_LIMIT]) or list(nodes[:COMMUNITY_LIMIT])
    return list(nodes[:COMMUNITY_LIMIT])


def request_form(request, *, form_class=RequestForm, initial=None):
    """The form for the chosen category (POST, else ?category=)."""
    categories = list(active_categories())
    communities = communities_for(request.user)
    initial = dict(initial or {})
    if form_class is not RequestForm and len(communities) == 1:
        initial.setdefault("community", communities[0].code)
    data = request.POST if request.method == "POST" else None
    code = (data or request.GET).get("category")
    category = _category(categories, code)
    form = form_class(
        data, categories=categories, category=category, communities=communities, initial={**initial, "category": code}
    )
    form.fields["category"].widget.attrs.update(
        {
            "hx-get": reverse("portal:category_fields"),
            "hx-trigger": "change",
            "hx-target": "#attribute-fields",
            "hx-swap": "outerHTML",
        }
    )
    form.fields["photos"] = MultipleFileField(
        label=_("Photos"),
        required=False,
        help_text=_("Up to %(n)d photos (JPEG, PNG or WebP).") % {"n": MAX_PHOTOS},
    )
    return form


def submit_with_photos(request, form, data: dict):
    """Submit and attach the photos in one transaction: a bad photo leaves no half-made ticket."""
    uploads = request.FILES.getlist("photos")
    if len(uploads) > MAX_PHOTOS:
        form.add_error("photos", _("Attach at most %(n)d photos.") % {"n": MAX_PHOTOS})
        return None
    try:
        with transaction.atomic():
            ticket = submit_from_input(data=data, user=request.user)
            for upload in uploads:
                try:
                    attachment_add(ticket=ticket, uploaded_by=request.user, upload=upload)
                except ServiceError as exc:
                    exc.fields = {"photos": [f"{upload.name}: {m}" for m in exc.fields.get("file", [exc.message])]}
                    raise
    except ServiceError as exc:
        add_service_errors(form, exc, aliases={"location": "address", "file": "photos"})
        return None
    return ticket


def remember_submitted(request, ticket) -> None:
    codes = request.session.get(SUBMITTED_KEY, [])[-9:]
    request.session[SUBMITTED_KEY] = [*codes, ticket.code]


def submit(request):
    user = request.user
    initial = {}
    if user.is_authenticated and user.role == Role.RESIDENT:
        initial = {"contact_name": user.full_name, "contact_phone": user.phone}
    form = request_form(request, initial=initial)
    status = 200
    if request.method == "POST":
        if not user.is_authenticated and throttled(request, "submit"):
            form.add_error(None, _("Too many requests from this address: wait a minute and try again."))
            status = 429
        elif form.is_valid():
            ticket = submit_with_photos(request, form, {**form.service_data(), "channel": Channel.WEB})
            if ticket is not None:
                remember_submitted(request, ticket)
                return redirect("portal:submitted", code=ticket.code)
            status = 400
        else:
            status = 400
    return render(request, "portal/submit.html", {"form": form, "map": grid_map()}, status=status)


@require_GET
def category_fields(request):
    """htmx: the extra fields of the chosen category."""
    form = request_form(request)
    return render(request, "portal/_attribute_fields.html", {"form": form})


def submitted(request, code: str):
    # Only the browser that submitted it sees this page; anyone else tracks with code + phone.
    if code not in request.session.get(SUBMITTED_KEY, []):
        raise Http404
    ticket = visible_tickets(request.user).filter(code=code).first()
    if ticket is None:
        # An anonymous submitter: the session proves it is theirs.
        ticket = Ticket.objects.select_related("category").filter(code=code).first()
    if ticket is None:
        raise Http404
    return render(request, "portal/submitted.html", {"ticket": ticket})


def track_page(request):
    form = TrackForm(request.GET or None)
    ticket, status = None, 200
    if form.is_bound and form.is_valid():
        if throttled(request, "track"):
            form.add_error(None, _("Too many look-ups from this address: wait a minute and try again."))
            status = 429
        else:
            ticket = track(code=form.cleaned_data["code"], phone_last4=form.cleaned_data["phone_last4"])
            if ticket is None:
                form.add_error(None, _("No request matches this code and phone number. Check both and try again."))
                status = 404
    elif form.is_bound:
        status = 400
    return render(request, "portal/track.html", {"form": form, "ticket": ticket}, status=status)


def register(request):
    if request.user.is_authenticated:
        return redirect("portal:home")
    form = RegisterForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                user = resident_register(
                    phone=form.cleaned_data["phone"],
                    password=form.cleaned_data["password"],
                    full_name=form.cleaned_data["full_name"],
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Welcome! Your account is ready."))
                return redirect("portal:my_requests")
        status = 400
    return render(request, "registration/register.html", {"form": form}, status=status)


@login_required
def my_requests(request):
    tickets = (
        visible_tickets(request.user)
        .filter(resident=request.user)
        .select_related("category")
        .order_by("-submitted_at", "-id")
    )
    return render(request, "portal/my_requests.html", {"page": paginate(request, tickets)})
