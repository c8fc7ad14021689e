"""Template helpers for the portal: navigation, the inbox badge, localised names, the SLA clock."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from apps.catalog.sanitize import render_markdown
from apps.notifications.selectors import unread_count as _unread_count
from apps.people.models import Role
from apps.portal.clock import age_text, clock_for

register = template.Library()


def _items_for(user) -> list[tuple[str, str]]:
    items = []
    role = getattr(user, "role", None) if getattr(user, "is_authenticated", False) else None
    if role in (None, Role.RESIDENT):
        items += [("portal:catalog", _("Services")), ("portal:submit", _("Submit a request"))]
        items.append(("portal:my_requests", _("My requests")) if role else ("portal:track", _("Track")))
    if role == Role.CLERK or getattr(user, "is_superuser", False) or role == Role.ADMIN:
        items.append(("portal:desk", _("One-window desk")))
    if role in (Role.GRID_WORKER, Role.DEPARTMENT_STAFF):
        items += [("portal:queue", _("My queue"))]
    if role == Role.GRID_WORKER:
        items += [("portal:patrol", _("Patrol report"))]
    if role in (Role.SUPERVISOR, Role.ADMIN) or getattr(user, "is_superuser", False):
        items.append(("portal:dashboard", _("Dashboard")))
    if role and role != Role.RESIDENT:
        items.append(("portal:tickets", _("Tickets")))
    return items


@register.filter
def nav_items(request):
    path = request.path
    out = []
    for name, label in _items_for(request.user):
        url = reverse(name)
        out.append({"url": url, "label": label, "current": path == url})
    return out


@register.simple_tag(takes_context=True)
def unread_count(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    # One query per page, cached on the request for a second use in the same render.
    if not hasattr(request, "_portal_unread"):
        request._portal_unread = _unread_count(user)
    return request._portal_unread


@register.filter
def loc_name(obj) -> str:
    """A category's (or attribute's) name in the current language: ``name_en`` for English when set."""
    if obj is None:
        return ""
    if (get_language() or "").startswith("en") and getattr(obj, "name_en", ""):
        return obj.name_en
    return obj.name


@register.filter
def markdown(text: str):
    """Operator-written guide text, rendered and sanitised (never user input)."""
    return mark_safe(render_markdown(text or ""))  # noqa: S308 — render_markdown sanitises with nh3


@register.filter
def sla_clock(ticket):
    return clock_for(ticket)


@register.filter
def age(moment) -> str:
    return age_text(moment) if moment else ""


@register.filter
def errors_for(errors: dict, name: str):
    return (errors or {}).get(name, [])


@register.filter
def lines(text: str) -> list[str]:
    return [line for line in (text or "").splitlines() if line.strip()]


@register.filter
def pct(value) -> str:
    """A rate in [0, 1] as a percentage; "—" when there is no denominator."""
    if value is None:
        return "—"
    return f"{float(value) * 100:.1f}%"


def _extra_event_labels() -> dict:
    # Called at render time, so plain gettext (``_``, which makemessages recognises) is right.
    return {
        "submit": _("Submitted"),
        "route": _("Routed"),
        "merged_from": _("Duplicate merged in"),
        "remind": _("Reminder"),
        "escalate": _("Escalated"),
        "supervision_overdue": _("Supervision order overdue"),
    }


@register.filter
def event_label(action: str) -> str:
    from apps.tickets.workflow import ACTIONS

    if action in ACTIONS:
        return str(ACTIONS[action].label)
    return str(_extra_event_labels().get(action, action))


@register.filter
def state_label(state: str) -> str:
    from apps.tickets.models import State

    try:
        return str(State(state).label)
    except ValueError:
        return state or ""


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.simple_tag
def clock_strings():
    """The countdown's phrases in the page's language, for the script that ticks it (json_script: no HTML)."""
    from django.utils.html import json_script

    return json_script(
        {
            "left": _("%(time)s left"),
            "overdue": _("overdue by %(time)s"),
            "dh": _("%(d)d d %(h)d h"),
            "hm": _("%(h)d h %(m)d min"),
            "m": _("%(m)d min"),
        },
        "clock-strings",
    )
