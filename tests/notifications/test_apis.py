"""The in-app inbox API: /api/v1/inbox/ (list), unread-count, mark-read, preferences."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from apps.notifications.models import Channel, DeliveryState, Notification, Preference
from tests.notifications.world import at, submit

NOW = at(2025, 6, 9, 10, 0)


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def in_app(user, n: int, *, ticket=None, start=NOW) -> list[Notification]:
    return [
        Notification.objects.create(
            recipient=user,
            channel=Channel.IN_APP,
            state=DeliveryState.SENT,
            kind="reminder",
            ticket=ticket,
            subject=f"subject {i}",
            body=f"body {i}",
            created_at=start + timedelta(minutes=i),
            sent_at=start + timedelta(minutes=i),
        )
        for i in range(n)
    ]


@pytest.fixture
def inbox(world):
    ticket = submit(world)  # writes an "assigned" row for the worker
    Notification.objects.all().delete()
    mine = in_app(world.worker, 3, ticket=ticket)
    theirs = in_app(world.sup_c, 2)
    sms = Notification.objects.create(
        recipient=world.worker, channel=Channel.SMS, address="13900000001", kind="reminder", subject="s", body="b",
        created_at=NOW,
    )  # fmt: skip
    return {"ticket": ticket, "mine": mine, "theirs": theirs, "sms": sms}


def test_the_inbox_lists_the_callers_in_app_rows_newest_first(world, inbox, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = client_for(world.worker).get("/api/v1/inbox/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [r["id"] for r in body["results"]] == [n.pk for n in reversed(inbox["mine"])]
    first = body["results"][0]
    assert first == {
        "id": inbox["mine"][2].pk,
        "kind": "reminder",
        "subject": "subject 2",
        "body": "body 2",
        "ticket": inbox["ticket"].pk,
        "ticket_code": inbox["ticket"].code,
        "created_at": "2025-06-09T10:02:00+08:00",
        "read_at": None,
    }


def test_the_inbox_query_count_does_not_grow_with_its_size(world, inbox, django_assert_max_num_queries):
    in_app(world.worker, 20, ticket=inbox["ticket"])
    with django_assert_max_num_queries(4):
        response = client_for(world.worker).get("/api/v1/inbox/")
    assert response.json()["count"] == 23


def test_unread_count_and_mark_read_only_touch_the_callers_rows(world, inbox):
    worker = client_for(world.worker)
    assert worker.get("/api/v1/inbox/unread-count/").json() == {"unread": 3}
    theirs = inbox["theirs"][0].pk
    response = worker.post("/api/v1/inbox/mark-read/", {"ids": [inbox["mine"][0].pk, theirs]}, format="json")
    assert response.status_code == 200
    assert response.json() == {"marked": 1}
    assert worker.get("/api/v1/inbox/unread-count/").json() == {"unread": 2}
    assert Notification.objects.get(pk=theirs).read_at is None
    assert client_for(world.sup_c).get("/api/v1/inbox/unread-count/").json() == {"unread": 2}
    assert worker.post("/api/v1/inbox/mark-read/", {}, format="json").json() == {"marked": 2}
    assert worker.get("/api/v1/inbox/unread-count/").json() == {"unread": 0}
    assert Notification.objects.get(pk=inbox["sms"].pk).read_at is None


@pytest.mark.parametrize("ids", ["1,2", [1, "x"], {"a": 1}])
def test_mark_read_refuses_anything_but_a_list_of_ids(world, inbox, ids):
    response = client_for(world.worker).post("/api/v1/inbox/mark-read/", {"ids": ids}, format="json")
    assert response.status_code == 400
    assert "ids" in response.json()["fields"]
    assert Notification.objects.filter(read_at__isnull=False).count() == 0


def test_preferences_start_with_the_defaults_and_are_updated_partially(world):
    client = client_for(world.resident)
    assert client.get("/api/v1/inbox/preferences/").json() == {"email": False, "sms": False, "language": "zh-hans"}
    response = client.put("/api/v1/inbox/preferences/", {"sms": True}, format="json")
    assert response.status_code == 200
    assert response.json() == {"email": False, "sms": True, "language": "zh-hans"}
    response = client.put("/api/v1/inbox/preferences/", {"language": "en", "email": True}, format="json")
    assert response.json() == {"email": True, "sms": True, "language": "en"}
    pref = Preference.objects.get(user=world.resident)
    assert (pref.email, pref.sms, pref.language) == (True, True, "en")


def test_an_unknown_language_is_refused_and_nothing_changes(world):
    client = client_for(world.resident)
    client.put("/api/v1/inbox/preferences/", {"sms": True}, format="json")
    response = client.put("/api/v1/inbox/preferences/", {"language": "fr", "sms": False}, format="json")
    assert response.status_code == 400
    assert "language" in response.json()["fields"]
    pref = Preference.objects.get(user=world.resident)
    assert (pref.sms, pref.language) == (True, "zh-hans")


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/inbox/"),
        ("get", "/api/v1/inbox/unread-count/"),
        ("post", "/api/v1/inbox/mark-read/"),
        ("get", "/api/v1/inbox/preferences/"),
        ("put", "/api/v1/inbox/preferences/"),
    ],
)
def test_the_inbox_needs_a_login(db, method, url):
    response = getattr(client_for(), method)(url, {}, format="json")
    assert response.status_code in (401, 403)
    assert Preference.objects.count() == 0


def test_a_real_event_lands_in_the_inbox(world):
    from apps.tickets import services

    ticket = submit(world)
    services.ticket_accept(ticket=ticket, actor=world.worker)
    results = client_for(world.resident).get("/api/v1/inbox/").json()["results"]
    assert [(r["kind"], r["ticket_code"]) for r in results] == [("ticket_accepted", ticket.code)]
    assert ticket.code in results[0]["subject"]
