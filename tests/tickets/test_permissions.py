"""The permission matrix: each role × each route × in scope / out of scope.

Out of scope is a 404 identical to the answer for a ticket that does not exist — never a 403.
Residents see only their own tickets and none of the internal comments, events or attachments.
The contact phone is whole only for the resident, the assignee, supervisors of the scope and admins.
"""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from apps.people.models import Leave
from apps.tickets import services
from apps.tickets.attachments import attachment_add
from apps.tickets.workflow import ACTIONS
from tests.tickets.conftest import api_client, make_ticket, submit

ROLES = [
    "resident", "other_resident", "worker", "deputy", "worker2", "worker_far", "clerk", "community_supervisor",
    "district_supervisor", "other_supervisor", "department_staff", "admin",
]  # fmt: skip
# Who may see a grid ticket in G1 submitted by "resident" and assigned to "worker".
SEES_GRID_TICKET = {"resident", "worker", "deputy", "clerk", "community_supervisor", "district_supervisor", "admin"}
# Who may see a department ticket in G1 (the department's queue, nobody assigned yet).
SEES_DEPARTMENT_TICKET = SEES_GRID_TICKET | {"department_staff"}
PHONE_WHOLE = {"resident", "worker", "community_supervisor", "district_supervisor", "admin"}
MISSING = 987654
ACTION_ROUTES = [name for name in ACTIONS if name != "comment"]  # comments are their own sub-resource


