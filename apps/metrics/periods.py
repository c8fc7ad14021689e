"""Periods of the metrics: inclusive date ranges of Asia/Shanghai days, and their bounds in time."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

# A year and a leap day: "this year so far" and "the last 12 months" always fit.
MAX_DAYS = 366


def local_tz():
    # TIME_ZONE (Asia/Shanghai): a "day" is the day the people of the city live in,
    # whatever the timezone of the request or of the database session.
    return timezone.get_default_timezone()


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The half-open interval [start 00:00, (end + 1) 00:00) of local time, as aware datetimes."""
    tz = local_tz()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def today() -> date:
    return timezone.localdate(timezone.now(), local_tz())


def default_period(on: date | None = None) -> tuple[date, date]:
    """The current month up to today (a dashboard opened on the 3rd shows the 1st to the 3rd)."""
    on = on or today()
    return on.replace(day=1), on


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]
