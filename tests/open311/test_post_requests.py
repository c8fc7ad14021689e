"""POST requests: form-encoded reports become tickets through the one intake, or a 400/403 naming the field."""

from __future__ import annotations

import pytest

from apps.open311.keys import api_key_revoke
from apps.open311.models import ApiKey, SubmittedRequest
from apps.tickets.models import Channel, State, Ticket
from tests.open311.conftest import BASE, EMPTY_COMMUNITY_CODE, GRID_CODE, post_form
from tests.open311.formats import as_text, json_data, xml_data


def post(client, form: dict, fmt: str = "json"):
    return client.post(f"{BASE}requests.{fmt}", form)


def assert_nothing_stored():
    assert Ticket.objects.count() == 0
    assert SubmittedRequest.objects.count() == 0


def test_a_report_becomes_a_routed_open311_ticket(client, world, api_key):
    response = post(client, post_form(world, api_key.key))

    assert response.status_code == 200
    ticket = Ticket.objects.get()
    submitted = SubmittedRequest.objects.get()
    assert json_data(response) == [
        {
            "service_request_id": ticket.code,
            "token": submitted.token,
            "service_notice": "3个工作日内修复",
            "account_id": "acct-7",
        }
    ]
    assert (ticket.category, ticket.channel, ticket.channel_detail) == (
        world.streetlight,
        Channel.OPEN311,
        "FixMyStreet 济南",
    )
    assert (ticket.state, ticket.grid, ticket.community, ticket.assignee) == (
        State.SUBMITTED,
        world.grid,
        world.community,
        world.worker,
    )
    assert (ticket.lat, ticket.lng, ticket.address) == (36.601, 117.001, "历下区解放路 12 号")
    assert ticket.description == "路口的路灯整晚不亮"
    assert ticket.attributes == {"fault": "not_lit"}
    assert (ticket.contact_name, ticket.contact_phone) == ("张三", "13812345678")
    assert ticket.resident is None
    assert (submitted.ticket, submitted.api_key) == (ticket, api_key.row)
    assert (submitted.email, submitted.device_id, submitted.account_id) == (
        "zhang@example.org",
        "device-42",
        "acct-7",
    )
    assert submitted.media_url == "https://img.example.org/light.jpg"
    api_key.row.refresh_from_db()
    assert api_key.row.last_used_at is not None
    assert ticket.events.filter(action="submit").get().data["channel"] == "open311"


def test_the_xml_answer_carries_the_same_data(client, world, api_key):
    response = post(client, post_form(world, api_key.key, account_id=None), "xml")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    ticket, submitted = Ticket.objects.get(), SubmittedRequest.objects.get()
    expected = [{"service_request_id": ticket.code, "token": submitted.token, "service_notice": "3个工作日内修复"}]
    assert xml_data(response.content, root="service_requests", item="request") == as_text(expected)


def test_the_key_may_come_in_the_query_string(client, world, api_key):
    form = post_form(world, None)
    response = client.post(f"{BASE}requests.json?api_key={api_key.key}", form)
    assert response.status_code == 200
    assert Ticket.objects.get().channel_detail == "FixMyStreet 济南"


def test_multi_value_attributes_in_both_spellings_and_every_type(client, world, api_key):
    form = post_form(world, api_key.key)
    form.update(
        {
            "attribute[extras][]": ["rust", "wire"],
            "attribute[lamps]": "3",
            "attribute[pole]": " LX-0123 ",
            "attribute[since]": "2026-11-27T20:00:00+08:00",
            "attribute[details]": "灯杆旁有积水",
        }
    )
    assert post(client, form).status_code == 200
    assert Ticket.objects.get().attributes == {
        "fault": "not_lit",
        "extras": ["wire", "rust"],  # the order the category defines
        "lamps": 3,
        "pole": "LX-0123",
        "since": "2026-11-27T20:00:00+08:00",
        "details": "灯杆旁有积水",
    }

    comma_separated = post_form(world, api_key.key, **{"attribute[extras]": "glass,wire"})
    assert post(client, comma_separated).status_code == 200
    assert Ticket.objects.order_by("-id").first().attributes["extras"] == ["wire", "glass"]


def test_an_address_id_names_a_community_or_grid(client, world, api_key):
    form = post_form(world, api_key.key, lat=None, long=None, address_string=None, address_id=EMPTY_COMMUNITY_CODE)
    assert post(client, form).status_code == 200
    ticket = Ticket.objects.get()
    assert (ticket.grid, ticket.community, ticket.assignee, ticket.address) == (None, world.empty_community, None, "")
    assert SubmittedRequest.objects.get().address_id == EMPTY_COMMUNITY_CODE

    form = post_form(world, api_key.key, lat=None, long=None, address_string=None, address_id=GRID_CODE)
    assert post(client, form).status_code == 200
    assert Ticket.objects.order_by("-id").first().community == world.community


def test_an_address_alone_is_a_location(client, world, api_key):
    form = post_form(world, api_key.key, lat=None, long=None)
    assert post(client, form).status_code == 200
    ticket = Ticket.objects.get()
    assert (ticket.lat, ticket.address, ticket.grid) == (None, "历下区解放路 12 号", None)


def test_without_a_name_the_email_is_the_contact(client, world, api_key):
    form = post_form(world, api_key.key, first_name=None, last_name=None)
    assert post(client, form).status_code == 200
    assert Ticket.objects.get().contact_name == "zhang@example.org"


def test_latin_names_read_first_then_last(client, world, api_key):
    assert post(client, post_form(world, api_key.key, first_name="Ada", last_name="Lovelace")).status_code == 200
    assert Ticket.objects.get().contact_name == "Ada Lovelace"


LONG = "坑" * 4001


