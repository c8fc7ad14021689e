"""Policies, deadlines, pauses, priority changes and outcomes."""

import dataclasses
import logging
from datetime import timedelta

import pytest

from apps.sla.calendars import get_calendar
from apps.sla.deadlines import (
    Deadlines,
    Targets,
    compute_deadlines,
    deadlines_for,
    extend_for_pause,
    outcome,
    policy_for,
    recompute_deadlines,
    recompute_keeping_spent,
    select_policy,
    time_spent,
)
from apps.sla.models import CalendarWarning, OrgCalendar, SlaPolicy

from .conftest import CHINA, at
from .factories import SATURDAY_SCHEDULE, calendar, category, org_node, policy

START = at(2025, 9, 30, 16)  # Tuesday before the National Day holiday
NORMAL = Targets(response_minutes=120, response_mode="working", resolution_minutes=1260, resolution_mode="working")
HIGH = Targets(response_minutes=60, response_mode="working", resolution_minutes=840, resolution_mode="working")


# -- policy choice -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_migration_creates_the_default_and_urgent_policies():
    rows = list(
        SlaPolicy.objects.order_by("id").values_list(
            "category", "priority", "response_minutes", "response_mode", "resolution_minutes", "resolution_mode"
        )
    )
    assert rows == [(None, "", 120, "working", 1260, "working"), (None, "urgent", 30, "calendar", 1440, "calendar")]


@pytest.mark.django_db
def test_the_most_specific_policy_wins():
    roads, water = category("roads"), category("water")
    default = SlaPolicy.objects.get(priority="", category=None)
    urgent = SlaPolicy.objects.get(priority="urgent")
    roads_any = policy("roads", category=roads)
    roads_high = policy("roads high", category=roads, priority="high")
    any_high = policy("any high", priority="high")

    assert policy_for(category=roads, priority="high") == roads_high
    assert policy_for(category=roads, priority="low") == roads_any
    assert policy_for(category=roads, priority="urgent") == roads_any  # category beats priority
    assert policy_for(category=water, priority="high") == any_high
    assert policy_for(category=water, priority="urgent") == urgent
    assert policy_for(category=water, priority="low") == default
    assert policy_for(category=None, priority="normal") == default
    assert policy_for(category=roads.pk, priority="high") == roads_high  # an id works too


@pytest.mark.django_db
def test_equally_specific_policies_lowest_id_wins_and_inactive_ones_do_not_count():
    roads = category("roads")
    first = policy("first", category=roads)
    policy("second", category=roads)
    assert policy_for(category=roads, priority="normal") == first
    first.is_active = False
    first.save(update_fields=["is_active"])
    assert policy_for(category=roads, priority="normal").name == "second"


@pytest.mark.django_db
def test_policy_for_costs_one_query_when_warm(django_assert_num_queries):
    policy_for(category=None, priority="normal")
    with django_assert_num_queries(1):
        assert policy_for(category=None, priority="urgent").priority == "urgent"


def test_select_policy_is_pure():
    rows = [
        SlaPolicy(id=5, name="a", category_id=1, priority="high"),
        SlaPolicy(id=3, name="b", category_id=1, priority=""),
        SlaPolicy(id=1, name="c", category_id=None, priority=""),
    ]
    assert select_policy(rows, category_id=1, priority="low").id == 3
    assert select_policy(rows, category_id=2, priority="high").id == 1
    assert select_policy([], category_id=2, priority="high") is None


@pytest.mark.django_db
def test_no_matching_policy_falls_back_to_the_built_in_targets():
    SlaPolicy.objects.all().delete()
    fallback = policy_for(category=None, priority="normal")
    assert (fallback.pk, fallback.response_minutes, fallback.resolution_minutes) == (None, 120, 1260)


# -- computing deadlines ---------------------------------------------------------------


@pytest.mark.django_db
def test_default_policy_deadlines_across_national_day():
    result = compute_deadlines(category=None, priority="normal", org_node=None, start=START)
    assert result == Deadlines(
        respond_by=at(2025, 10, 9, 9, 30),  # 1.5 h on 09-30, 30 min on 10-09
        resolve_by=at(2025, 10, 11, 16),  # 21 h: 1.5 + 7 (10-09) + 7 (10-10) + 5.5 on make-up Sat 10-11
        warn_respond_at=at(2025, 9, 30, 17, 30),  # 75 % of 2 h = 90 min
        warn_resolve_at=at(2025, 10, 11, 9, 15),  # 75 % of 21 h = 15 h 45 min
        policy_id=SlaPolicy.objects.get(priority="", category=None).pk,
        calendar_code="default",
        response_mode="working",
        resolution_mode="working",
        missing_years=frozenset(),
    )
    assert result.first_action_at == at(2025, 9, 30, 17, 30)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.respond_by = START


