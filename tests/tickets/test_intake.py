"""Intake on every channel, field-level validation errors, all-or-nothing, tracking codes, on-the-spot resolution."""

from __future__ import annotations

import re

import pytest

from apps.tickets import codes, services
from apps.tickets.models import Channel, Ticket, TicketEvent
from tests.tickets.conftest import C1, G1, api_client, center, submit

URL = "/api/v1/tickets/"
LAT, LNG = center(0)  # inside G1


def body(**overrides) -> dict:
    data = {
        "category": "ROAD",
        "description": "人行道上有个大坑",
        "lat": LAT,
        "lng": LNG,
        "contact_name": "李四",
        "contact_phone": "13911112222",
        "attributes": {"size": 2, "kind": "pothole"},
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not ...}


def counts():
    return Ticket.objects.count(), TicketEvent.objects.count()


# --- channels ------------------------------------------------------------------------------------


def test_anonymous_api_submission_gets_only_a_tracking_code(world):
    response = api_client().post(URL, body(), format="json")
    assert response.status_code == 201, response.json()
    payload = response.json()
    assert set(payload) == {"code", "state", "resolve_by"}
    ticket = Ticket.objects.get(code=payload["code"])
    assert (ticket.channel, ticket.resident, ticket.recorded_by, ticket.state) == ("api", None, None, "submitted")
    assert (ticket.contact_name, ticket.contact_phone) == ("李四", "13911112222")
    assert ticket.attributes == {"size": 2, "kind": "pothole"}
    assert (ticket.grid, ticket.assignee) == (world.g1, world.worker)
    assert [e.action for e in ticket.events.all()] == ["submit", "route"]
    assert ticket.submitted_at is not None and ticket.respond_by is not None and ticket.resolve_by is not None


def test_anonymous_web_form_channel_is_stored(world):
    response = api_client().post(URL, body(channel="web"), format="json")
    assert response.status_code == 201
    assert Ticket.objects.get(code=response.json()["code"]).channel == "web"


def test_logged_in_resident_submits_with_their_own_contact(world):
    response = api_client(world.resident).post(
        URL, body(contact_name="", contact_phone="", channel="web"), format="json"
    )
    assert response.status_code == 201, response.json()
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert (ticket.resident, ticket.channel, ticket.recorded_by) == (world.resident, "web", None)
    assert (ticket.contact_name, ticket.contact_phone) == (world.resident.full_name, "13812345678")
    assert response.json()["contact_phone"] == "13812345678"  # their own phone, whole
    # ... and the resident sees it among their tickets.
    listed = api_client(world.resident).get(URL).json()["results"]
    assert [t["id"] for t in listed] == [ticket.pk]


@pytest.mark.parametrize("channel", ["window", "phone"])
def test_clerk_records_window_and_phone_linking_the_resident_by_phone(world, channel):
    response = api_client(world.clerk).post(
        URL, body(channel=channel, contact_phone=world.resident.phone), format="json"
    )
    assert response.status_code == 201, response.json()
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert (ticket.channel, ticket.resident, ticket.recorded_by) == (channel, world.resident, world.clerk)
    submit_event = ticket.events.get(action="submit")
    assert (submit_event.actor, submit_event.data["channel"]) == (world.clerk, channel)
    assert [t["id"] for t in api_client(world.resident).get(URL).json()["results"]] == [ticket.pk]


def test_clerk_default_channel_is_the_window_and_an_unknown_phone_links_nobody(world):
    response = api_client(world.clerk).post(URL, body(), format="json")
    assert response.status_code == 201
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert (ticket.channel, ticket.resident, ticket.recorded_by) == ("window", None, world.clerk)


def test_grid_worker_self_reports_on_patrol(world):
    response = api_client(world.worker).post(
        URL, body(contact_name="巡查", contact_phone=world.worker.phone), format="json"
    )
    assert response.status_code == 201, response.json()
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert (ticket.channel, ticket.recorded_by, ticket.resident) == ("patrol", world.worker, None)


@pytest.mark.parametrize(
    ("who", "channel"),
    [("resident", "window"), ("resident", "patrol"), ("resident", "phone"), (None, "window"), ("clerk", "patrol")],
)
def test_a_channel_cannot_be_claimed_by_the_wrong_role(world, who, channel):
    before = counts()
    client = api_client(getattr(world, who) if who else None)
    response = client.post(URL, body(channel=channel), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert list(response.json()["fields"]) == ["channel"]
    assert counts() == before


# --- validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"category": "NOPE"}, "category"),
        ({"category": "OLD", "attributes": {}}, "category"),
        ({"attributes": {"size": "big"}}, "attributes.size"),
        ({"attributes": {"kind": "lake"}}, "attributes.kind"),
        ({"attributes": {"colour": "red"}}, "attributes.colour"),
        ({"lng": ...}, "lng"),
        ({"lat": ...}, "lat"),
        ({"lat": 91}, "lat"),
        ({"lng": -181}, "lng"),
        ({"lat": ..., "lng": ...}, "location"),
        ({"contact_phone": "call me"}, "contact_phone"),
        ({"contact_phone": ""}, "contact_phone"),
        ({"contact_name": ""}, "contact_name"),
        ({"description": "x" * 4001}, "description"),
        ({"description": "   "}, "description"),
        ({"community": "370102001"}, "community"),
        ({"priority": "whenever"}, "priority"),
    ],
)
def test_validation_errors_are_field_level_400s_and_write_nothing(world, overrides, field):
    before = counts()
    response = api_client().post(URL, body(**overrides), format="json")
    assert response.status_code == 400, response.json()
    payload = response.json()
    assert set(payload) == {"code", "message", "fields"}
    assert payload["code"] == "validation_error"
    assert field in payload["fields"], payload
    assert payload["fields"][field] and all(isinstance(m, str) and m for m in payload["fields"][field])
    assert counts() == before


