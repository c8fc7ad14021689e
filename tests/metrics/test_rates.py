"""The one definition of the three rates, on tickets with known outcomes."""

from __future__ import annotations

from datetime import date

import pytest

from apps.metrics.rates import Rates, format_rate, rates_by_child, rates_for, total_of
from apps.tickets.models import Rating, Ticket

from .conftest import MARCH, NOW

pytestmark = pytest.mark.django_db


def test_rates_for_a_community_over_march(scenario, tree):
    rates = rates_for(node=tree.c1, start=MARCH[0], end=MARCH[1], now=NOW)

    assert rates == Rates(
        tickets=8,
        responded_on_time=6,
        resolved=3,
        resolved_on_time=2,
        rated=3,
        satisfied=2,
        resolved_at_window=1,
        overdue_open=2,
        response_minutes_sum=240,  # t1 60, t2 180, t7 0
        responses_timed=3,
        resolution_minutes_sum=5600,  # t1 600, t2 5000 (t3's 700 is from before its reopening)
        resolutions_timed=2,
    )
    assert (rates.avg_response_minutes, rates.avg_resolution_minutes) == (80.0, 2800.0)
    assert rates.response_rate == 0.75
    assert rates.resolution_rate == 0.375
    assert rates.on_time_resolution_rate == 0.25
    assert rates.satisfaction_rate == 0.6667
    assert rates.as_dict() == {
        "tickets": 8,
        "responded_on_time": 6,
        "resolved": 3,
        "resolved_on_time": 2,
        "rated": 3,
        "satisfied": 2,
        "resolved_at_window": 1,
        "overdue_open": 2,
        "avg_response_minutes": 80.0,
        "avg_resolution_minutes": 2800.0,
        "response_rate": 0.75,
        "resolution_rate": 0.375,
        "on_time_resolution_rate": 0.25,
        "satisfaction_rate": 0.6667,
    }


