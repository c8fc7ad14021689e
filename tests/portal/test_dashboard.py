"""The supervisor's dashboard: the three rates for the scope and period, drill-down, exports."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from apps.tickets import services
from apps.tickets.models import State
from tests.portal.conftest import bring_to, submit

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def kpi(page: str, name: str) -> str:
    marker = f'data-kpi="{name}">'
    start = page.index(marker) + len(marker)
    return page[start : page.index("<", start)].strip()


@pytest.fixture
def rated(world):
    """Three tickets in D1: one resolved and rated 5, one rated 2, one open."""
    good = bring_to(world, submit(world), State.RESOLVED)
    services.ticket_rate(ticket=good, actor=world.resident, score=5)
    poor = bring_to(world, submit(world), State.RESOLVED)
    services.ticket_rate(ticket=poor, actor=world.resident, score=2)
    submit(world)
    submit(world, where="370103001001001", resident="other_resident")  # another district
    return good, poor


def test_dashboard_shows_the_rates_of_the_scope(world, rated, as_user):
    page = as_user("district_supervisor").get("/dashboard/", **EN).content.decode()
    assert kpi(page, "tickets") == "3"
    assert kpi(page, "resolution_rate") == "66.7%"
    assert kpi(page, "satisfaction_rate") == "50.0%"
    assert world.c1.name in page or "解放路街道" in page  # the drill-down lists the children


def test_empty_denominator_is_a_dash(world, as_user):
    page = as_user("district_supervisor").get("/dashboard/", **EN).content.decode()
    assert kpi(page, "tickets") == "0"
    assert kpi(page, "satisfaction_rate") == "—"
    assert kpi(page, "response_rate") == "—"


def test_drill_down_to_a_grid_and_its_workers(world, rated, as_user):
    client = as_user("district_supervisor")
    page = client.get("/dashboard/", {"org": world.g1.code}, **EN).content.decode()
    assert kpi(page, "tickets") == "3"
    assert world.worker.full_name in page  # one row per worker under a grid


def test_dashboard_access(world, as_user):
    assert Client().get("/dashboard/").status_code == 302
    assert as_user("resident").get("/dashboard/").status_code == 403
    assert as_user("department_staff").get("/dashboard/").status_code == 403
    # A node outside the scope looks like no node at all.
    assert as_user("district_supervisor").get("/dashboard/", {"org": world.d2.code}).status_code == 404
    assert as_user("admin").get("/dashboard/").status_code == 200


def test_bad_period_shows_field_errors(world, as_user):
    response = as_user("district_supervisor").get("/dashboard/", {"from": "2026-13-01"}, **EN)
    assert response.status_code == 400
    assert "Give a date such as 2026-11-01." in response.content.decode()
    reversed_ = as_user("district_supervisor").get("/dashboard/", {"from": "2026-11-20", "to": "2026-11-01"}, **EN)
    assert reversed_.status_code == 400
    assert "Must be on or before" in reversed_.content.decode()


def test_exports_csv_and_xlsx(world, rated, as_user):
    client = as_user("district_supervisor")
    response = client.get("/dashboard/export/children.csv", **EN)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Code", "Name", "Tickets"]
    assert rows[-1][2] == "3"
    xlsx = client.get("/dashboard/export/summary.xlsx", **EN)
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1][0] == world.d1.code
    assert values[1][2] == 3
    for table in ("trend", "categories", "attention"):
        assert client.get(f"/dashboard/export/{table}.xlsx").status_code == 200
    assert client.get("/dashboard/export/secrets.csv").status_code == 404
    assert as_user("resident").get("/dashboard/export/summary.csv").status_code == 403
    assert client.get("/dashboard/export/summary.csv", {"org": world.d2.code}).status_code == 404


def test_dashboard_query_count_is_bounded(world, as_user, django_assert_max_num_queries):
    for _ in range(6):
        bring_to(world, submit(world), State.RESOLVED)
    client = as_user("district_supervisor")
    with django_assert_max_num_queries(20) as few:
        client.get("/dashboard/")
    baseline = len(few.captured_queries)
    for _ in range(6):
        submit(world, where="370102001001002")
    with django_assert_max_num_queries(baseline):
        assert client.get("/dashboard/").status_code == 200
