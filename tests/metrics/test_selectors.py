"""Daily trend, top categories and the tickets needing attention."""

from __future__ import annotations

from datetime import date

import pytest

from apps.metrics.rates import (
    CategoryRow,
    TrendDay,
    attention_queryset,
    daily_trend,
    tickets_in_warning_and_breach,
    top_categories,
)

from .conftest import MARCH, NOW, at, make_ticket

pytestmark = pytest.mark.django_db


def test_daily_trend_of_a_community(scenario, tree):
    days = daily_trend(node=tree.c1, start=MARCH[0], end=MARCH[1])
    assert len(days) == 31
    non_zero = [d for d in days if d.submitted or d.resolved]
    assert non_zero == [
        TrendDay(date(2026, 3, 1), submitted=1, resolved=1),  # t3 at 00:30; t10 (February's) resolved
        TrendDay(date(2026, 3, 2), submitted=2, resolved=0),
        TrendDay(date(2026, 3, 3), submitted=0, resolved=1),
        TrendDay(date(2026, 3, 5), submitted=1, resolved=1),
        TrendDay(date(2026, 3, 6), submitted=1, resolved=0),
        TrendDay(date(2026, 3, 7), submitted=1, resolved=0),
        TrendDay(date(2026, 3, 9), submitted=0, resolved=1),
        TrendDay(date(2026, 3, 10), submitted=1, resolved=0),
        TrendDay(date(2026, 3, 31), submitted=1, resolved=0),
    ]
    # Submitted per day adds up to the rates' ticket count.
    assert sum(d.submitted for d in days) == 8
    assert days[0].as_dict() == {"day": "2026-03-01", "submitted": 1, "resolved": 1}


def test_trend_two_queries(scenario, tree, django_assert_num_queries):
    with django_assert_num_queries(2):
        daily_trend(node=tree.city, start=MARCH[0], end=MARCH[1])


def test_top_categories(scenario, tree):
    rows = top_categories(node=tree.c1, start=MARCH[0], end=MARCH[1])
    assert rows == [
        CategoryRow(code="ROAD", name="道路破损", name_en="Road damage", tickets=6, resolved=3, share=0.75),
        CategoryRow(code="WATER", name="停水", name_en="", tickets=2, resolved=0, share=0.25),
    ]
    assert [r.code for r in top_categories(node=tree.c1, start=MARCH[0], end=MARCH[1], limit=1)] == ["ROAD"]
    assert top_categories(node=tree.c2, start=MARCH[0], end=MARCH[1]) == []


def test_attention_breaches_first_then_by_due_time(scenario, tree):
    rows = tickets_in_warning_and_breach(node=tree.c1, now=NOW)
    assert [(r.code, r.status) for r in rows] == [
        (scenario.t9.code, "breach"),  # resolve_by 10 March 09:00
        (scenario.t4.code, "breach"),  # never answered: respond_by 10 March 11:00
        (scenario.t3.code, "warning"),  # resolve_warn_at passed, resolve_by in May
    ]
    t4 = rows[1]
    assert t4.due_at == at(3, 10, 11)
    assert t4.age_minutes == 23 * 1440 + 60
    assert t4.overdue_minutes == 22 * 1440 + 23 * 60
    assert (t4.grid_code, t4.assignee, t4.category) == ("370102001001001", "", "道路破损")
    assert rows[2].overdue_minutes == 0
    assert rows[0].grid_code == ""  # on the community itself


def test_attention_leaves_out_paused_and_closed(scenario, tree):
    codes = {r.code for r in tickets_in_warning_and_breach(node=tree.city, now=NOW)}
    assert scenario.t8.code not in codes  # waiting on the resident: clock paused
    assert scenario.t1.code not in codes
    assert codes == {scenario.t9.code, scenario.t4.code, scenario.t3.code, scenario.t14.code}


def test_attention_pages(scenario, tree):
    first = tickets_in_warning_and_breach(node=tree.c1, now=NOW, limit=2)
    second = tickets_in_warning_and_breach(node=tree.c1, now=NOW, limit=2, offset=2)
    assert [r.code for r in first + second] == [scenario.t9.code, scenario.t4.code, scenario.t3.code]
    assert attention_queryset(node=tree.c1, now=NOW).count() == 3


def test_attention_two_queries_whatever_the_number(tree, django_assert_num_queries):
    for day in range(1, 21):
        make_ticket(tree.g1, category=tree.road, submitted=at(3, day), assignee=tree.w1)
    with django_assert_num_queries(2):  # the page's ids (index only), then the page's rows
        rows = tickets_in_warning_and_breach(node=tree.c1, now=NOW, limit=50)
    assert len(rows) == 20
    assert rows[0].assignee == "w1 姓名"
