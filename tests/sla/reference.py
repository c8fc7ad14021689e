"""A deliberately naive day-by-day implementation to check the fast clock against."""

from datetime import datetime, timedelta

from apps.sla.clock import WorkingCalendar


def reference_add_working(calendar: WorkingCalendar, start: datetime, minutes: int) -> datetime:
    local = start.astimezone(calendar.zone)
    if minutes == 0:
        return local
    remaining = timedelta(minutes=minutes)
    day = local.date()
    while True:
        for begin, end in calendar.periods_on(day):
            period_start = datetime.combine(day, begin, tzinfo=calendar.zone)
            period_end = datetime.combine(day, end, tzinfo=calendar.zone)
            if period_end <= local:
                continue
            available = period_end - max(period_start, local)
            if remaining <= available:
                return max(period_start, local) + remaining
            remaining -= available
        day += timedelta(days=1)
