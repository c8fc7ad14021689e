"""Holiday data from the ``chinese_calendar`` package, and the default calendar and policies.

The functions take the model classes as arguments so the data migration can
pass its historical models and the management command the real ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

DEFAULT_CALENDAR_CODE = "default"
DEFAULT_CALENDAR_NAME = "工作日历"
PACKAGE_SOURCE = "chinese_calendar"

# Sensible starting targets; administrators tune them in the admin.
# A default working day is 7 hours (09:00–12:00, 13:30–17:30).
DEFAULT_POLICIES = [
    {
        "name": "默认时限 (响应 2 工作小时, 办结 3 工作日)",
        "priority": "",
        "response_minutes": 2 * 60,
        "response_mode": "working",
        "resolution_minutes": 3 * 7 * 60,
        "resolution_mode": "working",
    },
    {
        "name": "紧急 (响应 30 分钟, 办结 24 小时)",
        "priority": "urgent",
        "response_minutes": 30,
        "response_mode": "calendar",
        "resolution_minutes": 24 * 60,
        "resolution_mode": "calendar",
    },
]


def package_days() -> dict[int, dict[date, tuple[str, str]]]:
    """{year: {date: (kind, name)}} for every year the installed package covers."""
    from chinese_calendar import constants

    chinese_names = {holiday.value: holiday.chinese for holiday in constants.Holiday}
    by_year: dict[int, dict[date, tuple[str, str]]] = {}
    for source, kind in ((constants.holidays, "holiday"), (constants.workdays, "makeup_workday")):
        for day, english in source.items():
            by_year.setdefault(day.year, {})[day] = (kind, chinese_names.get(english, english))
    return by_year


def package_years() -> set[int]:
    """The years the package has holiday data for (contiguous, e.g. 2004–2026)."""
    return set(package_days())


@dataclass
class SyncResult:
    added_days: dict[int, int] = field(default_factory=dict)  # year → rows added
    added_years: list[int] = field(default_factory=list)
    unknown_years: list[int] = field(default_factory=list)  # asked for, not in the package

    @property
    def total_days(self) -> int:
        return sum(self.added_days.values())


def sync_days(*, calendar, years, CalendarDay, CalendarYear, CalendarWarning=None) -> SyncResult:
    """Add the package's holidays and make-up days that the calendar lacks; mark the years complete.

    Idempotent: a date already present (for instance edited by an administrator)
    is left as it is, and a second run adds nothing.
    """
    data = package_days()
    wanted = sorted(data) if years is None else sorted(set(years))
    result = SyncResult(unknown_years=[y for y in wanted if y not in data])
    wanted = [y for y in wanted if y in data]
    if not wanted:
        return result
    existing = set(CalendarDay.objects.filter(calendar=calendar, date__year__in=wanted).values_list("date", flat=True))
    rows = []
    for year in wanted:
        new = [(day, kind, name) for day, (kind, name) in sorted(data[year].items()) if day not in existing]
        if new:
            result.added_days[year] = len(new)
        rows.extend(CalendarDay(calendar=calendar, date=day, kind=kind, name=name) for day, kind, name in new)
    CalendarDay.objects.bulk_create(rows, ignore_conflicts=True)
    have = set(CalendarYear.objects.filter(calendar=calendar, year__in=wanted).values_list("year", flat=True))
    result.added_years = [y for y in wanted if y not in have]
    CalendarYear.objects.bulk_create(
        [CalendarYear(calendar=calendar, year=y, source=PACKAGE_SOURCE) for y in result.added_years],
        ignore_conflicts=True,
    )
    if CalendarWarning is not None:
        # The data now exists: the warning has been dealt with.
        CalendarWarning.objects.filter(calendar=calendar, year__in=wanted).delete()
    return result


def create_defaults(*, BusinessCalendar, CalendarDay, CalendarYear, SlaPolicy) -> None:
    """The default calendar seeded with every year of the package, and the default policies."""
    calendar, _ = BusinessCalendar.objects.get_or_create(
        code=DEFAULT_CALENDAR_CODE, defaults={"name": DEFAULT_CALENDAR_NAME, "is_default": True}
    )
    sync_days(calendar=calendar, years=None, CalendarDay=CalendarDay, CalendarYear=CalendarYear)
    if not SlaPolicy.objects.exists():
        for spec in DEFAULT_POLICIES:
            SlaPolicy.objects.create(**spec)
