"""The sla_deadline and sync_holidays management commands."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from apps.sla.models import CalendarDay, CalendarWarning, CalendarYear

from .factories import SATURDAY_SCHEDULE, calendar

pytestmark = pytest.mark.django_db


def run(name, *args):
    out, err = StringIO(), StringIO()
    call_command(name, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_national_day_example_prints_one_iso_line():
    out, err = run("sla_deadline", "--start", "2025-09-30T16:00", "--working-hours", "8")
    assert out == "2025-10-09T17:00:00+08:00\n"
    assert err == ""


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--start", "2025-09-30T08:00:00+00:00", "--working-hours", "8"], "2025-10-09T17:00:00+08:00\n"),
        (["--start", "2025-09-30T16:00:00+08:00", "--working-minutes", "480"], "2025-10-09T17:00:00+08:00\n"),
        (["--start", "2025-09-30T16:00", "--calendar-hours", "8"], "2025-10-01T00:00:00+08:00\n"),
        (["--start", "2025-09-30T16:00", "--working-hours", "0.5"], "2025-09-30T16:30:00+08:00\n"),
        (["--start", "2025-12-31T17:00", "--working-hours", "1"], "2026-01-04T09:30:00+08:00\n"),
    ],
)
def test_other_forms(args, expected):
    assert run("sla_deadline", *args) == (expected, "")


def test_another_calendar():
    calendar("saturday", weekly_schedule=SATURDAY_SCHEDULE)
    out, err = run("sla_deadline", "--start", "2025-09-19T17:00", "--working-hours", "1", "--calendar", "saturday")
    assert out == "2025-09-20T09:30:00+08:00\n"
    assert "saturday has no holiday data for 2025" in err


def test_a_year_without_data_warns_on_stderr_only():
    out, err = run("sla_deadline", "--start", "2035-09-28T17:00", "--working-hours", "1")
    assert out == "2035-10-01T09:30:00+08:00\n"
    assert err.count("\n") == 1
    assert "no holiday data for 2035" in err
    # A check by hand is not a ticket: it does not record an admin warning.
    assert not CalendarWarning.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "2025-09-30T16:00"], "one of the arguments --working-hours --working-minutes --calendar-hours"),
        (["--working-hours", "8", "--calendar-hours", "2"], "not allowed with argument"),
        (["--start", "30/09/2025", "--working-hours", "8"], "--start: '30/09/2025' is not an ISO 8601 time"),
        (["--start", "2025-09-30T16:00", "--working-hours", "eight"], "--working-hours: 'eight' is not a number"),
        (["--start", "2025-09-30T16:00", "--working-minutes", "-5"], "--working-minutes: must not be negative"),
        (["--start", "2025-09-30T16:00", "--working-minutes", "1.5"], "--working-minutes: '1.5' is not a number"),
        (["--start", "2025-09-30T16:00", "--working-hours", "8", "--calendar", "nope"], "--calendar: No business"),
    ],
)
def test_bad_input_names_the_option(args, message):
    with translation.override("en"), pytest.raises(CommandError, match=message.replace("(", r"\(")):
        run("sla_deadline", *args)


def test_sync_holidays_adds_then_adds_nothing():
    row = calendar("fresh")
    out, err = run("sync_holidays", "--calendar", "fresh", "--years", "2025,2026")
    assert out.splitlines() == [
        "fresh 2025: added 33 days",
        "fresh 2026: added 39 days",
        "fresh: years marked complete: 2025, 2026",
    ]
    assert err == ""
    assert CalendarDay.objects.filter(calendar=row).count() == 72
    out, _ = run("sync_holidays", "--calendar", "fresh", "--years", "2025-2026")
    assert out == "fresh: nothing to add, already up to date\n"
    assert CalendarDay.objects.filter(calendar=row).count() == 72


def test_sync_holidays_default_calendar_is_already_seeded():
    out, _ = run("sync_holidays")
    assert out == "default: nothing to add, already up to date\n"


def test_sync_holidays_all_years_of_the_package():
    row = calendar("fresh")
    run("sync_holidays", "--calendar", "fresh")
    assert sorted(CalendarYear.objects.filter(calendar=row).values_list("year", flat=True)) == list(range(2004, 2027))


def test_sync_holidays_tells_about_years_it_cannot_fill():
    calendar("fresh")
    out, err = run("sync_holidays", "--calendar", "fresh", "--years", "2035")
    assert "2035: not in the installed chinese_calendar (it covers 2004–2026)" in err
    assert out == "fresh: nothing to add, already up to date\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--calendar", "nope"], "--calendar: no calendar with code 'nope'; known codes: default"),
        (["--years", "twenty"], "--years: 'twenty' is not a year"),
        (["--years", "2026-2025"], "--years: range '2026-2025' runs backwards"),
    ],
)
def test_sync_holidays_bad_input(args, message):
    with translation.override("en"), pytest.raises(CommandError, match=message):
        run("sync_holidays", *args)
    assert CalendarDay.objects.exclude(calendar__code="default").count() == 0


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("sla_deadline", ["--start", "30/09/2025", "--working-hours", "8"], "--start：'30/09/2025' 不是 ISO 8601 时间"),
        ("sla_deadline", ["--working-hours", "eight"], "--working-hours：'eight' 不是数字；请写成如 --working-hours 8"),
        ("sla_deadline", ["--working-minutes", "-5"], "--working-minutes：不能为负数（收到 -5）"),
        ("sla_deadline", ["--working-hours", "8", "--calendar", "nope"], "--calendar：没有编码为 nope 的工作日历"),
        ("sync_holidays", ["--calendar", "nope"], "--calendar：没有编码为 'nope' 的日历；可用编码：default"),
        ("sync_holidays", ["--years", "twenty"], "--years：'twenty' 不是年份"),
        ("sync_holidays", ["--years", "2026-2025"], "--years：范围 '2026-2025' 前大后小；请先写较小的年份"),
        ("sync_holidays", ["--years", ","], "--years 为空"),
    ],
)
def test_refusals_are_in_chinese_by_default(name, args, message):
    # Commands run in LANGUAGE_CODE (zh-hans) unless told otherwise; option names stay as typed.
    with translation.override("zh-hans"), pytest.raises(CommandError) as caught:
        run(name, *args)
    assert str(caught.value).startswith(message)


def test_without_start_it_counts_from_now():
    import time_machine

    with time_machine.travel("2025-09-30T08:00:00+00:00", tick=False):
        out, _ = run("sla_deadline", "--working-hours", "8")
    assert out == "2025-10-09T17:00:00+08:00\n"
