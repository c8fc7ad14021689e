"""POSTs are limited per client address and per api_key, answering 429 in the Open311 format."""

from __future__ import annotations

import pytest

from apps.open311.keys import api_key_issue
from apps.open311.ratelimit import parse_rate
from apps.tickets.models import Ticket
from tests.open311.conftest import BASE, post_form
from tests.open311.formats import json_data, xml_data


def post(client, form, fmt="json", **extra):
    return client.post(f"{BASE}requests.{fmt}", form, **extra)


def test_per_address_limit(client, world, api_key, settings):
    settings.OPEN311_RATE_PER_IP = "2/min"
    settings.OPEN311_RATE_PER_KEY = "100/min"
    assert post(client, post_form(world, api_key.key)).status_code == 200
    assert post(client, post_form(world, "wrong.key")).status_code == 403  # refused calls count too
    response = post(client, post_form(world, api_key.key))

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 61
    [error] = json_data(response)
    assert error["code"] == 429
    assert error["description"].startswith("Too many requests (ip): at most 2/min; try again in ")
    assert Ticket.objects.count() == 1
    # Another address is not held back.
    assert post(client, post_form(world, api_key.key), REMOTE_ADDR="10.1.2.3").status_code == 200


def test_per_key_limit(client, world, api_key, settings):
    settings.OPEN311_RATE_PER_IP = "100/min"
    settings.OPEN311_RATE_PER_KEY = "1/min"
    assert post(client, post_form(world, api_key.key)).status_code == 200
    response = post(client, post_form(world, api_key.key), "xml", REMOTE_ADDR="10.1.2.3")

    assert response.status_code == 429
    [error] = xml_data(response.content, root="errors", item="error")
    assert error["code"] == "429"
    assert error["description"].startswith("Too many requests (api_key): at most 1/min")
    assert Ticket.objects.count() == 1
    _row, other_key = api_key_issue(application="SeeClickFix")
    assert post(client, post_form(world, other_key)).status_code == 200


def test_reads_are_not_limited(client, world, settings):
    settings.OPEN311_RATE_PER_IP = "1/min"
    for _ in range(3):
        assert client.get(f"{BASE}services.json").status_code == 200


@pytest.mark.parametrize(
    ("rate", "parsed"), [("60/min", (60, 60)), ("30/minute", (30, 60)), ("5/s", (5, 1)), ("1000/day", (1000, 86400))]
)
def test_parse_rate(rate, parsed):
    assert parse_rate(rate) == parsed


@pytest.mark.parametrize("rate", ["", "60", "sixty/min", "60/fortnight", "0/min"])
def test_a_malformed_rate_fails_loudly(rate):
    with pytest.raises(ValueError, match="malformed rate"):
        parse_rate(rate)
