"""Calendars from the database: the seeded default, the per-process cache, org nodes, sync, warnings."""

import logging
from datetime import date

import pytest
from django.utils import translation

from apps.places.models import Level
from apps.sla.calendars import (
    calendar_for_node,
    default_calendar,
    get_calendar,
    note_missing_years,
    sync_holidays_from_package,
)
from apps.sla.clock import parse_schedule
from apps.sla.models import BusinessCalendar, CalendarDay, CalendarWarning, CalendarYear, DayKind, OrgCalendar

from .conftest import at
from .factories import SATURDAY_SCHEDULE, calendar, org_node

pytestmark = pytest.mark.django_db


def test_the_migration_seeds_the_default_calendar_with_every_package_year():
    row = BusinessCalendar.objects.get(code="default")
    assert row.is_default is True
    assert row.name == "工作日历"
    assert set(CalendarYear.objects.filter(calendar=row).values_list("year", flat=True)) == set(range(2004, 2027))
    national_day = CalendarDay.objects.get(calendar=row, date=date(2025, 10, 1))
    assert (national_day.kind, national_day.name) == (DayKind.HOLIDAY, "国庆节")
    assert CalendarDay.objects.get(calendar=row, date=date(2025, 10, 11)).kind == DayKind.MAKEUP_WORKDAY


def test_the_default_calendar_computes_the_national_day_example():
    assert default_calendar().add_working(at(2025, 9, 30, 16), 480) == at(2025, 10, 9, 17)


def test_a_warm_cache_costs_one_query(django_assert_num_queries):
    get_calendar()
    with django_assert_num_queries(1):
        calendar_ = get_calendar()
    assert calendar_.code == "default"


def test_an_edit_in_the_database_reaches_the_cached_calendar():
    assert default_calendar().is_working_day(date(2025, 9, 22)) is True
    CalendarDay.objects.create(
        calendar=BusinessCalendar.objects.get(code="default"), date=date(2025, 9, 22), kind=DayKind.HOLIDAY
    )
    assert default_calendar().is_working_day(date(2025, 9, 22)) is False
    CalendarDay.objects.filter(date=date(2025, 9, 22)).delete()
    assert default_calendar().is_working_day(date(2025, 9, 22)) is True


def test_unknown_code_names_the_known_ones():
    from apps.core.errors import NotFound

    with translation.override("en"), pytest.raises(NotFound, match="known codes: default"):
        get_calendar("nope")


def test_calendar_for_node_walks_up_and_the_nearest_wins():
    city = org_node("370100", level=Level.CITY)
    district = org_node("370115", parent=city, level=Level.DISTRICT)
    community = org_node("370115001", parent=district)
    other = org_node("370112", parent=city, level=Level.DISTRICT)
    saturday = calendar("saturday", weekly_schedule=SATURDAY_SCHEDULE)
    OrgCalendar.objects.create(org_node=district, calendar=saturday)

    assert calendar_for_node(community).code == "saturday"
    assert calendar_for_node(district).code == "saturday"
    assert calendar_for_node(other).code == "default"
    assert calendar_for_node(city).code == "default"
    assert calendar_for_node(None).code == "default"

    OrgCalendar.objects.create(org_node=community, calendar=BusinessCalendar.objects.get(code="default"))
    assert calendar_for_node(community).code == "default"
    assert calendar_for_node(district).code == "saturday"


def test_a_saturday_calendar_has_saturday_hours_but_no_holiday_data_until_synced():
    saturday = calendar("saturday", weekly_schedule=SATURDAY_SCHEDULE)
    working = get_calendar("saturday")
    assert working.weekly == parse_schedule(SATURDAY_SCHEDULE)
    assert working.add_working(at(2025, 9, 19, 17), 60) == at(2025, 9, 20, 9, 30)
    assert working.missing_years(at(2025, 1, 1), at(2025, 1, 2)) == {2025}
    sync_holidays_from_package(calendar=saturday, years=[2025])
    assert get_calendar("saturday").missing_years(at(2025, 1, 1), at(2025, 1, 2)) == set()


def test_sync_is_idempotent_and_keeps_edited_days():
    row = calendar("fresh")
    first = sync_holidays_from_package(calendar=row, years=[2025, 2026])
    # 2025: 28 holidays + 5 make-up days; 2026: 33 holidays + 6 make-up days.
    assert first.added_days == {2025: 33, 2026: 39}
    assert first.added_years == [2025, 2026]
    count = CalendarDay.objects.filter(calendar=row).count()

    CalendarDay.objects.filter(calendar=row, date=date(2025, 10, 8)).update(name="edited")
    second = sync_holidays_from_package(calendar=row, years=[2025, 2026])
    assert (second.added_days, second.added_years, second.total_days) == ({}, [], 0)
    assert CalendarDay.objects.filter(calendar=row).count() == count
    assert CalendarDay.objects.get(calendar=row, date=date(2025, 10, 8)).name == "edited"


def test_sync_reports_years_the_package_does_not_cover():
    row = calendar("fresh")
    result = sync_holidays_from_package(calendar=row, years=[2035])
    assert result.unknown_years == [2035]
    assert not CalendarDay.objects.filter(calendar=row).exists()
    assert not CalendarYear.objects.filter(calendar=row).exists()


def test_sync_settles_the_warning_of_the_year():
    row = calendar("fresh")
    note_missing_years("fresh", {2025})
    assert CalendarWarning.objects.filter(calendar=row, year=2025).exists()
    sync_holidays_from_package(calendar=row, years=[2025])
    assert not CalendarWarning.objects.filter(calendar=row).exists()


def test_a_missing_year_is_logged_and_recorded(caplog, settings):
    settings.SLA_WARNING_RECORD_SECONDS = 3600
    with caplog.at_level(logging.WARNING, logger="apps.sla"):
        note_missing_years(default_calendar(), {2035})
    warning = CalendarWarning.objects.get()
    assert (warning.calendar.code, warning.year, warning.count) == ("default", 2035, 1)
    assert [(r.name, r.levelname) for r in caplog.records] == [("apps.sla", "WARNING")]
    assert "default" in caplog.records[0].getMessage()
    assert "2035" in caplog.records[0].getMessage()

    # Within the throttle window: counted in memory, no write, no log line.
    caplog.clear()
    note_missing_years(default_calendar(), {2035})
    assert CalendarWarning.objects.get().count == 1
    assert caplog.records == []


def test_without_throttle_every_computation_is_counted(settings):
    settings.SLA_WARNING_RECORD_SECONDS = 0
    for _ in range(3):
        note_missing_years("default", {2035, 2036})
    assert sorted(CalendarWarning.objects.values_list("year", "count")) == [(2035, 3), (2036, 3)]
    first = CalendarWarning.objects.get(year=2035)
    assert first.first_seen <= first.last_seen


def test_a_broken_calendar_row_is_skipped_not_fatal(caplog):
    BusinessCalendar.objects.create(code="broken", name="broken", weekly_schedule={"mon": [["9", "12"]]})
    with caplog.at_level(logging.ERROR, logger="apps.sla"):
        assert default_calendar().code == "default"
    assert "broken" in caplog.text


def test_invalid_schedule_and_zone_fail_model_validation():
    from django.core.exceptions import ValidationError

    row = BusinessCalendar(code="x", name="x", timezone="Mars/Base", weekly_schedule={"mon": [["12:00", "09:00"]]})
    with pytest.raises(ValidationError) as excinfo:
        row.full_clean()
    assert set(excinfo.value.message_dict) == {"timezone", "weekly_schedule"}
