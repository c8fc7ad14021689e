"""How often the dashboard page and the metrics API read the ticket table, whatever its size.

Each read of a period is a scan of that period's tickets: the page makes one per table it shows
(the drill-down, whose rows also give the total; the two trend series; the top categories) plus
the attention list, and never reads the rating table.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.metrics.rates import rates_for
from apps.places.models import OrgNode

from .conftest import MARCH, NOW, at, make_ticket

pytestmark = pytest.mark.django_db

PERIOD = {"from": MARCH[0].isoformat(), "to": MARCH[1].isoformat()}
# The drill-down (its rows give the total too), the trend's two series, the top categories
# (their total is the sum of their rows) and the attention list (its page's ids, then its rows).
DASHBOARD_TICKET_QUERIES = 6
# Under a grid: session, user, scope, node, the worker rows (3), the trend (2), the breadcrumb,
# the attention list (2), the top categories and the header's unread notices.
DASHBOARD_MAX_QUERIES = 14


def _ticket_queries(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if 'FROM "tickets_ticket"' in q["sql"]]


def kpi(page: str, name: str) -> str:
    marker = f'data-kpi="{name}">'
    start = page.index(marker) + len(marker)
    return page[start : page.index("<", start)].strip()


def _dashboard(user, code, django_assert_max_num_queries):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    client.get("/dashboard/", {"org": code, **PERIOD})  # the session and the scope, once
    with django_assert_max_num_queries(DASHBOARD_MAX_QUERIES), CaptureQueriesContext(connection) as ctx:
        response = client.get("/dashboard/", {"org": code, **PERIOD})
    assert response.status_code == 200
    return response.content.decode(), ctx


def _more_tickets(tree, n):
    for i in range(n):
        make_ticket(
            tree.g1 if i % 2 else tree.g2, category=tree.road, submitted=at(3, 1 + i % 28), score=1 + i % 5,
            assignee=tree.w1 if i % 3 else None,
        )  # fmt: skip


@pytest.mark.parametrize("code", ["370102001001", "370102001001001", "370102"])
def test_dashboard_reads_the_tickets_a_fixed_number_of_times(
    scenario, tree, frozen, code, django_assert_max_num_queries
):
    _page, small = _dashboard(tree.sup_d1, code, django_assert_max_num_queries)
    _more_tickets(tree, 30)
    page, large = _dashboard(tree.sup_d1, code, django_assert_max_num_queries)

    assert len(_ticket_queries(small)) == len(_ticket_queries(large)) == DASHBOARD_TICKET_QUERIES
    assert len(small.captured_queries) == len(large.captured_queries)
    assert not [q["sql"] for q in large.captured_queries if "tickets_rating" in q["sql"]]
    # The total shown is the drill-down's sum: the same as the definition's one query.
    rates = rates_for(node=OrgNode.objects.get(code=code), start=MARCH[0], end=MARCH[1], now=NOW)
    assert kpi(page, "tickets") == str(rates.tickets)
    assert rates.rated > 0
    assert kpi(page, "satisfaction_rate") == f"{rates.satisfaction_rate * 100:.1f}%"


def test_grid_total_counts_unassigned_tickets(scenario, tree, frozen, django_assert_max_num_queries):
    # G1 has a ticket nobody holds (t4): the total from the worker rows still counts it.
    page, _ctx = _dashboard(tree.sup_d1, tree.g1.code, django_assert_max_num_queries)
    rates = rates_for(node=tree.g1, start=MARCH[0], end=MARCH[1], now=NOW)
    assert rates.tickets == 6
    assert kpi(page, "tickets") == "6"


@pytest.mark.parametrize("group_by", [None, "child"])
def test_metrics_api_reads_the_tickets_once(scenario, tree, frozen, group_by, django_assert_max_num_queries):
    client = APIClient()
    client.force_authenticate(tree.sup_d1)
    params = {"org": tree.c1.code, **PERIOD, **({"group_by": group_by} if group_by else {})}
    with django_assert_max_num_queries(6), CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/metrics/", params)
    assert response.status_code == 200, response.content
    assert len(_ticket_queries(ctx)) == 1
    assert not [q["sql"] for q in ctx.captured_queries if "tickets_rating" in q["sql"]]
