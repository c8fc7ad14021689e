"""Writes about people: leave, duty, grid rosters, resident sign-up (staff import: staff_import.py)."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from apps.core.errors import Forbidden, ValidationFailed
from apps.people.models import DutyStatus, GridMembership, Leave, Role, User
from apps.people.phones import MOBILE_RE, normalize_phone
from apps.people.scopes import scope_for
from apps.people.selectors import staff_in_scope
from apps.people.staff_import import staff_import  # noqa: F401  (part of this module's public surface)
from apps.places.models import Level, OrgNode


def _require_manager(*, actor: User, user: User) -> None:
    """The person themself, an administrator, or a supervisor whose scope holds them."""
    if actor.pk == user.pk or actor.is_superuser or actor.role == Role.ADMIN:
        return
    in_area = actor.role == Role.SUPERVISOR and not scope_for(actor).empty
    if in_area and staff_in_scope(user=actor).filter(pk=user.pk).exists():
        return
    raise Forbidden(_("You may only change your own leave and duty, or that of staff in your area."))


@transaction.atomic
def leave_create(*, user: User, start_date: date, end_date: date, note: str = "", actor: User) -> Leave:
    """Record a leave (dates inclusive); routing passes the worker over on those days."""
    _require_manager(actor=actor, user=user)
    if not user.is_staff_member:
        raise ValidationFailed(_("Only staff take leave."), fields={"user": [_("Choose a staff member.")]})
    if end_date < start_date:
        msg = _("The leave ends before it starts — make the end date the same as or after the start date.")
        raise ValidationFailed(msg, fields={"end_date": [msg]})
    # Lock the user row so two overlapping requests cannot both pass the overlap check.
    User.objects.select_for_update().filter(pk=user.pk).first()
    overlapping = Leave.objects.filter(user=user, start_date__lte=end_date, end_date__gte=start_date).first()
    if overlapping is not None:
        msg = _("This overlaps the leave %(start)s–%(end)s — change the dates or edit that leave.") % {
            "start": overlapping.start_date.isoformat(),
            "end": overlapping.end_date.isoformat(),
        }
        raise ValidationFailed(msg, fields={"start_date": [msg]})
    return Leave.objects.create(user=user, start_date=start_date, end_date=end_date, note=(note or "")[:200])


@transaction.atomic
def duty_set(*, user: User, status: str, actor: User) -> User:
    """Put a staff member on duty or off duty (leave is separate: see leave_create)."""
    _require_manager(actor=actor, user=user)
    if status not in DutyStatus.values:
        msg = _("Unknown duty status %(status)s — use one of: %(choices)s.") % {
            "status": status,
            "choices": ", ".join(DutyStatus.values),
        }
        raise ValidationFailed(msg, fields={"status": [msg]})
    if user.duty_status != status:
        user.duty_status = status
        user.save(update_fields=["duty_status"])
    return user


@transaction.atomic
def grid_membership_set(*, grid: OrgNode, users: list[User], deputies: list[User]) -> list[GridMembership]:
    """Replace the grid's roster: ``users`` in order as its workers, then ``deputies`` in order.

    Positions are 1, 2, … within each list. Only grid workers may be on a roster.
    Scopes are not touched: give a deputy a StaffScope of the grid if they should see its tickets.
    """
    if grid.level != Level.GRID:
        raise ValidationFailed(
            _("%(node)s is not a grid — choose a grid.") % {"node": grid}, fields={"grid": [_("Choose a grid.")]}
        )
    seen: set[int] = set()
    for field, people in (("users", users), ("deputies", deputies)):
        for person in people:
            if person.role != Role.GRID_WORKER:
                msg = _("%(user)s is not a grid worker — only grid workers can be on a grid's roster.") % {
                    "user": person.username
                }
                raise ValidationFailed(msg, fields={field: [msg]})
            if person.pk in seen:
                msg = _("%(user)s is listed twice — list each person once.") % {"user": person.username}
                raise ValidationFailed(msg, fields={field: [msg]})
            seen.add(person.pk)
    GridMembership.objects.filter(grid=grid).delete()
    rows = [GridMembership(grid=grid, user=u, position=i, is_deputy=False) for i, u in enumerate(users, 1)]
    rows += [GridMembership(grid=grid, user=u, position=i, is_deputy=True) for i, u in enumerate(deputies, 1)]
    GridMembership.objects.bulk_create(rows)
    return list(GridMembership.objects.filter(grid=grid).select_related("user").order_by("is_deputy", "position"))


def resident_register(*, phone: str, password: str, full_name: str) -> User:
    """Sign up a resident: the mobile number is the username."""
    phone = normalize_phone(phone)
    full_name = (full_name or "").strip()
    errors: dict[str, list[str]] = {}
    if not MOBILE_RE.match(phone):
        errors["phone"] = [_("Enter an 11-digit mainland mobile number such as 13812341234.")]
    elif User.objects.filter(username=phone).exists() or User.objects.filter(phone=phone, role=Role.RESIDENT).exists():
        errors["phone"] = [_("This phone number is already registered — log in, or reset the password.")]
    if not full_name:
        errors["full_name"] = [_("Enter your name.")]
    elif len(full_name) > 100:
        errors["full_name"] = [_("Shorten the name to 100 characters or fewer.")]
    try:
        validate_password(password, User(username=phone, full_name=full_name, phone=phone))
    except DjangoValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    try:
        with transaction.atomic():
            return User.objects.create_user(
                username=phone, password=password, full_name=full_name, phone=phone, role=Role.RESIDENT
            )
    except IntegrityError:
        # Two sign-ups with the same number at once: the unique username decides.
        msg = _("This phone number is already registered — log in, or reset the password.")
        raise ValidationFailed(msg, fields={"phone": [msg]}) from None
