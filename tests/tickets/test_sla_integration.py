"""Time limits on real tickets, with a frozen clock and the seeded Chinese calendar.

Default policy (seeded): respond in 2 working hours, resolve in 21 working hours (3 days of
09:00–12:00 + 13:30–17:30), warn at 75 %. Urgent (seeded): 30 minutes and 24 hours of calendar time.
"""

from __future__ import annotations

import logging

import pytest
import time_machine
from django.db import transaction

from apps.sla.calendars import reset_caches
from apps.sla.models import CalendarWarning, SlaPolicy
from apps.tickets import services
from apps.tickets.models import State, Ticket
from apps.tickets.services import actions
from tests.notifications.world import at, build_world, submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_sla_caches():
    reset_caches()
    yield
    reset_caches()


@pytest.fixture
def world(db):
    return build_world()


@pytest.mark.postgres
def test_ticket_actions_lock_the_ticket_row_on_postgresql(world):
    # Regression: FOR UPDATE across the nullable department join is refused by PostgreSQL.
    ticket = submit(world)
    with transaction.atomic():
        assert actions.lock_ticket(ticket).pk == ticket.pk
        # The scan's wider set of nullable joins too (ticket_process_due locks through it).
        related = ("category", "assignee", "department", "grid", "community")
        assert actions.lock_ticket(ticket.pk, related=related).grid_id == ticket.grid_id


def submit_at(world, when, **kwargs) -> Ticket:
    with time_machine.travel(when, tick=False):
        return submit(world, **kwargs)


def act_at(when, service, **kwargs):
    with time_machine.travel(when, tick=False):
        return service(**kwargs)


def deadlines(ticket) -> dict:
    ticket.refresh_from_db()
    return {
        "respond_warn_at": ticket.respond_warn_at,
        "respond_by": ticket.respond_by,
        "resolve_warn_at": ticket.resolve_warn_at,
        "resolve_by": ticket.resolve_by,
    }


# -- deadlines on submit ------------------------------------------------------------


@pytest.mark.parametrize(
    ("submitted", "expected"),
    [
        pytest.param(
            at(2025, 6, 4, 11, 0),  # Wednesday, an hour before lunch
            {
                "respond_warn_at": at(2025, 6, 4, 14, 0),
                "respond_by": at(2025, 6, 4, 14, 30),
                "resolve_warn_at": at(2025, 6, 6, 14, 15),
                "resolve_by": at(2025, 6, 9, 11, 0),
            },
            id="across-lunch-and-a-weekend",
        ),
        pytest.param(
            at(2025, 6, 6, 16, 0),  # Friday afternoon
            {
                "respond_warn_at": at(2025, 6, 6, 17, 30),  # lands exactly on the end of the day
                "respond_by": at(2025, 6, 9, 9, 30),
                "resolve_warn_at": at(2025, 6, 11, 9, 15),
                "resolve_by": at(2025, 6, 11, 16, 0),
            },
            id="friday-afternoon-over-the-weekend",
        ),
        pytest.param(
            at(2025, 9, 30, 16, 0),  # the eve of National Day 2025 (1–8 Oct off; Sat 11 Oct worked)
            {
                "respond_warn_at": at(2025, 9, 30, 17, 30),
                "respond_by": at(2025, 10, 9, 9, 30),
                "resolve_warn_at": at(2025, 10, 11, 9, 15),
                "resolve_by": at(2025, 10, 11, 16, 0),  # the make-up Saturday
            },
            id="national-day-and-a-makeup-saturday",
        ),
        pytest.param(
            at(2025, 12, 31, 16, 0),  # New Year 2026: 1–3 Jan off, Sunday 4 Jan worked
            {
                "respond_warn_at": at(2025, 12, 31, 17, 30),
                "respond_by": at(2026, 1, 4, 9, 30),  # the make-up Sunday, in the next year
                "resolve_warn_at": at(2026, 1, 6, 9, 15),
                "resolve_by": at(2026, 1, 6, 16, 0),
            },
            id="year-end-and-a-makeup-sunday",
        ),
    ],
)
def test_deadlines_on_submit_follow_the_working_calendar(world, submitted, expected):
    ticket = submit_at(world, submitted)
    assert deadlines(ticket) == expected
    assert ticket.submitted_at == submitted
    assert ticket.sla_calendar == "default"
    assert ticket.sla_policy_id == SlaPolicy.objects.get(priority="").pk
    assert ticket.next_action_at == expected["respond_warn_at"]
    assert ticket.assignee == world.worker


