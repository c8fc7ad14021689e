"""The rates of tickets moved by the real services (routing, deadlines, reopen, rating), clock controlled."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.metrics.rates import rates_by_child, rates_for
from apps.tickets import services
from tests.tickets.conftest import (  # noqa: F401 - fixtures of the tickets tests' world
    G1,
    bring_to,
    fresh_index_and_cache,
    media,
    submit,
    world,
)

SH = ZoneInfo("Asia/Shanghai")
MARCH = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}

pytestmark = pytest.mark.django_db


def test_reopened_then_resolved_again(world):  # noqa: F811 - the imported fixture
    # Monday 2 March 2026, 09:00: submitted, routed to G1's worker, answered and resolved at once.
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=SH), tick=False):
        ticket = submit(world, where=G1)
        ticket = bring_to(world, ticket, "resolved")
    assert ticket.assignee == world.worker
    rates = rates_for(node=world.c1, **MARCH)
    assert (rates.tickets, rates.responded_on_time, rates.resolved, rates.resolved_on_time) == (1, 1, 1, 1)

    # The resident disputes the result: reopened, it is not resolved any more.
    with time_machine.travel(datetime(2026, 3, 3, 10, 0, tzinfo=SH), tick=False):
        ticket = services.ticket_reopen(ticket=ticket, actor=world.resident, note="坑还在")
    rates = rates_for(node=world.c1, **MARCH)
    assert (rates.tickets, rates.responded_on_time, rates.resolved, rates.resolved_on_time) == (1, 1, 0, 0)
    assert rates.resolution_rate == 0.0

    # Resolved again a month later (past resolve_by), confirmed and rated 4.
    with time_machine.travel(datetime(2026, 4, 20, 10, 0, tzinfo=SH), tick=False):
        ticket, _event = services.ticket_resolve(ticket=ticket, actor=world.worker, note="重新修复")
        ticket = services.ticket_close(ticket=ticket, actor=world.resident)
        services.ticket_rate(ticket=ticket, actor=world.resident, score=4)
    rates = rates_for(node=world.c1, **MARCH)
    assert (rates.resolved, rates.resolved_on_time, rates.rated, rates.satisfied) == (1, 0, 1, 1)
    assert (rates.resolution_rate, rates.on_time_resolution_rate, rates.satisfaction_rate) == (1.0, 0.0, 1.0)

    rows = rates_by_child(node=world.g1, **MARCH)
    assert [(r.code, r.rates.tickets) for r in rows] == [(str(world.worker.pk), 1), (str(world.deputy.pk), 0)]


def test_merged_and_rejected_through_services(world):  # noqa: F811 - the imported fixture
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=SH), tick=False):
        bring_to(world, submit(world, where=G1), "rejected")
        bring_to(world, submit(world, where=G1), "merged")  # merges into a new ticket, which counts
    rates = rates_for(node=world.c1, **MARCH)
    assert rates.tickets == 1
