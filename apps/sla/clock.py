"""Working-time arithmetic on a business calendar — pure, fast, no Django.

A ``WorkingCalendar`` knows the weekly working periods (wall-clock times in its
zone), the statutory holidays, the make-up working days (调休: a Saturday or
Sunday that is a working day) and the years for which that holiday data exists.

Semantics, stated once:

* Working time is measured on the calendar's wall clock inside the working
  periods; a period is half-open ``[start, end)`` for "is it working time now",
  but a deadline may land exactly on a period's end and stays there
  (8 working hours from Tue 2025-09-30 16:00 is 2025-10-09 17:00, not 10-10 09:00).
* ``add_working(start, 0)`` is ``start`` itself; for ``n > 0`` the result depends
  only on how much working time lies before ``start`` plus ``n``, hence
  ``add_working(add_working(s, a), b) == add_working(s, a + b)`` for any ``s``
  and ``a, b >= 0``, and ``working_minutes_between(s, add_working(s, n)) == n``.
* Aware datetimes in any zone are accepted; results are aware datetimes in the
  calendar's zone. Naive datetimes are refused (``ValueError``).

Speed: every computation is O(log h) in the number h of special dates. The
cumulative working time from a fixed origin to the start of any day is the
plain weekly sum (closed form) corrected by the prefix sum of the differences
that holidays and make-up days make; adding working time is a binary search on
that monotone function. No stepping minute by minute or day by day.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from datetime import timezone as dt_timezone
from functools import cached_property
from itertools import pairwise
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Shanghai"
WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_SCHEDULE = {
    **{key: [["09:00", "12:00"], ["13:30", "17:30"]] for key in WEEKDAY_KEYS[:5]},
    "sat": [],
    "sun": [],
}

US_PER_MINUTE = 60_000_000
US_PER_DAY = 86_400_000_000
# No sane target is longer than this; it bounds the search when a calendar has
# (almost) no working time at all.
MAX_HORIZON_DAYS = 366 * 200

Period = tuple[int, int]  # [start, end) in microseconds since local midnight
DayPeriods = tuple[Period, ...]

_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


def parse_hhmm(value: str) -> int:
    """'13:30' → microseconds since midnight; '24:00' is allowed as an end."""
    match = _HHMM.match(str(value).strip())
    if not match or (match.group(1) == "24" and match.group(2) != "00"):
        raise ValueError(f"{value!r} is not a time of day HH:MM (00:00–24:00)")
    return (int(match.group(1)) * 60 + int(match.group(2))) * US_PER_MINUTE


def parse_schedule(schedule: Mapping[str, Iterable]) -> tuple[DayPeriods, ...]:
    """{"mon": [["09:00", "12:00"], ...], ...} → 7 tuples of sorted periods.

    A missing weekday has no working time. Periods must not overlap.
    Raises ValueError with a message naming the weekday and the fix.
    """
    unknown = set(schedule) - set(WEEKDAY_KEYS)
    if unknown:
        raise ValueError(f"unknown weekday key(s) {sorted(unknown)}; use {', '.join(WEEKDAY_KEYS)}")
    week = []
    for key in WEEKDAY_KEYS:
        periods = []
        for item in schedule.get(key) or []:
            try:
                start_s, end_s = item
            except (TypeError, ValueError):
                raise ValueError(f'{key}: each period is a pair ["HH:MM", "HH:MM"], got {item!r}') from None
            start, end = parse_hhmm(start_s), parse_hhmm(end_s)
            if start >= end:
                raise ValueError(f"{key}: period {start_s}–{end_s} ends before it starts")
            periods.append((start, end))
        periods.sort()
        for (_, prev_end), (next_start, _) in pairwise(periods):
            if next_start < prev_end:
                raise ValueError(f"{key}: working periods overlap; make them disjoint")
        week.append(tuple(periods))
    return tuple(week)


def format_schedule(week: tuple[DayPeriods, ...]) -> dict[str, list[list[str]]]:
    def hhmm(us: int) -> str:
        minutes = us // US_PER_MINUTE
        return f"{minutes // 60:02d}:{minutes % 60:02d}"

    return {key: [[hhmm(s), hhmm(e)] for s, e in week[i]] for i, key in enumerate(WEEKDAY_KEYS)}


def _day_total(periods: DayPeriods) -> int:
    return sum(end - start for start, end in periods)


def _worked_before(periods: DayPeriods, pos: int) -> int:
    """Working time in this day strictly before the wall-clock position ``pos``."""
    total = 0
    for start, end in periods:
        if pos <= start:
            break
        total += min(pos, end) - start
    return total


def _position_reaching(periods: DayPeriods, amount: int) -> int:
    """The earliest position at which ``amount`` (> 0) of the day's working time is done."""
    for start, end in periods:
        length = end - start
        if amount <= length:
            return start + amount
        amount -= length
    raise AssertionError("amount exceeds the day's working time")  # callers guarantee it


