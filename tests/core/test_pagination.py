"""Lists count at most COUNT_CAP rows: exact below it, "more than" above it, on every list."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.core.pagination import CappedPaginator
from apps.people.models import User
from apps.portal.views.common import PAGE_SIZE
from apps.tickets.models import Channel
from tests.tickets.conftest import api_client, submit, world  # noqa: F401 — the shared small world


def submit_many(world, n):  # noqa: F811
    for i in range(n):
        submit(world, description=f"路灯不亮 {i}", channel=Channel.API)
    return world


@pytest.fixture
def three_tickets(world):  # noqa: F811
    return submit_many(world, 3)


@pytest.mark.django_db
def test_below_the_cap_the_count_is_exact():
    for i in range(4):
        User.objects.create_user(username=f"u{i}")
    paginator = CappedPaginator(User.objects.order_by("pk"), 2)
    assert (paginator.count, paginator.count_is_exact, paginator.num_pages) == (4, True, 2)


@pytest.mark.django_db
def test_above_the_cap_counting_stops_and_says_so(monkeypatch, django_assert_num_queries):
    for i in range(5):
        User.objects.create_user(username=f"u{i}")
    monkeypatch.setattr(CappedPaginator, "count_cap", 3)
    paginator = CappedPaginator(User.objects.order_by("pk"), 2)
    with django_assert_num_queries(1) as ctx:
        assert (paginator.count, paginator.count_is_exact, paginator.num_pages) == (3, False, 2)
    assert "LIMIT 4" in ctx.captured_queries[0]["sql"]  # counted in a subquery bounded by the cap
    assert [u.username for u in paginator.page(2)] == ["u2"]  # pages go as far as the cap


def test_a_plain_list_is_always_exact():
    paginator = CappedPaginator(list(range(7)), 5)
    assert (paginator.count, paginator.count_is_exact) == (7, True)


def test_the_api_says_whether_the_count_is_exact(three_tickets, monkeypatch):
    supervisor = three_tickets.district_supervisor
    answer = api_client(supervisor).get("/api/v1/tickets/").json()
    assert (answer["count"], answer["count_is_exact"], len(answer["results"])) == (3, True, 3)

    monkeypatch.setattr(CappedPaginator, "count_cap", 2)
    answer = api_client(supervisor).get("/api/v1/tickets/", {"page_size": 1}).json()
    assert (answer["count"], answer["count_is_exact"], len(answer["results"])) == (2, False, 1)
    assert answer["next"] and "page=2" in answer["next"]


def test_the_pages_pager_says_more_than(world, monkeypatch):  # noqa: F811
    submit_many(world, PAGE_SIZE + 2)
    monkeypatch.setattr(CappedPaginator, "count_cap", PAGE_SIZE + 1)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.district_supervisor)
    page = client.get("/tickets/").content.decode()
    assert "Page 1 of more than 2" in page
