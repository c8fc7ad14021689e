"""Resident pages: catalog and guides, the request form, tracking, sign-up, "my requests"."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from apps.people.models import User
from apps.tickets.models import Channel, Ticket
from tests.portal.conftest import center, jpeg_bytes, login_client, submit

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def road_post(**extra) -> dict:
    lat, lng = center(0)
    data = {
        "category": "ROAD",
        "description": "路面有一个大坑",
        "contact_name": "张三",
        "contact_phone": "13811112222",
        "lat": lat,
        "lng": lng,
        "attr_kind": "pothole",
        "attr_size": "2",
    }
    data.update(extra)
    return data


def test_home_catalog_and_guide_render_for_anyone(world, client):
    world.road.guide_materials = "- 现场照片\n- <script>alert(1)</script>"
    world.road.guide_time_limit = "3个工作日"
    world.road.save()
    assert client.get("/").status_code == 200
    page = client.get("/services/")
    assert page.status_code == 200
    assert "道路破损" in page.content.decode()
    assert "旧事项" not in page.content.decode()  # inactive categories are not offered
    guide = client.get("/services/ROAD/").content.decode()
    assert "<li>现场照片</li>" in guide
    assert "<script>alert(1)</script>" not in guide  # operator Markdown goes through the sanitiser
    assert "3个工作日" in guide
    assert client.get("/services/OLD/").status_code == 404


def test_zh_hans_is_the_default_language(world, client):
    page = client.get("/submit/").content.decode()
    assert '<html lang="zh-hans">' in page


def test_category_fields_are_loaded_for_the_chosen_category(world, client):
    part = client.get("/submit/fields/", {"category": "ROAD"}).content.decode()
    assert 'name="attr_size"' in part
    assert 'name="attr_kind"' in part
    assert 'id="attribute-fields"' in part
    assert 'name="attr_' not in client.get("/submit/fields/", {"category": "INFO"}).content.decode()
    assert client.post("/submit/fields/", {"category": "ROAD"}).status_code == 405


def test_anonymous_submission_with_a_photo_shows_the_tracking_code(world, client):
    photo = SimpleUploadedFile("hole.jpg", jpeg_bytes(), content_type="image/jpeg")
    response = client.post("/submit/", road_post(photos=[photo]))
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert response["Location"] == f"/submitted/{ticket.code}/"
    assert ticket.channel == Channel.WEB
    assert ticket.resident is None
    assert ticket.grid == world.g1
    assert ticket.attributes == {"kind": "pothole", "size": 2}
    assert ticket.attachments.count() == 1
    page = client.get(response["Location"]).content.decode()
    assert ticket.code in page
    # Another browser cannot open the confirmation page (the code is only shown once).
    assert Client().get(response["Location"]).status_code == 404


def test_form_errors_are_shown_in_english(world, client):
    response = client.post("/submit/", road_post(contact_phone="abc", description="", attr_size="many"), **EN)
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page
    assert Ticket.objects.count() == 0


def test_service_errors_land_on_their_fields(world, client):
    response = client.post("/submit/", road_post(contact_phone="12", lat="", lng="", address=""), **EN)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Give a phone number of digits (for example 13812345678)." in page
    assert Ticket.objects.count() == 0


def test_a_hostile_photo_refuses_the_whole_request(world, client):
    fake = SimpleUploadedFile("x.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg")
    response = client.post("/submit/", road_post(photos=[fake]), **EN)
    assert response.status_code == 400
    assert "x.jpg: Only JPEG, PNG or WebP photos and PDF documents are accepted." in response.content.decode()
    assert Ticket.objects.count() == 0  # no half-made ticket


def test_user_text_is_escaped(world, client):
    client.post("/submit/", road_post(description="<script>alert('x')</script>"))
    ticket = Ticket.objects.get()
    page = login_client(world.worker).get(f"/tickets/{ticket.pk}/").content.decode()
    assert "<script>alert('x')</script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_logged_in_resident_submits_under_their_account(world):
    client = login_client(world.resident)
    response = client.post("/submit/", road_post(contact_name="", contact_phone=""))
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.resident == world.resident
    assert ticket.contact_phone == world.resident.phone
    assert ticket.code in client.get("/my/").content.decode()


def test_tracking_needs_the_code_and_the_last_four_digits(world, client):
    ticket = submit(world, resident=None, contact_phone="13811112222")
    found = client.get("/track/", {"code": ticket.code.lower(), "phone_last4": "2222"})
    assert found.status_code == 200
    assert ticket.code in found.content.decode()
    wrong_digits = client.get("/track/", {"code": ticket.code, "phone_last4": "1111"}, **EN)
    unknown_code = client.get("/track/", {"code": "AAAAAAAAAA", "phone_last4": "2222"}, **EN)
    assert wrong_digits.status_code == unknown_code.status_code == 404
    assert "No request matches this code and phone number." in wrong_digits.content.decode()
    # Internal routing details are not shown to the public.
    assert "ev-route" not in found.content.decode()


def test_tracking_is_rate_limited(world, client, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "track": "2/min"}
    for _ in range(2):
        assert client.get("/track/", {"code": "AAAAAAAAAA", "phone_last4": "2222"}).status_code == 404
    assert client.get("/track/", {"code": "AAAAAAAAAA", "phone_last4": "2222"}).status_code == 429


def test_register_shows_field_errors_then_signs_in(world, client):
    bad = client.post(
        "/accounts/register/",
        {"full_name": "", "phone": "123", "password": "x", "password2": "y"},
        **EN,
    )
    assert bad.status_code == 400
    assert "This field is required." in bad.content.decode()
    assert "The two passwords differ" in bad.content.decode()
    refused = client.post(
        "/accounts/register/",
        {"full_name": "李四", "phone": "123", "password": "long-enough-pass-7", "password2": "long-enough-pass-7"},
        **EN,
    )
    assert refused.status_code == 400
    assert "Enter an 11-digit mainland mobile number" in refused.content.decode()
    assert not User.objects.filter(full_name="李四").exists()
    ok = client.post(
        "/accounts/register/",
        {
            "full_name": "李四",
            "phone": "13600001111",
            "password": "long-enough-pass-7",
            "password2": "long-enough-pass-7",
        },
    )
    assert ok.status_code == 302
    user = User.objects.get(username="13600001111")
    assert user.role == "resident"
    assert client.get("/my/").status_code == 200


def test_login_and_logout(world, client):
    world.resident.set_password("long-enough-pass-7")
    world.resident.save()
    assert client.get("/accounts/login/").status_code == 200
    response = client.post("/accounts/login/", {"username": "resident", "password": "long-enough-pass-7"})
    assert response.status_code == 302
    assert client.get("/logout-check-nothing/").status_code == 404
    assert client.get("/accounts/logout/").status_code == 405  # logging out changes state: POST only
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/my/").status_code == 302


def test_password_reset_confirm_link_of_import_staff_resolves(world, client):
    from apps.people.staff_import import set_password_link

    link = set_password_link(world.worker)
    path = link.split("://", 1)[-1].split("/", 1)[-1]
    response = client.get("/" + path, follow=True)
    assert response.status_code == 200
    assert 'name="new_password1"' in response.content.decode()


def test_my_requests_shows_only_mine(world):
    mine = submit(world)
    theirs = submit(world, resident="other_resident")
    page = login_client(world.resident).get("/my/").content.decode()
    assert mine.code in page
    assert theirs.code not in page
    assert Client().get("/my/").status_code == 302


def test_my_requests_query_count_is_bounded(world, django_assert_max_num_queries):
    for _ in range(12):
        submit(world)
    client = login_client(world.resident)
    with django_assert_max_num_queries(8):
        assert client.get("/my/").status_code == 200


def test_language_switch_to_english_and_back(world, client):
    assert 'lang="zh-hans"' in client.get("/services/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/services/"})
    assert response.status_code == 302
    page = client.get("/services/").content.decode()
    assert '<html lang="en">' in page
    assert '<option value="en" selected>' in page
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert 'lang="zh-hans"' in client.get("/services/").content.decode()


@pytest.mark.parametrize(
    "path", ["/", "/services/", "/services/ROAD/", "/submit/", "/submit/?category=ROAD", "/track/"]
)
def test_public_pages_run_a_fixed_number_of_queries(world, client, path, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        assert client.get(path).status_code == 200


def test_no_inline_script_and_htmx_is_served_locally(world, client):
    page = client.get("/submit/?category=ROAD").content.decode()
    assert "<script>" not in page  # no inline script: user data never lands inside JavaScript
    assert "/static/vendor/htmx.min.js" in page
    assert "https://" not in page.split("<body", 1)[0]  # nothing fetched from a CDN


def test_anonymous_submission_is_rate_limited(world, client, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "anon_submit": "1/min"}
    assert client.post("/submit/", road_post()).status_code == 302
    assert client.post("/submit/", road_post(), **EN).status_code == 429
    assert Ticket.objects.count() == 1
