"""Reads of the org tree: subtrees, ancestors, and what a user may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from apps.people.scopes import scope_for
from apps.places.models import Department, Level, OrgNode


def subtree(node: OrgNode) -> QuerySet[OrgNode]:
    """The node and everything under it (one indexed prefix scan on ``path``)."""
    return OrgNode.objects.filter(path__startswith=node.path)


def ancestors(node: OrgNode) -> list[OrgNode]:
    """The node's ancestors from the city down, without the node itself: one query on the path's codes."""
    codes = node.path.strip("/").split("/")[:-1]
    if not codes:
        return []
    by_code = OrgNode.objects.in_bulk(codes, field_name="code")
    return [by_code[c] for c in codes if c in by_code]


def community_of(node: OrgNode) -> OrgNode | None:
    """The community a grid belongs to (a community is its own); None above the community level."""
    if node.level == Level.COMMUNITY:
        return node
    if node.level == Level.GRID:
        return node.parent
    return None


def visible_paths(user) -> tuple[str, ...] | None:
    """The org subtrees a user may see, as path prefixes; None means everything.

    Department staff see the subtree of the area each of their departments serves:
    they handle requests anywhere in that area, so they must be able to name its
    places. Residents and anonymous users see no org node through the staff API.
    """
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_staff_member", False):
        return ()
    scope = scope_for(user)
    if scope.everything:
        return None
    paths = set(scope.paths)
    if scope.department_ids:
        paths.update(Department.objects.filter(pk__in=scope.department_ids).values_list("org_node__path", flat=True))
    # A path inside another one adds nothing.
    return tuple(sorted(p for p in paths if not any(p != q and p.startswith(q) for q in paths)))


def nodes_visible_to(user) -> QuerySet[OrgNode]:
    """Every org node the user may see (staff only; an empty queryset for residents and anonymous)."""
    paths = visible_paths(user)
    if paths is None:
        return OrgNode.objects.all()
    if not paths:
        return OrgNode.objects.none()
    q = Q()
    for path in paths:
        q |= Q(path__startswith=path)
    return OrgNode.objects.filter(q)
