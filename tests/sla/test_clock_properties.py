"""Properties of the working-time arithmetic (hypothesis), on the real 2024–2027 Chinese calendar.

Stated precisely (see apps/sla/clock.py):
* ``add_working(s, n) >= s`` for every start ``s`` and ``n >= 0``;
* ``add_working(add_working(s, a), b) == add_working(s, a + b)`` for every ``s`` and ``a, b >= 0``
  (a deadline that lands at the end of a period stays there, and adding more from
  there continues at the next period, so no boundary breaks the sum);
* for ``n > 0`` the deadline lies on a working day (never a holiday, never an
  ordinary weekend) within a working period, its end included;
* ``working_minutes_between(s, add_working(s, n)) == n``, and the result equals a
  naive day-by-day reference implementation.
"""

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import CHINA, SHANGHAI
from .reference import reference_add_working

starts = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31, 23, 59)).map(
    lambda dt: dt.replace(second=0, microsecond=0, tzinfo=SHANGHAI)
)
amounts = st.integers(min_value=0, max_value=400 * 60)
positive = st.integers(min_value=1, max_value=400 * 60)


@given(start=starts, minutes=amounts)
def test_a_deadline_is_never_earlier_than_the_start(start, minutes):
    assert CHINA.add_working(start, minutes) >= start


@given(start=starts, a=amounts, b=amounts)
def test_adding_a_then_b_equals_adding_a_plus_b(start, a, b):
    assert CHINA.add_working(CHINA.add_working(start, a), b) == CHINA.add_working(start, a + b)


@given(start=starts, minutes=positive)
def test_a_deadline_falls_within_working_hours_of_a_working_day(start, minutes):
    deadline = CHINA.add_working(start, minutes)
    day = deadline.date()
    assert day not in CHINA.holidays
    assert day.weekday() < 5 or day in CHINA.makeup_workdays
    moment = deadline.timetz().replace(tzinfo=None)
    assert any(begin < moment <= end for begin, end in CHINA.periods_on(day))


@given(start=starts, minutes=amounts)
def test_the_minutes_between_start_and_deadline_are_the_target(start, minutes):
    assert CHINA.working_minutes_between(start, CHINA.add_working(start, minutes)) == minutes


@settings(max_examples=60)
@given(start=starts, minutes=amounts)
def test_the_fast_clock_agrees_with_the_day_by_day_reference(start, minutes):
    assert CHINA.add_working(start, minutes) == reference_add_working(CHINA, start, minutes)


@given(start=starts, first=st.integers(0, 60 * 24 * 30), second=st.integers(0, 60 * 24 * 30))
def test_minutes_between_add_up(start, first, second):
    middle = start + timedelta(minutes=first)
    end = middle + timedelta(minutes=second)
    assert CHINA.working_minutes_between(start, middle) + CHINA.working_minutes_between(
        middle, end
    ) == CHINA.working_minutes_between(start, end)


@given(start=starts, minutes=positive)
def test_the_deadline_is_reached_from_the_next_working_moment(start, minutes):
    assert CHINA.add_working(start, minutes) == CHINA.add_working(CHINA.next_working_moment(start), minutes)
