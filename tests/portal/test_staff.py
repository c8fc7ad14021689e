"""The grid worker's queue and patrol report, the clerk's desk, the inbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.notifications.models import Channel as NotificationChannel
from apps.notifications.models import Notification
from apps.tickets.models import Channel, State, Ticket
from tests.portal.conftest import bring_to, center, submit

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_queue_is_for_staff(world, as_user):
    assert as_user("worker").get("/queue/").status_code == 200
    assert as_user("resident").get("/queue/").status_code == 403
    assert Client().get("/queue/").status_code == 302


def test_queue_sorted_by_the_running_deadline_with_colours(world, as_user):
    later = submit(world, description="later")
    sooner = submit(world, description="sooner")
    late = submit(world, description="late")
    now = timezone.now()
    Ticket.objects.filter(pk=later.pk).update(
        respond_by=now + timedelta(hours=5), respond_warn_at=now + timedelta(hours=4)
    )
    Ticket.objects.filter(pk=sooner.pk).update(
        respond_by=now + timedelta(hours=1), respond_warn_at=now - timedelta(minutes=5)
    )
    Ticket.objects.filter(pk=late.pk).update(
        respond_by=now - timedelta(hours=2), respond_warn_at=now - timedelta(hours=3)
    )
    other = submit(world, where="370102001001002")  # worker2's grid
    page = as_user("worker").get("/queue/", **EN).content.decode()
    assert page.index(late.code) < page.index(sooner.code) < page.index(later.code)
    assert other.code not in page
    assert "1 overdue" in page and "1 nearly due" in page
    assert "clock-breach" in page and "clock-warning" in page
    assert "overdue by 2 h" in page


def test_queue_query_count_is_bounded(world, as_user, django_assert_max_num_queries):
    for _ in range(10):
        submit(world)
    client = as_user("worker")
    with django_assert_max_num_queries(12) as few:
        client.get("/queue/")
    baseline = len(few.captured_queries)
    for _ in range(10):
        submit(world)
    with django_assert_max_num_queries(baseline):
        assert client.get("/queue/").status_code == 200


def test_patrol_report_is_recorded_as_patrol(world, as_user):
    lat, lng = center(0)
    client = as_user("worker")
    assert client.get("/patrol/").status_code == 200
    response = client.post(
        "/patrol/",
        {"category": "ROAD", "description": "巡查发现井盖松动", "lat": lat, "lng": lng, "attr_kind": "crack"},
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.channel == Channel.PATROL
    assert ticket.contact_phone == world.worker.phone
    assert as_user("resident").get("/patrol/").status_code == 403
    assert as_user("clerk").get("/patrol/").status_code == 403


def test_desk_intake_prints_a_receipt(world, as_user):
    client = as_user("clerk")
    page = client.get("/desk/").content.decode()
    assert "autofocus" in page
    assert f'<option value="{world.c1.code}" selected>' in page  # the clerk's own community
    response = client.post(
        "/desk/",
        {
            "contact_phone": world.resident.phone,
            "contact_name": "居民",
            "channel": Channel.PHONE,
            "category": "ROAD",
            "description": "来电反映",
            "address": "3号楼",
            "community": world.c1.code,
            "attr_kind": "pothole",
        },
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert response["Location"] == f"/tickets/{ticket.pk}/receipt/"
    assert (ticket.channel, ticket.community, ticket.recorded_by) == (Channel.PHONE, world.c1, world.clerk)
    assert ticket.resident == world.resident  # a walk-in with an account sees it under "my requests"
    assert ticket.code in client.get(response["Location"]).content.decode()


def test_desk_resolves_on_the_spot(world, as_user):
    client = as_user("clerk")
    data = {
        "contact_phone": "13811112222",
        "contact_name": "居民",
        "channel": Channel.WINDOW,
        "category": "INFO",
        "description": "咨询政策",
        "community": world.c1.code,
        "resolve_on_spot": "on",
    }
    missing = client.post("/desk/", data, **EN)
    assert missing.status_code == 400
    assert "Say how the request was resolved." in missing.content.decode()
    assert Ticket.objects.count() == 0
    assert client.post("/desk/", {**data, "resolution_note": "当场解答"}).status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.resolved_at_window is True
    assert ticket.state == State.CLOSED  # INFO needs no confirmation


def test_desk_is_for_clerks(world, as_user):
    assert as_user("worker").get("/desk/").status_code == 403
    assert as_user("resident").get("/desk/").status_code == 403


def test_desk_history_finds_earlier_requests_by_phone_within_scope(world, as_user):
    mine = submit(world)
    elsewhere = submit(world, where="370103001001001")
    part = as_user("clerk").get("/desk/history/", {"contact_phone": world.resident.phone}).content.decode()
    assert mine.code in part
    assert elsewhere.code not in part
    assert as_user("resident").get("/desk/history/", {"contact_phone": world.resident.phone}).status_code == 403


def test_inbox_and_unread_badge(world, as_user):
    ticket = submit(world)
    now = timezone.now()
    for i in range(3):
        Notification.objects.create(
            recipient=world.worker,
            channel=NotificationChannel.IN_APP,
            kind="assigned",
            ticket=ticket,
            subject=f"新工单 {i}",
            body="请处理",
            created_at=now,
        )
    unread = Notification.objects.filter(recipient=world.worker, channel="in_app", read_at__isnull=True).count()
    assert unread >= 3
    client = as_user("worker")
    page = client.get("/queue/").content.decode()
    assert '<span class="badge"' in page and f">{unread}</span>" in page
    inbox = client.get("/inbox/").content.decode()
    assert "新工单 2" in inbox
    assert client.get("/inbox/read/").status_code == 405
    assert client.post("/inbox/read/").status_code == 302
    assert Notification.objects.filter(recipient=world.worker, read_at__isnull=True).count() == 0
    assert '<span class="badge"' not in client.get("/queue/").content.decode()
    # Someone else's inbox is not shown.
    assert "新工单" not in as_user("worker2").get("/inbox/").content.decode()


def test_queue_accept_button_posts(world, as_user):
    ticket = submit(world)
    page = as_user("worker").get("/queue/").content.decode()
    assert f'action="/tickets/{ticket.pk}/accept/"' in page
    bring_to(world, ticket, State.ACCEPTED)
    assert f'action="/tickets/{ticket.pk}/accept/"' not in as_user("worker").get("/queue/").content.decode()


def test_department_staff_see_their_departments_queue(world, as_user):
    ticket = submit(world, category=world.water)
    page = as_user("department_staff").get("/queue/").content.decode()
    assert ticket.code in page
    assert ticket.code not in as_user("worker").get("/queue/").content.decode()


def test_patrol_photos_come_from_the_camera(world, as_user):
    page = as_user("worker").get("/patrol/").content.decode()
    assert 'capture="environment"' in page
    assert 'accept="image/*"' in page
