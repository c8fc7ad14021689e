"""A small world for the tickets tests.

Two districts of 济南市 (370100):
- 370102 / 370102001 / community C1 = 370102001001 with three adjacent square grids
  G1 (…001, col 0), G2 (…002, col 1), G3 (…003, col 2, nobody on its roster);
- 370103 / 370103001 / community C2 = 370103001001 with one grid G4 far to the north.

The boundaries are imported with the real GeoJSON import, so the real locator answers.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.utils import timezone, translation
from rest_framework.test import APIClient

from apps.catalog.models import CategoryAttribute, Datatype, Handler, ServiceCategory
from apps.people.models import GridMembership, Role, StaffScope, User
from apps.places import locator
from apps.places.models import Department, OrgNode
from apps.places.services import import_grids
from apps.tickets import services
from apps.tickets.codes import new_code
from apps.tickets.models import Channel, State, Ticket, TicketEvent
from tests.places.geo import CELL, LAT0, LNG0, cell_feature

C1, C2 = "370102001001", "370103001001"
G1, G2, G3 = f"{C1}001", f"{C1}002", f"{C1}003"
G4 = f"{C2}001"
D1, D2 = "370102", "370103"
FAR_ROW = 10  # G4's row: 0.02° ≈ 2.2 km north of C1, beyond the nearest-community distance


def center(col: int, row: int = 0) -> tuple[float, float]:
    """(lat, lng) of the middle of a cell."""
    return round(LAT0 + (row + 0.5) * CELL, 9), round(LNG0 + (col + 0.5) * CELL, 9)


def features() -> list[dict]:
    d1, s1, c1 = (D1, "历下区"), (f"{D1}001", "解放路街道"), (C1, "青龙社区")
    d2, s2, c2 = (D2, "市中区"), (f"{D2}001", "大观园街道"), (C2, "大观社区")
    return [
        cell_feature(G1, "青龙第1网格", c1, s1, d1, 0, 0),
        cell_feature(G2, "青龙第2网格", c1, s1, d1, 1, 0),
        cell_feature(G3, "青龙第3网格", c1, s1, d1, 2, 0),
        cell_feature(G4, "大观第1网格", c2, s2, d2, 0, FAR_ROW),
    ]


@pytest.fixture(autouse=True)
def english(settings):
    # Messages are asserted in English: the request's and the desk's (system notes such as routing
    # reasons are written in LANGUAGE_CODE, zh-hans by default).
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fresh_index_and_cache():
    locator.invalidate_index()
    cache.clear()
    yield
    locator.invalidate_index()
    cache.clear()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@dataclass
class World:
    city: OrgNode
    d1: OrgNode
    d2: OrgNode
    c1: OrgNode
    c2: OrgNode
    g1: OrgNode
    g2: OrgNode
    g3: OrgNode
    g4: OrgNode
    department: Department
    road: ServiceCategory  # grid-handled, typed attributes, needs confirmation
    water: ServiceCategory  # department-handled
    info: ServiceCategory  # grid-handled, closes on resolve (no confirmation)
    retired: ServiceCategory  # inactive
    worker: User  # G1 primary
    deputy: User  # G1 deputy
    worker2: User  # G2 primary
    worker_far: User  # G4 primary (other district)
    clerk: User  # C1
    community_supervisor: User  # C1
    district_supervisor: User  # D1
    other_supervisor: User  # D2
    department_staff: User
    resident: User
    other_resident: User
    admin: User

    @property
    def users(self) -> dict[str, User]:
        return {
            name: getattr(self, name)
            for name in (
                "worker", "deputy", "worker2", "worker_far", "clerk", "community_supervisor", "district_supervisor",
                "other_supervisor", "department_staff", "resident", "other_resident", "admin",
            )
        }  # fmt: skip


def make_user(username, role, *, phone="", nodes=(), departments=(), **extra) -> User:
    user = User.objects.create_user(
        username=username, password=None, role=role, phone=phone, full_name=f"{username} 姓名", **extra
    )
    for node in nodes:
        StaffScope.objects.create(user=user, org_node=node)
    for department in departments:
        StaffScope.objects.create(user=user, department=department)
    return user


@pytest.fixture
def world(db) -> World:
    import_grids(features=features(), allow_moves=False, default_city_code="370100", default_city_name="济南市")
    locator.invalidate_index()
    nodes = {n.code: n for n in OrgNode.objects.all()}
    city = nodes["370100"]
    department = Department.objects.create(code="DEPT-WATER", name="供水", org_node=nodes[D1])

    road = ServiceCategory.objects.create(code="ROAD", name="道路破损", handler=Handler.GRID)
    CategoryAttribute.objects.create(category=road, code="size", name="Size", datatype=Datatype.NUMBER)
    CategoryAttribute.objects.create(
        category=road,
        code="kind",
        name="Kind",
        datatype=Datatype.SINGLEVALUELIST,
        values=[{"key": "pothole", "name": "坑"}, {"key": "crack", "name": "裂缝"}],
    )
    water = ServiceCategory.objects.create(code="WATER", name="停水", handler=Handler.DEPARTMENT, department=department)
    info = ServiceCategory.objects.create(code="INFO", name="政策咨询", requires_confirmation=False)
    retired = ServiceCategory.objects.create(code="OLD", name="旧事项", is_active=False)

    g1, g2, g4 = nodes[G1], nodes[G2], nodes[G4]
    worker = make_user("worker", Role.GRID_WORKER, phone="13900000001", nodes=[g1])
    deputy = make_user("deputy", Role.GRID_WORKER, phone="13900000002", nodes=[g1])
    worker2 = make_user("worker2", Role.GRID_WORKER, phone="13900000003", nodes=[g2])
    worker_far = make_user("worker_far", Role.GRID_WORKER, phone="13900000004", nodes=[g4])
    GridMembership.objects.create(grid=g1, user=worker, position=1)
    GridMembership.objects.create(grid=g1, user=deputy, position=1, is_deputy=True)
    GridMembership.objects.create(grid=g2, user=worker2, position=1)
    GridMembership.objects.create(grid=g4, user=worker_far, position=1)

    return World(
        city=city, d1=nodes[D1], d2=nodes[D2], c1=nodes[C1], c2=nodes[C2], g1=g1, g2=g2, g3=nodes[G3], g4=g4,
        department=department, road=road, water=water, info=info, retired=retired,
        worker=worker, deputy=deputy, worker2=worker2, worker_far=worker_far,
        clerk=make_user("clerk", Role.CLERK, phone="13900000005", nodes=[nodes[C1]]),
        community_supervisor=make_user("sup_c1", Role.SUPERVISOR, nodes=[nodes[C1]]),
        district_supervisor=make_user("sup_d1", Role.SUPERVISOR, nodes=[nodes[D1]]),
        other_supervisor=make_user("sup_d2", Role.SUPERVISOR, nodes=[nodes[D2]]),
        department_staff=make_user("water_staff", Role.DEPARTMENT_STAFF, departments=[department]),
        resident=make_user("resident", Role.RESIDENT, phone="13812345678"),
        other_resident=make_user("other_resident", Role.RESIDENT, phone="13787654321"),
        admin=make_user("admin", Role.ADMIN),
    )  # fmt: skip


def api_client(user=None) -> APIClient:
    # Messages are asserted in English; the request's language comes from its header (LocaleMiddleware).
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def clients(world) -> dict[str, APIClient]:
    """An API client per role name of the world (plus "anonymous")."""
    out = {name: api_client(user) for name, user in world.users.items()}
    out["anonymous"] = api_client()
    return out


def submit(world, *, category=None, where=G1, resident="resident", channel=Channel.WEB, **kwargs) -> Ticket:
    """Submit a ticket through the real intake service (routing, deadlines, events)."""
    category = category or world.road
    resident_user = getattr(world, resident) if resident else None
    actor = kwargs.pop("actor", resident_user)
    place = {"lat": None, "lng": None}
    if where in (G1, G2, G3):
        place["lat"], place["lng"] = center({G1: 0, G2: 1, G3: 2}[where])
    elif where == G4:
        place["lat"], place["lng"] = center(0, FAR_ROW)
    defaults = {
        "description": "路面有一个大坑",
        "contact_name": "张三",
        "contact_phone": resident_user.phone if resident_user else "13811112222",
        **place,
    }
    defaults.update(kwargs)
    return services.ticket_submit(
        category=category,
        channel=channel,
        resident=resident_user,
        actor=actor,
        **defaults,
    )


def bring_to(world, ticket: Ticket, state: str, *, by=None) -> Ticket:
    """Drive a submitted ticket to ``state`` through the real services.

    ``by`` takes the staff steps (the assignee for grid tickets; the admin for department tickets).
    """
    by = by or ticket.assignee or world.admin
    owner = ticket.resident or world.admin
    if state == State.SUBMITTED:
        return ticket
    if state == State.REJECTED:
        return services.ticket_reject(ticket=ticket, actor=by, reason="不属于受理范围")
    if state == State.MERGED:
        target = submit(world, category=ticket.category, description="同一个坑")
        return services.ticket_merge(ticket=ticket, actor=world.admin, into_id=target.pk)
    ticket = services.ticket_accept(ticket=ticket, actor=by)
    if state == State.ACCEPTED:
        return ticket
    if state in (State.IN_PROGRESS, State.WAITING_ON_RESIDENT):
        ticket = services.ticket_start(ticket=ticket, actor=by)
        if state == State.WAITING_ON_RESIDENT:
            ticket = services.ticket_wait_on_resident(ticket=ticket, actor=by, note="请补充照片")
        return ticket
    ticket, _event = services.ticket_resolve(ticket=ticket, actor=by, note="已修复")
    if state == State.RESOLVED:
        return ticket
    if state == State.CLOSED:
        return services.ticket_close(ticket=ticket, actor=owner if ticket.resident else world.admin)
    raise AssertionError(state)


def make_ticket(world, *, category=None, state: str = State.SUBMITTED, resident="resident", **fields) -> Ticket:
    """A ticket row in G1 written directly (no routing, no deadlines): cheap arrangement for big matrices.

    Grid tickets are assigned to the G1 worker; department tickets sit in the department's queue.
    """
    category = category or world.road
    department = category.department if category.handler == Handler.DEPARTMENT else None
    owner = getattr(world, resident) if resident else None
    values = {
        "code": new_code(), "category": category, "title": category.name, "description": "路面有一个大坑",
        "channel": Channel.WEB, "lat": center(0)[0], "lng": center(0)[1], "community": world.c1, "grid": world.g1,
        "department": department, "org_path": world.g1.path, "resident": owner,
        "contact_name": "张三", "contact_phone": owner.phone if owner else "13811112222",
        "assignee": None if department else world.worker, "submitted_at": timezone.now(),
    }  # fmt: skip
    values.update(fields)
    ticket = Ticket.objects.create(**values)
    TicketEvent.objects.create(ticket=ticket, action="submit", to_state=State.SUBMITTED, at=ticket.submitted_at)
    return set_state(world, ticket, state) if state != State.SUBMITTED else ticket


def set_state(world, ticket: Ticket, state: str) -> Ticket:
    """Put a fresh ticket in ``state`` directly (arrangement only: the services are tested elsewhere)."""
    now = timezone.now()
    fields: dict = {"state": state}
    if state not in (State.SUBMITTED, State.REJECTED, State.MERGED):
        fields["accepted_at"] = now
    if state == State.WAITING_ON_RESIDENT:
        fields["paused_at"] = now
    if state in (State.RESOLVED, State.CLOSED):
        fields.update(resolved_at=now, resolution_note="已修复")
    if state in (State.CLOSED, State.REJECTED, State.MERGED):
        fields["closed_at"] = now
    if state == State.REJECTED:
        fields["reject_reason"] = "不属于受理范围"
    if state == State.MERGED:
        fields["merged_into"] = make_ticket(world, category=ticket.category, description="同一个坑")
    Ticket.objects.filter(pk=ticket.pk).update(**fields)
    return Ticket.objects.get(pk=ticket.pk)


def snapshot(ticket: Ticket) -> dict:
    """Every column of the ticket row as stored, plus the counts of its dependent rows."""
    row = Ticket.objects.filter(pk=ticket.pk).values().get()
    return {
        "row": row,
        "events": ticket.events.count(),
        "comments": ticket.comments.count(),
        "attachments": ticket.attachments.count(),
        "rated": Ticket.objects.filter(pk=ticket.pk, rating__isnull=False).exists(),
        "supervision_orders": ticket.supervision_orders.count(),
    }
