"""The SLA clock as shown on the pages."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from apps.portal.clock import clock_for, human_duration

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def ticket(**kw):
    base = {
        "state": "submitted",
        "accepted_at": None,
        "respond_by": NOW + timedelta(hours=2),
        "respond_warn_at": NOW + timedelta(hours=1),
        "resolve_by": NOW + timedelta(days=3),
        "resolve_warn_at": NOW + timedelta(days=2),
    }
    base.update(kw)
    return SimpleNamespace(**base)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_response_target_runs_until_accepted():
    clock = clock_for(ticket(), NOW)
    assert (clock.status, clock.remaining, clock.deadline) == ("ok", "2 h 0 min left", NOW + timedelta(hours=2))
    accepted = clock_for(ticket(state="accepted", accepted_at=NOW), NOW)
    assert (accepted.status, accepted.deadline, accepted.remaining) == ("ok", NOW + timedelta(days=3), "3 d 0 h left")


def test_warning_and_breach():
    assert clock_for(ticket(), NOW + timedelta(minutes=90)).status == "warning"
    late = clock_for(ticket(), NOW + timedelta(hours=3, minutes=5))
    assert (late.status, late.remaining, late.seconds) == ("breach", "overdue by 1 h 5 min", -3900)


def test_paused_done_and_no_target():
    assert clock_for(ticket(state="waiting_on_resident", accepted_at=NOW), NOW).status == "paused"
    assert clock_for(ticket(state="closed"), NOW).status == "done"
    assert clock_for(ticket(respond_by=None), NOW).status == "none"


def test_human_duration():
    assert human_duration(59) == "0 min"
    assert human_duration(-(3600 * 26 + 60)) == "1 d 2 h"
