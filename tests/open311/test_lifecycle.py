"""An Open311 request is routed and handled exactly like a portal ticket, and can be followed until closed."""

from __future__ import annotations

import time_machine
from django.utils import timezone

from apps.tickets import services
from apps.tickets.models import Channel, State, Ticket
from tests.open311.conftest import BASE, INSIDE, post_form
from tests.open311.formats import json_data


def report(client, world, api_key, **overrides) -> Ticket:
    response = client.post(f"{BASE}requests.json", post_form(world, api_key.key, **overrides))
    assert response.status_code == 200, response.content
    return Ticket.objects.get(code=json_data(response)[0]["service_request_id"])


def follow(client, ticket: Ticket) -> dict:
    return json_data(client.get(f"{BASE}requests/{ticket.code}.json"))[0]


ROUTE_FIELDS = ("grid_id", "community_id", "department_id", "assignee_id", "org_path", "priority", "state")


@time_machine.travel(timezone.datetime(2026, 11, 24, 9, 30, tzinfo=timezone.get_default_timezone()), tick=False)
def test_routed_exactly_like_a_portal_ticket(client, world, api_key):
    open311 = report(client, world, api_key)
    portal = services.ticket_submit(
        category=world.streetlight,
        description="路口的路灯整晚不亮",
        channel=Channel.WEB,
        contact_name="张三",
        contact_phone="13812345678",
        lat=INSIDE[0],
        lng=INSIDE[1],
        attributes={"fault": "not_lit"},
    )
    assert {f: getattr(open311, f) for f in ROUTE_FIELDS} == {f: getattr(portal, f) for f in ROUTE_FIELDS}
    assert open311.assignee == world.worker
    assert open311.org_path == world.grid.path
    assert (open311.respond_by, open311.resolve_by) == (portal.respond_by, portal.resolve_by)
    assert open311.resolve_by is not None
    assert list(open311.events.values_list("action", flat=True)) == ["submit", "route"]
    assert (open311.channel, open311.channel_detail) == ("open311", "FixMyStreet 济南")


def test_followed_until_closed(client, world, api_key, validate):
    ticket = report(client, world, api_key)
    seen = follow(client, ticket)
    assert (seen["status"], seen["status_notes"]) == ("open", None)

    ticket = services.ticket_accept(ticket=ticket, actor=world.worker, note="马上去看")
    ticket = services.ticket_start(ticket=ticket, actor=world.worker)
    ticket, _event = services.ticket_resolve(ticket=ticket, actor=world.worker, note="已更换灯泡")
    resolved = follow(client, ticket)
    assert (resolved["status"], resolved["status_notes"]) == ("closed", "已更换灯泡")

    ticket = services.ticket_close(ticket=ticket, actor=world.supervisor, note="回访满意")
    ticket.refresh_from_db()
    assert ticket.state == State.CLOSED
    closed = follow(client, ticket)
    validate([closed], "requests.json")
    assert (closed["status"], closed["status_notes"]) == ("closed", "已更换灯泡")
    assert closed["updated_datetime"] >= seen["updated_datetime"]
    listed = json_data(client.get(f"{BASE}requests.json", {"status": "closed"}))
    assert [entry["service_request_id"] for entry in listed] == [ticket.code]


def test_a_rejection_is_closed_with_its_reason(client, world, api_key):
    ticket = report(client, world, api_key)
    services.ticket_reject(ticket=ticket, actor=world.worker, reason="不属于本网格")
    seen = follow(client, ticket)
    assert (seen["status"], seen["status_notes"]) == ("closed", "不属于本网格")


def test_a_merged_request_points_at_the_one_kept(client, world, api_key):
    kept = report(client, world, api_key)
    duplicate = report(client, world, api_key)
    services.ticket_merge(ticket=duplicate, actor=world.supervisor, into_id=kept.pk)
    seen = follow(client, duplicate)
    assert (seen["status"], seen["status_notes"]) == ("closed", f"Merged into request {kept.code}.")


def test_a_department_request_names_the_department(client, world, api_key):
    ticket = report(client, world, api_key, service_code="WATER", **{"attribute[fault]": None})
    assert (ticket.department, ticket.assignee) == (world.department, None)
    assert follow(client, ticket)["agency_responsible"] == "供水公司"
