"""The ticket page and its actions: who sees what, POST-only changes, CSRF, errors as messages."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from apps.tickets.models import State, Ticket
from tests.portal.conftest import bring_to, jpeg_bytes, login_client, submit

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("resident", 200),
        ("worker", 200),
        ("clerk", 200),
        ("community_supervisor", 200),
        ("district_supervisor", 200),
        ("admin", 200),
        ("other_resident", 404),
        ("worker2", 404),
        ("other_supervisor", 404),
        ("department_staff", 404),
    ],
)
def test_ticket_page_by_role(world, as_user, name, status):
    ticket = submit(world)
    assert as_user(name).get(f"/tickets/{ticket.pk}/").status_code == status


def test_ticket_page_needs_a_login(world, client):
    ticket = submit(world)
    response = client.get(f"/tickets/{ticket.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_staff_see_actions_and_internal_notes_residents_do_not(world, as_user):
    ticket = submit(world)
    worker_page = as_user("worker").get(f"/tickets/{ticket.pk}/", **EN).content.decode()
    assert 'id="action-accept"' in worker_page
    assert 'id="action-transfer"' in worker_page
    assert 'class="event ev-route"' in worker_page  # the routing decision, an internal event
    assert "13812345678" in worker_page  # the assignee sees the phone whole
    resident_page = as_user("resident").get(f"/tickets/{ticket.pk}/", **EN).content.decode()
    assert 'id="action-accept"' not in resident_page
    assert 'class="event ev-route"' not in resident_page
    clerk_page = as_user("clerk").get(f"/tickets/{ticket.pk}/", **EN).content.decode()
    assert "138****5678" in clerk_page  # a clerk is neither assignee nor supervisor: masked


def test_get_never_changes_state(world, as_user):
    ticket = submit(world)
    client = as_user("worker")
    assert client.get(f"/tickets/{ticket.pk}/accept/").status_code == 405
    assert Ticket.objects.get(pk=ticket.pk).state == State.SUBMITTED


def test_csrf_is_enforced(world):
    ticket = submit(world)
    client = login_client(world.worker, enforce_csrf_checks=True)
    assert client.post(f"/tickets/{ticket.pk}/accept/").status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).state == State.SUBMITTED
    page = client.get(f"/tickets/{ticket.pk}/")
    token = page.cookies["csrftoken"].value
    response = client.post(f"/tickets/{ticket.pk}/accept/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).state == State.ACCEPTED


def test_worker_accepts_starts_and_resolves_with_photos(world, as_user):
    ticket = submit(world)
    client = as_user("worker")
    assert client.post(f"/tickets/{ticket.pk}/accept/").status_code == 302
    assert client.post(f"/tickets/{ticket.pk}/start/", {"note": "到场"}).status_code == 302
    photo = SimpleUploadedFile("after.jpg", jpeg_bytes(), content_type="image/jpeg")
    response = client.post(f"/tickets/{ticket.pk}/resolve/", {"note": "已修复", "photos": [photo]})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == State.RESOLVED
    assert ticket.resolution_note == "已修复"
    event = ticket.events.get(action="resolve")
    assert list(ticket.attachments.values_list("event_id", flat=True)) == [event.pk]


def test_a_required_note_is_a_field_error_and_nothing_changes(world, as_user):
    ticket = bring_to(world, submit(world), State.ACCEPTED)
    response = as_user("worker").post(f"/tickets/{ticket.pk}/resolve/", {"note": "  "}, **EN)
    assert response.status_code == 400
    assert "Say how the request was resolved." in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).state == State.ACCEPTED


def test_a_bad_photo_undoes_the_resolution(world, as_user):
    ticket = bring_to(world, submit(world), State.ACCEPTED)
    fake = SimpleUploadedFile("x.jpg", b"GIF89a....", content_type="image/jpeg")
    response = as_user("worker").post(f"/tickets/{ticket.pk}/resolve/", {"note": "ok", "photos": [fake]}, **EN)
    assert response.status_code == 400
    assert "x.jpg:" in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).state == State.ACCEPTED
    assert ticket.events.filter(action="resolve").count() == 0


def test_a_refused_action_is_a_409_message_not_a_500(world, as_user):
    ticket = submit(world)
    response = as_user("worker").post(f"/tickets/{ticket.pk}/close/", **EN)
    assert response.status_code == 409
    assert "Cannot Confirm and close (close) a ticket that is Submitted" in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).state == State.SUBMITTED


def test_actions_on_someone_elses_ticket_are_404(world, as_user):
    ticket = submit(world)
    assert as_user("worker2").post(f"/tickets/{ticket.pk}/accept/").status_code == 404
    assert as_user("worker").post(f"/tickets/{ticket.pk}/no-such-action/").status_code == 404
    assert Ticket.objects.get(pk=ticket.pk).state == State.SUBMITTED


def test_resident_confirms_rates_and_disputes(world, as_user):
    resident = as_user("resident")
    first = bring_to(world, submit(world), State.RESOLVED)
    page = resident.get(f"/tickets/{first.pk}/").content.decode()
    assert 'id="action-rate"' in page and 'id="action-close"' in page and 'id="action-reopen"' in page
    bad = resident.post(f"/tickets/{first.pk}/rate/", {"score": "9"}, **EN)
    assert bad.status_code == 400
    assert "Rate from 1 to 5." in bad.content.decode()
    assert resident.post(f"/tickets/{first.pk}/rate/", {"score": "5", "comment": "好"}).status_code == 302
    assert Ticket.objects.get(pk=first.pk).rating.score == 5
    assert resident.post(f"/tickets/{first.pk}/close/").status_code == 302
    assert Ticket.objects.get(pk=first.pk).state == State.CLOSED
    second = bring_to(world, submit(world), State.RESOLVED)
    assert resident.post(f"/tickets/{second.pk}/reopen/", {"note": "还是不行"}).status_code == 302
    second.refresh_from_db()
    assert (second.state, second.reopen_count) == (State.IN_PROGRESS, 1)


def test_resident_cannot_write_internal_comments(world, as_user):
    ticket = submit(world)
    as_user("resident").post(f"/tickets/{ticket.pk}/comment/", {"body": "补充", "is_internal": "on"}, **EN)
    assert ticket.comments.count() == 0


def test_comments_public_and_internal(world, as_user):
    ticket = submit(world)
    as_user("worker").post(f"/tickets/{ticket.pk}/comment/", {"body": "内部备注", "is_internal": "on"})
    as_user("worker").post(f"/tickets/{ticket.pk}/comment/", {"body": "已安排"})
    resident_page = as_user("resident").get(f"/tickets/{ticket.pk}/").content.decode()
    assert "已安排" in resident_page
    assert "内部备注" not in resident_page
    assert "内部备注" in as_user("worker").get(f"/tickets/{ticket.pk}/").content.decode()


def test_transfer_and_return(world, as_user):
    ticket = submit(world)
    client = as_user("worker")
    response = client.post(f"/tickets/{ticket.pk}/transfer/", {"grid": world.g2.code, "reason": "不在本网格"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.grid, ticket.assignee) == (world.g2, world.worker2)
    assert as_user("worker2").post(f"/tickets/{ticket.pk}/return/", {"reason": ""}, **EN).status_code == 400
    assert as_user("worker2").post(f"/tickets/{ticket.pk}/return/", {"reason": "错派"}).status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).assignee is None


def test_supervisor_issues_a_supervision_order_and_reassigns(world, as_user):
    ticket = submit(world)
    client = as_user("district_supervisor")
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert 'id="action-supervise"' in page and 'id="action-reassign"' in page
    past = client.post(f"/tickets/{ticket.pk}/supervise/", {"note": "尽快", "due_at": "2000-01-01T10:00"}, **EN)
    assert past.status_code == 400
    assert "The new deadline must be in the future." in past.content.decode()
    assert (
        client.post(f"/tickets/{ticket.pk}/supervise/", {"note": "尽快", "due_at": "2099-01-01T10:00"}).status_code
        == 302
    )
    assert ticket.supervision_orders.count() == 1
    assert client.post(f"/tickets/{ticket.pk}/reassign/", {"assignee": world.deputy.pk}).status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).assignee == world.deputy


def test_merge_by_tracking_code(world, as_user):
    original = submit(world)
    duplicate = submit(world, description="同一个坑")
    client = as_user("clerk")
    bad = client.post(f"/tickets/{duplicate.pk}/merge/", {"into": "NOPE"}, **EN)
    assert bad.status_code == 400
    assert "Give the tracking code of another open ticket you can see." in bad.content.decode()
    assert client.post(f"/tickets/{duplicate.pk}/merge/", {"into": original.code}).status_code == 302
    duplicate.refresh_from_db()
    assert (duplicate.state, duplicate.merged_into) == (State.MERGED, original)


def test_receipt_shows_code_and_time_limit(world, as_user):
    ticket = submit(world)
    page = as_user("clerk").get(f"/tickets/{ticket.pk}/receipt/").content.decode()
    assert ticket.code in page
    assert ticket.resolve_by is None or ticket.resolve_by.astimezone().strftime("%Y") in page
    assert as_user("worker2").get(f"/tickets/{ticket.pk}/receipt/").status_code == 404


def test_ticket_page_query_count_does_not_grow_with_events(world, as_user, django_assert_max_num_queries):
    ticket = submit(world)
    client = as_user("district_supervisor")
    for i in range(15):
        client.post(f"/tickets/{ticket.pk}/comment/", {"body": f"备注 {i}"})
    with django_assert_max_num_queries(30) as few:
        client.get(f"/tickets/{ticket.pk}/")
    small = len(few.captured_queries)
    for i in range(15):
        client.post(f"/tickets/{ticket.pk}/comment/", {"body": f"再备注 {i}", "is_internal": "on"})
    with django_assert_max_num_queries(small):
        assert client.get(f"/tickets/{ticket.pk}/").status_code == 200


def test_staff_ticket_list_filters_within_scope(world, as_user, django_assert_max_num_queries):
    mine = [submit(world) for _ in range(5)]
    far = submit(world, where="370103001001001", resident="other_resident")
    client = as_user("district_supervisor")
    with django_assert_max_num_queries(10):
        page = client.get("/tickets/", {"state": "open"}).content.decode()
    assert all(t.code in page for t in mine)
    assert far.code not in page
    assert client.get("/tickets/", {"q": mine[0].code}).status_code == 200
    assert as_user("resident").get("/tickets/").status_code == 403
    assert Client().get("/tickets/").status_code == 302