def png_upload(name="photo.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def ticket_for(world, kind: str):
    ticket = make_ticket(world, category=world.water if kind == "department" else world.road)
    attachment = attachment_add(ticket=ticket, uploaded_by=world.worker, upload=png_upload())
    return ticket, attachment


def not_found_body(client, path: str) -> dict:
    return client.get(path).json()


def routes(ticket, attachment) -> list[tuple[str, str, dict | None]]:
    base = f"/api/v1/tickets/{ticket.pk}/"
    out = [
        ("get", base, None),
        ("get", f"{base}comments/", None),
        ("post", f"{base}comments/", {"body": "有进展吗"}),
        ("get", f"{base}attachments/", None),
        ("get", f"{base}attachments/{attachment.pk}/download/", None),
    ]
    return out + [("post", f"{base}{name}/", {}) for name in ACTION_ROUTES]


@pytest.mark.parametrize("kind", ["grid", "department"])
@pytest.mark.parametrize("role", ROLES)
def test_every_route_is_in_scope_or_404(world, role, kind):
    client = api_client(getattr(world, role))
    sees = role in (SEES_GRID_TICKET if kind == "grid" else SEES_DEPARTMENT_TICKET)
    ticket, attachment = ticket_for(world, kind)
    missing = client.get(f"/api/v1/tickets/{MISSING}/").json()
    assert missing["code"] == "not_found"

    listed = [t["id"] for t in client.get("/api/v1/tickets/").json()["results"]]
    assert (ticket.pk in listed) is sees

    seen = {}
    for index, (method, path, payload) in enumerate(routes(ticket, attachment)):
        if method == "post":  # every write gets its own fresh ticket: one action must not move the next
            ticket, attachment = ticket_for(world, kind)
            path = routes(ticket, attachment)[index][1]
        response = client.post(path, payload, format="json") if method == "post" else client.get(path)
        seen[index] = response.status_code
        if sees:
            assert response.status_code not in (403, 404), (path, response.status_code)
        else:
            assert response.status_code == 404, (path, response.status_code)
            assert response.status_code != 403
            if "download" not in path:
                body = response.json()
                assert body["code"] == "not_found" and set(body) == {"code", "message", "fields"}
                assert str(ticket.code) not in json.dumps(body)
    assert len(seen) == 5 + len(ACTION_ROUTES)


@pytest.mark.parametrize("role", [r for r in ROLES if r not in SEES_GRID_TICKET])
def test_out_of_scope_is_indistinguishable_from_missing(world, role):
    ticket, _a = ticket_for(world, "grid")
    client = api_client(getattr(world, role))
    for suffix in ("", "comments/", "attachments/"):
        real = client.get(f"/api/v1/tickets/{ticket.pk}/{suffix}")
        fake = client.get(f"/api/v1/tickets/{MISSING}/{suffix}")
        assert (real.status_code, real.json()) == (fake.status_code, fake.json())
    real = client.post(f"/api/v1/tickets/{ticket.pk}/accept/", {}, format="json")
    fake = client.post(f"/api/v1/tickets/{MISSING}/accept/", {}, format="json")
    assert (real.status_code, real.json()) == (fake.status_code, fake.json()) and real.status_code == 404


def test_anonymous_sees_nothing(world):
    ticket, attachment = ticket_for(world, "grid")
    client = api_client()
    assert client.get("/api/v1/tickets/").status_code in (401, 403)
    for method, path, _payload in routes(ticket, attachment):
        response = getattr(client, method)(path, {}, format="json") if method == "post" else client.get(path)
        assert response.status_code in (401, 403, 404), path
        assert ticket.contact_phone not in response.content.decode()


def test_resident_lists_only_their_own(world):
    mine = make_ticket(world)
    theirs = make_ticket(world, resident="other_resident")
    anonymous = make_ticket(world, resident=None)
    assert [t["id"] for t in api_client(world.resident).get("/api/v1/tickets/").json()["results"]] == [mine.pk]
    other = api_client(world.other_resident).get("/api/v1/tickets/").json()["results"]
    assert [t["id"] for t in other] == [theirs.pk]
    # A resident sharing a phone with an anonymous ticket does not see it.
    assert anonymous.pk not in [t["id"] for t in api_client(world.resident).get("/api/v1/tickets/").json()["results"]]


def test_scoped_lists(world):
    g1 = make_ticket(world)
    g4 = make_ticket(world, grid=world.g4, community=world.c2, org_path=world.g4.path, assignee=world.worker_far)
    expected = {
        "worker": [g1.pk], "worker_far": [g4.pk], "clerk": [g1.pk], "community_supervisor": [g1.pk],
        "district_supervisor": [g1.pk], "other_supervisor": [g4.pk], "department_staff": [],
        "admin": sorted([g1.pk, g4.pk]), "worker2": [],
    }  # fmt: skip
    for role, ids in expected.items():
        listed = sorted(t["id"] for t in api_client(getattr(world, role)).get("/api/v1/tickets/").json()["results"])
        assert listed == ids, role


def test_worker_sees_a_ticket_assigned_to_them_outside_their_grid(world):
    far = make_ticket(world, grid=world.g4, community=world.c2, org_path=world.g4.path, assignee=world.worker2)
    assert api_client(world.worker2).get(f"/api/v1/tickets/{far.pk}/").status_code == 200


# --- internal material -----------------------------------------------------------------------------


@pytest.fixture
def busy_ticket(world):
    """A ticket with public and internal comments, attachments and events."""
    ticket = make_ticket(world)
    services.ticket_comment(ticket=ticket, actor=world.resident, body="公开的留言")
    services.ticket_comment(ticket=ticket, actor=world.worker, body="内部：此人难缠", is_internal=True)
    public = attachment_add(ticket=ticket, uploaded_by=world.resident, upload=png_upload("public.png"))
    internal = attachment_add(
        ticket=ticket, uploaded_by=world.worker, upload=png_upload("internal.png"), is_internal=True
    )
    services.ticket_reassign(ticket=ticket, actor=world.clerk, assignee_id=world.deputy.pk, note="内部调度")
    return ticket, public, internal


def test_resident_never_sees_internal_material(world, busy_ticket):
    ticket, public, internal = busy_ticket
    client = api_client(world.resident)
    detail = client.get(f"/api/v1/tickets/{ticket.pk}/").json()
    assert all(e["is_public"] for e in detail["events"])
    assert "reassign" not in [e["action"] for e in detail["events"]]
    assert [c["body"] for c in detail["comments"]] == ["公开的留言"]
    assert [a["id"] for a in detail["attachments"]] == [public.pk]
    assert "内部" not in json.dumps(detail, ensure_ascii=False)
    comments = client.get(f"/api/v1/tickets/{ticket.pk}/comments/").json()
    assert [c["body"] for c in comments] == ["公开的留言"]
    attachments = client.get(f"/api/v1/tickets/{ticket.pk}/attachments/").json()
    assert [a["id"] for a in attachments] == [public.pk]
    assert client.get(f"/api/v1/tickets/{ticket.pk}/attachments/{public.pk}/download/").status_code == 200
    assert client.get(f"/api/v1/tickets/{ticket.pk}/attachments/{internal.pk}/download/").status_code == 404


def test_staff_see_internal_material(world, busy_ticket):
    ticket, public, internal = busy_ticket
    client = api_client(world.clerk)
    detail = client.get(f"/api/v1/tickets/{ticket.pk}/").json()
    assert "reassign" in [e["action"] for e in detail["events"]]
    assert [c["is_internal"] for c in detail["comments"]] == [False, True]
    assert sorted(a["id"] for a in detail["attachments"]) == sorted([public.pk, internal.pk])
    assert client.get(f"/api/v1/tickets/{ticket.pk}/attachments/{internal.pk}/download/").status_code == 200


def test_resident_cannot_write_internal_comments_or_attachments(world):
    ticket = make_ticket(world)
    client = api_client(world.resident)
    response = client.post(f"/api/v1/tickets/{ticket.pk}/comments/", {"body": "x", "is_internal": True}, format="json")
    assert response.status_code == 400 and "is_internal" in response.json()["fields"]
    assert ticket.comments.count() == 0
    response = client.post(
        f"/api/v1/tickets/{ticket.pk}/attachments/", {"file": png_upload(), "is_internal": "true"}, format="multipart"
    )
    assert response.status_code == 201
    assert response.json()["is_internal"] is False


# --- the contact phone -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(SEES_GRID_TICKET))
def test_contact_phone_is_masked_except_for_those_who_need_it(world, role):
    ticket = make_ticket(world)
    phone = ticket.contact_phone
    client = api_client(getattr(world, role))
    detail = client.get(f"/api/v1/tickets/{ticket.pk}/")
    listed = client.get("/api/v1/tickets/").json()["results"][0]
    if role in PHONE_WHOLE:
        assert detail.json()["contact_phone"] == listed["contact_phone"] == phone
    else:
        assert detail.json()["contact_phone"] == listed["contact_phone"] == "138****5678"
        assert phone not in detail.content.decode()
        assert phone not in client.get("/api/v1/tickets/").content.decode()


def test_department_staff_see_the_phone_masked_until_assigned(world):
    ticket = make_ticket(world, category=world.water)
    client = api_client(world.department_staff)
    assert client.get(f"/api/v1/tickets/{ticket.pk}/").json()["contact_phone"] == "138****5678"
    services.ticket_accept(ticket=ticket, actor=world.department_staff)
    assert client.get(f"/api/v1/tickets/{ticket.pk}/").json()["contact_phone"] == "13812345678"


def test_phone_is_masked_in_action_responses_too(world):
    ticket = make_ticket(world)
    response = api_client(world.clerk).post(f"/api/v1/tickets/{ticket.pk}/accept/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["contact_phone"] == "138****5678"
    assert ticket.contact_phone not in response.content.decode()


def test_session_authenticated_writes_need_the_csrf_token(world):
    ticket = make_ticket(world)
    client = APIClient(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.worker)  # a real session cookie, as a browser has
    response = client.post(f"/api/v1/tickets/{ticket.pk}/accept/", {}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]
    ticket.refresh_from_db()
    assert ticket.state == "submitted" and ticket.events.count() == 1
    assert client.get(f"/api/v1/tickets/{ticket.pk}/").status_code == 200  # reads need no token


def test_routing_details_do_not_reach_the_resident(world):
    today = timezone.localdate()
    Leave.objects.create(user=world.worker, start_date=today, end_date=today + timedelta(days=3))
    ticket = submit(world)
    assert ticket.assignee == world.deputy
    text = api_client(world.resident).get(f"/api/v1/tickets/{ticket.pk}/").content.decode()
    assert "on leave" not in text
    assert "chosen" not in text
