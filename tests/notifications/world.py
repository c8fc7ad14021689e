"""A small world for the notification and SLA-scan tests, built through the real services.

One district D1 (370102) / subdistrict S1 (370102001) / community C1 (370102001001) with
one grid G1 (…001) imported from GeoJSON so the real locator routes to it, and a grid
worker on its roster. A supervisor at each level above the grid, a clerk of C1, a water
department with staff, a resident with an account; a second district D2 with its own
supervisor (who must never hear of D1's tickets).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from apps.catalog.models import Handler, ServiceCategory
from apps.people.models import GridMembership, Role, StaffScope, User
from apps.places import locator
from apps.places.models import Department, OrgNode
from apps.places.services import import_grids
from apps.sla.models import BusinessCalendar
from apps.tickets import services
from apps.tickets.models import Channel, Ticket
from tests.places.geo import CELL, LAT0, LNG0, cell_feature

SHANGHAI = ZoneInfo("Asia/Shanghai")
D1, S1, C1 = "370102", "370102001", "370102001001"
G1 = f"{C1}001"
D2, S2, C2 = "370103", "370103001", "370103001001"
G2 = f"{C2}001"
POINT_G1 = (round(LAT0 + CELL / 2, 9), round(LNG0 + CELL / 2, 9))  # (lat, lng) in the middle of G1


def at(year, month, day, hour=0, minute=0, second=0) -> datetime:
    """An aware Asia/Shanghai datetime."""
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


@dataclass
class World:
    d1: OrgNode
    s1: OrgNode
    c1: OrgNode
    g1: OrgNode
    c2: OrgNode
    department: Department
    road: ServiceCategory  # grid-handled, the resident confirms the result
    water: ServiceCategory  # department-handled
    worker: User  # G1's grid worker
    clerk: User  # C1
    sup_c: User  # community supervisor (C1)
    sup_s: User  # subdistrict supervisor (S1)
    sup_d: User  # district supervisor (D1)
    sup_other: User  # district supervisor of D2
    staff: User  # water department
    resident: User
    admin: User


def make_user(username, role, *, phone="", nodes=(), departments=(), **extra) -> User:
    user = User.objects.create_user(
        username=username, password=None, role=role, phone=phone, full_name=f"{username} 姓名", **extra
    )
    for node in nodes:
        StaffScope.objects.create(user=user, org_node=node)
    for department in departments:
        StaffScope.objects.create(user=user, department=department)
    return user


def build_world() -> World:
    import_grids(
        features=[
            cell_feature(G1, "青龙第1网格", (C1, "青龙社区"), (S1, "解放路街道"), (D1, "历下区"), 0, 0),
            cell_feature(G2, "大观第1网格", (C2, "大观社区"), (S2, "大观园街道"), (D2, "市中区"), 0, 10),
        ],
        allow_moves=False,
        default_city_code="370100",
        default_city_name="济南市",
    )
    locator.invalidate_index()
    nodes = {n.code: n for n in OrgNode.objects.all()}
    department = Department.objects.create(code="DEPT-WATER", name="供水", org_node=nodes[D1])
    road = ServiceCategory.objects.create(code="ROAD", name="道路破损", handler=Handler.GRID)
    water = ServiceCategory.objects.create(code="WATER", name="停水", handler=Handler.DEPARTMENT, department=department)
    worker = make_user("worker", Role.GRID_WORKER, phone="13900000001", nodes=[nodes[G1]])
    GridMembership.objects.create(grid=nodes[G1], user=worker, position=1)
    return World(
        d1=nodes[D1],
        s1=nodes[S1],
        c1=nodes[C1],
        g1=nodes[G1],
        c2=nodes[C2],
        department=department,
        road=road,
        water=water,
        worker=worker,
        clerk=make_user("clerk", Role.CLERK, phone="13900000005", nodes=[nodes[C1]]),
        sup_c=make_user("sup_c", Role.SUPERVISOR, phone="13900000011", nodes=[nodes[C1]]),
        sup_s=make_user("sup_s", Role.SUPERVISOR, phone="13900000012", nodes=[nodes[S1]]),
        sup_d=make_user("sup_d", Role.SUPERVISOR, phone="13900000013", nodes=[nodes[D1]]),
        sup_other=make_user("sup_other", Role.SUPERVISOR, phone="13900000014", nodes=[nodes[D2]]),
        staff=make_user("water_staff", Role.DEPARTMENT_STAFF, phone="13900000021", departments=[department]),
        resident=make_user("resident", Role.RESIDENT, phone="13812345678", email="resident@example.org"),
        admin=make_user("admin", Role.ADMIN, is_superuser=True, is_staff=True),
    )


def submit(world: World, *, category=None, resident="resident", channel=Channel.WEB, **kwargs) -> Ticket:
    """A ticket at the middle of G1 through the real intake (routing, deadlines, events, outbox).

    ``resident=None`` submits for a person without an account (the clerk records it by phone).
    """
    resident_user = getattr(world, resident) if resident else None
    if resident_user is None and channel == Channel.WEB:
        channel = Channel.PHONE
    actor = kwargs.pop("actor", resident_user if resident_user else world.clerk)
    lat, lng = POINT_G1
    values = {
        "description": "路面有一个大坑",
        "contact_name": "张三",
        "contact_phone": resident_user.phone if resident_user else "13811112222",
        "lat": lat,
        "lng": lng,
    }
    values.update(kwargs)
    return services.ticket_submit(
        category=category or world.road, channel=channel, resident=resident_user, actor=actor, **values
    )


def seed_sla_defaults() -> None:
    """The data migration's calendar and policies again (a transactional test's flush removed them)."""
    from apps.sla.calendars import reset_caches
    from apps.sla.models import BusinessCalendar, CalendarDay, CalendarYear, SlaPolicy
    from apps.sla.seed import create_defaults

    create_defaults(
        BusinessCalendar=BusinessCalendar, CalendarDay=CalendarDay, CalendarYear=CalendarYear, SlaPolicy=SlaPolicy
    )
    reset_caches()


def world_fixture():
    """The body of each test package's ``world`` fixture: fresh caches, the seeded SLA data, the world."""
    from django.core.cache import cache

    from apps.sla.calendars import reset_caches

    cache.clear()
    reset_caches()
    if not BusinessCalendar.objects.exists():
        seed_sla_defaults()
    built = build_world()
    yield built
    locator.invalidate_index()
    cache.clear()
    reset_caches()
