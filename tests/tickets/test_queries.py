"""The list and detail endpoints run a fixed number of SQL queries whatever the page size or timeline length."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.people.models import User
from apps.tickets import services
from apps.tickets.attachments import attachment_add
from tests.tickets.conftest import api_client, make_ticket
from tests.tickets.test_attachments import jpeg_bytes

# Measured: list = the caller's scope (1, none for residents and admins) + count (1) + page (1);
# detail = scope (1) + the ticket with its joins (1) + events, comments, attachments (3).
LIST_QUERIES = 3
DETAIL_QUERIES = 5
ROLES = ["admin", "clerk", "district_supervisor", "worker", "resident", "department_staff"]


def varied_tickets(world, n: int) -> None:
    """Tickets touching every related row the list shows: categories, grids, departments, assignees."""
    for i in range(n):
        if i % 3 == 0:
            make_ticket(world, category=world.water)
        elif i % 3 == 1:
            make_ticket(world, assignee=world.deputy, category=world.info)
        else:
            make_ticket(world, grid=world.g2, org_path=world.g2.path, assignee=world.worker2)


def fresh(user) -> User:
    # A new instance per request, as in production (scope_for caches on the user object).
    return User.objects.get(pk=user.pk)


def count_queries(user, path, **params) -> tuple[int, object]:
    client = api_client(fresh(user))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params)
    assert response.status_code == 200, response.content
    return len(captured), response


@pytest.mark.parametrize("role", ROLES)
def test_list_query_count_does_not_grow_with_the_page(world, role, django_assert_max_num_queries):
    user = getattr(world, role)
    varied_tickets(world, 5)
    small, response_small = count_queries(user, "/api/v1/tickets/")
    varied_tickets(world, 20)
    large, response_large = count_queries(user, "/api/v1/tickets/")
    assert small == large, (small, large)
    if role == "admin":
        assert (len(response_small.json()["results"]), len(response_large.json()["results"])) == (5, 25)
    client = api_client(fresh(user))
    with django_assert_max_num_queries(LIST_QUERIES):
        client.get("/api/v1/tickets/")


def test_list_with_filters_and_ordering_is_still_bounded(world, django_assert_max_num_queries):
    varied_tickets(world, 25)
    client = api_client(fresh(world.clerk))
    with django_assert_max_num_queries(LIST_QUERIES + 1):  # + the org node lookup of ?org=
        response = client.get(
            "/api/v1/tickets/",
            {"state": "submitted", "org": world.c1.code, "assignee": "none", "overdue": "false",
             "ordering": "-resolve_by", "search": "坑"},
        )  # fmt: skip
    assert response.status_code == 200


def busy(world, ticket, n: int) -> None:
    for i in range(n):
        services.ticket_comment(ticket=ticket, actor=world.worker, body=f"进展 {i}", is_internal=bool(i % 2))
        attachment_add(ticket=ticket, uploaded_by=world.worker, upload=SimpleUploadedFile(f"{i}.jpg", jpeg_bytes()))


@pytest.mark.parametrize("role", ["admin", "clerk", "worker", "resident"])
def test_detail_query_count_does_not_grow_with_the_timeline(world, role, django_assert_max_num_queries):
    user = getattr(world, role)
    short = make_ticket(world)
    long = make_ticket(world)
    busy(world, short, 1)
    busy(world, long, 15)
    services.ticket_accept(ticket=long, actor=world.worker)
    services.ticket_resolve(ticket=long, actor=world.worker, note="已修复")
    services.ticket_rate(ticket=long, actor=world.resident, score=5, comment="好")
    few, _ = count_queries(user, f"/api/v1/tickets/{short.pk}/")
    many, response = count_queries(user, f"/api/v1/tickets/{long.pk}/")
    assert few == many, (few, many)
    assert len(response.json()["events"]) >= (9 if role == "resident" else 17)
    client = api_client(fresh(user))
    with django_assert_max_num_queries(DETAIL_QUERIES):
        client.get(f"/api/v1/tickets/{long.pk}/")


def test_action_response_is_bounded_too(world, django_assert_max_num_queries):
    ticket = make_ticket(world)
    busy(world, ticket, 10)
    with django_assert_max_num_queries(25):
        response = api_client(fresh(world.worker)).post(f"/api/v1/tickets/{ticket.pk}/accept/", {}, format="json")
    assert response.status_code == 200


def test_a_merged_ticket_names_its_target_for_one_query_more(world):
    target = make_ticket(world)
    duplicate = make_ticket(world)
    plain, _ = count_queries(world.district_supervisor, f"/api/v1/tickets/{target.pk}/")
    services.ticket_merge(ticket=duplicate, actor=world.district_supervisor, into_id=target.pk)
    queries, response = count_queries(world.district_supervisor, f"/api/v1/tickets/{duplicate.pk}/")
    assert response.json()["merged_into"] == target.code
    assert queries == plain + 1  # the target's code, fetched by id instead of a join planned every time
