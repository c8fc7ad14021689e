"""What part of the city a user may see: the one answer every scoped query starts from."""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q

from apps.people.models import Role


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    paths: tuple[str, ...] = ()  # org subtrees, as OrgNode.path prefixes
    department_ids: tuple[int, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.everything or self.paths or self.department_ids)

    def q_for_paths(self, field: str) -> Q:
        """A Q matching rows whose ``field`` (an org path) lies in one of the subtrees."""
        if self.everything:
            return Q()
        if not self.paths:
            return Q(pk__in=[])
        return reduce(or_, (Q(**{f"{field}__startswith": p}) for p in self.paths))

    def covers_path(self, path: str) -> bool:
        return self.everything or any(path.startswith(p) for p in self.paths)


def scope_for(user) -> Scope:
    """The scope of a staff member; residents and anonymous users get an empty scope.

    Cached on the user object for the request, so views and selectors can call it freely.
    """
    if not getattr(user, "is_authenticated", False):
        return Scope()
    cached = getattr(user, "_scope_cache", None)
    if cached is not None:
        return cached
    if user.is_superuser or user.role == Role.ADMIN:
        scope = Scope(everything=True)
    elif user.role == Role.RESIDENT:
        scope = Scope()
    else:
        rows = list(user.scopes.select_related("org_node").values_list("org_node__path", "department_id"))
        paths = tuple(sorted({p for p, _ in rows if p}))
        # Drop a path already covered by a shorter one (a supervisor of a district and one of its communities).
        paths = tuple(p for p in paths if not any(p != q and p.startswith(q) for q in paths))
        scope = Scope(paths=paths, department_ids=tuple(sorted({d for _, d in rows if d})))
    user._scope_cache = scope
    return scope
