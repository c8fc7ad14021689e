"""Reading the service catalog.

A category is offered when it is active *and* its group (parent) is active:
switching a group off hides everything under it without touching the children.
A group (a top-level category with categories inside, Open311's
``group``) only classifies: requests are filed under the categories, so
``requestable_categories`` and ``category_by_code(..., requestable=True)`` leave
groups out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from apps.catalog.models import CategoryAttribute, ServiceCategory
from apps.core.errors import NotFound


def _offered() -> Q:
    return Q(is_active=True) & (Q(parent__isnull=True) | Q(parent__is_active=True))


def active_categories() -> QuerySet[ServiceCategory]:
    """Offered categories, ordered, with parent, department and attributes loaded (2 queries).

    Each carries ``is_group``: it has categories inside it (even switched-off ones,
    so switching those off never turns a heading into something to file under).
    """
    return (
        ServiceCategory.objects.filter(_offered())
        .annotate(is_group=Exists(ServiceCategory.objects.filter(parent=OuterRef("pk"))))
        .select_related("parent", "department")
        .prefetch_related(
            Prefetch("attributes", queryset=CategoryAttribute.objects.order_by("order", "id")),
        )
        .order_by("order", "code")
    )


def requestable_categories() -> QuerySet[ServiceCategory]:
    """Offered categories a request can be filed under: all but the groups."""
    return active_categories().filter(is_group=False)


def category_by_code(code: str, *, requestable: bool = False) -> ServiceCategory:
    """The offered category with this code, or ``NotFound`` (also for a switched-off one).

    With ``requestable``, a group is not found either: intake asks for this.
    """
    categories = requestable_categories() if requestable else active_categories()
    category = categories.filter(code=code).first()
    if category is None:
        raise NotFound(
            _("No service category “%(code)s” is offered: check the code against the catalog list.") % {"code": code},
            code="category_not_found",
        )
    return category


@dataclass
class CategoryNode:
    category: ServiceCategory
    children: list[CategoryNode] = field(default_factory=list)


def category_tree() -> list[CategoryNode]:
    """The offered categories as a forest: groups first, each with its children in order.

    Built from one ``active_categories()`` read, so its cost is fixed. The catalog
    is two levels deep (import and admin enforce it), like Open311's ``group``.
    """
    categories = list(active_categories())
    nodes = {category.pk: CategoryNode(category) for category in categories}
    roots: list[CategoryNode] = []
    for category in categories:
        node = nodes[category.pk]
        if category.parent_id is None:
            roots.append(node)
        elif category.parent_id in nodes:
            nodes[category.parent_id].children.append(node)
    return roots