@pytest.mark.parametrize(
    ("overrides", "descriptions"),
    [
        (
            {"service_code": None},
            ["service_code: required: give the code of a service from services.json."],
        ),
        (
            {"service_code": "NOPE"},
            ["service_code: “NOPE” is not a service offered here: pick a service_code from services.json."],
        ),
        (
            {"service_code": "OLD"},
            ["service_code: “OLD” is not a service offered here: pick a service_code from services.json."],
        ),
        (
            {"service_code": "MUNI"},
            ["service_code: “MUNI” is not a service offered here: pick a service_code from services.json."],
        ),
        (
            {"attribute[fault]": "broken"},
            ["attribute[fault]: “broken” is not a choice of “故障类型”: use one of not_lit, flickering."],
        ),
        (
            {"attribute[fault]": None},
            ["attribute[fault]: “故障类型” is required: give an answer."],
        ),
        (
            {"attribute[lamps]": "many"},
            ["attribute[lamps]: “不亮的数量” must be a number, such as 12 or 3.5."],
        ),
        (
            {"attribute[extras][]": ["wire", "gold"]},
            ["attribute[extras]: gold: not choices of “其他问题”; use keys from wire, glass, rust."],
        ),
        (
            {"attribute[notice]": "ok"},
            ["attribute[notice]: “安全提示” is information only and takes no answer; leave it out."],
        ),
        (
            {"attribute[colour]": "red"},
            ["attribute[colour]: “colour” is not an attribute of “路灯不亮”; remove it."],
        ),
        (
            {"description": LONG},
            ["description: 4001 characters long; shorten it to at most 4000."],
        ),
        (
            {"description": None},
            ["description: Describe the request."],
        ),
        (
            {"lat": None, "long": None, "address_string": None},
            ["lat/long, address_string or address_id: a location is required: send lat and long, or an address."],
        ),
        (
            {"long": None},
            ["long: send lat and long together, or neither."],
        ),
        (
            {"lat": "north", "long": "200"},
            [
                "lat: give a number between -90 and 90 (WGS84 degrees).",
                "long: give a number between -180 and 180 (WGS84 degrees).",
            ],
        ),
        (
            {"address_id": "999"},
            [
                "address_id: “999” is not a known address id (a community or grid code); "
                "send lat/long or address_string."
            ],
        ),
        (
            {"email": "not-an-email", "media_url": "javascript:alert(1)"},
            ["email: not a valid email address.", "media_url: give an http or https URL of at most 500 characters."],
        ),
        (
            {"phone": None},
            ["phone: Give a phone number of digits (for example 13812345678)."],
        ),
        (
            {"service_code": None, "description": LONG, "lat": None, "long": None, "address_string": None},
            [
                "service_code: required: give the code of a service from services.json.",
                "description: 4001 characters long; shorten it to at most 4000.",
                "lat/long, address_string or address_id: a location is required: send lat and long, or an address.",
            ],
        ),
    ],
)
def test_a_refused_report_names_each_field_and_stores_nothing(client, world, api_key, overrides, descriptions):
    response = post(client, post_form(world, api_key.key, **overrides))

    assert response.status_code == 400
    assert json_data(response) == [{"code": 400, "description": text} for text in descriptions]
    assert_nothing_stored()


def test_a_refusal_in_xml(client, world, api_key):
    response = post(client, post_form(world, api_key.key, service_code=None), "xml")
    assert response.status_code == 400
    assert xml_data(response.content, root="errors", item="error") == [
        {"code": "400", "description": "service_code: required: give the code of a service from services.json."}
    ]


def test_a_missing_key_is_403(client, world):
    response = post(client, post_form(world, None))
    assert response.status_code == 403
    assert json_data(response) == [
        {"code": 403, "description": "api_key: required; ask the administrator of this service desk for a key."}
    ]
    assert_nothing_stored()


@pytest.mark.parametrize("bad", ["nonsense", "deadbeef.secret", "{prefix}.wrong-secret", "{prefix}"])
def test_a_wrong_key_is_403(client, world, api_key, bad):
    response = post(client, post_form(world, bad.format(prefix=api_key.row.prefix)))
    assert response.status_code == 403
    assert json_data(response) == [
        {"code": 403, "description": "api_key: not valid or revoked; ask the administrator for a new key."}
    ]
    assert_nothing_stored()
    assert ApiKey.objects.get().last_used_at is None


def test_a_revoked_key_is_403(client, world, api_key):
    api_key_revoke(prefix=api_key.row.prefix)
    response = post(client, post_form(world, api_key.key), "xml")
    assert response.status_code == 403
    assert xml_data(response.content, root="errors", item="error") == [
        {"code": "403", "description": "api_key: not valid or revoked; ask the administrator for a new key."}
    ]
    assert_nothing_stored()


def test_jurisdiction_is_checked_on_post(client, world, api_key, settings):
    settings.OPEN311_JURISDICTION_ID = "jinan.gov.cn"
    response = post(client, post_form(world, api_key.key, jurisdiction_id="qingdao.gov.cn"))
    assert response.status_code == 404
    assert_nothing_stored()
    assert post(client, post_form(world, api_key.key, jurisdiction_id="jinan.gov.cn")).status_code == 200


def test_messages_follow_the_callers_language(world, api_key):
    from django.test import Client

    response = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").post(f"{BASE}requests.json", post_form(world, None))
    assert response.status_code == 403
    assert json_data(response) == [{"code": 403, "description": "api_key：必填；请向本平台管理员申请密钥。"}]


def test_no_csrf_token_is_needed(world, api_key):
    from django.test import Client

    # The key authenticates the call; a third-party client has no session and no CSRF cookie.
    response = Client(enforce_csrf_checks=True).post(f"{BASE}requests.json", post_form(world, api_key.key))
    assert response.status_code == 200
