"""List filters, search, the ordering allow-list and pagination."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.tickets.models import Ticket
from tests.tickets.conftest import api_client, make_ticket

URL = "/api/v1/tickets/"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [t["id"] for t in response.json()["results"]]


@pytest.fixture
def spread(world):
    """Tickets differing in every filtered column, all visible to the admin."""
    now = timezone.now()
    t = {
        "g1_worker": make_ticket(world, title="路灯不亮", description="晚上很黑", address="青龙街 1 号"),
        "g2_worker2": make_ticket(world, grid=world.g2, org_path=world.g2.path, assignee=world.worker2,
                                  channel="window", title="井盖松动"),
        "water": make_ticket(world, category=world.water, channel="phone", title="停水三天"),
        "c1_queue": make_ticket(world, grid=None, org_path=world.c1.path, assignee=None, title="小区噪音"),
        "g4_far": make_ticket(world, grid=world.g4, community=world.c2, org_path=world.g4.path,
                              assignee=world.worker_far, channel="patrol", title="垃圾堆积"),
        "closed": make_ticket(world, state="closed", title="已办结的坑"),
    }  # fmt: skip
    for i, key in enumerate(t):
        Ticket.objects.filter(pk=t[key].pk).update(submitted_at=now - timedelta(days=10 - i))
    return {k: Ticket.objects.get(pk=v.pk) for k, v in t.items()}


def keyed(spread, response) -> set[str]:
    by_id = {v.pk: k for k, v in spread.items()}
    return {by_id[i] for i in ids(response)}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"state": "closed"}, {"closed"}),
        ({"state": ["submitted", "closed"]}, {"g1_worker", "g2_worker2", "water", "c1_queue", "g4_far", "closed"}),
        ({"category": "WATER"}, {"water"}),
        ({"grid": "370102001001002"}, {"g2_worker2"}),
        ({"org": "370103"}, {"g4_far"}),
        ({"org": "370102001001"}, {"g1_worker", "g2_worker2", "water", "c1_queue", "closed"}),
        ({"org": "370102001001002"}, {"g2_worker2"}),
        ({"org": "nowhere"}, set()),
        ({"assignee": "none"}, {"water", "c1_queue"}),
        ({"channel": "window"}, {"g2_worker2"}),
        ({"channel": ["phone", "patrol"]}, {"water", "g4_far"}),
        ({"search": "井盖"}, {"g2_worker2"}),
        ({"search": "很黑"}, {"g1_worker"}),
        ({"search": "青龙街"}, {"g1_worker"}),
        ({"search": "%"}, set()),
        ({"search": "_"}, set()),
        ({"assignee": "abc"}, set()),
    ],
)
def test_each_filter(world, spread, params, expected):
    assert keyed(spread, api_client(world.admin).get(URL, params)) == expected


def test_assignee_me_and_by_id(world, spread):
    assert keyed(spread, api_client(world.worker2).get(URL, {"assignee": "me"})) == {"g2_worker2"}
    assert keyed(spread, api_client(world.admin).get(URL, {"assignee": str(world.worker_far.pk)})) == {"g4_far"}


def test_search_by_code_forgives_case_and_separators(world, spread):
    code = spread["water"].code
    for query in (code, code.lower(), f"{code[:5]}-{code[5:]}", f" {code} "):
        assert keyed(spread, api_client(world.admin).get(URL, {"search": query})) == {"water"}, query


def test_created_range(world, spread):
    now = timezone.now()
    params = {"created_after": (now - timedelta(days=9, hours=1)).isoformat(),
              "created_before": (now - timedelta(days=6, hours=1)).isoformat()}  # fmt: skip
    assert keyed(spread, api_client(world.admin).get(URL, params)) == {"g2_worker2", "water", "c1_queue"}


def test_overdue(world, spread):
    past, future = timezone.now() - timedelta(hours=1), timezone.now() + timedelta(days=1)
    Ticket.objects.update(respond_by=future, resolve_by=future)
    Ticket.objects.filter(pk=spread["g1_worker"].pk).update(resolve_by=past)  # late resolution
    Ticket.objects.filter(pk=spread["water"].pk).update(respond_by=past, accepted_at=None)  # late response
    Ticket.objects.filter(pk=spread["g2_worker2"].pk).update(respond_by=past, accepted_at=timezone.now())  # answered
    Ticket.objects.filter(pk=spread["closed"].pk).update(resolve_by=past)  # closed: never overdue
    client = api_client(world.admin)
    assert keyed(spread, client.get(URL, {"overdue": "true"})) == {"g1_worker", "water"}
    assert keyed(spread, client.get(URL, {"overdue": "false"})) == {"g2_worker2", "c1_queue", "g4_far", "closed"}
    listed = {t["id"]: t["overdue"] for t in client.get(URL).json()["results"]}
    assert listed[spread["g1_worker"].pk] is True and listed[spread["closed"].pk] is False


def test_filters_never_reach_outside_the_scope(world, spread):
    client = api_client(world.clerk)
    assert ids(client.get(URL, {"grid": "370103001001001"})) == []
    assert ids(client.get(URL, {"org": "370103"})) == []
    assert ids(client.get(URL, {"search": spread["g4_far"].code})) == []
    assert ids(client.get(URL, {"assignee": str(world.worker_far.pk)})) == []


@pytest.mark.parametrize("ordering", ["submitted_at", "-submitted_at", "resolve_by", "-respond_by", "updated_at", "id"])
def test_allowed_orderings(world, spread, ordering):
    field = ordering.lstrip("-")
    Ticket.objects.update(resolve_by=timezone.now(), respond_by=timezone.now())
    for i, t in enumerate(spread.values()):
        Ticket.objects.filter(pk=t.pk).update(
            resolve_by=timezone.now() + timedelta(hours=7 * i % 5), respond_by=timezone.now() - timedelta(hours=i)
        )
    rows = Ticket.objects.order_by(ordering, "id").values_list("id", flat=True)
    listed = ids(api_client(world.admin).get(URL, {"ordering": ordering}))
    values = dict(Ticket.objects.values_list("id", field))
    got = [values[i] for i in listed]
    assert got == sorted(got, reverse=ordering.startswith("-"))
    assert sorted(listed) == sorted(rows)


def test_default_order_is_newest_first(world, spread):
    listed = ids(api_client(world.admin).get(URL))
    assert listed == [t.pk for t in sorted(spread.values(), key=lambda t: t.submitted_at, reverse=True)]


@pytest.mark.parametrize(
    "ordering",
    ["assignee__password", "-assignee__password", "contact_phone", "resident__phone", "code", "title", "?"],
)
def test_ordering_outside_the_allow_list_is_a_400(world, spread, ordering):
    response = api_client(world.clerk).get(URL, {"ordering": ordering})
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "validation_error" and "ordering" in body["fields"]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"state": "nonsense"}, "state"), ({"channel": "pigeon"}, "channel"),
     ({"created_after": "yesterday"}, "created_after"), ({"search": "x" * 101}, "search"),
     ({"overdue": "maybe"}, "overdue")],
)  # fmt: skip
def test_bad_filter_values_are_field_400s(world, spread, params, field):
    response = api_client(world.admin).get(URL, params)
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]


@pytest.mark.parametrize("probe", ["assignee__password__startswith", "contact_phone", "resident__phone__startswith"])
def test_unknown_filters_are_no_probe(world, spread, probe):
    """Whatever the value, a parameter outside the allow-list cannot narrow the results."""
    client = api_client(world.clerk)
    baseline = ids(client.get(URL))
    for value in ("pbkdf2", "x", "138", "!"):
        response = client.get(URL, {probe: value})
        assert response.status_code in (200, 400)
        if response.status_code == 200:
            assert ids(response) == baseline


def test_unknown_filters_are_a_400(world, spread):
    response = api_client(world.clerk).get(URL, {"assignee__password__startswith": "pbkdf2"})
    assert response.status_code == 400


def test_pagination(world):
    for _ in range(30):
        make_ticket(world)
    client = api_client(world.admin)
    first = client.get(URL).json()
    assert (first["count"], len(first["results"]), first["previous"]) == (30, 25, None)
    assert first["next"].endswith("?page=2")
    second = client.get(URL, {"page": 2}).json()
    assert len(second["results"]) == 5 and second["next"] is None
    assert not {t["id"] for t in first["results"]} & {t["id"] for t in second["results"]}
    beyond = client.get(URL, {"page": 3})
    assert beyond.status_code == 404 and beyond.json()["code"] == "not_found"


def test_page_size_is_chosen_by_the_client_within_a_cap(world):
    for _ in range(7):
        make_ticket(world)
    client = api_client(world.admin)
    small = client.get(URL, {"page_size": 3}).json()
    assert (small["count"], len(small["results"])) == (7, 3)
    assert len(client.get(URL, {"page_size": 100000}).json()["results"]) == 7
