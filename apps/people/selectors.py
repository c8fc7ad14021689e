"""Reads about people: who works a grid today, who is on leave, whom a supervisor oversees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext

from apps.people.models import STAFF_ROLES, DutyStatus, GridMembership, Leave, StaffScope, User
from apps.people.scopes import scope_for
from apps.places.models import OrgNode


@dataclass(frozen=True)
class RosterEntry:
    """One worker of a grid on one day, and whether routing may give them work."""

    user: User
    position: int
    is_deputy: bool
    available: bool
    why: str  # for people: "on leave 2026-11-20–2026-12-02", "off duty", "on duty"


def _leaves_on(day: date) -> QuerySet[Leave]:
    return Leave.objects.filter(start_date__lte=day, end_date__gte=day).order_by("start_date", "id")


def roster_for_grid(*, grid: OrgNode, day: date) -> list[RosterEntry]:
    """The grid's active workers for ``day``: primaries by position, then deputies by position.

    Two queries: the memberships with their users, and the leaves covering ``day``.
    """
    memberships = (
        GridMembership.objects.filter(grid=grid, user__is_active=True)
        .select_related("user")
        .prefetch_related(Prefetch("user__leaves", queryset=_leaves_on(day), to_attr="leaves_on_day"))
        .order_by("is_deputy", "position", "id")
    )
    entries = []
    for membership in memberships:
        user = membership.user
        if user.leaves_on_day:
            leave = user.leaves_on_day[0]
            available, why = (
                False,
                gettext("on leave %(start)s–%(end)s")
                % {
                    "start": leave.start_date.isoformat(),
                    "end": leave.end_date.isoformat(),
                },
            )
        elif user.duty_status != DutyStatus.ON_DUTY:
            available, why = False, gettext("off duty")
        else:
            available, why = True, gettext("on duty")
        entries.append(RosterEntry(user, membership.position, membership.is_deputy, available, why))
    return entries


def is_on_leave(user: User, day: date) -> bool:
    return _leaves_on(day).filter(user=user).exists()


def staff_in_scope(*, user: User, role: str | None = None) -> QuerySet[User]:
    """Active staff whose scopes lie inside ``user``'s scope, optionally of one role.

    A staff member counts when one of their org scopes is in the viewer's subtrees, or one of
    their departments serves an area there, or is one of the viewer's own departments.
    Administrators are in everyone's reach only when the viewer sees everything.
    """
    scope = scope_for(user)
    users = User.objects.filter(is_active=True, role__in=STAFF_ROLES)
    if role is not None:
        users = users.filter(role=role)
    if scope.everything:
        return users.order_by("username")
    if scope.empty:
        return users.none()
    matching = StaffScope.objects.filter(
        scope.q_for_paths("org_node__path")
        | scope.q_for_paths("department__org_node__path")
        | Q(department_id__in=scope.department_ids)
    )
    return users.filter(pk__in=matching.values("user_id")).order_by("username")


def grids_of(user: User) -> QuerySet[OrgNode]:
    """The grids whose roster lists ``user`` (as worker or deputy), in tree order."""
    return OrgNode.objects.filter(memberships__user=user).distinct().order_by("path")


def community_staff(*, community: OrgNode, roles) -> QuerySet[User]:
    """Active staff of ``roles`` scoped exactly to ``community`` (not to a grid or a wider area).

    The community's dispatch queue: its clerks and community-level supervisors pick up a request
    when no grid worker of the place is available.
    """
    return (
        User.objects.filter(is_active=True, role__in=list(roles), scopes__org_node=community)
        .distinct()
        .order_by("username")
    )
