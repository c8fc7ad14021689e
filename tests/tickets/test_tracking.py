"""Anonymous tracking by code + last four phone digits: no oracle, no personal data, throttled."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from apps.tickets import services
from tests.tickets.conftest import api_client, submit

URL = "/api/v1/tickets/track/"


@pytest.fixture
def tracked(world):
    """An anonymous ticket with a full life: accepted, an internal reassign, comments, resolved."""
    ticket = submit(world, resident=None, contact_name="赵六", contact_phone="13911116789", address="青龙街 8 号")
    services.ticket_accept(ticket=ticket, actor=world.worker, note="已受理")
    services.ticket_comment(ticket=ticket, actor=world.worker, body="内部备注：赵六 13911116789", is_internal=True)
    services.ticket_reassign(ticket=ticket, actor=world.clerk, assignee_id=world.deputy.pk, note="内部调度")
    ticket.refresh_from_db()
    return ticket


def get(code, last4, client=None):
    return (client or api_client()).get(URL, {"code": code, "phone_last4": last4})


def test_code_and_last_four_digits_show_the_public_view(world, tracked):
    response = get(tracked.code, "6789")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "code", "title", "category", "state", "submitted_at", "accepted_at", "resolved_at", "closed_at",
        "resolve_by", "resolution_note", "reject_reason", "events",
    }  # fmt: skip
    assert (body["code"], body["state"], body["category"]) == (tracked.code, "submitted", "道路破损")
    assert [e["action"] for e in body["events"]] == ["submit", "accept"]
    assert all(set(e) == {"action", "to_state", "at", "note"} for e in body["events"])


def test_the_code_is_forgiving_about_case_and_separators(world, tracked):
    code = tracked.code.lower()
    assert get(f"{code[:5]}-{code[5:]}", "6789").status_code == 200


def test_no_personal_data_in_the_tracked_view(world, tracked):
    text = get(tracked.code, "6789").content.decode()
    for secret in ("赵六", "13911116789", "青龙街", "worker", "deputy", "内部", "lat", "contact"):
        assert secret not in text, secret


@pytest.mark.parametrize("last4", ["6788", "0000", "789", "67890", "abcd", ""])
def test_wrong_digits_look_exactly_like_an_unknown_code(world, tracked, last4):
    wrong_digits = get(tracked.code, last4)
    unknown_code = get("ACDEFGHJKM", "6789")
    assert wrong_digits.status_code == unknown_code.status_code == 404
    assert wrong_digits.json() == unknown_code.json()
    assert wrong_digits.json()["code"] == "not_found"
    assert dict(wrong_digits.headers).keys() == dict(unknown_code.headers).keys()


def test_missing_parameters_look_the_same_too(world, tracked):
    unknown = get("ACDEFGHJKM", "6789")
    bare = api_client().get(URL)
    assert (bare.status_code, bare.json()) == (unknown.status_code, unknown.json())


def test_the_last_digits_of_a_formatted_phone_match(world):
    ticket = submit(world, resident=None, contact_phone="0531-8888 1234")
    assert ticket.contact_phone == "053188881234"
    assert get(ticket.code, "1234").status_code == 200


def test_tracking_is_throttled_after_the_configured_rate(world, tracked, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "track": "3/min"}
    cache.clear()
    client = api_client()
    statuses = [get(tracked.code, "0000", client).status_code for _ in range(3)]
    assert statuses == [404, 404, 404]
    # The right answer is refused too once the budget is spent: guessing gains nothing.
    throttled = get(tracked.code, "6789", client)
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "throttled"
    assert "Retry-After" in throttled.headers
    cache.clear()
    assert get(tracked.code, "6789", client).status_code == 200


def test_the_throttle_counts_per_client_address(world, tracked, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "track": "1/min"}
    cache.clear()
    assert (
        api_client().get(URL, {"code": tracked.code, "phone_last4": "6789"}, REMOTE_ADDR="10.0.0.1").status_code == 200
    )
    assert (
        api_client().get(URL, {"code": tracked.code, "phone_last4": "6789"}, REMOTE_ADDR="10.0.0.1").status_code == 429
    )
    assert (
        api_client().get(URL, {"code": tracked.code, "phone_last4": "6789"}, REMOTE_ADDR="10.0.0.2").status_code == 200
    )


def test_anonymous_submissions_are_throttled(world, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "anon_submit": "2/min"}
    cache.clear()
    payload = {"category": "ROAD", "description": "坑", "address": "某路", "contact_name": "甲"}
    payload["contact_phone"] = "13900009999"
    client = api_client()
    assert [client.post("/api/v1/tickets/", payload, format="json").status_code for _ in range(3)] == [201, 201, 429]
