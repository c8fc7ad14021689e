"""The pure working-time arithmetic on the real Chinese calendar (no database)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from apps.sla.clock import WorkingCalendar, parse_schedule

from .conftest import SHANGHAI, at, package_calendar
from .reference import reference_add_working


def test_the_national_day_example(china):
    # Tue 16:00 + 8 working hours: 1.5 h on 09-30, 10-01..10-08 off, 6.5 h on Thu 10-09.
    assert china.add_working(at(2025, 9, 30, 16), 8 * 60) == at(2025, 10, 9, 17)
    assert china.add_working(at(2025, 9, 30, 16), 8 * 60).isoformat() == "2025-10-09T17:00:00+08:00"


def test_lunch_break_is_skipped(china):
    assert china.add_working(at(2025, 9, 22, 11), 120) == at(2025, 9, 22, 14, 30)


def test_start_during_lunch_counts_from_1330(china):
    assert china.add_working(at(2025, 9, 22, 12, 30), 30) == at(2025, 9, 22, 14)


def test_a_deadline_at_the_end_of_a_period_stays_there(china):
    assert china.add_working(at(2025, 9, 22, 11), 60) == at(2025, 9, 22, 12)
    assert china.add_working(at(2025, 9, 22, 17), 30) == at(2025, 9, 22, 17, 30)


def test_an_ordinary_weekend_is_skipped(china):
    assert china.add_working(at(2025, 9, 19, 17), 60) == at(2025, 9, 22, 9, 30)


def test_makeup_sunday_before_national_day_is_worked(china):
    # Sat 09-27 is off, Sun 09-28 is a make-up working day.
    assert china.add_working(at(2025, 9, 26, 17), 60) == at(2025, 9, 28, 9, 30)


def test_makeup_saturday_after_national_day_is_worked(china):
    assert china.add_working(at(2025, 10, 10, 17), 60) == at(2025, 10, 11, 9, 30)


def test_spring_festival_2025(china):
    # 01-28..02-04 off; Mon 01-27 has 1.5 h left; Wed 02-05 gives the other 30 minutes.
    assert china.add_working(at(2025, 1, 27, 16), 120) == at(2025, 2, 5, 9, 30)
    # Sun 01-26 is a make-up working day.
    assert china.add_working(at(2025, 1, 24, 17, 30), 30) == at(2025, 1, 26, 9, 30)


def test_spring_festival_2026_with_makeup_saturdays(china):
    assert china.add_working(at(2026, 2, 13, 17), 60) == at(2026, 2, 14, 9, 30)  # Sat 02-14 make-up day
    assert china.add_working(at(2026, 2, 14, 17), 60) == at(2026, 2, 24, 9, 30)  # 02-15..02-23 off
    assert china.add_working(at(2026, 2, 27, 17, 30), 60) == at(2026, 2, 28, 10)  # Sat 02-28 make-up day


def test_year_end_2025_into_2026(china):
    # 2026-01-01..01-03 off, Sun 01-04 a make-up working day.
    assert china.add_working(at(2025, 12, 31, 17), 60) == at(2026, 1, 4, 9, 30)


def test_zero_minutes_is_the_start_itself(china):
    saturday = at(2025, 9, 27, 10)
    assert china.add_working(saturday, 0) == saturday


def test_from_outside_working_time_the_clock_starts_at_the_next_period(china):
    assert china.add_working(at(2025, 9, 27, 10), 60) == at(2025, 9, 28, 10)
    assert china.add_working(at(2025, 10, 1, 8), 1) == at(2025, 10, 9, 9, 1)


def test_any_zone_in_calendar_zone_out(china):
    start = datetime(2025, 9, 30, 8, 0, tzinfo=UTC)  # 16:00 in Shanghai
    result = china.add_working(start, 480)
    assert result == at(2025, 10, 9, 17)
    assert result.tzinfo == SHANGHAI
    assert result.utcoffset() == timedelta(hours=8)


def test_seconds_are_kept(china):
    assert china.add_working(at(2025, 9, 22, 11, 59, 30), 1) == at(2025, 9, 22, 13, 30, 30)


def test_naive_and_negative_are_refused(china):
    with pytest.raises(ValueError, match="timezone-aware"):
        china.add_working(datetime(2025, 9, 30, 16), 60)
    with pytest.raises(ValueError, match="negative"):
        china.add_working(at(2025, 9, 30, 16), -1)
    with pytest.raises(ValueError, match="negative"):
        china.add_calendar(at(2025, 9, 30, 16), -1)


def test_working_minutes_between(china):
    assert china.working_minutes_between(at(2025, 9, 30, 16), at(2025, 10, 9, 17)) == 480
    assert china.working_minutes_between(at(2025, 9, 22, 11), at(2025, 9, 22, 14, 30)) == 120
    assert china.working_minutes_between(at(2025, 10, 9, 17), at(2025, 9, 30, 16)) == 0
    assert china.working_minutes_between(at(2025, 10, 2), at(2025, 10, 5)) == 0
    assert china.working_minutes_between(at(2025, 9, 22, 9), at(2025, 9, 22, 9, 0, 59)) == 0


def test_calendar_minutes(china):
    assert china.add_calendar(at(2025, 9, 30, 16), 480) == at(2025, 10, 1, 0)
    assert china.add_calendar(datetime(2025, 9, 30, 8, tzinfo=UTC), 30).tzinfo == SHANGHAI
    assert china.calendar_minutes_between(at(2025, 9, 30, 16), at(2025, 10, 1, 0)) == 480


def test_is_working_time_is_half_open(china):
    assert china.is_working_time(at(2025, 9, 22, 9)) is True
    assert china.is_working_time(at(2025, 9, 22, 11, 59)) is True
    assert china.is_working_time(at(2025, 9, 22, 12)) is False
    assert china.is_working_time(at(2025, 9, 22, 17, 30)) is False
    assert china.is_working_time(at(2025, 10, 1, 10)) is False  # National Day
    assert china.is_working_time(at(2025, 10, 11, 10)) is True  # make-up Saturday
    assert china.is_working_time(at(2025, 10, 18, 10)) is False  # ordinary Saturday


def test_next_working_moment(china):
    assert china.next_working_moment(at(2025, 9, 22, 10)) == at(2025, 9, 22, 10)
    assert china.next_working_moment(at(2025, 9, 22, 12, 15)) == at(2025, 9, 22, 13, 30)
    assert china.next_working_moment(at(2025, 9, 22, 17, 30)) == at(2025, 9, 23, 9)
    assert china.next_working_moment(at(2025, 10, 1, 10)) == at(2025, 10, 9, 9)
    assert china.next_working_moment(at(2025, 9, 27, 10)) == at(2025, 9, 28, 9)


def test_missing_years(china):
    assert china.missing_years(at(2025, 9, 30), at(2026, 1, 4)) == set()
    assert china.missing_years(at(2026, 12, 31), at(2028, 1, 2)) == {2027, 2028}
    # The years are those of the calendar's zone: 16:00 UTC on 12-31 is already next year in Shanghai.
    assert china.missing_years(datetime(2026, 12, 31, 16, tzinfo=UTC), at(2027, 1, 1, 1)) == {2027}


def test_a_year_without_data_counts_weekdays_alone(china):
    # 2035-10-01 would be National Day, but there is no 2035 data: Fri 17:00 + 1 h → Mon 10-01 09:30.
    assert china.add_working(at(2035, 9, 28, 17), 60) == at(2035, 10, 1, 9, 30)
    assert china.missing_years(at(2035, 9, 28, 17), at(2035, 10, 1, 9, 30)) == {2035}


def test_a_service_center_open_on_saturday_mornings():
    schedule = {
        **{d: [["09:00", "12:00"], ["13:30", "17:30"]] for d in ("mon", "tue", "wed", "thu", "fri")},
        "sat": [["09:00", "12:00"]],
    }
    calendar = package_calendar(weekly=schedule, code="center")
    assert calendar.add_working(at(2025, 9, 19, 17), 60) == at(2025, 9, 20, 9, 30)
    assert calendar.add_working(at(2025, 9, 20, 11), 120) == at(2025, 9, 22, 10)


def test_makeup_day_uses_the_configured_weekday():
    schedule = {"mon": [["09:00", "12:00"]], "fri": [["14:00", "16:00"]]}
    monday_hours = WorkingCalendar(weekly=schedule, makeup_workdays={date(2025, 9, 28)})
    friday_hours = WorkingCalendar(weekly=schedule, makeup_workdays={date(2025, 9, 28)}, makeup_weekday=4)
    assert monday_hours.add_working(at(2025, 9, 27), 30) == at(2025, 9, 28, 9, 30)
    assert friday_hours.add_working(at(2025, 9, 27), 30) == at(2025, 9, 28, 14, 30)


def test_a_period_ending_at_midnight():
    calendar = WorkingCalendar(weekly={d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri")})
    assert calendar.add_working(at(2025, 9, 22, 23), 60) == at(2025, 9, 23, 0)
    assert calendar.add_working(at(2025, 9, 26, 23), 120) == at(2025, 9, 29, 1)
    assert calendar.working_minutes_between(at(2025, 9, 26, 23), at(2025, 9, 29, 1)) == 120


def test_another_zone():
    berlin = WorkingCalendar(tz="Europe/Berlin", code="berlin")
    # 2025-10-26 is the end of summer time in Berlin; working time is wall-clock time.
    result = berlin.add_working(datetime(2025, 10, 24, 16, tzinfo=ZoneInfo("Europe/Berlin")), 120)
    assert result == datetime(2025, 10, 27, 9, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    assert result.utcoffset() == timedelta(hours=1)


def test_a_long_target_matches_the_day_by_day_reference(china):
    start = at(2024, 12, 30, 10, 17)
    assert china.add_working(start, 2000 * 60) == reference_add_working(china, start, 2000 * 60)
    assert china.working_minutes_between(start, china.add_working(start, 2000 * 60)) == 2000 * 60


def test_a_calendar_without_working_time_refuses():
    empty = WorkingCalendar(weekly={})
    with pytest.raises(ValueError, match="too little working time"):
        empty.add_working(at(2025, 9, 22), 1)


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ({"mon": [["09:00", "12:00"], ["11:00", "13:00"]]}, "overlap"),
        ({"mon": [["9am", "12:00"]]}, "HH:MM"),
        ({"mon": [["12:00", "09:00"]]}, "ends before it starts"),
        ({"monday": []}, "unknown weekday"),
        ({"mon": [["09:00"]]}, "pair"),
        ({"mon": [["24:30", "25:00"]]}, "HH:MM"),
    ],
)
def test_bad_schedules_are_refused_with_a_reason(schedule, message):
    with pytest.raises(ValueError, match=message):
        parse_schedule(schedule)


def test_calendars_are_immutable_and_comparable(china):
    with pytest.raises(AttributeError):
        china.tz = "UTC"
    assert package_calendar() == china
    assert hash(package_calendar()) == hash(china)


def test_the_clock_imports_no_django():
    import subprocess
    import sys

    code = "import sys, apps.sla.clock; sys.exit(any(m.split('.')[0] == 'django' for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
