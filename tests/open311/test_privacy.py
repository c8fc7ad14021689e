"""What the public GETs show, as a city configures it: which channels' tickets, addresses, descriptions.

The rule is the same for every GET (the list, ids, one request, a token): a ticket from a channel
that is not public is not there at all, and a hidden field is hidden everywhere, in JSON and XML.
"""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings

from apps.open311.models import SubmittedRequest
from apps.people.models import Role, StaffScope, User
from apps.tickets import services
from apps.tickets.models import Channel, Ticket
from tests.conftest import run_check
from tests.open311.conftest import BASE, GRID_CODE, post_form
from tests.open311.formats import json_data, same_in_xml

# Inside the grid, with more digits than the coarse answer keeps.
LAT, LNG = 36.601234, 117.001876
ADDRESS = "历下区解放路 12 号 3 单元 502 室"
DESCRIPTION = "楼道灯不亮，独居老人晚上出门不便"


def get_both(client, path: str, **params):
    return same_in_xml(client.get(f"{BASE}{path}.json", params), client.get(f"{BASE}{path}.xml", params), "requests")


def codes(data) -> set[str]:
    return {entry["service_request_id"] for entry in data}


@pytest.fixture
def clerk(world) -> User:
    user = User.objects.create_user(username="clerk", role=Role.CLERK, full_name="窗口受理员")
    StaffScope.objects.create(user=user, org_node=world.community)
    return user


@pytest.fixture
def by_channel(client, world, api_key, clerk) -> dict[str, Ticket]:
    """One ticket per intake channel, all at the same precise point with the same address and description."""
    made = {}
    actors = {Channel.WINDOW: clerk, Channel.PHONE: clerk, Channel.PATROL: world.worker}
    for channel in (Channel.WEB, Channel.API, Channel.WINDOW, Channel.PHONE, Channel.PATROL):
        made[channel.value] = services.ticket_submit(
            category=world.noise,
            description=DESCRIPTION,
            channel=channel,
            contact_name="李四",
            contact_phone="13700000000",
            lat=LAT,
            lng=LNG,
            address=ADDRESS,
            actor=actors.get(channel),
        )
    form = post_form(world, api_key.key, lat=str(LAT), long=str(LNG), address_string=ADDRESS, address_id=GRID_CODE) | {
        "description": DESCRIPTION
    }
    response = client.post(f"{BASE}requests.json", form)
    assert response.status_code == 200, response.content
    made["open311"] = Ticket.objects.get(code=json_data(response)[0]["service_request_id"])
    assert {ticket.channel for ticket in made.values()} == set(Channel.values)
    return made


def everything(tickets) -> str:
    return ",".join(ticket.code for ticket in tickets.values())


# --- OPEN311_PUBLIC_CHANNELS ----------------------------------------------------------------


def test_by_default_only_the_online_channels_are_public(client, by_channel, validate):
    assert django_settings.OPEN311_PUBLIC_CHANNELS == ["web", "api", "open311"]
    online = {by_channel[name].code for name in ("web", "api", "open311")}
    listed = get_both(client, "requests")
    validate(listed, "requests.json")
    assert codes(listed) == online
    assert codes(get_both(client, "requests", service_request_id=everything(by_channel))) == online
    for name in ("window", "phone", "patrol"):
        assert client.get(f"{BASE}requests/{by_channel[name].code}.json").status_code == 404
    for name in ("web", "api", "open311"):
        validate(get_both(client, f"requests/{by_channel[name].code}")[0], "request.json")


@pytest.mark.parametrize(
    "public",
    [["window", "phone", "patrol"], ["open311"], ["web", "api", "open311", "window", "phone", "patrol"]],
)
def test_the_public_channels_decide_every_get(client, by_channel, settings, validate, public):
    settings.OPEN311_PUBLIC_CHANNELS = public
    shown = {by_channel[name].code for name in public}
    listed = get_both(client, "requests")
    validate(listed, "requests.json")
    assert codes(listed) == shown
    assert codes(get_both(client, "requests", service_request_id=everything(by_channel))) == shown
    for name, ticket in by_channel.items():
        response = client.get(f"{BASE}requests/{ticket.code}.json")
        assert response.status_code == (200 if name in public else 404), name
    token = SubmittedRequest.objects.get(ticket=by_channel["open311"]).token
    assert client.get(f"{BASE}tokens/{token}.json").status_code == (200 if "open311" in public else 404)


def test_no_public_channel_publishes_nothing(client, by_channel, settings):
    settings.OPEN311_PUBLIC_CHANNELS = []
    assert get_both(client, "requests") == []
    assert get_both(client, "requests", service_request_id=everything(by_channel)) == []
    hidden = client.get(f"{BASE}requests/{by_channel['web'].code}.json")
    assert hidden.status_code == 404
    assert json_data(hidden) == [
        {"code": 404, "description": f"service_request_id: no request “{by_channel['web'].code}”; check the id."}
    ]
    token = SubmittedRequest.objects.get(ticket=by_channel["open311"]).token
    assert client.get(f"{BASE}tokens/{token}.json").status_code == 404
    # Posting still works: the channels only limit what is read back.
    assert client.get(f"{BASE}services.json").status_code == 200


