"""Routing: where a new ticket belongs and who gets it.

Place: the point's grid (the places index); else the chosen (or nearest) community's
dispatch queue; else the city's. Handler: a department's queue when the category is
handled by a department; otherwise the grid's on-duty worker with the fewest open
tickets, a deputy when every worker is away, the community's dispatch queue when
nobody is available. The decision and its reason are stored on the ticket's event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from apps.catalog.models import Handler
from apps.core.i18n import in_desk_language
from apps.places.locator import locate
from apps.places.models import Level, OrgNode
from apps.tickets.models import OPEN_STATES, Ticket


@dataclass
class Route:
    grid: OrgNode | None = None
    community: OrgNode | None = None
    department: object | None = None
    assignee: object | None = None
    org_path: str = ""
    reasons: list[str] = field(default_factory=list)
    separator: str = "; "  # set in the desk's language with the reasons

    @property
    def reason(self) -> str:
        return self.separator.join(self.reasons)

    def as_data(self) -> dict:
        return {
            "grid": self.grid.code if self.grid else None,
            "community": self.community.code if self.community else None,
            "department": self.department.code if self.department else None,
            "assignee": self.assignee.username if self.assignee else None,
            "reason": self.reason,
        }


def open_counts(user_ids: list[int]) -> dict[int, int]:
    rows = (
        Ticket.objects.filter(assignee_id__in=user_ids, state__in=OPEN_STATES)
        .values("assignee_id")
        .annotate(n=Count("id"))
    )
    return {row["assignee_id"]: row["n"] for row in rows}


def pick_worker(grid: OrgNode, day: date, *, exclude_user_id: int | None = None):
    """The grid's available worker with the fewest open tickets (deputies only if no worker is available)."""
    from apps.people.selectors import roster_for_grid

    roster = [e for e in roster_for_grid(grid=grid, day=day) if e.user.pk != exclude_user_id]
    if not roster:
        return None, _("no worker in this grid's roster")
    primaries = [e for e in roster if not e.is_deputy]
    available = [e for e in primaries if e.available]
    how = _("worker")
    if not available:
        available = [e for e in roster if e.is_deputy and e.available]
        away = ", ".join(f"{e.user.username} {e.why}" for e in primaries) or _("no primary worker")
        how = _("%(away)s; deputy") % {"away": away}
    if not available:
        return None, _("nobody available (%(who)s)") % {"who": ", ".join(f"{e.user.username} {e.why}" for e in roster)}
    counts = open_counts([e.user.pk for e in available])
    chosen = min(available, key=lambda e: (counts.get(e.user.pk, 0), e.is_deputy, e.position, e.user.pk))
    return chosen.user, _("%(how)s %(user)s chosen; %(n)d open tickets") % {
        "how": how,
        "user": chosen.user.username,
        "n": counts.get(chosen.user.pk, 0),
    }


def city_node() -> OrgNode | None:
    return OrgNode.objects.filter(code=settings.CITY_CODE).first()


@in_desk_language
def route_ticket(
    *,
    category,
    lat: float | None,
    lng: float | None,
    community: OrgNode | None,
    day: date,
    grid: OrgNode | None = None,
    exclude_user_id: int | None = None,
) -> Route:
    """Where the ticket goes and who gets it, with the reason for its route event (written in the
    desk's language: everyone on the timeline reads it later)."""
    route = Route(separator=pgettext("between the parts of a routing reason", "; "))
    if grid is not None:
        route.grid = grid
        route.community = grid.parent if grid.parent and grid.parent.level == Level.COMMUNITY else community
        route.reasons.append(_("grid %(code)s chosen") % {"code": grid.code})
    elif lat is not None and lng is not None:
        location = locate(lat=lat, lng=lng)
        route.grid, route.community = location.grid, location.community
        route.reasons.append(location.reason)
        if route.grid is None and community is not None:
            route.community = community
            route.reasons.append(_("community %(code)s chosen by the resident") % {"code": community.code})
    elif community is not None:
        route.community = community
        route.reasons.append(_("no point; community %(code)s chosen") % {"code": community.code})
    else:
        route.reasons.append(_("no location given"))

    if category.handler == Handler.DEPARTMENT and category.department_id:
        route.department = category.department
        route.reasons.append(
            _("category handled by department %(code)s; department queue") % {"code": category.department.code}
        )
    elif route.grid is not None:
        route.assignee, why = pick_worker(route.grid, day, exclude_user_id=exclude_user_id)
        route.reasons.append(why)
        if route.assignee is None:
            code = route.community.code if route.community else "?"
            route.reasons.append(_("community %(code)s dispatch queue") % {"code": code})
    elif route.community is not None:
        route.reasons.append(_("community %(code)s dispatch queue") % {"code": route.community.code})
    else:
        route.reasons.append(_("city dispatch queue"))

    place = route.grid or route.community
    if place is None and route.department is not None:
        place = route.department.org_node
    if place is None:
        place = city_node()
    route.org_path = place.path if place else f"{settings.CITY_CODE}/"
    return route
