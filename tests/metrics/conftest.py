"""A small city with tickets whose every outcome is known, for exact rates.

济南市 370100
├── 历下区 370102
│   ├── 解放路街道 370102001
│   │   ├── 青龙社区 C1 370102001001
│   │   │   ├── G1 370102001001001  (worker w1, deputy w2)
│   │   │   └── G2 370102001001002  (worker w3)
│   │   └── 空社区 C2 370102001002     (no tickets at all)
│   └── 3701020011  a subdistrict whose code starts with its sibling's code (prefix trap)
└── 市中区 370103 / 370103001 / C3 370103001001 / G4 370103001001001

Tickets are rows written directly with explicit timestamps (the rates read columns, and
the services' own tests cover how the columns get their values); one test drives the real
services for the reopen case. ``now`` is 2026-04-02 10:00 in Shanghai; the period is March.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.utils import translation
from rest_framework.test import APIClient

from apps.catalog.models import ServiceCategory
from apps.people.models import GridMembership, Role, StaffScope, User
from apps.places.models import OrgNode
from apps.tickets.models import Rating, State, Ticket

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 4, 2, 10, 0, tzinfo=SH)
MARCH = (date(2026, 3, 1), date(2026, 3, 31))
_codes = itertools.count(1)


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SH)


def make_node(code, level, parent=None, name=None) -> OrgNode:
    return OrgNode.objects.create(
        code=code, name=name or f"{level} {code}", level=level, parent=parent,
        path=f"{parent.path if parent else ''}{code}/",
    )  # fmt: skip


def make_user(username, role, *, nodes=(), departments=()) -> User:
    user = User.objects.create_user(username=username, password=None, role=role, full_name=f"{username} 姓名")
    for node in nodes:
        StaffScope.objects.create(user=user, org_node=node)
    for department in departments:
        StaffScope.objects.create(user=user, department=department)
    return user


def make_ticket(
    node: OrgNode,
    *,
    category: ServiceCategory,
    submitted: datetime,
    state: str = State.SUBMITTED,
    accepted: datetime | None = None,
    resolved: datetime | None = None,
    closed: datetime | None = None,
    respond_in: timedelta = timedelta(hours=2),
    resolve_in: timedelta = timedelta(days=3),
    score: int | None = None,
    title: str = "路面坑洼",
    **extra,
) -> Ticket:
    """One ticket row as the services would leave it; a Rating row (and its copy, rating_score) when
    ``score`` is given."""
    grid = node if node.level == "grid" else None
    community = node.parent if grid else (node if node.level == "community" else None)
    ticket = Ticket.objects.create(
        code=f"T{next(_codes):07d}",
        category=category,
        title=title,
        description="描述",
        channel="web",
        contact_name="张三",
        contact_phone="13800000000",
        org_path=node.path,
        grid=grid,
        community=community,
        state=state,
        submitted_at=submitted,
        accepted_at=accepted,
        resolved_at=resolved,
        closed_at=closed,
        respond_by=submitted + respond_in if respond_in is not None else None,
        resolve_by=submitted + resolve_in if resolve_in is not None else None,
        rating_score=score,  # as services.ticket_rate leaves the row: the score copied onto the ticket
        **extra,
    )
    if score is not None:
        Rating.objects.create(ticket=ticket, score=score, created_at=resolved or submitted)
    return ticket


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def tree(db):
    city = make_node("370100", "city", name="济南市")
    d1 = make_node("370102", "district", city, "历下区")
    s1 = make_node("370102001", "subdistrict", d1, "解放路街道")
    s1b = make_node("3701020011", "subdistrict", d1, "前缀街道")
    c1 = make_node("370102001001", "community", s1, "青龙社区")
    c2 = make_node("370102001002", "community", s1, "空社区")
    g1 = make_node("370102001001001", "grid", c1, "青龙第1网格")
    g2 = make_node("370102001001002", "grid", c1, "青龙第2网格")
    d2 = make_node("370103", "district", city, "市中区")
    s2 = make_node("370103001", "subdistrict", d2, "大观园街道")
    c3 = make_node("370103001001", "community", s2, "大观社区")
    g4 = make_node("370103001001001", "grid", c3, "大观第1网格")
    w1 = make_user("w1", Role.GRID_WORKER, nodes=[g1])
    w2 = make_user("w2", Role.GRID_WORKER, nodes=[g1])
    w3 = make_user("w3", Role.GRID_WORKER, nodes=[g2])
    GridMembership.objects.create(grid=g1, user=w1, position=1)
    GridMembership.objects.create(grid=g1, user=w2, position=1, is_deputy=True)
    GridMembership.objects.create(grid=g2, user=w3, position=1)
    from apps.places.models import Department

    department = Department.objects.create(code="WATER", name="供水", org_node=d1)
    return SimpleNamespace(
        city=city, d1=d1, s1=s1, s1b=s1b, c1=c1, c2=c2, g1=g1, g2=g2, d2=d2, s2=s2, c3=c3, g4=g4,
        w1=w1, w2=w2, w3=w3, department=department,
        road=ServiceCategory.objects.create(code="ROAD", name="道路破损", name_en="Road damage"),
        water=ServiceCategory.objects.create(code="WATER", name="停水"),
        admin=make_user("admin", Role.ADMIN),
        sup_c1=make_user("sup_c1", Role.SUPERVISOR, nodes=[c1]),
        sup_d1=make_user("sup_d1", Role.SUPERVISOR, nodes=[d1]),
        sup_d2=make_user("sup_d2", Role.SUPERVISOR, nodes=[d2]),
        sup_two=make_user("sup_two", Role.SUPERVISOR, nodes=[c1, c3]),
        clerk=make_user("clerk", Role.CLERK, nodes=[c1]),
        dept_staff=make_user("dept_staff", Role.DEPARTMENT_STAFF, departments=[department]),
        resident=make_user("resident", Role.RESIDENT),
    )  # fmt: skip


@pytest.fixture
def scenario(tree):
    """The known tickets. Expected for C1 over March (at NOW):

    tickets 8, responded on time 6, resolved 3, resolved on time 2, rated 3, satisfied 2,
    at the window 1, overdue open 2. G1 6 (w1 3, w2 2, unassigned 1), G2 1, C1 itself 1.
    """
    t, road, water = tree, tree.road, tree.water
    k = SimpleNamespace()
    # Closed, answered and resolved in time, rated 5.
    k.t1 = make_ticket(
        t.g1, category=road, submitted=at(3, 2, 9), state=State.CLOSED, accepted=at(3, 2, 10),
        resolved=at(3, 3, 10), closed=at(3, 4, 9), score=5, assignee=t.w1,
        response_minutes=60, resolution_minutes=600,
    )  # fmt: skip
    # Resolved, both late, rated 3.
    k.t2 = make_ticket(
        t.g1, category=road, submitted=at(3, 2, 10), state=State.RESOLVED, accepted=at(3, 2, 13),
        resolved=at(3, 9, 10), score=3, assignee=t.w1, response_minutes=180, resolution_minutes=5000,
    )  # fmt: skip
    # Reopened: back in progress, resolved_at cleared; submitted 00:30 on 1 March (16:30 UTC on 28 Feb).
    k.t3 = make_ticket(
        t.g1, category=road, submitted=at(3, 1, 0, 30), state=State.IN_PROGRESS, accepted=at(3, 1, 1),
        resolve_in=timedelta(days=60), resolve_warn_at=at(4, 2, 9), reopen_count=1, assignee=t.w2,
        resolution_minutes=700,
    )  # fmt: skip
    # Never answered: in breach of both targets, nobody holds it.
    k.t4 = make_ticket(t.g1, category=road, submitted=at(3, 10, 9))
    # Merged and rejected: never counted, even answered in time.
    k.t5 = make_ticket(t.g1, category=road, submitted=at(3, 4), state=State.MERGED, accepted=at(3, 4, 10))
    k.t6 = make_ticket(t.g1, category=road, submitted=at(3, 4), state=State.REJECTED, accepted=at(3, 4, 10))
    # Resolved on the spot at the window, closed, rated 4.
    k.t7 = make_ticket(
        t.g1, category=road, submitted=at(3, 5), state=State.CLOSED, accepted=at(3, 5), resolved=at(3, 5),
        closed=at(3, 5), resolved_at_window=True, score=4, assignee=t.w2, response_minutes=0,
    )  # fmt: skip
    # Waiting on the resident: past resolve_by, but the clock is paused.
    k.t8 = make_ticket(
        t.g2, category=water, submitted=at(3, 6), state=State.WAITING_ON_RESIDENT, accepted=at(3, 6, 10),
        paused_at=at(3, 7), assignee=t.w3,
    )  # fmt: skip
    # On the community itself (no grid), in progress, past resolve_by.
    k.t9 = make_ticket(t.c1, category=water, submitted=at(3, 7), state=State.IN_PROGRESS, accepted=at(3, 7, 10))
    # Submitted in February, resolved 1 March: not in March's rates, in March's trend of work done.
    k.t10 = make_ticket(
        t.g1, category=road, submitted=at(2, 20), state=State.CLOSED, accepted=at(2, 20, 10),
        resolved=at(3, 1, 10), closed=at(3, 2),
    )  # fmt: skip
    # Other district.
    k.t11 = make_ticket(
        t.g4, category=road, submitted=at(3, 8), state=State.CLOSED, accepted=at(3, 8, 10),
        resolved=at(3, 9), closed=at(3, 10), score=1,
    )  # fmt: skip
    # 23:30 on 31 March (in) and 00:10 on 1 April (out): Shanghai days, not UTC ones.
    k.t12 = make_ticket(
        t.g1, category=road, submitted=at(3, 31, 23, 30), state=State.ACCEPTED, accepted=at(3, 31, 23, 40),
        resolve_in=timedelta(days=10), resolve_warn_at=at(4, 8), assignee=t.w1,
    )  # fmt: skip
    k.t13 = make_ticket(t.g1, category=road, submitted=at(4, 1, 0, 10), state=State.ACCEPTED, accepted=at(4, 1, 1))
    # The prefix-trap subdistrict.
    k.t14 = make_ticket(t.s1b, category=road, submitted=at(3, 12))
    return k


def api_client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client
