"""Phone numbers are stored whole and shown masked to anyone without a need to see them."""

from __future__ import annotations

from apps.people.models import Role
from apps.people.scopes import scope_for

_COUNTRY_PREFIXES = ("+86", "0086")


def _visible_counts(digits: int) -> tuple[int, int]:
    """How many leading and trailing digits may show: never more than 3 + 4, never half or more."""
    if digits >= 11:
        return 3, 4
    if digits >= 7:
        return 0, min(4, digits // 2)
    return 0, digits // 3


def mask_phone(phone: str) -> str:
    """``13812341234`` → ``138****1234``.

    Only digits are replaced, so separators in a landline (``0531-88881234``) stay where they were.
    A ``+86`` prefix is kept as it is: it says nothing about the person.
    """
    if not phone:
        return ""
    phone = phone.strip()
    prefix = ""
    for candidate in _COUNTRY_PREFIXES:
        if phone.startswith(candidate):
            prefix, phone = candidate, phone[len(candidate) :]
            break
    positions = [i for i, ch in enumerate(phone) if ch.isdigit()]
    head, tail = _visible_counts(len(positions))
    shown = set(positions[:head]) | set(positions[len(positions) - tail :] if tail else ())
    masked = "".join(ch if (not ch.isdigit() or i in shown) else "*" for i, ch in enumerate(phone))
    return prefix + masked


def can_see_phone(viewer, *, owner=None, scope_path: str | None = None) -> bool:
    """Whether ``viewer`` may see a phone number whole.

    Yes for the owner of the number (``owner``), for administrators, and for staff whose scope
    covers the place the number belongs to (``scope_path``, an OrgNode path such as a ticket's).
    Everyone else — residents, anonymous visitors, staff of another area, department staff
    without an org scope — sees it masked. Callers with a narrower reason (the assignee of a
    ticket) decide that themselves before asking.
    """
    if not getattr(viewer, "is_authenticated", False):
        return False
    if owner is not None and owner.pk is not None and owner.pk == viewer.pk:
        return True
    if viewer.is_superuser or viewer.role == Role.ADMIN:
        return True
    if scope_path and viewer.is_staff_member:
        return scope_for(viewer).covers_path(scope_path)
    return False


def phone_for(viewer, phone: str, *, owner=None, scope_path: str | None = None) -> str:
    """The phone as ``viewer`` may see it: whole or masked."""
    return phone if can_see_phone(viewer, owner=owner, scope_path=scope_path) else mask_phone(phone)