def test_an_urgent_ticket_counts_calendar_hours_through_the_weekend_night(world):
    ticket = submit_at(world, at(2025, 6, 7, 22, 0), priority="urgent")  # Saturday night
    assert deadlines(ticket) == {
        "respond_warn_at": at(2025, 6, 7, 22, 22, 30),
        "respond_by": at(2025, 6, 7, 22, 30),
        "resolve_warn_at": at(2025, 6, 8, 16, 0),
        "resolve_by": at(2025, 6, 8, 22, 0),
    }
    assert ticket.sla_policy_id == SlaPolicy.objects.get(priority="urgent").pk


def test_a_deadline_in_a_year_without_holiday_data_is_computed_on_weekdays_and_warned(world, caplog):
    caplog.set_level(logging.WARNING)
    ticket = submit_at(world, at(2026, 12, 31, 16, 0))  # the package has no data for 2027
    # 1 January 2027 (a Friday, surely a holiday) is counted as a working day: a visible guess.
    assert ticket.respond_by == at(2027, 1, 1, 9, 30)
    warning = CalendarWarning.objects.get(calendar__code="default")
    assert warning.year == 2027
    assert warning.count >= 1
    assert "2027" in caplog.text


# -- pauses, reclassification, outcomes ----------------------------------------------


def accepted_monday_ticket(world) -> Ticket:
    """Submitted Monday 9 June 2025 09:00, accepted and started by the grid worker at 09:30."""
    ticket = submit_at(world, at(2025, 6, 9, 9, 0))
    ticket = act_at(at(2025, 6, 9, 9, 30), services.ticket_accept, ticket=ticket, actor=world.worker)
    return act_at(at(2025, 6, 9, 9, 30), services.ticket_start, ticket=ticket, actor=world.worker)


def test_waiting_on_the_resident_pushes_the_resolution_back_by_the_working_time_paused(world):
    ticket = accepted_monday_ticket(world)
    assert deadlines(ticket) == {
        "respond_warn_at": at(2025, 6, 9, 10, 30),
        "respond_by": at(2025, 6, 9, 11, 0),
        "resolve_warn_at": at(2025, 6, 11, 10, 45),
        "resolve_by": at(2025, 6, 11, 17, 30),
    }
    ticket = act_at(
        at(2025, 6, 9, 10, 0), services.ticket_wait_on_resident, ticket=ticket, actor=world.worker, note="请补充照片"
    )
    ticket.refresh_from_db()
    assert ticket.paused_at == at(2025, 6, 9, 10, 0)
    assert ticket.next_action_at is None  # paused: nothing is due
    # Resumed at 15:00: 10:00–12:00 and 13:30–15:00 are 3.5 working hours paused.
    ticket = act_at(at(2025, 6, 9, 15, 0), services.ticket_resume, ticket=ticket, actor=world.worker)
    assert deadlines(ticket) == {
        "respond_warn_at": at(2025, 6, 9, 10, 30),
        "respond_by": at(2025, 6, 9, 11, 0),  # the response target was already met
        "resolve_warn_at": at(2025, 6, 11, 15, 45),
        "resolve_by": at(2025, 6, 12, 14, 0),
    }
    assert ticket.paused_at is None
    assert ticket.state == State.IN_PROGRESS
    assert ticket.next_action_at == at(2025, 6, 11, 15, 45)
    resume = ticket.events.get(action="resume")
    assert resume.data["paused"] == {
        "from": at(2025, 6, 9, 10, 0).isoformat(),
        "resolve_by_was": at(2025, 6, 11, 17, 30).isoformat(),
        "resolve_by": at(2025, 6, 12, 14, 0).isoformat(),
    }