# --- OPEN311_PUBLISH_ADDRESSES and OPEN311_PUBLISH_DESCRIPTIONS ------------------------------


def test_addresses_and_descriptions_are_published_by_default(client, by_channel, validate):
    assert (django_settings.OPEN311_PUBLISH_ADDRESSES, django_settings.OPEN311_PUBLISH_DESCRIPTIONS) == (True, True)
    entry = get_both(client, f"requests/{by_channel['open311'].code}")[0]
    validate(entry, "request.json")
    assert (entry["address"], entry["address_id"], entry["lat"], entry["long"]) == (ADDRESS, GRID_CODE, LAT, LNG)
    assert entry["description"] == DESCRIPTION


def test_a_hidden_address_hides_address_id_and_coarsens_the_point(client, by_channel, settings, validate):
    settings.OPEN311_PUBLISH_ADDRESSES = False
    listed = get_both(client, "requests")
    validate(listed, "requests.json")
    assert len(listed) == 3
    for entry in listed:
        validate(entry, "request.json")
        assert (entry["address"], entry["address_id"]) == (None, None)
        # Rounded to 3 decimals (~100 m): the block, not the door.
        assert (entry["lat"], entry["long"]) == (36.601, 117.002)
        assert entry["description"] == DESCRIPTION  # the other setting is independent
    for path in ("requests.json", "requests.xml", f"requests/{by_channel['open311'].code}.xml"):
        text = client.get(f"{BASE}{path}").content.decode("utf-8")
        for precise in (ADDRESS, GRID_CODE, str(LAT), str(LNG), "36.6012", "117.0018"):
            assert precise not in text, (path, precise)


def test_a_ticket_without_a_point_stays_without_one(client, world, settings, validate):
    settings.OPEN311_PUBLISH_ADDRESSES = False
    ticket = services.ticket_submit(
        category=world.noise,
        description=DESCRIPTION,
        channel=Channel.WEB,
        contact_name="李四",
        contact_phone="13700000000",
        address=ADDRESS,
    )
    entry = get_both(client, f"requests/{ticket.code}")[0]
    validate(entry, "request.json")
    assert (entry["address"], entry["lat"], entry["long"]) == (None, None, None)


def test_hidden_descriptions(client, by_channel, settings, validate):
    settings.OPEN311_PUBLISH_DESCRIPTIONS = False
    listed = get_both(client, "requests", service_request_id=everything(by_channel))
    validate(listed, "requests.json")
    assert [entry["description"] for entry in listed] == [None, None, None]
    assert {entry["address"] for entry in listed} == {ADDRESS}  # the other setting is independent
    assert (listed[0]["lat"], listed[0]["long"]) == (LAT, LNG)
    for path in ("requests.json", "requests.xml", f"requests/{by_channel['web'].code}.json"):
        assert DESCRIPTION not in client.get(f"{BASE}{path}").content.decode("utf-8")


def test_staff_notes_are_hidden_with_the_descriptions(client, world, by_channel, settings, validate):
    note = "已上门为李四家门口更换路灯"  # staff's free text about the request can name the resident
    ticket = by_channel["web"]
    assert ticket.assignee == world.worker
    services.ticket_accept(ticket=ticket, actor=world.worker)
    services.ticket_resolve(ticket=ticket, actor=world.worker, note=note)
    path = f"requests/{ticket.code}"
    assert get_both(client, path)[0]["status_notes"] == note

    settings.OPEN311_PUBLISH_DESCRIPTIONS = False
    entry = get_both(client, path)[0]
    validate([entry], "requests.json")
    assert (entry["status"], entry["status_notes"], entry["description"]) == ("closed", None, None)
    assert note not in client.get(f"{BASE}requests.xml").content.decode("utf-8")


def test_everything_hidden_still_validates_and_costs_one_query(
    client, by_channel, settings, validate, django_assert_max_num_queries
):
    settings.OPEN311_PUBLISH_ADDRESSES = False
    settings.OPEN311_PUBLISH_DESCRIPTIONS = False
    settings.OPEN311_PUBLIC_CHANNELS = list(Channel.values)
    with django_assert_max_num_queries(1):
        response = client.get(f"{BASE}requests.json")
    listed = json_data(response)
    validate(listed, "requests.json")
    assert len(listed) == 6
    assert all((e["address"], e["address_id"], e["description"]) == (None, None, None) for e in listed)


# --- start-up: the variables are parsed strictly ----------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("OPEN311_PUBLIC_CHANNELS", "web,fax"),
        ("OPEN311_PUBLISH_ADDRESSES", "maybe"),
        ("OPEN311_PUBLISH_DESCRIPTIONS", "nein"),
    ],
)
def test_a_malformed_variable_stops_start_up_with_one_line(name, value):
    result = run_check(**{name: value})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert name in lines[0]


def test_every_channel_is_accepted():
    # The list in settings.py must follow tickets.Channel: a channel added there must be publishable.
    result = run_check(OPEN311_PUBLIC_CHANNELS=" , ".join(value.upper() for value in Channel.values))
    assert result.returncode == 0, result.stderr
