"""The world of the Open311 tests: one city down to one grid with a real boundary, its worker,
a supervisor of the community, and a small catalog (a group, services with every attribute type).

Schemas come from ``../shared/open311-schemas`` beside the project, where CI puts a copy
of shared/; a missing folder fails the tests that need it instead of skipping them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from jsonschema import Draft7Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from apps.catalog.models import CategoryAttribute, Datatype, Handler, ServiceCategory
from apps.open311.keys import api_key_issue
from apps.open311.models import ApiKey
from apps.people.models import GridMembership, Role, StaffScope, User
from apps.places import locator
from apps.places.models import Department, Level, OrgNode
from apps.places.services import bump_grid_version

SCHEMA_DIR = Path(settings.BASE_DIR).parent / "shared" / "open311-schemas"
SCHEMA_BASE = "https://open311.invalid/georeport-v2/"
BASE = "/open311/v2/"

LNG0, LAT0, CELL = 117.0, 36.6, 0.002
GRID_CODE, COMMUNITY_CODE, EMPTY_COMMUNITY_CODE = "370102001001001", "370102001001", "370102001002"
INSIDE = (36.601, 117.001)  # (lat, lng) in the middle of the grid


def square(x0: float, y0: float) -> list:
    x1, y1 = round(x0 + CELL, 9), round(y0 + CELL, 9)
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]


# --- schemas -------------------------------------------------------------------------------


def _check_datetime(value) -> bool:
    """ISO 8601 with an explicit offset, as these answers promise (no rfc3339 package needed)."""
    from datetime import datetime

    if not isinstance(value, str):
        return True
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return False
    return moment.tzinfo is not None and "T" in value


def _check_uri(value) -> bool:
    from urllib.parse import urlsplit

    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc)


FORMATS = FormatChecker()
FORMATS.checks("date-time")(_check_datetime)
FORMATS.checks("uri")(_check_uri)


def load_schemas() -> dict[str, dict]:
    if not SCHEMA_DIR.is_dir():
        pytest.fail(
            f"the Open311 JSON Schemas are missing: expected {SCHEMA_DIR} "
            "(shared/open311-schemas beside the project checkout)"
        )
    return {path.name: json.loads(path.read_text(encoding="utf-8")) for path in SCHEMA_DIR.glob("*.json")}


@pytest.fixture(scope="session")
def validate():
    """``validate(data, "requests.json")`` raises unless ``data`` matches the schema (refs resolved)."""
    schemas = load_schemas()
    registry = Registry().with_resources(
        (SCHEMA_BASE + name, Resource.from_contents(contents, default_specification=DRAFT7))
        for name, contents in schemas.items()
        if name != "swagger.json"
    )

    def check(data, name: str) -> None:
        schema = {"$ref": SCHEMA_BASE + name}
        Draft7Validator(schema, registry=registry, format_checker=FORMATS).validate(data)
        # The array schemas put minItems on the item, not the list: an empty answer would pass
        # trivially, so the tests that validate always have something to validate.
        if isinstance(data, list):
            assert data, f"validated an empty list against {name}"

    return check


# --- the world -----------------------------------------------------------------------------


@dataclass
class World:
    city: OrgNode
    community: OrgNode
    empty_community: OrgNode
    grid: OrgNode
    department: Department
    group: ServiceCategory
    streetlight: ServiceCategory  # in the group; every kind of attribute
    noise: ServiceCategory  # top level, no attributes, closes on resolve
    water: ServiceCategory  # handled by a department
    retired: ServiceCategory  # switched off
    worker: User
    supervisor: User


def node(code: str, name: str, level: str, parent: OrgNode | None = None, **extra) -> OrgNode:
    created = OrgNode(code=code, name=name, level=level, parent=parent, **extra)
    created.path = created.build_path()
    created.save()
    return created


@pytest.fixture(autouse=True)
def fresh_index_and_cache():
    locator.invalidate_index()
    cache.clear()
    yield
    locator.invalidate_index()
    cache.clear()


@pytest.fixture
def world(db) -> World:
    city = node("370100", "济南市", Level.CITY)
    district = node("370102", "历下区", Level.DISTRICT, city)
    subdistrict = node("370102001", "解放路街道", Level.SUBDISTRICT, district)
    community = node(COMMUNITY_CODE, "青龙社区", Level.COMMUNITY, subdistrict, lat=36.601, lng=117.001)
    empty_community = node(EMPTY_COMMUNITY_CODE, "燕子山社区", Level.COMMUNITY, subdistrict, lat=36.7, lng=117.2)
    grid = node(
        GRID_CODE,
        "青龙第1网格",
        Level.GRID,
        community,
        boundary={"type": "Polygon", "coordinates": [square(LNG0, LAT0)]},
        lat=INSIDE[0],
        lng=INSIDE[1],
    )
    bump_grid_version()
    locator.invalidate_index()

    department = Department.objects.create(code="DEPT-WATER", name="供水公司", org_node=district)
    group = ServiceCategory.objects.create(code="MUNI", name="市政设施", name_en="Municipal facilities", order=1)
    streetlight = ServiceCategory.objects.create(
        code="MUNI-LIGHT",
        name="路灯不亮",
        name_en="Streetlight out",
        parent=group,
        description="路灯不亮、闪烁或灯杆损坏。",
        keywords="路灯, 照明,灯杆",
        guide_time_limit="3个工作日内修复",
        order=2,
    )
    attribute = CategoryAttribute.objects.create
    attribute(
        category=streetlight, code="notice", name="安全提示", variable=False, order=0, description="请远离倒伏灯杆"
    )
    attribute(
        category=streetlight,
        code="fault",
        name="故障类型",
        name_en="Kind of fault",
        datatype=Datatype.SINGLEVALUELIST,
        required=True,
        order=1,
        values=[{"key": "not_lit", "name": "不亮"}, {"key": "flickering", "name": "忽明忽暗"}],
    )
    attribute(
        category=streetlight,
        code="extras",
        name="其他问题",
        datatype=Datatype.MULTIVALUELIST,
        order=2,
        values=[
            {"key": "wire", "name": "电线外露"},
            {"key": "glass", "name": "灯罩破碎"},
            {"key": "rust", "name": "锈蚀"},
        ],
    )
    attribute(
        category=streetlight,
        code="lamps",
        name="不亮的数量",
        datatype=Datatype.NUMBER,
        order=3,
        datatype_description="盏，如 3",
    )
    attribute(category=streetlight, code="pole", name="灯杆编号", datatype=Datatype.STRING, order=4)
    attribute(category=streetlight, code="since", name="何时发现", datatype=Datatype.DATETIME, order=5)
    attribute(category=streetlight, code="details", name="补充说明", datatype=Datatype.TEXT, order=6)
    noise = ServiceCategory.objects.create(
        code="NOISE", name="噪音扰民", name_en="Noise", requires_confirmation=False, order=3
    )
    water = ServiceCategory.objects.create(
        code="WATER", name="停水", handler=Handler.DEPARTMENT, department=department, order=4
    )
    retired = ServiceCategory.objects.create(code="OLD", name="旧事项", is_active=False, order=5)

    worker = User.objects.create_user(
        username="worker", role=Role.GRID_WORKER, phone="13900000001", full_name="网格员王五"
    )
    StaffScope.objects.create(user=worker, org_node=grid)
    GridMembership.objects.create(grid=grid, user=worker, position=1)
    supervisor = User.objects.create_user(username="supervisor", role=Role.SUPERVISOR, full_name="社区主任")
    StaffScope.objects.create(user=supervisor, org_node=community)
    return World(
        city=city,
        community=community,
        empty_community=empty_community,
        grid=grid,
        department=department,
        group=group,
        streetlight=streetlight,
        noise=noise,
        water=water,
        retired=retired,
        worker=worker,
        supervisor=supervisor,
    )


@dataclass
class IssuedKey:
    row: ApiKey
    key: str


@pytest.fixture
def api_key(db) -> IssuedKey:
    row, key = api_key_issue(application="FixMyStreet 济南", contact_email="dev@example.org")
    return IssuedKey(row, key)


@pytest.fixture
def client() -> Client:
    # English messages whatever LANGUAGE_CODE is; Chinese is checked where it matters.
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def post_form(world: World, key: str | None, **overrides) -> dict:
    """A valid streetlight report at the grid's centre; ``None`` values are left out."""
    form = {
        "api_key": key,
        "service_code": world.streetlight.code,
        "lat": str(INSIDE[0]),
        "long": str(INSIDE[1]),
        "address_string": "历下区解放路 12 号",
        "description": "路口的路灯整晚不亮",
        "first_name": "三",
        "last_name": "张",
        "phone": "13812345678",
        "email": "zhang@example.org",
        "device_id": "device-42",
        "account_id": "acct-7",
        "media_url": "https://img.example.org/light.jpg",
        "attribute[fault]": "not_lit",
    }
    form.update(overrides)
    return {name: value for name, value in form.items() if value is not None}