def test_two_pauses_add_up_and_are_left_out_of_the_working_minutes(world):
    ticket = accepted_monday_ticket(world)
    for start, end in ((at(2025, 6, 9, 10, 0), at(2025, 6, 9, 15, 0)), (at(2025, 6, 10, 16, 0), at(2025, 6, 11, 10))):
        ticket = act_at(start, services.ticket_wait_on_resident, ticket=ticket, actor=world.worker, note="补充材料")
        ticket = act_at(end, services.ticket_resume, ticket=ticket, actor=world.worker)
    # 3.5 h + (16:00–17:30 and 09:00–10:00) 2.5 h = 6 working hours after Wed 17:30.
    assert deadlines(ticket)["resolve_by"] == at(2025, 6, 12, 16, 30)
    ticket, _ = act_at(
        at(2025, 6, 12, 16, 0), services.ticket_resolve, ticket=ticket, actor=world.worker, note="已修复"
    )
    ticket.refresh_from_db()
    assert (ticket.response_met, ticket.response_minutes) == (True, 30)
    # Mon–Wed 21 h + Thu 5.5 h − 6 h paused = 20.5 h.
    assert (ticket.resolution_met, ticket.resolution_minutes) == (True, 20 * 60 + 30)


def test_outcomes_record_breaches_and_working_minutes(world):
    ticket = submit_at(world, at(2025, 6, 9, 9, 0))
    ticket = act_at(at(2025, 6, 9, 14, 0), services.ticket_accept, ticket=ticket, actor=world.worker)
    ticket.refresh_from_db()
    assert (ticket.response_met, ticket.response_minutes) == (False, 3 * 60 + 30)  # 09:00–12:00, 13:30–14:00
    assert (ticket.resolution_met, ticket.resolution_minutes) == (None, None)
    ticket, _ = act_at(at(2025, 6, 12, 10, 0), services.ticket_resolve, ticket=ticket, actor=world.worker, note="已修")
    ticket.refresh_from_db()
    assert (ticket.resolution_met, ticket.resolution_minutes) == (False, 22 * 60)  # Mon–Wed 21 h + Thu 1 h
    assert ticket.state == State.RESOLVED


def test_on_time_resolution_is_met(world):
    ticket = accepted_monday_ticket(world)
    ticket, _ = act_at(at(2025, 6, 11, 17, 30), services.ticket_resolve, ticket=ticket, actor=world.worker, note="好")
    ticket.refresh_from_db()
    assert (ticket.response_met, ticket.response_minutes) == (True, 30)
    assert (ticket.resolution_met, ticket.resolution_minutes) == (True, 21 * 60)  # resolved on the dot


@pytest.fixture
def high_policy(db):
    return SlaPolicy.objects.create(
        name="high",
        priority="high",
        response_minutes=60,
        response_mode="working",
        resolution_minutes=14 * 60,
        resolution_mode="working",
    )