def test_service_refuses_out_of_range_coordinates_with_field_errors(world):
    from apps.core.errors import ValidationFailed

    before = counts()
    with pytest.raises(ValidationFailed) as refused:
        submit(world, lat=95.0, lng=200.0)
    assert set(refused.value.fields) >= {"lat", "lng"}
    assert counts() == before


def test_an_address_alone_or_a_community_alone_is_enough(world):
    by_address = api_client().post(URL, body(lat=..., lng=..., address="历下区某路1号"), format="json")
    by_community = api_client().post(URL, body(lat=..., lng=..., community=C1), format="json")
    assert (by_address.status_code, by_community.status_code) == (201, 201)
    ticket = Ticket.objects.get(code=by_community.json()["code"])
    assert (ticket.community, ticket.grid, ticket.assignee) == (world.c1, None, None)


def test_nothing_half_written_when_a_late_step_fails(world, monkeypatch):
    """A failure after the ticket row was saved (writing the route event) rolls everything back."""
    before = counts()
    calls = {"n": 0}
    real = services.intake.record_event

    def fail_second(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr("apps.tickets.services.intake.record_event", fail_second)
    with pytest.raises(RuntimeError):
        submit(world)
    assert counts() == before


# --- tracking codes ------------------------------------------------------------------------------


def test_tracking_code_is_ten_unambiguous_characters_and_not_the_id(world):
    tickets = [submit(world) for _ in range(20)]
    pattern = re.compile(f"^[{codes.ALPHABET}]{{10}}$")
    assert all(pattern.match(t.code) for t in tickets)
    assert len({t.code for t in tickets}) == 20
    assert all(str(t.pk) != t.code for t in tickets)
    assert not set("01258OILZSB") & set(codes.ALPHABET)


def test_a_colliding_code_is_drawn_again(world, monkeypatch):
    first = submit(world)
    drawn = iter([first.code, "ACDEFGHJKM"])
    monkeypatch.setattr("apps.tickets.services.intake.new_code", lambda: next(drawn))
    second = submit(world)
    assert second.code == "ACDEFGHJKM"
    assert Ticket.objects.filter(code=first.code).count() == 1


# --- on the spot ---------------------------------------------------------------------------------


def test_clerk_resolves_on_the_spot_and_it_is_counted(world):
    response = api_client(world.clerk).post(
        URL, body(channel="window", resolve_on_spot=True, resolution_note="当场解答"), format="json"
    )
    assert response.status_code == 201, response.json()
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert (ticket.state, ticket.resolved_at_window, ticket.assignee) == ("resolved", True, world.clerk)
    assert ticket.accepted_at == ticket.resolved_at >= ticket.submitted_at
    resolve = ticket.events.get(action="resolve")
    assert (resolve.actor, resolve.from_state, resolve.to_state, resolve.data) == (
        world.clerk,
        "submitted",
        "resolved",
        {"at_window": True},
    )
    assert Ticket.objects.filter(resolved_at_window=True).count() == 1


def test_on_the_spot_needs_a_note_and_the_window(world):
    before = counts()
    no_note = api_client(world.clerk).post(URL, body(channel="window", resolve_on_spot=True), format="json")
    assert no_note.status_code == 400 and "resolution_note" in no_note.json()["fields"]
    by_resident = api_client(world.resident).post(
        URL, body(resolve_on_spot=True, resolution_note="我自己解决了"), format="json"
    )
    assert by_resident.status_code == 400 and "resolve_on_spot" in by_resident.json()["fields"]
    assert counts() == before


def test_category_without_confirmation_closes_on_resolve(world):
    ticket = submit(world, category=world.info)
    services.ticket_accept(ticket=ticket, actor=world.worker)
    ticket, _event = services.ticket_resolve(ticket=ticket, actor=world.worker, note="已电话答复")
    ticket.refresh_from_db()
    assert ticket.state == "closed" and ticket.closed_at == ticket.resolved_at
    assert list(ticket.events.values_list("action", "from_state", "to_state", "actor"))[-2:] == [
        ("resolve", "accepted", "resolved", world.worker.pk),
        ("close", "resolved", "closed", None),
    ]


def test_on_the_spot_with_a_category_without_confirmation_closes(world):
    ticket = services.ticket_submit(
        category=world.info, description="咨询低保政策", channel=Channel.WINDOW, contact_name="王五",
        contact_phone="13900001234", community=world.c1, actor=world.clerk, resolve_on_spot=True,
        resolution_note="已当面解答",
    )  # fmt: skip
    ticket.refresh_from_db()
    assert (ticket.state, ticket.resolved_at_window) == ("closed", True)


def test_priority_defaults_from_the_category(world):
    world.road.default_priority = "high"
    world.road.save()
    ticket = submit(world, category=world.road)
    assert ticket.priority == "high"


def test_submission_in_g1_routes_with_reason_on_the_route_event(world):
    ticket = submit(world)
    route = ticket.events.get(action="route")
    assert route.is_public is False
    assert route.note == f"point in grid {G1}; worker worker chosen; 0 open tickets"


def test_clerk_links_the_resident_whatever_the_phone_formatting(world):
    response = api_client(world.clerk).post(URL, body(channel="window", contact_phone="138 1234 5678"), format="json")
    assert response.status_code == 201
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert ticket.contact_phone == "13812345678"
    assert ticket.resident == world.resident