def _us_of_day(local: datetime) -> int:
    return ((local.hour * 60 + local.minute) * 60 + local.second) * 1_000_000 + local.microsecond


def _require_aware(value: datetime, name: str) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")


@dataclass(frozen=True)
class WorkingCalendar:
    """An immutable business calendar; build it once, share it between threads."""

    tz: str = DEFAULT_TZ
    weekly: tuple[DayPeriods, ...] | Mapping = field(default_factory=lambda: parse_schedule(DEFAULT_SCHEDULE))
    holidays: frozenset[date] = frozenset()
    makeup_workdays: frozenset[date] = frozenset()
    makeup_weekday: int = 0  # a make-up day works the hours of this weekday (0 = Monday)
    covered_years: frozenset[int] = frozenset()  # years whose holiday data is complete
    code: str = "default"

    def __post_init__(self):
        # Normalise the inputs so that equal calendars compare and hash equal.
        weekly = self.weekly
        if isinstance(weekly, Mapping):
            weekly = parse_schedule(weekly)
        weekly = tuple(tuple((int(s), int(e)) for s, e in day) for day in weekly)
        if len(weekly) != 7:
            raise ValueError("weekly needs the periods of 7 weekdays, Monday first")
        if not 0 <= int(self.makeup_weekday) <= 6:
            raise ValueError("makeup_weekday is 0 (Monday) … 6 (Sunday)")
        object.__setattr__(self, "weekly", weekly)
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "makeup_workdays", frozenset(self.makeup_workdays) - frozenset(self.holidays))
        object.__setattr__(self, "covered_years", frozenset(int(y) for y in self.covered_years))
        object.__setattr__(self, "makeup_weekday", int(self.makeup_weekday))
        ZoneInfo(self.tz)  # fail early on an unknown zone

    # -- derived tables (computed once per instance) ---------------------------
    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @cached_property
    def _week_prefix(self) -> tuple[int, ...]:
        prefix = [0]
        for day in self.weekly:
            prefix.append(prefix[-1] + _day_total(day))
        return tuple(prefix)

    @cached_property
    def _specials(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Sorted day indexes of holidays/make-up days, and the running sum of their corrections."""
        indexes, running, total = [], [0], 0
        for day in sorted(self.holidays | self.makeup_workdays):
            index = day.toordinal() - 1  # index 0 is 0001-01-01, a Monday
            total += _day_total(self.periods_for(day)) - _day_total(self.weekly[index % 7])
            indexes.append(index)
            running.append(total)
        return tuple(indexes), tuple(running)

    # -- the building blocks ---------------------------------------------------
    def periods_for(self, day: date) -> DayPeriods:
        if day in self.holidays:
            return ()
        if day in self.makeup_workdays:
            return self.weekly[self.makeup_weekday]
        return self.weekly[day.weekday()]

    def periods_on(self, day: date) -> tuple[tuple[time, time], ...]:
        """The working periods of a date as (start, end) times; end may be 24:00 → time.max."""

        def as_time(us: int) -> time:
            if us >= US_PER_DAY:
                return time.max
            seconds, micro = divmod(us, 1_000_000)
            return time(seconds // 3600, seconds // 60 % 60, seconds % 60, micro)

        return tuple((as_time(s), as_time(e)) for s, e in self.periods_for(day))

    def _cumulative_to_day(self, index: int) -> int:
        """Working time from the origin to the start of the day with this index."""
        weeks, rest = divmod(index, 7)
        plain = weeks * self._week_prefix[7] + self._week_prefix[rest]
        indexes, running = self._specials
        return plain + running[bisect.bisect_left(indexes, index)]

    def _local(self, value: datetime, name: str = "datetime") -> datetime:
        _require_aware(value, name)
        return value.astimezone(self.zone)

    def _cumulative(self, value: datetime) -> int:
        local = self._local(value)
        day = local.date()
        return self._cumulative_to_day(day.toordinal() - 1) + _worked_before(self.periods_for(day), _us_of_day(local))

    def _from_local(self, day: date, pos: int) -> datetime:
        if pos >= US_PER_DAY:  # a period ending at 24:00
            day, pos = day + timedelta(days=1), pos - US_PER_DAY
        seconds, micro = divmod(pos, 1_000_000)
        naive = datetime.combine(day, time(seconds // 3600, seconds // 60 % 60, seconds % 60, micro))
        return naive.replace(tzinfo=self.zone)

    # -- the public arithmetic -------------------------------------------------
    def add_working_duration(self, start: datetime, amount: timedelta) -> datetime:
        """``start`` plus ``amount`` of working time (see the module docstring)."""
        local = self._local(start, "start")
        amount_us = (amount.days * 86_400 + amount.seconds) * 1_000_000 + amount.microseconds
        if amount_us < 0:
            raise ValueError("the working time to add must not be negative")
        if amount_us == 0:
            return local
        start_day = local.date()
        low = start_day.toordinal() - 1
        before = _worked_before(self.periods_for(start_day), _us_of_day(local))
        target = self._cumulative_to_day(low) + before + amount_us
        # Find the last day whose start is strictly before the target: the target
        # is reached within that day (possibly at the very end of its last period).
        step = 8
        high = low + step
        while self._cumulative_to_day(high) < target:
            step *= 2
            if step > MAX_HORIZON_DAYS:
                raise ValueError(f"calendar {self.code!r} has too little working time to add {amount}")
            high = low + step
        while high - low > 1:  # invariant: cumulative(low) < target <= cumulative(high)
            mid = (low + high) // 2
            if self._cumulative_to_day(mid) < target:
                low = mid
            else:
                high = mid
        day = date.fromordinal(low + 1)
        pos = _position_reaching(self.periods_for(day), target - self._cumulative_to_day(low))
        return self._from_local(day, pos)

    def add_working(self, start: datetime, minutes: float) -> datetime:
        """``start`` plus ``minutes`` of working time; 0 minutes → ``start``."""
        return self.add_working_duration(start, timedelta(minutes=minutes))

    def working_duration_between(self, a: datetime, b: datetime) -> timedelta:
        """Working time in ``[a, b)``; zero when ``b <= a``."""
        _require_aware(a, "a")
        _require_aware(b, "b")
        if b <= a:
            return timedelta(0)
        return timedelta(microseconds=self._cumulative(b) - self._cumulative(a))

    def working_minutes_between(self, a: datetime, b: datetime) -> int:
        """Whole working minutes in ``[a, b)`` (rounded down); 0 when ``b <= a``."""
        return self.working_duration_between(a, b) // timedelta(minutes=1)

    def add_calendar(self, start: datetime, minutes: float) -> datetime:
        """``start`` plus elapsed (calendar) minutes, in the calendar's zone."""
        _require_aware(start, "start")
        if minutes < 0:
            raise ValueError("the calendar time to add must not be negative")
        # Through UTC so that a DST change in the zone is elapsed time, not wall time.
        return (start.astimezone(dt_timezone.utc) + timedelta(minutes=minutes)).astimezone(self.zone)

    def calendar_minutes_between(self, a: datetime, b: datetime) -> int:
        _require_aware(a, "a")
        _require_aware(b, "b")
        return max(b - a, timedelta(0)) // timedelta(minutes=1)

    def is_working_time(self, value: datetime) -> bool:
        """True inside a working period ``[start, end)``."""
        local = self._local(value)
        pos = _us_of_day(local)
        return any(start <= pos < end for start, end in self.periods_for(local.date()))

    def next_working_moment(self, value: datetime) -> datetime:
        """``value`` itself when it is working time, else the start of the next period."""
        local = self._local(value)
        day, pos = local.date(), _us_of_day(local)
        for _ in range(MAX_HORIZON_DAYS):
            for start, end in self.periods_for(day):
                if pos < end:
                    return local if pos >= start else self._from_local(day, start)
            day, pos = day + timedelta(days=1), -1
        raise ValueError(f"calendar {self.code!r} has no working time ahead of {value}")

    def missing_years(self, start: datetime, end: datetime) -> set[int]:
        """Years touched by ``[start, end]`` (in the calendar's zone) that have no holiday data."""
        first, last = sorted((self._local(start).year, self._local(end).year))
        return {year for year in range(first, last + 1) if year not in self.covered_years}

    def is_working_day(self, day: date) -> bool:
        return bool(self.periods_for(day))


def add_in_mode(calendar: WorkingCalendar, start: datetime, minutes: float, mode: str) -> datetime:
    """Add a target in ``"working"`` or ``"calendar"`` minutes."""
    if mode == "working":
        return calendar.add_working(start, minutes)
    if mode == "calendar":
        return calendar.add_calendar(start, minutes)
    raise ValueError(f"unknown time mode {mode!r}; use 'working' or 'calendar'")


def duration_in_mode(calendar: WorkingCalendar, a: datetime, b: datetime, mode: str) -> timedelta:
    """The time in ``[a, b)`` that counts in this mode (zero when ``b <= a``)."""
    if mode == "working":
        return calendar.working_duration_between(a, b)
    if mode == "calendar":
        _require_aware(a, "a")
        _require_aware(b, "b")
        return max(b - a, timedelta(0))
    raise ValueError(f"unknown time mode {mode!r}; use 'working' or 'calendar'")