def test_a_priority_change_midway_keeps_the_time_already_spent(world, high_policy):
    ticket = accepted_monday_ticket(world)
    # Tuesday 10:00: 8 working hours spent; the new 14-hour target leaves 6 → Tuesday 17:30.
    ticket = act_at(
        at(2025, 6, 10, 10, 0), services.ticket_reclassify, ticket=ticket, actor=world.worker, priority="high"
    )
    assert deadlines(ticket) == {
        "respond_warn_at": at(2025, 6, 9, 9, 45),
        "respond_by": at(2025, 6, 9, 10, 0),
        "resolve_warn_at": at(2025, 6, 10, 14, 0),
        "resolve_by": at(2025, 6, 10, 17, 30),
    }
    assert ticket.priority == "high"
    assert ticket.sla_policy_id == high_policy.pk
    assert ticket.next_action_at == at(2025, 6, 10, 14, 0)  # accepted: no response steps remain
    event = ticket.events.get(action="reclassify")
    assert event.data["priority"] == ["normal", "high"]
    assert event.data["deadlines_were"] == {
        "respond_by": at(2025, 6, 9, 11, 0).isoformat(),
        "resolve_by": at(2025, 6, 11, 17, 30).isoformat(),
    }


def test_a_priority_change_after_a_pause_keeps_the_pause(world, high_policy):
    ticket = accepted_monday_ticket(world)
    ticket = act_at(
        at(2025, 6, 9, 10, 0), services.ticket_wait_on_resident, ticket=ticket, actor=world.worker, note="补"
    )
    ticket = act_at(at(2025, 6, 9, 15, 0), services.ticket_resume, ticket=ticket, actor=world.worker)
    ticket = act_at(
        at(2025, 6, 10, 10, 0), services.ticket_reclassify, ticket=ticket, actor=world.worker, priority="high"
    )
    # 14 h target + 3.5 h paused from Monday 09:00 → Wednesday 14:00.
    assert deadlines(ticket)["resolve_by"] == at(2025, 6, 11, 14, 0)


def test_a_change_to_urgent_already_exceeded_is_breached_at_once(world):
    ticket = accepted_monday_ticket(world)
    ticket = act_at(
        at(2025, 6, 10, 10, 0), services.ticket_reclassify, ticket=ticket, actor=world.worker, priority="urgent"
    )
    # 24 calendar hours from Monday 09:00 ended at Tuesday 09:00, an hour ago.
    assert deadlines(ticket)["resolve_by"] == at(2025, 6, 10, 9, 0)
    assert ticket.next_action_at == at(2025, 6, 10, 3, 0)  # the (past) 75 % warning (18 h): due at once


def test_reclassify_and_supervise_through_the_api(world, high_policy):
    from rest_framework.test import APIClient

    ticket = accepted_monday_ticket(world)
    client = APIClient()
    client.force_authenticate(world.sup_c)
    with time_machine.travel(at(2025, 6, 10, 10, 0), tick=False):
        response = client.post(f"/api/v1/tickets/{ticket.pk}/reclassify/", {"priority": "high"}, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["resolve_by"] == "2025-06-10T17:30:00+08:00"
        response = client.post(
            f"/api/v1/tickets/{ticket.pk}/supervise/",
            {"note": "今天内处理", "due_at": "2025-06-10T12:00:00+08:00"},
            format="json",
        )
        assert response.status_code == 200, response.json()
        refused = client.post(
            f"/api/v1/tickets/{ticket.pk}/supervise/",
            {"note": "过去的时限", "due_at": "2025-06-10T09:00:00+08:00"},
            format="json",
        )
    assert refused.status_code == 400
    assert refused.json()["fields"]["due_at"]
    ticket.refresh_from_db()
    order = ticket.supervision_orders.get()
    assert (order.due_at, order.issued_by, order.note) == (at(2025, 6, 10, 12, 0), world.sup_c, "今天内处理")
    assert ticket.next_action_at == at(2025, 6, 10, 12, 0)  # the order is due before the 14:00 warning


def test_a_worker_outside_the_supervisor_role_cannot_supervise(world):
    ticket = accepted_monday_ticket(world)
    from apps.core.errors import Conflict

    with time_machine.travel(at(2025, 6, 10, 10, 0), tick=False), pytest.raises(Conflict):
        services.ticket_supervise(ticket=ticket, actor=world.worker, note="催", due_at=at(2025, 6, 10, 12, 0))
    assert ticket.supervision_orders.count() == 0