@pytest.mark.django_db
def test_compute_deadlines_costs_one_query_when_warm(django_assert_num_queries):
    compute_deadlines(category=None, priority="normal", org_node=None, start=START)
    with django_assert_num_queries(1):
        compute_deadlines(category=None, priority="high", org_node=None, start=START)


@pytest.mark.django_db
def test_urgent_counts_calendar_time():
    result = compute_deadlines(category=None, priority="urgent", org_node=None, start=START)
    assert (result.respond_by, result.resolve_by) == (at(2025, 9, 30, 16, 30), at(2025, 10, 1, 16))
    assert (result.warn_respond_at, result.warn_resolve_at) == (at(2025, 9, 30, 16, 22, 30), at(2025, 10, 1, 10))


@pytest.mark.django_db
def test_the_place_calendar_and_the_policy_calendar():
    district = org_node("370115", level="district")
    community = org_node("370115001", parent=district)
    saturday = calendar("saturday", weekly_schedule=SATURDAY_SCHEDULE)
    OrgCalendar.objects.create(org_node=district, calendar=saturday)
    friday = at(2025, 9, 19, 17)

    by_place = compute_deadlines(category=None, priority="normal", org_node=community, start=friday)
    assert (by_place.calendar_code, by_place.respond_by) == ("saturday", at(2025, 9, 20, 10, 30))

    roads = category("roads")
    policy("roads on default", category=roads, calendar=get_calendar_row("default"))
    by_policy = compute_deadlines(category=roads, priority="normal", org_node=community, start=friday)
    assert (by_policy.calendar_code, by_policy.respond_by) == ("default", at(2025, 9, 22, 9, 30))


def get_calendar_row(code):
    from apps.sla.models import BusinessCalendar

    return BusinessCalendar.objects.get(code=code)


@pytest.mark.django_db
def test_a_year_without_data_warns_and_counts_weekdays(caplog):
    with caplog.at_level(logging.WARNING, logger="apps.sla"):
        result = compute_deadlines(category=None, priority="normal", org_node=None, start=at(2035, 9, 28, 17))
    assert result.respond_by == at(2035, 10, 1, 10, 30)  # 10-01 is a plain Monday without 2035 data
    assert result.missing_years == frozenset({2035})
    assert CalendarWarning.objects.get().year == 2035
    assert any("2035" in r.getMessage() and r.levelname == "WARNING" for r in caplog.records)


@pytest.mark.django_db
def test_a_deadline_crossing_into_a_year_without_data_warns():
    result = compute_deadlines(category=None, priority="normal", org_node=None, start=at(2026, 12, 31, 16))
    assert result.missing_years == frozenset({2027})
    assert list(CalendarWarning.objects.values_list("calendar__code", "year", "count")) == [("default", 2027, 1)]


@pytest.mark.django_db
def test_a_year_with_data_records_nothing():
    compute_deadlines(category=None, priority="normal", org_node=None, start=START)
    assert not CalendarWarning.objects.exists()


# -- pauses ---------------------------------------------------------------------------


def test_a_pause_extends_by_the_working_time_it_covered():
    # Paused 10:00–14:00 on 10-09 = 2 h + 30 min of working time.
    extended = extend_for_pause(
        deadline=at(2025, 10, 9, 17),
        paused_from=at(2025, 10, 9, 10),
        paused_until=at(2025, 10, 9, 14),
        mode="working",
        calendar=CHINA,
    )
    assert extended == at(2025, 10, 10, 11)


def test_a_pause_over_the_holiday_costs_only_its_working_minutes():
    extended = extend_for_pause(
        deadline=at(2025, 10, 9, 17),
        paused_from=at(2025, 9, 30, 17),
        paused_until=at(2025, 10, 9, 9, 30),
        mode="working",
        calendar=CHINA,
    )
    assert extended == at(2025, 10, 10, 9, 30)  # 60 working minutes: 30 on 09-30, 30 on 10-09


def test_a_pause_in_calendar_mode_extends_by_elapsed_time():
    extended = extend_for_pause(
        deadline=at(2025, 10, 1, 16),
        paused_from=at(2025, 9, 30, 17),
        paused_until=at(2025, 10, 1, 9),
        mode="calendar",
        calendar=CHINA,
    )
    assert extended == at(2025, 10, 2, 8)


def test_extending_for_a_pause_equals_computing_with_it():
    pause = (at(2025, 10, 9, 10), at(2025, 10, 9, 14))
    plain = deadlines_for(CHINA, NORMAL, start=START)
    with_pause = deadlines_for(CHINA, NORMAL, start=START, pauses=[pause])
    assert with_pause.resolve_by == extend_for_pause(
        deadline=plain.resolve_by, paused_from=pause[0], paused_until=pause[1], mode="working", calendar=CHINA
    )
    assert with_pause.resolve_by == at(2025, 10, 13, 10)  # 10-11 16:00 + 2.5 h: 1.5 h, Sun 10-12 off, 1 h


