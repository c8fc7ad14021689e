"""Deadlines of a ticket: which policy applies, when a target falls due, pauses, outcome.

The arithmetic functions take a ``WorkingCalendar`` (or a calendar code) and
touch no database; ``policy_for`` and ``compute_deadlines`` are the thin
DB-facing wrappers the tickets app calls. A ticket stores ``respond_by``,
``resolve_by`` and its next action time (``Deadlines.first_action_at`` to start
with) as indexed columns.

Pauses (``waiting_on_resident``) are ``(paused_from, paused_until)`` pairs. A
closed pause pushes a deadline back by the time it covered in the target's
mode (working or calendar). An open pause counts nothing yet: when it ends the
ticket calls ``extend_for_pause`` with the whole pause, once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from apps.catalog.models import ServiceCategory
from apps.core.choices import Priority

from .calendars import SlaConfig, calendar_code_for_node, current_config, get_calendar, note_missing_years
from .clock import WorkingCalendar, duration_in_mode
from .models import SlaPolicy, TimeMode

Pause = tuple[datetime, datetime | None]


@dataclass(frozen=True)
class Targets:
    """The numbers of a policy, detached from the database row."""

    response_minutes: int
    response_mode: str
    resolution_minutes: int
    resolution_mode: str
    warning_ratio: float = 0.75
    policy_id: int | None = None

    @classmethod
    def of(cls, policy) -> Targets:
        return cls(
            response_minutes=policy.response_minutes,
            response_mode=policy.response_mode,
            resolution_minutes=policy.resolution_minutes,
            resolution_mode=policy.resolution_mode,
            warning_ratio=policy.warning_ratio,
            policy_id=policy.pk,
        )


@dataclass(frozen=True)
class Deadlines:
    respond_by: datetime
    resolve_by: datetime
    warn_respond_at: datetime  # start + warning_ratio × response target, same mode
    warn_resolve_at: datetime
    policy_id: int | None
    calendar_code: str
    response_mode: str
    resolution_mode: str
    missing_years: frozenset[int] = frozenset()  # years computed on weekdays alone

    @property
    def first_action_at(self) -> datetime:
        """The first moment the scan must look at a fresh ticket: its earliest warning."""
        return min(self.warn_respond_at, self.warn_resolve_at)


@dataclass(frozen=True)
class Outcome:
    """``None`` while a target is still open (and not yet past due at ``now``)."""

    response_met: bool | None
    resolution_met: bool | None
    response_working_minutes: int | None
    resolution_working_minutes: int | None


# -- pure arithmetic ---------------------------------------------------------------


def _calendar(calendar: WorkingCalendar | str | None) -> WorkingCalendar:
    return calendar if isinstance(calendar, WorkingCalendar) else get_calendar(calendar)


def add_duration(calendar: WorkingCalendar, start: datetime, amount: timedelta, mode: str) -> datetime:
    if mode == TimeMode.WORKING:
        return calendar.add_working_duration(start, amount)
    if mode == TimeMode.CALENDAR:
        return calendar.add_calendar(start, amount / timedelta(minutes=1))
    raise ValueError(f"unknown time mode {mode!r}; use 'working' or 'calendar'")


def paused_time(
    calendar: WorkingCalendar, pauses: Iterable[Pause], *, mode: str, since: datetime, until: datetime | None = None
) -> timedelta:
    """Time covered by the closed pauses within ``[since, until]``, counted in ``mode``."""
    total = timedelta(0)
    for paused_from, paused_until in pauses:
        if paused_until is None:
            continue  # still open: extend_for_pause adds it when it ends
        low = max(paused_from, since)
        high = paused_until if until is None else min(paused_until, until)
        total += duration_in_mode(calendar, low, high, mode)
    return total


def deadlines_for(
    calendar: WorkingCalendar, targets: Targets, *, start: datetime, pauses: Iterable[Pause] = ()
) -> Deadlines:
    """Both targets from ``start``, each pushed back by the closed pauses since ``start``."""
    pauses = list(pauses)

    def due(minutes: float, mode: str) -> datetime:
        pause = paused_time(calendar, pauses, mode=mode, since=start)
        return add_duration(calendar, start, timedelta(minutes=minutes) + pause, mode)

    respond_by = due(targets.response_minutes, targets.response_mode)
    resolve_by = due(targets.resolution_minutes, targets.resolution_mode)
    result = Deadlines(
        respond_by=respond_by,
        resolve_by=resolve_by,
        warn_respond_at=due(targets.response_minutes * targets.warning_ratio, targets.response_mode),
        warn_resolve_at=due(targets.resolution_minutes * targets.warning_ratio, targets.resolution_mode),
        policy_id=targets.policy_id,
        calendar_code=calendar.code,
        response_mode=targets.response_mode,
        resolution_mode=targets.resolution_mode,
        missing_years=frozenset(calendar.missing_years(start, max(respond_by, resolve_by))),
    )
    return result


def extend_for_pause(
    *, deadline: datetime, paused_from: datetime, paused_until: datetime, mode: str, calendar: WorkingCalendar | str
) -> datetime:
    """``deadline`` pushed back by the time (in ``mode``) spent paused in ``[paused_from, paused_until)``.

    Extending by a pause adds exactly what a full recomputation with that pause
    would add (working time is additive), so the two never disagree.
    """
    calendar = _calendar(calendar)
    extended = add_duration(calendar, deadline, duration_in_mode(calendar, paused_from, paused_until, mode), mode)
    note_missing_years(calendar, calendar.missing_years(deadline, extended) if extended != deadline else ())
    return extended


def time_spent(
    calendar: WorkingCalendar, *, start: datetime, now: datetime, pauses: Iterable[Pause] = (), mode: str
) -> timedelta:
    """Time counted against a target so far: ``[start, now)`` in ``mode``, minus every pause in it."""
    pauses = [(f, now if u is None else u) for f, u in pauses]
    elapsed = duration_in_mode(calendar, start, now, mode)
    return max(elapsed - paused_time(calendar, pauses, mode=mode, since=start, until=now), timedelta(0))


def recompute_keeping_spent(
    *, calendar: WorkingCalendar | str, targets: Targets, start: datetime, now: datetime, pauses: Iterable[Pause] = ()
) -> Deadlines:
    """New targets (category or priority changed) with the time already spent kept.

    Each deadline is ``now + (new target − time spent)``, where the time spent is
    the time since ``start`` minus the closed pauses. That equals
    ``start + new target + closed pauses``, which is what is computed, and it
    stays right when the new target is already exceeded: the deadline is then
    the past moment at which it was reached, and the ticket is breached.
    An open pause is not counted here; ``extend_for_pause`` adds it when it ends.
    """
    calendar = _calendar(calendar)
    closed = [(f, u) for f, u in pauses if u is not None and u <= now]
    result = deadlines_for(calendar, targets, start=start, pauses=closed)
    note_missing_years(calendar, result.missing_years)
    return result


def outcome(
    *,
    calendar: WorkingCalendar | str,
    start: datetime,
    respond_by: datetime,
    resolve_by: datetime,
    responded_at: datetime | None,
    resolved_at: datetime | None,
    pauses: Iterable[Pause] = (),
    now: datetime | None = None,
) -> Outcome:
    """Met or breached, and the working minutes taken (pauses excluded), per target.

    A target not reached yet is ``None`` unless ``now`` is given and past it (breached).
    """
    calendar = _calendar(calendar)
    pauses = list(pauses)

    def judge(done_at: datetime | None, due: datetime) -> tuple[bool | None, int | None]:
        if done_at is None:
            return (False if now is not None and now > due else None), None
        taken = time_spent(calendar, start=start, now=done_at, pauses=pauses, mode=TimeMode.WORKING)
        return done_at <= due, taken // timedelta(minutes=1)

    response_met, response_minutes = judge(responded_at, respond_by)
    resolution_met, resolution_minutes = judge(resolved_at, resolve_by)
    return Outcome(response_met, resolution_met, response_minutes, resolution_minutes)


# -- database-facing ---------------------------------------------------------------


def _builtin_policy() -> SlaPolicy:
    # Used only when no active policy matches (all deleted or deactivated).
    return SlaPolicy(
        name="built-in",
        response_minutes=120,
        response_mode=TimeMode.WORKING,
        resolution_minutes=21 * 60,
        resolution_mode=TimeMode.WORKING,
        warning_ratio=0.75,
    )


# The precedence of policies, most specific first (the same words are in SlaPolicy's
# docstring and the admin's help text):
#   5  the ticket's own category + its priority
#   4  the ticket's own category, any priority
#   3  the category's group + the priority
#   2  the category's group, any priority
#   1  any category + the priority
#   0  any category, any priority (the catch-all)
# The category decides before the priority: a policy for a group still beats a
# priority-only one (as a category's policy always has), so an urgent pothole follows
# the roads group unless the group has an urgent policy of its own. Among policies of
# the same rank the lowest id wins.


def policy_rank(policy, *, category_id: int | None, group_id: int | None, priority: str | None) -> int | None:
    """How specifically ``policy`` matches (5 … 0, see above), or None when it does not apply."""
    if policy.category_id is None:
        level = 0
    elif category_id is not None and policy.category_id == category_id:
        level = 2
    elif group_id is not None and policy.category_id == group_id:
        level = 1
    else:
        return None
    if not policy.priority:
        return 2 * level
    if policy.priority != (priority or ""):
        return None
    return 2 * level + 1


def select_policy(policies: Iterable, *, category_id: int | None, priority: str | None, group_id: int | None = None):
    """The best match in ``policies`` (lowest id first), or None; pure.

    ``group_id`` is the group (parent) of the ticket's category, None for a category
    without a group. Precedence: own category + priority > own category > group +
    priority > group > priority alone > catch-all; equal ranks go to the lowest id.
    """
    best, best_key = None, None
    for policy in policies:
        rank = policy_rank(policy, category_id=category_id, group_id=group_id, priority=priority)
        if rank is None:
            continue
        key = (rank, -(policy.pk or 0))
        if best_key is None or key > best_key:
            best, best_key = policy, key
    return best


def _group_of(category, category_id: int | None, config: SlaConfig) -> int | None:
    """The group (parent id) of the category: from the instance when given one (no query).

    Given a bare id, one primary-key read, and only when some policy names a category
    other than this one (else no group policy could apply, whatever the group is). Read
    per call rather than cached with the policies: moving a kind to another group is a
    catalog edit that does not touch the SLA configuration's stamp.
    """
    if category_id is None:
        return None
    if hasattr(category, "parent_id"):
        return category.parent_id
    if not (config.policy_category_ids - {category_id}):
        return None
    return ServiceCategory.objects.filter(pk=category_id).values_list("parent_id", flat=True).first()


def policy_for(*, category, priority: str | Priority | None, config: SlaConfig | None = None) -> SlaPolicy:
    """The policy for a category (instance, id or None) and priority; cached, one stamp query.

    A policy on a group applies to every kind in it unless a more specific one
    matches (see ``select_policy``). Pass the category instance: its group is then
    read from it; a bare id may cost one more query. The returned instance is shared
    by the process: read it, never modify it.
    """
    category_id = getattr(category, "pk", category)
    config = config or current_config()
    group_id = _group_of(category, category_id, config)
    return (
        select_policy(config.policies, category_id=category_id, group_id=group_id, priority=priority)
        or _builtin_policy()
    )


def calendar_for_policy(policy: SlaPolicy, org_node, config: SlaConfig | None = None) -> WorkingCalendar:
    """The policy's own calendar when it names one, else the calendar of the ticket's place."""
    config = config or current_config()
    code = config.codes_by_id.get(policy.calendar_id) if policy.calendar_id else None
    return config.calendars[code or calendar_code_for_node(org_node, config)]


def _policy_and_calendar(category, priority, org_node) -> tuple[SlaPolicy, WorkingCalendar]:
    config = current_config()  # read once: one query per computation
    policy = policy_for(category=category, priority=priority, config=config)
    return policy, calendar_for_policy(policy, org_node, config)


def compute_deadlines(*, category, priority, org_node, start: datetime, pauses: Iterable[Pause] = ()) -> Deadlines:
    """Deadlines of a ticket created/accepted at ``start`` (warns about years without data)."""
    policy, calendar = _policy_and_calendar(category, priority, org_node)
    result = deadlines_for(calendar, Targets.of(policy), start=start, pauses=pauses)
    note_missing_years(calendar, result.missing_years)
    return result


def recompute_deadlines(
    *, category, priority, org_node, start: datetime, now: datetime, pauses: Iterable[Pause] = ()
) -> Deadlines:
    """After a category or priority change: the new policy's targets, keeping the time already spent."""
    policy, calendar = _policy_and_calendar(category, priority, org_node)
    return recompute_keeping_spent(calendar=calendar, targets=Targets.of(policy), start=start, now=now, pauses=pauses)
