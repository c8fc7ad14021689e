"""Every action in every state, by every relation: allowed exactly where the ACTIONS table says.

On refusal: Conflict (HTTP 409 through the API) naming the state and the action, and nothing
changed. On success: exactly one new TicketEvent (actor, action, from-state, to-state), written
in the same transaction as the change.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.errors import Conflict
from apps.tickets import services, workflow
from apps.tickets.models import Rating, State, Ticket, TicketEvent
from apps.tickets.workflow import ACTIONS
from tests.tickets.conftest import G2, api_client, bring_to, make_ticket, snapshot, submit

# relation under test → (who takes the action, every relation that user then holds)
RELATIONS = {
    "owner": ("resident", {"owner"}),
    "assignee": ("worker", {"assignee"}),
    "department": ("department_staff", {"department"}),
    "dispatcher": ("clerk", {"dispatcher"}),
    "supervisor": ("district_supervisor", {"dispatcher", "supervisor"}),
    "system": (None, {"system"}),
    "stranger": ("other_resident", set()),
}


def arrange(world, relation: str, state: str) -> tuple[Ticket, object]:
    """A ticket in ``state`` and the user holding ``relation`` towards it."""
    ticket = make_ticket(world, category=world.water if relation == "department" else world.road, state=state)
    username = RELATIONS[relation][0]
    return ticket, (getattr(world, username) if username else None)


def take(world, name: str, ticket: Ticket, actor):
    """Call the service of ``name`` with valid arguments for the world."""
    call = {
        "accept": lambda: services.ticket_accept(ticket=ticket, actor=actor, note="收到"),
        "start": lambda: services.ticket_start(ticket=ticket, actor=actor),
        "wait_on_resident": lambda: services.ticket_wait_on_resident(ticket=ticket, actor=actor, note="请补充门牌号"),
        "resume": lambda: services.ticket_resume(ticket=ticket, actor=actor),
        "resolve": lambda: services.ticket_resolve(ticket=ticket, actor=actor, note="已填平"),
        "close": lambda: services.ticket_close(ticket=ticket, actor=actor),
        "reopen": lambda: services.ticket_reopen(ticket=ticket, actor=actor, note="坑还在"),
        "reject": lambda: services.ticket_reject(ticket=ticket, actor=actor, reason="不属于本辖区"),
        "transfer": lambda: services.ticket_transfer(ticket=ticket, actor=actor, reason="位置在隔壁网格", grid_code=G2),
        "return": lambda: services.ticket_return(ticket=ticket, actor=actor, reason="派错了"),
        "reassign": lambda: services.ticket_reassign(ticket=ticket, actor=actor, assignee_id=world.worker2.pk),
        "merge": lambda: services.ticket_merge(ticket=ticket, actor=actor, into_id=make_ticket(world).pk),
        "comment": lambda: services.ticket_comment(ticket=ticket, actor=actor, body="进展如何？"),
        "rate": lambda: services.ticket_rate(ticket=ticket, actor=actor, score=4, comment="满意"),
        "supervise": lambda: services.ticket_supervise(
            ticket=ticket, actor=actor, note="今天必须处理", due_at=timezone.now() + timedelta(days=1)
        ),
        "reclassify": lambda: services.ticket_reclassify(ticket=ticket, actor=actor, category_code="INFO"),
    }[name]
    return call()


def test_the_table_covers_the_issue_actions():
    assert set(ACTIONS) >= {
        "accept", "start", "wait_on_resident", "resume", "resolve", "close", "reopen", "reject",
        "transfer", "return", "reassign", "merge", "comment", "rate",
    }  # fmt: skip
    assert {s.value for s in State} >= {
        "submitted", "accepted", "in_progress", "waiting_on_resident", "resolved", "closed", "rejected", "merged",
    }  # fmt: skip


@pytest.mark.parametrize("state", [s.value for s in State])
@pytest.mark.parametrize("name", list(ACTIONS))
def test_action_in_state_by_every_relation(world, name, state):
    """One world, one fresh ticket per relation (a test per relation would build the world 900 times)."""
    outcomes = {relation: check_one(world, name, state, relation) for relation in RELATIONS}
    action = ACTIONS[name]
    expected = {r: state in action.from_states and bool(held & action.who) for r, (_u, held) in RELATIONS.items()}
    assert outcomes == {r: "allowed" if ok else "refused" for r, ok in expected.items()}


def check_one(world, name: str, state: str, relation: str) -> str:
    action = ACTIONS[name]
    ticket, actor = arrange(world, relation, state)
    held = RELATIONS[relation][1]
    assert workflow.relations(actor, ticket) == held, relation
    allowed = state in action.from_states and bool(held & action.who)
    before = snapshot(ticket)
    last_event_id = TicketEvent.objects.filter(ticket=ticket).order_by("-id").values_list("id", flat=True).first()

    if not allowed:
        with pytest.raises(Conflict) as refused:
            take(world, name, ticket, actor)
        assert refused.value.status_code == 409
        assert name in refused.value.message, relation
        assert str(State(state).label).lower() in refused.value.message.lower(), relation
        assert snapshot(ticket) == before, relation
        return "refused"

    take(world, name, ticket, actor)
    new_events = list(TicketEvent.objects.filter(ticket=ticket, id__gt=last_event_id or 0))
    assert len(new_events) == 1, (relation, [(e.action, e.from_state, e.to_state) for e in new_events])
    event = new_events[0]
    expected_state = action.to_state or state
    assert (event.action, event.actor_id, event.from_state, event.to_state) == (
        name,
        getattr(actor, "pk", None),
        state,
        expected_state,
    ), relation
    ticket.refresh_from_db()
    assert ticket.state == expected_state, relation
    if name == "rate":
        assert Rating.objects.get(ticket=ticket).score == 4
    return "allowed"


def passes_check(name, user, ticket) -> bool:
    try:
        workflow.check(name, user=user, ticket=ticket)
    except Conflict:
        return False
    return True


@pytest.mark.parametrize("state", [s.value for s in State])
def test_allowed_actions_lists_exactly_what_check_accepts(world, state):
    for relation in RELATIONS:
        ticket, actor = arrange(world, relation, state)
        expected = [name for name in ACTIONS if passes_check(name, actor, ticket)]
        assert workflow.allowed_actions(actor, ticket) == expected, relation


def test_allowed_actions_on_a_new_ticket(world):
    ticket = Ticket.objects.get(pk=submit(world).pk)
    assert {"accept", "reject", "transfer", "return", "comment"} <= set(workflow.allowed_actions(world.worker, ticket))
    assert workflow.allowed_actions(world.resident, ticket) == ["comment"]
    assert workflow.allowed_actions(world.other_resident, ticket) == []
    assert "reassign" in workflow.allowed_actions(world.clerk, ticket)
    assert "reassign" not in workflow.allowed_actions(world.worker, ticket)


def test_unknown_action_is_a_conflict(world):
    ticket = submit(world)
    with pytest.raises(Conflict) as refused:
        workflow.check("teleport", user=world.admin, ticket=ticket)
    assert refused.value.code == "unknown_action"


# --- the same through the API -----------------------------------------------------------------

API_BODIES = {
    "accept": {}, "start": {}, "wait_on_resident": {"note": "请补充"}, "resume": {}, "resolve": {"note": "已修复"},
    "close": {}, "reopen": {"note": "没修好"}, "reject": {"reason": "无效"},
    "transfer": {"reason": "隔壁网格", "grid": G2}, "return": {"reason": "派错了"},
    "merge": {"into": 1}, "rate": {"score": 5}, "supervise": {"note": "督办", "due_at": "2030-01-01T09:00:00+08:00"},
    "reclassify": {"category": "INFO"},
}  # fmt: skip


def refused_state(name: str) -> str:
    return next(s.value for s in State if s.value not in ACTIONS[name].from_states)


@pytest.mark.parametrize("name", [n for n in ACTIONS if n not in ("comment",)])
def test_api_refusal_is_409_naming_state_and_action_and_changes_nothing(world, name):
    state = refused_state(name)
    ticket = Ticket.objects.get(pk=bring_to(world, submit(world), state).pk)
    body = dict(API_BODIES.get(name, {}))
    if name == "reassign":
        body = {"assignee": world.worker2.pk}
    before = snapshot(ticket)
    response = api_client(world.admin).post(f"/api/v1/tickets/{ticket.pk}/{name}/", body, format="json")
    assert response.status_code == 409, response.json()
    payload = response.json()
    assert payload["code"] == "invalid_transition"
    assert name in payload["message"]
    assert str(State(state).label).lower() in payload["message"].lower()
    assert set(payload) == {"code", "message", "fields"}
    assert snapshot(ticket) == before


def test_api_refusal_for_the_wrong_relation_is_409(world):
    ticket = submit(world)
    before = snapshot(ticket)
    # The resident sees their ticket but may not accept it.
    response = api_client(world.resident).post(f"/api/v1/tickets/{ticket.pk}/accept/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "action_not_allowed"
    assert "accept" in response.json()["message"] and "submitted" in response.json()["message"].lower()
    assert snapshot(ticket) == before


def test_api_success_writes_one_event_and_returns_the_timeline(world):
    ticket = submit(world)
    response = api_client(world.worker).post(f"/api/v1/tickets/{ticket.pk}/accept/", {"note": "马上到"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "accepted"
    assert [e["action"] for e in body["events"]] == ["submit", "route", "accept"]
    event = TicketEvent.objects.filter(ticket=ticket).latest("id")
    assert (event.action, event.actor, event.from_state, event.to_state, event.note) == (
        "accept",
        world.worker,
        "submitted",
        "accepted",
        "马上到",
    )
    ticket.refresh_from_db()
    assert ticket.accepted_at == event.at


def test_state_never_changes_on_get(world):
    ticket = submit(world)
    before = snapshot(ticket)
    response = api_client(world.worker).get(f"/api/v1/tickets/{ticket.pk}/accept/")
    assert response.status_code == 405
    assert snapshot(ticket) == before


def test_change_and_event_share_one_transaction(world, monkeypatch):
    """If writing the event fails, the state change is rolled back with it."""
    ticket = submit(world)
    before = snapshot(ticket)

    def broken(*args, **kwargs):
        raise RuntimeError("event store down")

    monkeypatch.setattr("apps.tickets.services.actions.record_event", broken)
    with pytest.raises(RuntimeError):
        services.ticket_accept(ticket=ticket, actor=world.worker)
    assert snapshot(ticket) == before


def test_events_are_never_editable_through_the_api(world):
    ticket = submit(world)
    event = ticket.events.first()
    client = api_client(world.admin)
    for method in ("put", "patch", "delete"):
        response = getattr(client, method)(f"/api/v1/tickets/{ticket.pk}/", {"state": "closed"}, format="json")
        assert response.status_code == 405
    event.refresh_from_db()
    ticket.refresh_from_db()
    assert ticket.state == "submitted"


def test_reopen_counts_and_clears_resolution(world):
    ticket = bring_to(world, submit(world), State.RESOLVED)
    services.ticket_reopen(ticket=ticket, actor=world.resident, note="还是漏")
    ticket.refresh_from_db()
    assert (ticket.state, ticket.reopen_count, ticket.resolved_at) == ("in_progress", 1, None)


def test_rate_only_once(world):
    ticket = bring_to(world, submit(world), State.RESOLVED)
    services.ticket_rate(ticket=ticket, actor=world.resident, score=5)
    before = snapshot(ticket)
    with pytest.raises(Conflict) as refused:
        services.ticket_rate(ticket=ticket, actor=world.resident, score=1)
    assert refused.value.code == "already_rated"
    assert snapshot(ticket) == before


@pytest.mark.parametrize("score", [0, 6])
def test_rate_out_of_range_is_a_field_error(world, score):
    ticket = bring_to(world, submit(world), State.RESOLVED)
    response = api_client(world.resident).post(f"/api/v1/tickets/{ticket.pk}/rate/", {"score": score}, format="json")
    assert response.status_code == 400
    assert "score" in response.json()["fields"]
    assert not Rating.objects.filter(ticket=ticket).exists()


@pytest.mark.parametrize(
    ("name", "field"), [("reject", "reason"), ("resolve", "note"), ("reopen", "note"), ("transfer", "reason")]
)
def test_actions_needing_a_reason_refuse_a_blank_one(world, name, field):
    state = {"reject": State.SUBMITTED, "resolve": State.ACCEPTED, "reopen": State.RESOLVED, "transfer": "submitted"}
    ticket = bring_to(world, submit(world), state[name])
    actor = world.resident if name == "reopen" else world.clerk
    before = snapshot(ticket)
    response = api_client(actor).post(f"/api/v1/tickets/{ticket.pk}/{name}/", {field: "  ", "grid": G2}, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert snapshot(ticket) == before


@pytest.mark.parametrize("target", ["itself", "closed", "out_of_scope", "missing", "merged"])
def test_merge_needs_another_open_ticket_the_actor_can_see(world, target):
    ticket = make_ticket(world)
    into = {
        "itself": lambda: ticket.pk,
        "closed": lambda: make_ticket(world, state="closed").pk,
        "merged": lambda: make_ticket(world, state="merged").pk,
        "out_of_scope": lambda: (
            make_ticket(world, grid=world.g4, community=world.c2, org_path=world.g4.path, assignee=world.worker_far).pk
        ),
        "missing": lambda: 987654,
    }[target]()
    before = snapshot(ticket)
    response = api_client(world.clerk).post(f"/api/v1/tickets/{ticket.pk}/merge/", {"into": into}, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["into"]
    assert snapshot(ticket) == before


def test_merge_records_both_sides(world):
    ticket, target = make_ticket(world), make_ticket(world)
    services.ticket_merge(ticket=ticket, actor=world.clerk, into_id=target.pk, note="同一件事")
    ticket.refresh_from_db()
    assert (ticket.state, ticket.merged_into, ticket.closed_at is not None) == ("merged", target, True)
    assert ticket.events.get(action="merge").data == {"into": target.code}
    other_side = target.events.get(action="merged_from")
    assert (other_side.data, other_side.is_public, other_side.actor) == ({"from": ticket.code}, False, world.clerk)
