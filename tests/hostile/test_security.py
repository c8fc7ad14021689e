"""The security matrix: what went wrong in django-helpdesk (CVE-2021-3945 stored XSS,
CVE-2021-3950 and CVE-2021-3994 improper access control, later IDOR fixes), replayed here.
Each attack asserts that nothing leaked and nothing changed."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.notifications.models import Notification
from apps.people.models import Role, User
from apps.tickets import services
from apps.tickets.attachments import attachment_add
from apps.tickets.models import Attachment, Channel, Comment, State, Ticket, TicketEvent
from tests.hostile.conftest import api_client, center

SCRIPT = "<script>alert('xss')</script>"
IMG = '<img src=x onerror="alert(1)">'
MD_INLINE = "[click me](javascript:alert(document.cookie))"
MD_REFERENCE = "[click me][evil]\n\n[evil]: javascript:alert(1)"
MD_ENCODED = "[x](jav&#x09;ascript:alert(1)) <a href='javascript:alert(2)'>a</a>"
HOSTILE_NAME = '"><svg onload=alert(1)>.png'

RAW_MARKERS = [
    re.compile(r"<script>alert", re.I),
    re.compile(r"<img src=x onerror", re.I),
    re.compile(r"<svg onload", re.I),
    re.compile(r"""href\s*=\s*["']?\s*javascript:""", re.I),
    re.compile(r"<a href='javascript", re.I),
]


def png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 10, 10)).save(buf, "PNG")
    return buf.getvalue()