def test_one_aggregate_query(scenario, tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        rates_for(node=tree.c1, start=MARCH[0], end=MARCH[1], now=NOW)


def test_reopened_ticket_is_not_resolved(scenario, tree):
    # Given t1 counted as resolved and resolved on time
    before = rates_for(node=tree.g1, start=MARCH[0], end=MARCH[1], now=NOW)
    # When it is reopened as the service leaves it: back in progress, resolved_at cleared
    Ticket.objects.filter(pk=scenario.t1.pk).update(state="in_progress", resolved_at=None, reopen_count=1)
    after = rates_for(node=tree.g1, start=MARCH[0], end=MARCH[1], now=NOW)
    # Then it still counts as a ticket and as answered in time, but not as resolved
    assert (after.tickets, after.responded_on_time) == (before.tickets, before.responded_on_time)
    assert after.resolved == before.resolved - 1
    assert after.resolved_on_time == before.resolved_on_time - 1


def test_merged_and_rejected_are_left_out(scenario, tree):
    # t5 (merged) and t6 (rejected) were answered in time; making every other ticket
    # vanish shows they count for nothing.
    Ticket.objects.exclude(pk__in=[scenario.t5.pk, scenario.t6.pk]).delete()
    rates = rates_for(node=tree.city, start=MARCH[0], end=MARCH[1], now=NOW)
    assert rates == Rates()


def test_empty_denominators_are_none_not_zero(tree):
    rates = rates_for(node=tree.c2, start=MARCH[0], end=MARCH[1], now=NOW)
    assert rates.tickets == 0
    assert rates.response_rate is None
    assert rates.resolution_rate is None
    assert rates.on_time_resolution_rate is None
    assert rates.satisfaction_rate is None
    assert format_rate(rates.response_rate) == "—"
    assert format_rate(0.0) == "0.00%"
    assert format_rate(1.0) == "100.00%"


def test_satisfaction_none_when_nothing_rated(scenario, tree):
    Rating.objects.all().delete()
    Ticket.objects.update(rating_score=None)
    rates = rates_for(node=tree.c1, start=MARCH[0], end=MARCH[1], now=NOW)
    assert (rates.rated, rates.satisfied, rates.satisfaction_rate) == (0, 0, None)
    assert rates.response_rate == 0.75


def test_period_is_in_shanghai_days(scenario, tree):
    # t3 was submitted 00:30 on 1 March in Shanghai (still 28 February in UTC): in March.
    first_day = rates_for(node=tree.g1, start=date(2026, 3, 1), end=date(2026, 3, 1), now=NOW)
    assert first_day.tickets == 1
    # t13 at 00:10 on 1 April (31 March in UTC): in April, not in March.
    april = rates_for(node=tree.g1, start=date(2026, 4, 1), end=date(2026, 4, 30), now=NOW)
    assert april.tickets == 1
    last_day = rates_for(node=tree.g1, start=date(2026, 3, 31), end=date(2026, 3, 31), now=NOW)
    assert last_day.tickets == 1  # t12 at 23:30


def test_whole_city_and_none(scenario, tree):
    city = rates_for(node=tree.city, start=MARCH[0], end=MARCH[1], now=NOW)
    everything = rates_for(node=None, start=MARCH[0], end=MARCH[1], now=NOW)
    assert city == everything
    assert city.tickets == 10
    assert (city.rated, city.satisfied) == (4, 2)


def test_null_target_is_not_on_time(tree):
    from .conftest import at, make_ticket

    make_ticket(
        tree.g1, category=tree.road, submitted=at(3, 2), state="closed", accepted=at(3, 2), resolved=at(3, 2),
        respond_in=None, resolve_in=None,
    )  # fmt: skip
    rates = rates_for(node=tree.g1, start=MARCH[0], end=MARCH[1], now=NOW)
    assert (rates.tickets, rates.responded_on_time, rates.resolved, rates.resolved_on_time) == (1, 0, 1, 0)


# --- drill-down -------------------------------------------------------------------


def _summary(rows):
    return [(r.kind, r.code, r.rates.tickets) for r in rows]


def test_city_to_districts(scenario, tree):
    rows = rates_by_child(node=tree.city, start=MARCH[0], end=MARCH[1], now=NOW)
    assert _summary(rows) == [("node", "370102", 9), ("node", "370103", 1)]


def test_district_children_with_a_code_prefix_of_another(scenario, tree):
    # 370102001 is a prefix of 3701020011: grouping by the path segment keeps them apart.
    rows = rates_by_child(node=tree.d1, start=MARCH[0], end=MARCH[1], now=NOW)
    assert _summary(rows) == [("node", "370102001", 8), ("node", "3701020011", 1)]
    assert rows[1].rates.overdue_open == 1


def test_community_rows_add_up_to_the_parent(scenario, tree):
    rows = rates_by_child(node=tree.c1, start=MARCH[0], end=MARCH[1], now=NOW)
    assert _summary(rows) == [("node", "370102001001001", 6), ("node", "370102001001002", 1), ("direct", "", 1)]
    parent = rates_for(node=tree.c1, start=MARCH[0], end=MARCH[1], now=NOW)
    assert rows[0].rates + rows[1].rates + rows[2].rates == parent
    assert total_of(rows) == parent
    assert total_of(rows).avg_resolution_minutes == 2800.0
    g2 = rows[1].rates
    assert (g2.tickets, g2.responded_on_time, g2.satisfaction_rate, g2.overdue_open) == (1, 1, None, 0)


def test_subdistrict_lists_children_without_tickets(scenario, tree):
    rows = rates_by_child(node=tree.s1, start=MARCH[0], end=MARCH[1], now=NOW)
    assert _summary(rows) == [("node", "370102001001", 8), ("node", "370102001002", 0)]
    assert rows[1].rates.response_rate is None


def test_grid_rows_are_workers(scenario, tree):
    rows = rates_by_child(node=tree.g1, start=MARCH[0], end=MARCH[1], now=NOW)
    assert [(r.kind, r.code, r.name, r.level, r.rates.tickets) for r in rows] == [
        ("worker", str(tree.w1.pk), "w1 姓名", "worker", 3),
        ("worker", str(tree.w2.pk), "w2 姓名", "worker", 2),
        ("unassigned", "", "Not assigned", "", 1),
    ]
    w1, w2 = rows[0].rates, rows[1].rates
    # w1: t1 (in time, rated 5), t2 (late, rated 3), t12 (answered in time)
    assert (w1.responded_on_time, w1.resolved, w1.resolved_on_time, w1.rated, w1.satisfied) == (2, 2, 1, 2, 1)
    assert (w1.response_rate, w1.resolution_rate, w1.satisfaction_rate) == (0.6667, 0.6667, 0.5)
    # w2: t3 (reopened), t7 (at the window, rated 4)
    assert (w2.resolved, w2.resolved_at_window, w2.satisfaction_rate) == (1, 1, 1.0)
    assert sum(r.rates.tickets for r in rows) == rates_for(node=tree.g1, start=MARCH[0], end=MARCH[1]).tickets


def test_worker_rows_include_roster_without_tickets(tree):
    rows = rates_by_child(node=tree.g2, start=MARCH[0], end=MARCH[1], now=NOW)
    assert [(r.name, r.rates.tickets, r.rates.response_rate) for r in rows] == [("w3 姓名", 0, None)]


def test_drill_down_query_count_is_fixed(scenario, tree, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        rates_by_child(node=tree.c1, start=MARCH[0], end=MARCH[1], now=NOW)
    with django_assert_max_num_queries(3):
        rates_by_child(node=tree.g1, start=MARCH[0], end=MARCH[1], now=NOW)


def test_children_of_the_whole_are_the_roots(scenario, tree):
    rows = rates_by_child(node=None, start=MARCH[0], end=MARCH[1], now=NOW)
    assert _summary(rows) == [("node", "370100", 10)]


@pytest.mark.parametrize("level", ["city", "d1", "s1", "c1", "g1", "c2"])
def test_rows_always_add_up(scenario, tree, level):
    node = getattr(tree, level)
    rows = rates_by_child(node=node, start=MARCH[0], end=MARCH[1], now=NOW)
    assert total_of(rows) == rates_for(node=node, start=MARCH[0], end=MARCH[1], now=NOW)
