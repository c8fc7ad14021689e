"""The metrics REST API: same numbers as rates.py, scopes, period checks, bounded queries, exports."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from apps.metrics.rates import rates_by_child, rates_for
from apps.people.models import User

from .conftest import MARCH, NOW, api_client, at, make_ticket

pytestmark = pytest.mark.django_db

URL = "/api/v1/metrics/"
MARCH_Q = {"from": "2026-03-01", "to": "2026-03-31"}


def get(user, url=URL, lang="en", **params):
    return api_client(user).get(url, params, HTTP_ACCEPT_LANGUAGE=lang)


def test_rates_json_matches_the_definition(scenario, tree, frozen):
    response = get(tree.sup_d1, org="370102001001", **MARCH_Q)
    assert response.status_code == 200, response.content
    expected = rates_for(node=tree.c1, start=MARCH[0], end=MARCH[1], now=NOW).as_dict()
    assert response.json() == {
        "org": {"code": "370102001001", "name": "青龙社区", "level": "community", "path": tree.c1.path},
        "from": "2026-03-01",
        "to": "2026-03-31",
        **expected,
    }
    assert response.json()["response_rate"] == 0.75
    assert response.json()["satisfaction_rate"] == 0.6667


def test_empty_rates_are_null(tree, frozen):
    body = get(tree.sup_d1, org="370102001002", **MARCH_Q).json()
    assert body["tickets"] == 0
    assert [body[k] for k in ("response_rate", "resolution_rate", "on_time_resolution_rate", "satisfaction_rate")] == [
        None, None, None, None,
    ]  # fmt: skip


def test_group_by_child(scenario, tree, frozen):
    body = get(tree.sup_d1, org="370102001001", group_by="child", **MARCH_Q).json()
    assert [(r["kind"], r["code"], r["tickets"]) for r in body["rows"]] == [
        ("node", "370102001001001", 6),
        ("node", "370102001001002", 1),
        ("direct", "", 1),
    ]
    assert sum(r["tickets"] for r in body["rows"]) == body["total"]["tickets"] == 8
    expected = [r.as_dict() for r in rates_by_child(node=tree.c1, start=MARCH[0], end=MARCH[1], now=NOW)]
    assert body["rows"] == expected


def test_group_by_child_under_a_grid_is_per_worker(scenario, tree, frozen):
    body = get(tree.w1, org="370102001001001", group_by="child", **MARCH_Q).json()
    assert [(r["kind"], r["code"], r["name"], r["tickets"]) for r in body["rows"]] == [
        ("worker", str(tree.w1.pk), "w1 姓名", 3),
        ("worker", str(tree.w2.pk), "w2 姓名", 2),
        ("unassigned", "", "Not assigned", 1),
    ]


def test_default_org_and_period(scenario, tree, frozen):
    # The clerk's own community, this month so far (1–2 April): only t13.
    body = get(tree.clerk).json()
    assert (body["org"]["code"], body["from"], body["to"], body["tickets"]) == ("370102001001", "2026-04-01",
                                                                               "2026-04-02", 1)  # fmt: skip
    # An admin: the single city.
    body = get(tree.admin, **MARCH_Q).json()
    assert (body["org"]["code"], body["tickets"]) == ("370100", 10)


def test_several_subtrees_must_choose(tree, frozen):
    response = get(tree.sup_two, **MARCH_Q)
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["org"]
    assert get(tree.sup_two, org="370103001001", **MARCH_Q).status_code == 200


@pytest.mark.parametrize(
    ("user", "org", "status"),
    [
        ("sup_d2", "370102001001", 404),  # another district
        ("sup_c1", "370102", 404),  # above the scope
        ("w1", "370102001001002", 404),  # a grid worker's neighbour grid
        ("w1", "370102001001001", 200),
        ("clerk", "370102001001", 200),
        ("sup_d1", "370102001001001", 200),
        ("admin", "370103", 200),
        ("admin", "999999", 404),  # unknown
        ("resident", "370102001001", 403),
        ("dept_staff", "370102", 403),
    ],
)
def test_scope(tree, frozen, user, org, status):
    for url in (URL, URL + "trend/", URL + "top-categories/", URL + "attention/"):
        response = get(getattr(tree, user), url, org=org, **MARCH_Q)
        assert response.status_code == status, (url, response.content)
    response = get(getattr(tree, user), URL + "export/", org=org, table="rates", **MARCH_Q)
    assert response.status_code == status


def test_out_of_scope_looks_like_unknown(tree, frozen):
    out = get(tree.sup_d2, org="370102001001", **MARCH_Q).json()
    unknown = get(tree.sup_d2, org="000000", **MARCH_Q).json()
    assert out["code"] == unknown["code"] == "not_found"


def test_anonymous_refused(tree):
    for url in (URL, URL + "trend/", URL + "top-categories/", URL + "attention/", URL + "export/"):
        assert api_client().get(url).status_code in (401, 403)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-03-31", "to": "2026-03-01"}, "from"),
        ({"from": "2025-01-01", "to": "2026-03-01"}, "to"),
        ({"from": "2026-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"group_by": "grid"}, "group_by"),
    ],
)
def test_bad_period(tree, frozen, params, field):
    response = get(tree.admin, **params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert field in body["fields"]


def test_366_days_allowed(tree, frozen):
    assert get(tree.admin, **{"from": "2025-04-01", "to": "2026-04-01"}).status_code == 200
    assert get(tree.admin, **{"from": "2025-03-31", "to": "2026-04-01"}).status_code == 400


def test_trend_top_categories_attention(scenario, tree, frozen):
    trend = get(tree.sup_c1, URL + "trend/", **MARCH_Q).json()
    assert len(trend["days"]) == 31
    assert trend["days"][1] == {"day": "2026-03-02", "submitted": 2, "resolved": 0}

    top = get(tree.sup_c1, URL + "top-categories/", limit=1, **MARCH_Q).json()
    assert top["rows"] == [
        {"code": "ROAD", "name": "道路破损", "name_en": "Road damage", "tickets": 6, "resolved": 3, "share": 0.75}
    ]

    attention = get(tree.sup_c1, URL + "attention/", page_size=2).json()
    assert attention["count"] == 3
    assert [(r["code"], r["status"]) for r in attention["results"]] == [
        (scenario.t9.code, "breach"),
        (scenario.t4.code, "breach"),
    ]
    page2 = get(tree.sup_c1, URL + "attention/", page_size=2, page=2).json()
    assert [r["code"] for r in page2["results"]] == [scenario.t3.code]


def _bulk(tree, n):
    for i in range(n):
        node = (tree.g1, tree.g2, tree.c1)[i % 3]
        make_ticket(
            node, category=(tree.road, tree.water)[i % 2], submitted=at(3, 1 + i % 28), state="closed",
            accepted=at(3, 1 + i % 28, 10), resolved=at(3, 1 + i % 28, 11), score=1 + i % 5,
            assignee=(tree.w1, tree.w2, None)[i % 3],
        )  # fmt: skip
        make_ticket(node, category=tree.road, submitted=at(3, 1 + i % 28), respond_in=timedelta(hours=1))


ENDPOINTS = [
    (URL, {"org": "370102001001"}),
    (URL, {"org": "370102001001", "group_by": "child"}),
    (URL, {"org": "370102001001001", "group_by": "child"}),
    (URL + "trend/", {"org": "370102001001"}),
    (URL + "top-categories/", {"org": "370102001001"}),
    (URL + "attention/", {"org": "370102001001"}),
    (URL + "export/", {"org": "370102001001", "table": "children", "format": "xlsx"}),
    (URL + "export/", {"org": "370102001001001", "table": "children", "format": "csv"}),
    (URL + "export/", {"org": "370102001001", "table": "attention", "format": "csv"}),
]


MAX_QUERIES = 8


def _queries(user, url, params, assert_max) -> int:
    user = User.objects.get(pk=user.pk)  # a fresh object: no scope cached from an earlier request
    with assert_max(MAX_QUERIES), CaptureQueriesContext(connection) as ctx:
        response = get(user, url, **params, **MARCH_Q)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


def test_query_count_is_fixed_whatever_the_number_of_tickets(tree, frozen, django_assert_max_num_queries):
    _bulk(tree, 5)
    small = [_queries(tree.sup_d1, url, params, django_assert_max_num_queries) for url, params in ENDPOINTS]
    _bulk(tree, 45)
    large = [_queries(tree.sup_d1, url, params, django_assert_max_num_queries) for url, params in ENDPOINTS]
    assert small == large


def test_export_csv_carries_the_same_numbers(scenario, tree, frozen):
    response = get(tree.sup_d1, URL + "export/", org="370102001001", table="children", format="csv", **MARCH_Q)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == (
        'attachment; filename="metrics-children-370102001001-20260301-20260331.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Code", "Name", "Tickets", "Responded on time", "Response rate"]
    assert rows[1][:5] == ["370102001001001", "青龙第1网格", "6", "4", "66.67%"]
    assert rows[-1][1:5] == ["Total: 青龙社区", "8", "6", "75.00%"]
    # Satisfaction rate of G2 (nobody rated): "—".
    assert rows[2][11] == "—"


def test_export_xlsx_carries_the_same_numbers(scenario, tree, frozen):
    api = get(tree.sup_d1, org="370102001001", **MARCH_Q).json()
    response = get(tree.sup_d1, URL + "export/", org="370102001001", table="rates", format="xlsx", **MARCH_Q)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    headers, values = [c.value for c in sheet[1]], [c.value for c in sheet[2]]
    row = dict(zip(headers, values, strict=True))
    assert row["Code"] == "370102001001"
    assert row["Tickets"] == api["tickets"] == 8
    assert row["Response rate"] == api["response_rate"] == 0.75
    assert row["Satisfaction rate"] == api["satisfaction_rate"]
    assert row["Overdue, open"] == api["overdue_open"]
    assert sheet[1][0].font.bold


@pytest.mark.parametrize("table", ["rates", "children", "trend", "top-categories", "attention"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_table_exports(scenario, tree, frozen, table, fmt):
    response = get(tree.admin, URL + "export/", table=table, format=fmt, **MARCH_Q)
    assert response.status_code == 200, response.content
    assert f"metrics-{table}-370100-20260301-20260331.{fmt}" in response["Content-Disposition"]


def test_export_neutralises_formulas(tree, frozen):
    make_ticket(tree.g1, category=tree.road, submitted=at(3, 2), title='=HYPERLINK("http://x","y")')
    response = get(tree.admin, URL + "export/", table="attention", format="csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][1] == '\'=HYPERLINK("http://x","y")'
    response = get(tree.admin, URL + "export/", table="attention", format="xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["B2"].value == '\'=HYPERLINK("http://x","y")'
    assert sheet["B2"].data_type == "s"


def test_export_bad_table_or_format(tree, frozen):
    response = get(tree.admin, URL + "export/", table="users", format="csv")
    assert response.status_code == 400
    assert "table" in response.json()["fields"]
    response = get(tree.admin, URL + "export/", table="rates", format="pdf")
    assert response.status_code == 400
    assert "format" in response.json()["fields"]


def test_export_headers_in_chinese_by_default(scenario, tree, frozen):
    response = get(
        tree.sup_d1, URL + "export/", lang="zh-hans", org="370102001001", table="children", format="csv", **MARCH_Q
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["编码", "名称", "工单数", "按时响应", "响应率"]
    assert rows[-1][1] == "合计：青龙社区"
    assert rows[-2][1] == "青龙社区（未落到下级区域）"


def test_metrics_words_do_not_change_the_same_words_elsewhere():
    # The table words carry the "metrics" context: a ticket state "Submitted" keeps its own translation.
    from django.utils import translation

    from apps.tickets.models import State

    with translation.override("zh-hans"):
        assert str(State.SUBMITTED.label) != "新增"
        assert translation.pgettext("metrics", "Submitted") == "新增"