def upload(name: str, content: bytes, content_type: str = "image/png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


def assert_no_raw_markup(html: str, where: str) -> None:
    for marker in RAW_MARKERS:
        assert not marker.search(html), f"{where}: raw {marker.pattern!r} in the page"


def session(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def hostile_ticket(world) -> Ticket:
    """A resident's ticket whose every text field carries an attack."""
    ticket = services.ticket_submit(
        category=world.road,
        title=f"{SCRIPT}{IMG}",
        description=f"{SCRIPT}\n{MD_INLINE}\n{MD_REFERENCE}\n{MD_ENCODED}",
        address=IMG,
        lat=center(0)[0],
        lng=center(0)[1],
        resident=world.resident,
        actor=world.resident,
        channel=Channel.API,
    )
    services.ticket_comment(ticket=ticket, actor=world.resident, body=f"{SCRIPT} {MD_INLINE}")
    attachment_add(ticket=ticket, uploaded_by=world.resident, upload=upload(HOSTILE_NAME, png_bytes()))
    return ticket


# --- Stored XSS --------------------------------------------------------------------------------------
def test_hostile_text_is_returned_as_data_by_the_api(world, hostile_ticket):
    body = api_client(world.worker).get(f"/api/v1/tickets/{hostile_ticket.pk}/").json()
    assert body["title"] == f"{SCRIPT}{IMG}"
    assert body["description"].startswith(SCRIPT)
    comments = api_client(world.worker).get(f"/api/v1/tickets/{hostile_ticket.pk}/comments/").json()
    assert comments[0]["body"] == f"{SCRIPT} {MD_INLINE}"
    files = api_client(world.worker).get(f"/api/v1/tickets/{hostile_ticket.pk}/attachments/").json()
    # The stored file name is cleaned of markup on upload (and would be escaped anyway).
    assert not set('<>"') & set(files[0]["original_name"])
    assert files[0]["original_name"].endswith(".png")


def test_every_page_showing_the_ticket_escapes_it(world, hostile_ticket):
    pk = hostile_ticket.pk
    pages = [
        (world.worker, f"/tickets/{pk}/"),
        (world.worker, "/queue/"),
        (world.worker, "/tickets/"),
        (world.worker, "/inbox/"),
        (world.resident, f"/tickets/{pk}/"),
        (world.resident, "/my/"),
        (world.clerk, f"/tickets/{pk}/receipt/"),
        (world.district_supervisor, f"/tickets/{pk}/"),
        (world.district_supervisor, "/dashboard/"),
    ]
    shown = 0
    for user, url in pages:
        response = session(user).get(url)
        assert response.status_code == 200, (user.username, url, response.status_code)
        html = response.content.decode()
        assert_no_raw_markup(html, f"{url} as {user.username}")
        shown += "&lt;script&gt;" in html
    assert shown >= 3  # the text is shown, escaped — not silently dropped
    # The public tracking page, anonymous.
    html = (
        Client()
        .get("/track/", {"code": hostile_ticket.code, "phone_last4": world.resident.phone[-4:]})
        .content.decode()
    )
    assert_no_raw_markup(html, "/track/")


def test_the_admin_escapes_hostile_text(world, hostile_ticket):
    admin = get_user_model().objects.create_superuser("root", password=None)
    client = session(admin)
    for url in ["/admin/notifications/notification/", "/admin/people/user/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_raw_markup(response.content.decode(), url)
    notice = Notification.objects.filter(ticket=hostile_ticket).first()
    response = client.get(f"/admin/notifications/notification/{notice.pk}/change/")
    assert response.status_code == 200
    assert_no_raw_markup(response.content.decode(), "notification change page")


def test_operator_markdown_drops_javascript_links(world):
    from apps.catalog.sanitize import render_markdown

    for text in (MD_INLINE, MD_REFERENCE, MD_ENCODED, SCRIPT):
        assert_no_raw_markup(render_markdown(text), f"render_markdown({text!r})")
    world.road.guide_steps = f"{MD_INLINE}\n\n{MD_REFERENCE}\n\n{SCRIPT}"
    world.road.save()
    response = Client().get(f"/services/{world.road.code}/")
    assert response.status_code == 200
    assert_no_raw_markup(response.content.decode(), "service guide page")


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("evil.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "image/svg+xml"),
        ("photo.jpg", b"<html><body><script>alert(1)</script></body></html>", "image/jpeg"),
        ("photo.png", b"<!DOCTYPE html><html><script>alert(1)</script>", "image/png"),
        ("page.html", b"<html><script>alert(1)</script></html>", "text/html"),
    ],
)
def test_html_and_svg_uploads_are_refused(world, hostile_ticket, media, name, content, content_type):
    before = Attachment.objects.count()
    files_before = sorted(p.name for p in media.rglob("*") if p.is_file())
    client = api_client(world.resident)
    response = client.post(
        f"/api/v1/tickets/{hostile_ticket.pk}/attachments/",
        {"file": upload(name, content, content_type)},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["code"]
    assert Attachment.objects.count() == before
    assert sorted(p.name for p in media.rglob("*") if p.is_file()) == files_before


# --- Another user's ticket, comment or attachment by id ------------------------------------------
def test_another_residents_ticket_is_a_404_on_every_route(world, hostile_ticket):
    pk = hostile_ticket.pk
    attachment = hostile_ticket.attachments.get()
    hostile_ticket.comments.get()
    api = api_client(world.other_resident)
    state_before = hostile_ticket.state
    events_before = TicketEvent.objects.filter(ticket=hostile_ticket).count()
    secrets = [SCRIPT, hostile_ticket.code, "onerror", "javascript:", attachment.original_name]

    answers = [
        api.get(f"/api/v1/tickets/{pk}/"),
        api.get(f"/api/v1/tickets/{pk}/comments/"),
        api.get(f"/api/v1/tickets/{pk}/attachments/"),
        api.get(f"/api/v1/tickets/{pk}/attachments/{attachment.pk}/download/"),
        api.post(f"/api/v1/tickets/{pk}/comments/", {"body": "mine now"}, format="json"),
        api.post(f"/api/v1/tickets/{pk}/attachments/", {"file": upload("a.png", png_bytes())}, format="multipart"),
        api.post(f"/api/v1/tickets/{pk}/close/", {}, format="json"),
        api.post(f"/api/v1/tickets/{pk}/rate/", {"score": 1}, format="json"),
        api.post(f"/api/v1/tickets/{pk}/reopen/", {}, format="json"),
    ]
    for response in answers:
        assert response.status_code == 404, (response.request["PATH_INFO"], response.status_code)
    pages = session(world.other_resident)
    answers += [
        pages.get(f"/tickets/{pk}/"),
        pages.get(f"/tickets/{pk}/receipt/"),
        pages.post(f"/tickets/{pk}/close/", {}),
        pages.post(f"/tickets/{pk}/comment/", {"body": "x"}),
    ]
    for response in answers[-4:]:
        assert response.status_code in (403, 404), (response.request["PATH_INFO"], response.status_code)
    # The list and search show none of it.
    listed = api.get("/api/v1/tickets/", {"search": hostile_ticket.code}).json()
    assert listed["count"] == 0
    answers.append(pages.get("/my/"))
    for response in answers:
        text = response.content.decode(errors="replace")
        for secret in secrets:
            assert secret not in text
    hostile_ticket.refresh_from_db()
    assert hostile_ticket.state == state_before
    assert TicketEvent.objects.filter(ticket=hostile_ticket).count() == events_before
    assert Comment.objects.filter(ticket=hostile_ticket).count() == 1
    assert Attachment.objects.filter(ticket=hostile_ticket).count() == 1


def test_staff_of_another_district_get_404s_and_no_export_of_it(world, hostile_ticket):
    pk = hostile_ticket.pk
    outsider = world.other_supervisor  # district D2; the ticket is in D1
    api = api_client(outsider)
    assert api.get(f"/api/v1/tickets/{pk}/").status_code == 404
    assert api.post(f"/api/v1/tickets/{pk}/supervise/", {"note": "x"}, format="json").status_code == 404
    assert (
        api.get(f"/api/v1/tickets/{pk}/attachments/{hostile_ticket.attachments.get().pk}/download/").status_code == 404
    )
    assert api.get("/api/v1/metrics/", {"org": world.d1.code}).status_code in (403, 404)
    pages = session(outsider)
    assert pages.get(f"/tickets/{pk}/").status_code == 404
    for url in [f"/dashboard/?org={world.d1.code}", f"/dashboard/export/attention.csv?org={world.d1.code}"]:
        response = pages.get(url)
        assert response.status_code in (403, 404), (url, response.status_code)
        assert hostile_ticket.code not in response.content.decode(errors="replace")
    worker = api_client(world.worker_far)  # a worker of another grid
    assert worker.get(f"/api/v1/tickets/{pk}/").status_code == 404
    assert worker.post(f"/api/v1/tickets/{pk}/accept/", {}, format="json").status_code == 404
    hostile_ticket.refresh_from_db()
    assert hostile_ticket.state == State.SUBMITTED


def test_open311_never_publishes_the_residents_personal_data(world, hostile_ticket):
    for url in [f"/open311/v2/requests/{hostile_ticket.pk}.json", f"/open311/v2/requests/{hostile_ticket.pk}.xml"]:
        response = Client().get(url)
        text = response.content.decode(errors="replace")
        assert world.resident.phone not in text
        assert hostile_ticket.contact_name not in text
        if response.status_code == 200:
            assert_no_raw_markup(text, url) if url.endswith(".xml") else None


# --- Ordering and filtering outside the allow-list ------------------------------------------------
@pytest.mark.parametrize(
    "query",
    [
        {"ordering": "assignee__password"},
        {"ordering": "-resident__password"},
        {"ordering": "contact_phone"},
        {"assignee__password__startswith": "md5$"},
        {"assignee__password__startswith": "zzz"},
        {"resident__password__regex": "^p"},
        {"contact_phone__startswith": "138"},
    ],
)
def test_ordering_or_filtering_outside_the_allow_list_probes_nothing(world, hostile_ticket, query):
    services.ticket_submit(
        category=world.road, description="second", lat=center(1)[0], lng=center(1)[1],
        resident=world.other_resident, actor=world.other_resident, channel=Channel.API,
    )  # fmt: skip
    api = api_client(world.district_supervisor)
    plain = api.get("/api/v1/tickets/")
    probed = api.get("/api/v1/tickets/", query)
    if probed.status_code == 400:
        # Refused, naming only the parameter the caller sent: no hash, no row, no hint.
        body = probed.content.decode()
        assert "md5$" not in body and "pbkdf2" not in body and "results" not in probed.json()
        return
    assert probed.status_code == 200
    # Ignored: the same rows in the same order as without the parameter.
    assert [t["id"] for t in probed.json()["results"]] == [t["id"] for t in plain.json()["results"]]


# --- State change through GET -----------------------------------------------------------------------
def test_state_changes_through_get_are_refused(world, hostile_ticket):
    pk = hostile_ticket.pk
    api = api_client(world.worker)
    for action in ("accept", "reject", "resolve", "close", "transfer", "merge"):
        assert api.get(f"/api/v1/tickets/{pk}/{action}/").status_code == 405
    pages = session(world.worker)
    for action in ("accept", "reject", "resolve"):
        assert pages.get(f"/tickets/{pk}/{action}/").status_code == 405
    hostile_ticket.refresh_from_db()
    assert hostile_ticket.state == State.SUBMITTED
    assert not TicketEvent.objects.filter(ticket=hostile_ticket, action__in=["accept", "reject", "resolve"]).exists()


# --- Tracking with guessed codes ----------------------------------------------------------------------
def test_a_guessed_tracking_code_answers_like_a_wrong_one_and_is_throttled(world, hostile_ticket, settings):
    from django.core.cache import cache

    cache.clear()
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "track": "5/min"}
    client = APIClient()
    right_code_wrong_digits = client.get("/api/v1/tickets/track/", {"code": hostile_ticket.code, "phone_last4": "0000"})
    guessed_code = client.get("/api/v1/tickets/track/", {"code": "ABCDEFGHJK", "phone_last4": "5678"})
    assert right_code_wrong_digits.status_code == guessed_code.status_code == 404
    assert right_code_wrong_digits.json() == guessed_code.json()
    statuses = [
        client.get("/api/v1/tickets/track/", {"code": f"GUESS{i:05d}", "phone_last4": "5678"}).status_code
        for i in range(6)
    ]
    assert statuses[:3] == [404, 404, 404]
    assert statuses[-1] == 429
    # Throttled even with the right answer: guessing cannot continue.
    right = client.get(
        "/api/v1/tickets/track/", {"code": hostile_ticket.code, "phone_last4": world.resident.phone[-4:]}
    )
    assert right.status_code == 429
    assert hostile_ticket.title not in right.content.decode()


# --- Account creation and role escalation -------------------------------------------------------------
def test_self_registration_creates_residents_only(db):
    client = APIClient()
    response = client.post(
        "/api/v1/auth/register/",
        {
            "phone": "13512345678",
            "password": "a-Long-passw0rd-2026",
            "full_name": "新居民",
            "role": Role.ADMIN,
            "is_staff": True,
            "is_superuser": True,
        },
        format="json",
    )
    assert response.status_code == 201
    user = User.objects.get(username=response.json()["username"])
    assert (user.role, user.is_staff, user.is_superuser) == (Role.RESIDENT, False, False)
    assert not user.scopes.exists()


def test_me_cannot_change_role(world):
    api = api_client(world.resident)
    for method in ("patch", "put", "post"):
        response = getattr(api, method)("/api/v1/me/", {"role": Role.ADMIN, "is_superuser": True}, format="json")
        assert response.status_code in (400, 403, 405)
    world.resident.refresh_from_db()
    assert (world.resident.role, world.resident.is_superuser) == (Role.RESIDENT, False)


def test_non_admins_cannot_create_accounts_in_the_admin(world):
    users_before = User.objects.count()
    for user in (world.resident, world.district_supervisor, world.clerk):
        client = session(user)
        assert client.get("/admin/people/user/add/").status_code == 302  # to the admin login
        client.post(
            "/admin/people/user/add/",
            {"username": f"intruder_{user.pk}", "password1": "x-Long-passw0rd", "password2": "x-Long-passw0rd"},
        )
    assert User.objects.count() == users_before


# --- Brute force --------------------------------------------------------------------------------------
def token_attempts(client, n: int) -> list[int]:
    return [
        client.post("/api/v1/auth/token/", {"username": "resident", "password": f"guess{i}"}, format="json").status_code
        for i in range(n)
    ]


def test_token_brute_force_locks_the_account_after_five_failures(world):
    world.resident.set_password("the-Right-passw0rd")
    world.resident.save()
    client = APIClient(REMOTE_ADDR="10.1.2.3")
    # django-axes answers the fifth failure with the lockout itself.
    assert token_attempts(client, 5) == [400, 400, 400, 400, 429]
    right = {"username": "resident", "password": "the-Right-passw0rd"}
    locked = client.post("/api/v1/auth/token/", right, format="json")
    # Locked out: even the right password gets no token.
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out"
    assert "token" not in locked.json()
    assert not Token.objects.filter(user=world.resident).exists()


def test_token_brute_force_answers_429_after_five_failures(world):
    client = APIClient(REMOTE_ADDR="10.1.2.5")
    assert token_attempts(client, 6)[5] == 429


def test_login_page_brute_force_is_locked_out_after_five_failures(world):
    world.resident.set_password("the-Right-passw0rd")
    world.resident.save()
    client = Client(REMOTE_ADDR="10.1.2.4")
    statuses = [
        client.post("/accounts/login/", {"username": "resident", "password": f"guess{i}"}).status_code for i in range(6)
    ]
    # The fifth failure reaches the limit and is answered with the lockout already.
    assert statuses == [200] * 4 + [429, 429]
    locked = client.post("/accounts/login/", {"username": "resident", "password": "the-Right-passw0rd"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


# --- No token -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/tickets/"),
        ("get", "/api/v1/tickets/{pk}/"),
        ("get", "/api/v1/tickets/{pk}/comments/"),
        ("post", "/api/v1/tickets/{pk}/accept/"),
        ("get", "/api/v1/tickets/{pk}/attachments/{aid}/download/"),
        ("get", "/api/v1/me/"),
        ("get", "/api/v1/metrics/"),
        ("get", "/api/v1/inbox/"),
    ],
)
def test_the_api_without_a_token_is_refused(world, hostile_ticket, method, url):
    url = url.format(pk=hostile_ticket.pk, aid=hostile_ticket.attachments.get().pk)
    response = getattr(APIClient(), method)(url)
    assert response.status_code in (401, 403), (url, response.status_code)
    assert hostile_ticket.title not in response.content.decode()
    bad = getattr(APIClient(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567"), method)(url)
    assert bad.status_code in (401, 403)
    hostile_ticket.refresh_from_db()
    assert hostile_ticket.state == State.SUBMITTED
