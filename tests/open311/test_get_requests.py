"""GET requests, requests/{id} and tokens/{token}: the public view of tickets, filtered and bounded."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from apps.open311.models import SubmittedRequest
from apps.tickets import services
from apps.tickets.models import Channel, Ticket
from tests.open311.conftest import BASE, INSIDE, post_form
from tests.open311.formats import json_data, same_in_xml

NOW = timezone.datetime(2026, 11, 20, 10, 0, tzinfo=timezone.get_default_timezone())


def get_both(client, path: str, **params):
    return same_in_xml(client.get(f"{BASE}{path}.json", params), client.get(f"{BASE}{path}.xml", params), "requests")


def report(client, world, api_key, **overrides) -> Ticket:
    response = client.post(f"{BASE}requests.json", post_form(world, api_key.key, **overrides))
    assert response.status_code == 200, response.content
    return Ticket.objects.get(code=json_data(response)[0]["service_request_id"])


def portal_ticket(world, *, category=None, description="小区门口噪音", **extra) -> Ticket:
    return services.ticket_submit(
        category=category or world.noise,
        description=description,
        channel=Channel.WEB,
        contact_name="李四",
        contact_phone="13700000000",
        lat=INSIDE[0],
        lng=INSIDE[1],
        **extra,
    )


@pytest.fixture
def timeline(client, world, api_key):
    """Four tickets: 100 days ago (light), 30 days ago (noise, web), 2 days ago (light), 1 hour ago (water)."""
    made = {}
    with time_machine.travel(NOW - timedelta(days=100), tick=False):
        made["old"] = report(client, world, api_key)
    with time_machine.travel(NOW - timedelta(days=30), tick=False):
        made["web"] = portal_ticket(world)
    with time_machine.travel(NOW - timedelta(days=2), tick=False):
        made["light"] = report(client, world, api_key, media_url=None, address_string=None, account_id=None)
    with time_machine.travel(NOW - timedelta(hours=1), tick=False):
        made["water"] = report(client, world, api_key, service_code="WATER", **{"attribute[fault]": None})
    return made


def codes(data) -> list[str]:
    return [entry["service_request_id"] for entry in data]


@time_machine.travel(NOW, tick=False)
def test_the_default_is_the_last_90_days_newest_first(client, timeline, validate):
    data = get_both(client, "requests")
    validate(data, "requests.json")
    assert codes(data) == [timeline["water"].code, timeline["light"].code, timeline["web"].code]


@time_machine.travel(NOW, tick=False)
def test_one_request_in_full(client, world, timeline, validate):
    ticket = timeline["light"]
    data = get_both(client, f"requests/{ticket.code}")
    validate(data, "requests.json")
    validate(data[0], "request.json")
    assert data == [
        {
            "service_request_id": ticket.code,
            "status": "open",
            "status_notes": None,
            "service_name": "Streetlight out",
            "service_code": "MUNI-LIGHT",
            "description": "路口的路灯整晚不亮",
            "agency_responsible": "青龙第1网格",
            "service_notice": "3个工作日内修复",
            "requested_datetime": "2026-11-18T10:00:00+08:00",
            "updated_datetime": "2026-11-18T10:00:00+08:00",
            "expected_datetime": timezone.localtime(ticket.resolve_by).isoformat(timespec="seconds"),
            "address": None,
            "address_id": None,
            "zipcode": None,
            "lat": 36.601,
            "long": 117.001,
            "media_url": None,
        }
    ]
    assert data[0]["expected_datetime"].endswith("+08:00")


@time_machine.travel(NOW, tick=False)
def test_media_url_and_department_are_published(client, timeline):
    water = json_data(client.get(f"{BASE}requests/{timeline['water'].code}.json"))[0]
    assert water["media_url"] == "https://img.example.org/light.jpg"
    assert water["agency_responsible"] == "供水公司"
    assert water["address"] == "历下区解放路 12 号"
    web = json_data(client.get(f"{BASE}requests/{timeline['web'].code}.json"))[0]
    assert (web["media_url"], web["address_id"], web["service_notice"]) == (None, None, None)


@time_machine.travel(NOW, tick=False)
def test_no_personal_data_is_published(client, world, timeline):
    everything = ",".join(ticket.code for ticket in timeline.values())
    answers = [
        client.get(f"{BASE}requests.json", {"service_request_id": everything}).content,
        client.get(f"{BASE}requests.xml", {"service_request_id": everything}).content,
        client.get(f"{BASE}requests/{timeline['light'].code}.json").content,
        client.get(f"{BASE}requests/{timeline['light'].code}.xml").content,
    ]
    for content in answers:
        text = content.decode("utf-8")
        for private in ("13812345678", "13700000000", "张三", "李四", "zhang@example.org", "device-42", "acct-7"):
            assert private not in text
        for field in ("email", "phone", "first_name", "last_name", "device_id", "account_id", "contact"):
            assert field not in text
    assert len(json.loads(answers[0])) == 4


@time_machine.travel(NOW, tick=False)
def test_ids_override_every_other_argument(client, timeline):
    asked = f"{timeline['old'].code}, {timeline['web'].code.lower()},UNKNOWN00"
    data = get_both(client, "requests", service_request_id=asked, status="closed", service_code="WATER")
    assert codes(data) == [timeline["web"].code, timeline["old"].code]


@time_machine.travel(NOW, tick=False)
def test_filter_by_service_code(client, timeline):
    assert codes(get_both(client, "requests", service_code="MUNI-LIGHT")) == [timeline["light"].code]
    assert codes(get_both(client, "requests", service_code="WATER,NOISE")) == [
        timeline["water"].code,
        timeline["web"].code,
    ]
    assert json_data(client.get(f"{BASE}requests.json", {"service_code": "NOPE"})) == []


@time_machine.travel(NOW, tick=False)
def test_filter_by_status(client, world, timeline):
    ticket = services.ticket_accept(ticket=timeline["web"], actor=world.worker)
    services.ticket_resolve(ticket=ticket, actor=world.worker, note="已劝导")  # NOISE closes on resolve
    assert codes(get_both(client, "requests", status="closed")) == [timeline["web"].code]
    assert codes(get_both(client, "requests", status="open")) == [timeline["water"].code, timeline["light"].code]
    assert len(json_data(client.get(f"{BASE}requests.json", {"status": "open,closed"}))) == 3


@time_machine.travel(NOW, tick=False)
def test_filter_by_dates(client, timeline):
    def between(**params):
        return codes(json_data(client.get(f"{BASE}requests.json", params)))

    assert between(start_date="2026-08-01T00:00:00+08:00", end_date="2026-10-25T00:00:00+08:00") == [
        timeline["web"].code,
        timeline["old"].code,
    ]
    assert between(start_date="2026-11-18T00:00:00Z") == [timeline["water"].code, timeline["light"].code]
    assert between(end_date="2026-11-18") == [timeline["light"].code, timeline["web"].code]  # the whole day
    assert between(start_date="2026-10-21T10:00:00+08:00", end_date="2026-10-21T10:00:00+08:00") == [
        timeline["web"].code
    ]


@pytest.mark.parametrize(
    ("params", "description"),
    [
        (
            {"start_date": "yesterday"},
            "start_date: “yesterday” is not an ISO 8601 date-time such as 2026-11-01T00:00:00+08:00.",
        ),
        (
            {"end_date": "2026-13-01"},
            "end_date: “2026-13-01” is not an ISO 8601 date-time such as 2026-11-01T00:00:00+08:00.",
        ),
        (
            {"start_date": "2026-11-10T00:00:00+08:00", "end_date": "2026-11-01T00:00:00+08:00"},
            "end_date: it is before start_date; swap them.",
        ),
        (
            {"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-04-02T00:00:00+08:00"},
            "start_date/end_date: at most 90 days apart; narrow the range or ask in several calls.",
        ),
        ({"status": "pending"}, "status: “pending” is not a status; use open, closed or both."),
    ],
)
def test_bad_query_arguments_are_400(client, world, params, description):
    response = client.get(f"{BASE}requests.json", params)
    assert response.status_code == 400
    assert same_in_xml(response, client.get(f"{BASE}requests.xml", params), "errors") == [
        {"code": 400, "description": description}
    ]


def test_exactly_90_days_is_allowed(client, world):
    params = {"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-04-01T00:00:00+08:00"}
    assert client.get(f"{BASE}requests.json", params).status_code == 200


@time_machine.travel(NOW, tick=False)
def test_the_count_is_capped(client, timeline, settings):
    settings.OPEN311_MAX_REQUESTS = 2
    assert codes(json_data(client.get(f"{BASE}requests.json"))) == [timeline["water"].code, timeline["light"].code]


def test_list_costs_one_query_whatever_its_length(client, world, api_key, django_assert_max_num_queries):
    for number in range(15):
        report(client, world, api_key, description=f"第{number}盏灯不亮")
        portal_ticket(world, description=f"噪音 {number}")
    with django_assert_max_num_queries(1):
        response = client.get(f"{BASE}requests.json")
    assert len(json_data(response)) == 30
    everything = ",".join(Ticket.objects.values_list("code", flat=True))
    with django_assert_max_num_queries(1):
        response = client.get(f"{BASE}requests.xml", {"service_request_id": everything})
    assert response.content.count(b"<request>") == 30


def test_unknown_request_is_404(client, world):
    json_response = client.get(f"{BASE}requests/UNKNOWN0000.json")
    assert json_response.status_code == 404
    assert same_in_xml(json_response, client.get(f"{BASE}requests/UNKNOWN0000.xml"), "errors") == [
        {"code": 404, "description": "service_request_id: no request “UNKNOWN0000”; check the id."}
    ]


def test_a_token_leads_to_its_request(client, world, api_key):
    ticket = report(client, world, api_key)
    token = SubmittedRequest.objects.get(ticket=ticket).token
    assert get_both(client, f"tokens/{token}") == [{"service_request_id": ticket.code, "token": token}]


def test_unknown_token_is_404(client, world):
    json_response = client.get(f"{BASE}tokens/nope.json")
    assert json_response.status_code == 404
    assert same_in_xml(json_response, client.get(f"{BASE}tokens/nope.xml"), "errors") == [
        {"code": 404, "description": "token: no request was created with token “nope”."}
    ]
