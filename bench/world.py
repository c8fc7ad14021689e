"""The benchmark's city: an org tree with square grids, one worker per grid, supervisors,
residents with API tokens, and a few service categories.

4 districts × 2 subdistricts × 5 communities × 10 grids = 400 grids, imported through the
real GeoJSON import so the real locator routes intake requests.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

CITY = "370100"
DISTRICTS = ["370102", "370103", "370104", "370105"]
SUBDISTRICTS, COMMUNITIES, GRIDS = 2, 5, 10
LNG0, LAT0, CELL, COLUMNS = 116.9, 36.55, 0.002, 20
CATEGORIES = [("ROAD", "道路破损"), ("LIGHT", "路灯不亮"), ("TRASH", "垃圾清运"), ("NOISE", "噪声扰民")]
PASSWORD = "bench-pass-2026"  # noqa: S105 — throw-away database


@dataclass
class World:
    grid_ids: list[int] = field(default_factory=list)
    points: list[tuple[float, float]] = field(default_factory=list)  # (lat, lng) of each grid's centre
    category_codes: list[str] = field(default_factory=list)
    resident_tokens: list[str] = field(default_factory=list)
    supervisor_id: int = 0


def _square(index: int) -> list:
    col, row = index % COLUMNS, index // COLUMNS
    x0, y0 = round(LNG0 + col * CELL, 9), round(LAT0 + row * CELL, 9)
    x1, y1 = round(x0 + CELL, 9), round(y0 + CELL, 9)
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]


def features() -> list[dict]:
    out, index = [], 0
    for d in DISTRICTS:
        for s in range(1, SUBDISTRICTS + 1):
            sub = f"{d}{s:03d}"
            for c in range(1, COMMUNITIES + 1):
                com = f"{sub}{c:03d}"
                for g in range(1, GRIDS + 1):
                    out.append(
                        {
                            "type": "Feature",
                            "properties": {
                                "code": f"{com}{g:03d}",
                                "name": f"网格{com}{g:03d}",
                                "community_code": com,
                                "community_name": f"社区{com}",
                                "subdistrict_code": sub,
                                "subdistrict_name": f"街道{sub}",
                                "district_code": d,
                                "district_name": f"区{d}",
                            },
                            "geometry": {"type": "Polygon", "coordinates": [_square(index)]},
                        }
                    )
                    index += 1
    return out


@transaction.atomic
def build(*, residents: int = 64) -> World:
    from rest_framework.authtoken.models import Token

    from apps.catalog.models import Handler, ServiceCategory
    from apps.people.models import GridMembership, Role, StaffScope, User
    from apps.places import locator
    from apps.places.models import Level, OrgNode
    from apps.places.services import import_grids

    import_grids(features=features(), allow_moves=False, default_city_code=CITY, default_city_name="济南市")
    locator.invalidate_index()
    world = World()
    grids = list(OrgNode.objects.filter(level=Level.GRID).order_by("code"))
    password = make_password(PASSWORD)
    workers = User.objects.bulk_create(
        [
            User(
                username=f"worker{i:04d}",
                password=password,
                role=Role.GRID_WORKER,
                full_name=f"网格员{i}",
                phone=f"139{i:08d}",
            )
            for i in range(len(grids))
        ]
    )
    StaffScope.objects.bulk_create([StaffScope(user=w, org_node=g) for w, g in zip(workers, grids, strict=True)])
    GridMembership.objects.bulk_create(
        [GridMembership(grid=g, user=w, position=1) for w, g in zip(workers, grids, strict=True)]
    )
    city = OrgNode.objects.get(code=CITY)
    supervisor = User.objects.create(username="city_supervisor", password=password, role=Role.SUPERVISOR)
    StaffScope.objects.create(user=supervisor, org_node=city)
    people = User.objects.bulk_create(
        [
            User(username=f"resident{i:04d}", password=password, role=Role.RESIDENT, phone=f"138{i:08d}")
            for i in range(residents)
        ]
    )
    tokens = Token.objects.bulk_create([Token(user=u, key=secrets.token_hex(20)) for u in people])
    for code, name in CATEGORIES:
        ServiceCategory.objects.create(code=code, name=name, handler=Handler.GRID)
    world.grid_ids = [g.pk for g in grids]
    world.points = [
        (round(LAT0 + (i // COLUMNS + 0.5) * CELL, 9), round(LNG0 + (i % COLUMNS + 0.5) * CELL, 9))
        for i in range(len(grids))
    ]
    world.category_codes = [c for c, _ in CATEGORIES]
    world.resident_tokens = [t.key for t in tokens]
    world.supervisor_id = supervisor.pk
    return world
