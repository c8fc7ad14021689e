"""The SLA clock as people see it: which deadline is running, how long is left, and its colour."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from apps.tickets.models import OPEN_STATES, State


@dataclass(frozen=True)
class Clock:
    label: str  # which target: response or resolution
    deadline: datetime | None
    status: str  # "ok", "warning", "breach", "paused", "done", "none"
    remaining: str  # "2 h 15 min left" / "overdue by 1 h 5 min"
    seconds: int | None  # signed seconds to the deadline (negative when overdue)


def human_duration(seconds: int) -> str:
    seconds = abs(int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    return _("%(m)d min") % {"m": minutes}


def remaining_text(seconds: int) -> str:
    if seconds >= 0:
        return _("%(time)s left") % {"time": human_duration(seconds)}
    return _("overdue by %(time)s") % {"time": human_duration(seconds)}


def clock_for(ticket, now: datetime | None = None) -> Clock:
    """The deadline that is running now: the response target until accepted, then the resolution target."""
    now = now or timezone.now()
    if ticket.state not in OPEN_STATES:
        return Clock(_("Finished"), None, "done", "", None)
    if ticket.accepted_at is None:
        label, deadline, warn_at = _("Respond by"), ticket.respond_by, ticket.respond_warn_at
    else:
        label, deadline, warn_at = _("Resolve by"), ticket.resolve_by, ticket.resolve_warn_at
    if deadline is None:
        return Clock(label, None, "none", _("no time limit"), None)
    seconds = int((deadline - now).total_seconds())
    if ticket.state == State.WAITING_ON_RESIDENT:
        return Clock(label, deadline, "paused", _("paused while waiting on the resident"), seconds)
    if seconds < 0:
        status = "breach"
    elif warn_at is not None and now >= warn_at:
        status = "warning"
    else:
        status = "ok"
    return Clock(label, deadline, status, remaining_text(seconds), seconds)


def age_text(since: datetime, now: datetime | None = None) -> str:
    return human_duration(int(((now or timezone.now()) - since).total_seconds()))