# -- category or priority changes mid-way ----------------------------------------------------


def test_recompute_keeps_the_time_already_spent():
    now = at(2025, 10, 9, 10)  # 90 + 60 = 150 working minutes spent
    assert time_spent(CHINA, start=START, now=now, mode="working") == timedelta(minutes=150)
    result = recompute_keeping_spent(calendar=CHINA, targets=HIGH, start=START, now=now)
    # 840 − 150 = 690 minutes from now: 120 + 240 on 10-09, 180 + 150 on 10-10.
    assert result.resolve_by == at(2025, 10, 10, 16)
    assert result.resolve_by == CHINA.add_working(now, 840 - 150)
    # The new response target was already exceeded: the deadline is the past moment it was reached.
    assert result.respond_by == at(2025, 9, 30, 17)


def test_recompute_excludes_closed_pauses_and_leaves_an_open_one_for_later():
    now = at(2025, 10, 9, 10)
    pause = (at(2025, 10, 9, 9), at(2025, 10, 9, 10))
    assert time_spent(CHINA, start=START, now=now, pauses=[pause], mode="working") == timedelta(minutes=90)
    closed = recompute_keeping_spent(calendar=CHINA, targets=HIGH, start=START, now=now, pauses=[pause])
    assert closed.resolve_by == at(2025, 10, 10, 17)  # one working hour later

    still_paused = [(at(2025, 10, 9, 9), None)]
    assert time_spent(CHINA, start=START, now=now, pauses=still_paused, mode="working") == timedelta(minutes=90)
    open_ = recompute_keeping_spent(calendar=CHINA, targets=HIGH, start=START, now=now, pauses=still_paused)
    assert open_.resolve_by == at(2025, 10, 10, 16)
    resumed = extend_for_pause(
        deadline=open_.resolve_by, paused_from=at(2025, 10, 9, 9), paused_until=now, mode="working", calendar=CHINA
    )
    assert resumed == closed.resolve_by


@pytest.mark.django_db
def test_recompute_deadlines_for_a_priority_change():
    roads = category("roads")
    policy("roads high", category=roads, priority="high", response_minutes=60, resolution_minutes=840)
    result = recompute_deadlines(
        category=roads, priority="high", org_node=None, start=START, now=at(2025, 10, 9, 10), pauses=()
    )
    assert (result.respond_by, result.resolve_by) == (at(2025, 9, 30, 17), at(2025, 10, 10, 16))

    to_urgent = recompute_deadlines(
        category=None, priority="urgent", org_node=None, start=START, now=at(2025, 9, 30, 16, 10)
    )
    assert (to_urgent.respond_by, to_urgent.resolve_by) == (at(2025, 9, 30, 16, 30), at(2025, 10, 1, 16))


# -- outcome ----------------------------------------------------------------------------------


def test_outcome_met_and_breached_with_working_minutes():
    result = outcome(
        calendar=CHINA,
        start=START,
        respond_by=at(2025, 10, 9, 9, 30),
        resolve_by=at(2025, 10, 11, 16),
        responded_at=at(2025, 10, 9, 9, 20),
        resolved_at=at(2025, 10, 11, 16, 30),
    )
    assert result.response_met is True
    assert result.response_working_minutes == 110
    assert result.resolution_met is False
    assert result.resolution_working_minutes == 1290


def test_outcome_excludes_pauses_and_judges_open_targets_by_now():
    pauses = [(at(2025, 10, 9, 9), at(2025, 10, 9, 10))]
    result = outcome(
        calendar=CHINA,
        start=START,
        respond_by=at(2025, 10, 9, 10, 30),
        resolve_by=at(2025, 10, 13, 9),
        responded_at=at(2025, 10, 9, 10, 20),
        resolved_at=None,
        pauses=pauses,
    )
    assert (result.response_met, result.response_working_minutes) == (True, 110)
    assert (result.resolution_met, result.resolution_working_minutes) == (None, None)

    late = outcome(
        calendar=CHINA,
        start=START,
        respond_by=at(2025, 10, 9, 10, 30),
        resolve_by=at(2025, 10, 13, 9),
        responded_at=at(2025, 10, 9, 10, 20),
        resolved_at=None,
        pauses=pauses,
        now=at(2025, 10, 13, 9, 1),
    )
    assert late.resolution_met is False


@pytest.mark.django_db
def test_functions_accept_a_calendar_code():
    assert extend_for_pause(
        deadline=at(2025, 10, 9, 17),
        paused_from=at(2025, 10, 9, 10),
        paused_until=at(2025, 10, 9, 14),
        mode="working",
        calendar="default",
    ) == at(2025, 10, 10, 11)
    assert get_calendar("default").code == "default"
