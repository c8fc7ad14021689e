"""Applying a checked staff sheet: create or update accounts, scopes and grid rosters in one transaction.

Declarative and idempotent: a second run of the same file changes nothing. Only the people the
file names are touched; scopes and roster places a person has but the file no longer lists stay
unless ``prune`` is set. Passwords: new accounts get an unusable one (the caller hands out a
one-time set-password link) or the one given; an existing account's password is never touched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from apps.people.conf import site_url
from apps.people.models import GridMembership, Role, StaffScope, User
from apps.people.staff_csv import StaffImportRefused, StaffPlan, parse_staff_rows, read_staff_csv

__all__ = ["StaffImportRefused", "StaffImportReport", "read_staff_csv", "set_password_link", "staff_import"]


@dataclass
class StaffImportReport:
    created: list[User] = field(default_factory=list)
    updated: list[User] = field(default_factory=list)
    unchanged: list[User] = field(default_factory=list)
    kept: int = 0  # scopes and roster places not in the file, left in place (no prune)
    pruned: int = 0
    dry_run: bool = False


def set_password_link(user: User) -> str:
    """A one-time link to Django's PasswordResetConfirmView; it stops working once the password is set."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"{site_url()}/accounts/reset/{uid}/{default_token_generator.make_token(user)}/"


def _no_progress(items: Iterable) -> Iterable:
    return items


def staff_import(
    *,
    rows: Sequence[tuple[int, Mapping[str, str]]],
    source: str,
    initial_password: str | None = None,
    prune: bool = False,
    dry_run: bool = False,
    progress: Callable[[Iterable], Iterable] = _no_progress,
) -> StaffImportReport:
    """Import checked rows ((row number, {column: value}), as read_staff_csv gives them).

    All or nothing: raises StaffImportRefused listing every bad row before anything is written.
    ``initial_password`` is hashed once for all new accounts: hashing it per account would take
    minutes on a large sheet, and a shared salt reveals only what is already shared.
    """
    plans = parse_staff_rows(rows, source=source)
    password_hash = make_password(initial_password) if initial_password else None
    report = StaffImportReport(dry_run=dry_run)
    with transaction.atomic():
        existing = {
            u.username: u
            for u in User.objects.filter(username__in=[p.username for p in plans]).prefetch_related(
                "scopes", "grid_memberships"
            )
        }
        for plan in progress(plans):
            user = existing.get(plan.username)
            created = user is None
            if created:
                user = _create(plan, password_hash)
                report.created.append(user)
            changed = not created and _update_fields(user, plan)
            changed = _sync_scopes(user, plan, prune=prune, report=report) or changed
            changed = _sync_roster(user, plan, prune=prune, report=report) or changed
            if not created:
                (report.updated if changed else report.unchanged).append(user)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _wanted_fields(plan: StaffPlan, *, is_superuser: bool) -> dict:
    return {
        "full_name": plan.full_name,
        "phone": plan.phone,
        "role": plan.role,
        "email": User.objects.normalize_email(plan.email),
        # The sheet decides who may use the admin site; a superuser keeps it whatever the sheet says.
        "is_staff": plan.role == Role.ADMIN or is_superuser,
    }


def _create(plan: StaffPlan, password_hash: str | None) -> User:
    user = User(username=plan.username, **_wanted_fields(plan, is_superuser=False))
    if password_hash:
        user.password = password_hash
    else:
        user.set_unusable_password()
    user.save()
    # A new account has no scopes or roster places yet; say so instead of asking the database.
    user._prefetched_objects_cache = {
        "scopes": StaffScope.objects.none(),
        "grid_memberships": GridMembership.objects.none(),
    }
    return user


def _update_fields(user: User, plan: StaffPlan) -> bool:
    wanted = _wanted_fields(plan, is_superuser=user.is_superuser)
    changed = [name for name, value in wanted.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, wanted[name])
    if changed:
        user.save(update_fields=changed)
    return bool(changed)


def _sync_scopes(user: User, plan: StaffPlan, *, prune: bool, report: StaffImportReport) -> bool:
    wanted = {("node", n.pk) for n in plan.org_nodes}
    if plan.department is not None:
        wanted.add(("department", plan.department.pk))
    have = {}
    for scope in user.scopes.all():
        key = ("node", scope.org_node_id) if scope.org_node_id else ("department", scope.department_id)
        have[key] = scope
    missing = wanted - have.keys()
    extra = [scope for key, scope in have.items() if key not in wanted]
    StaffScope.objects.bulk_create(
        StaffScope(user=user, org_node_id=pk if kind == "node" else None, department_id=pk if kind != "node" else None)
        for kind, pk in sorted(missing)
    )
    if extra and prune:
        StaffScope.objects.filter(pk__in=[s.pk for s in extra]).delete()
        report.pruned += len(extra)
    elif extra:
        report.kept += len(extra)
    return bool(missing) or (prune and bool(extra))


def _sync_roster(user: User, plan: StaffPlan, *, prune: bool, report: StaffImportReport) -> bool:
    have = {m.grid_id: m for m in user.grid_memberships.all()}
    missing = [
        GridMembership(grid_id=grid_id, user=user, position=position, is_deputy=is_deputy)
        for grid_id, (position, is_deputy) in plan.memberships.items()
        if grid_id not in have
    ]
    GridMembership.objects.bulk_create(missing)
    changed = bool(missing)
    for grid_id, (position, is_deputy) in plan.memberships.items():
        membership = have.get(grid_id)
        if membership is not None and (membership.position, membership.is_deputy) != (position, is_deputy):
            membership.position, membership.is_deputy = position, is_deputy
            membership.save(update_fields=["position", "is_deputy"])
            changed = True
    extra = [m.pk for grid_id, m in have.items() if grid_id not in plan.memberships]
    if extra and prune:
        GridMembership.objects.filter(pk__in=extra).delete()
        report.pruned += len(extra)
        changed = True
    elif extra:
        report.kept += len(extra)
    return changed
