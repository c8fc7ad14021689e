"""An inline SVG map drawn from our own grid boundaries (no external tiles: none are reachable).

The projection is equirectangular around the middle latitude: x = lng·cos(lat0), y = −lat,
scaled into a fixed view box. The page's script inverts it to turn a click into lat/lng,
reading the box from data attributes, so server and browser agree by construction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.core.cache import cache

from apps.places.locator import grid_index_version
from apps.places.models import Level, OrgNode

MAX_GRIDS = 600  # beyond this the picker would be unreadable anyway; the address field still works
VIEW_W = 1000.0


@dataclass(frozen=True)
class GridShape:
    code: str
    name: str
    d: str  # SVG path data


@dataclass(frozen=True)
class Area:
    """A community's box in view units, for "zoom to": the city is wide and grids are small."""

    code: str
    name: str
    box: str  # "x y w h" for the SVG viewBox


@dataclass(frozen=True)
class MapData:
    shapes: tuple[GridShape, ...]
    min_lng: float
    max_lat: float
    scale: float  # view units per projected degree
    coslat: float
    width: float
    height: float
    areas: tuple[Area, ...] = ()

    def project(self, lng: float, lat: float) -> tuple[float, float]:
        return ((lng - self.min_lng) * self.coslat * self.scale, (self.max_lat - lat) * self.scale)


def _rings(boundary: dict):
    kind = (boundary or {}).get("type")
    coords = (boundary or {}).get("coordinates") or []
    if kind == "Polygon":
        yield from coords
    elif kind == "MultiPolygon":
        for polygon in coords:
            yield from polygon


def _build() -> MapData | None:
    rows = list(
        OrgNode.objects.filter(level=Level.GRID, is_active=True, boundary__isnull=False)
        .order_by("path")
        .values_list("code", "name", "boundary", "parent__code", "parent__name")[:MAX_GRIDS]
    )
    points = [pt for _c, _n, b, _pc, _pn in rows for ring in _rings(b) for pt in ring]
    if not points:
        return None
    lngs, lats = [p[0] for p in points], [p[1] for p in points]
    min_lng, max_lng, min_lat, max_lat = min(lngs), max(lngs), min(lats), max(lats)
    coslat = math.cos(math.radians((min_lat + max_lat) / 2))
    span_x = max((max_lng - min_lng) * coslat, 1e-6)
    span_y = max(max_lat - min_lat, 1e-6)
    # A small margin so the outer grids are not glued to the edge.
    pad = 0.04 * max(span_x, span_y)
    min_lng -= pad / coslat
    max_lat += pad
    span_x += 2 * pad
    span_y += 2 * pad
    scale = VIEW_W / span_x
    data = MapData((), min_lng, max_lat, scale, coslat, VIEW_W, span_y * scale)
    shapes = []
    boxes: dict[tuple[str, str], list[float]] = {}
    for code, name, boundary, community_code, community_name in rows:
        parts = []
        for ring in _rings(boundary):
            xy = [data.project(p[0], p[1]) for p in ring]
            if xy:
                parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in xy) + "Z")
                box = boxes.setdefault(
                    (community_code or "", community_name or ""), [math.inf, math.inf, -math.inf, -math.inf]
                )
                box[0] = min(box[0], *(x for x, _y in xy))
                box[1] = min(box[1], *(y for _x, y in xy))
                box[2] = max(box[2], *(x for x, _y in xy))
                box[3] = max(box[3], *(y for _x, y in xy))
        shapes.append(GridShape(code, name, "".join(parts)))
    areas = []
    for (code, name), (x0, y0, x1, y1) in boxes.items():
        # A margin of a quarter of the box, and never narrower than 2% of the map, keeps context visible.
        w = max(x1 - x0, VIEW_W * 0.02)
        h = max(y1 - y0, VIEW_W * 0.02)
        m = 0.25 * max(w, h)
        areas.append(Area(code, name, f"{x0 - m:.1f} {y0 - m:.1f} {w + 2 * m:.1f} {h + 2 * m:.1f}"))
    return MapData(tuple(shapes), min_lng, max_lat, scale, coslat, VIEW_W, round(span_y * scale, 1), tuple(areas))


def grid_map() -> MapData | None:
    """The grid map, cached per grid version (a boundary import bumps the version)."""
    key = f"portal:gridmap:{grid_index_version()}"
    data = cache.get(key)
    if data is None:
        data = _build() or "none"
        cache.set(key, data, 3600)
    return None if data == "none" else data
