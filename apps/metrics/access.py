"""Who may see which metrics, and the period and org node a request asks for.

Decision: every staff member whose scope is a part of the org tree may see the metrics of
that part — supervisors their subtree, clerks their community, grid workers their grid (their
own figures and their co-workers'), admins everything. Department staff (whose scope is a
department, not a place) and residents get 403; an org node outside the scope is answered
like an unknown one (404), so codes outside the scope are not revealed.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from apps.core.errors import NotFound, ValidationFailed
from apps.metrics.periods import MAX_DAYS, default_period
from apps.people.models import Role
from apps.people.scopes import scope_for
from apps.places.models import OrgNode

METRICS_ROLES = {Role.SUPERVISOR, Role.ADMIN, Role.CLERK, Role.GRID_WORKER}


def can_view_metrics(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.role == Role.ADMIN:
        return True
    return user.role in METRICS_ROLES and bool(scope_for(user).paths)


def node_for(user, code: str | None) -> OrgNode | None:
    """The org node named by ``code`` if the user's scope covers it; None means the whole city.

    Without a code: the user's own part of the tree (an admin's: the single city, or the whole
    when there are several; a staff member with several separate subtrees must name one).
    """
    scope = scope_for(user)
    if code:
        node = OrgNode.objects.filter(code=code).only("id", "code", "name", "level", "path", "parent_id").first()
        if node is None or not scope.covers_path(node.path):
            raise NotFound(_("No org node with the code “%(code)s” in your scope.") % {"code": code}, code="not_found")
        return node
    if scope.everything:
        roots = list(OrgNode.objects.filter(parent__isnull=True).only("id", "code", "name", "level", "path")[:2])
        return roots[0] if len(roots) == 1 else None
    if len(scope.paths) == 1:
        node = OrgNode.objects.filter(path=scope.paths[0]).only("id", "code", "name", "level", "path").first()
        if node is not None:
            return node
    raise ValidationFailed(
        _("Your scope has several parts: choose one with the “org” parameter (an org node code)."),
        fields={"org": [_("Give the code of an org node in your scope.")]},
    )


def check_period(start: date | None, end: date | None) -> tuple[date, date]:
    """Fill the default (this month so far) and refuse reversed or over-long ranges."""
    default_start, default_end = default_period()
    if start is None and end is None:
        return default_start, default_end
    if start is None:
        start = end.replace(day=1)
    if end is None:
        end = max(start, default_end)
    if start > end:
        raise ValidationFailed(
            _("The period starts after it ends: “from” must be on or before “to”."),
            fields={"from": [_("Must be on or before “to” (%(to)s).") % {"to": end.isoformat()}]},
        )
    if (end - start).days + 1 > MAX_DAYS:
        raise ValidationFailed(
            _("The period is too long: at most %(n)d days.") % {"n": MAX_DAYS},
            fields={"to": [_("At most %(n)d days after “from”.") % {"n": MAX_DAYS - 1}]},
        )
    return start, end
