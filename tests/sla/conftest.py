"""Fixtures of the sla tests: the real Chinese calendar without a database, helpers for aware times."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from chinese_calendar import constants

from apps.sla.clock import WorkingCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=0, minute=0, second=0) -> datetime:
    """An aware Asia/Shanghai datetime."""
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


def package_calendar(**kwargs) -> WorkingCalendar:
    """The default weekly hours with every holiday and make-up day of chinese_calendar (2004–2026)."""
    years = {d.year for d in constants.holidays}
    return WorkingCalendar(
        holidays=frozenset(constants.holidays),
        makeup_workdays=frozenset(constants.workdays),
        covered_years=frozenset(years),
        **kwargs,
    )


CHINA = package_calendar()


@pytest.fixture
def china() -> WorkingCalendar:
    return CHINA


@pytest.fixture(autouse=True)
def _fresh_sla_caches():
    # The per-process snapshot and warning throttle must not leak between tests
    # (each test's database is rolled back underneath them).
    from apps.sla.calendars import reset_caches

    reset_caches()
    yield
    reset_caches()
