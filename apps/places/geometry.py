"""Grid boundaries: reading and checking GeoJSON, comparing shapes, distances in metres.

Pure functions over shapely 2 — no database — shared by the import, the admin
form and the locator, so a boundary is judged by the same rules everywhere.

Distances use a local equirectangular projection centred on the query point:
``x = Δlng·cos(lat₀)·R``, ``y = Δlat·R`` (R = 6 371 008.8 m, the mean Earth
radius, angles in radians). Within the few hundred metres the locator cares
about, its error against the great-circle distance is far below a metre, and it
lets shapely measure point-to-polygon distances in metres directly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from django.utils.translation import gettext as _
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE = math.pi / 180 * EARTH_RADIUS_M  # ≈ 111 195 m along a meridian
BOUNDARY_TYPES = ("Polygon", "MultiPolygon")
# Two boundaries whose normalised vertices differ by less than this (degrees, ≈ 0.01 mm) are the same.
SAME_SHAPE_TOLERANCE = 1e-10


@dataclass(frozen=True)
class GeometryProblem:
    field: str
    problem: str
    fix: str


class BoundaryError(ValueError):
    """A boundary refused; ``problem`` and ``fix`` are in the active language, ``field`` is a key."""

    def __init__(self, problem: GeometryProblem):
        super().__init__(f"{problem.problem} — {problem.fix}")
        self.problem = problem


def parse_boundary(geometry) -> BaseGeometry:
    """Read a GeoJSON geometry dict into a valid WGS84 Polygon/MultiPolygon or raise BoundaryError."""
    if not isinstance(geometry, dict) or not geometry:
        raise BoundaryError(
            GeometryProblem(
                "geometry",
                _("missing geometry"),
                _("give the feature a Polygon or MultiPolygon geometry"),
            )
        )
    kind = geometry.get("type")
    if kind not in BOUNDARY_TYPES:
        raise BoundaryError(
            GeometryProblem(
                "geometry.type",
                _("geometry type %(type)r is not allowed") % {"type": kind},
                _("a grid boundary must be a Polygon or MultiPolygon"),
            )
        )
    try:
        geom = shape({"type": kind, "coordinates": geometry.get("coordinates")})
    except Exception as exc:  # shapely raises ValueError/TypeError/GEOSException for malformed rings
        raise BoundaryError(
            GeometryProblem(
                "geometry.coordinates",
                _("cannot read the coordinates (%(error)s)") % {"error": exc},
                _("each ring is a closed list of at least 4 [longitude, latitude] pairs"),
            )
        ) from exc
    if geom.is_empty:
        raise BoundaryError(
            GeometryProblem("geometry.coordinates", _("the polygon is empty"), _("give the grid its boundary ring"))
        )
    coords = shapely.get_coordinates(geom)
    if not np.isfinite(coords).all():
        raise BoundaryError(
            GeometryProblem("geometry.coordinates", _("a coordinate is not a finite number"), _("remove NaN/Infinity"))
        )
    minx, miny, maxx, maxy = geom.bounds
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        swapped = -90 <= minx <= maxx <= 90 and -180 <= miny <= maxy <= 180
        raise BoundaryError(
            GeometryProblem(
                "geometry.coordinates",
                _("coordinates outside WGS84 (bounds %(bounds)s)")
                % {"bounds": f"{minx:g}, {miny:g}, {maxx:g}, {maxy:g}"},
                _("GeoJSON order is [longitude, latitude]; swap them")
                if swapped
                else _("export the layer in WGS84 (EPSG:4326) degrees, not a projected system"),
            )
        )
    if not geom.is_valid:
        reason = explain_validity(geom)
        crossing = "Self-intersection" in reason or "Ring Self-intersection" in reason
        raise BoundaryError(
            GeometryProblem(
                "geometry",
                (_("self-intersecting polygon: %(reason)s") if crossing else _("invalid polygon: %(reason)s"))
                % {"reason": reason},
                _("redraw the ring so it does not cross itself (e.g. QGIS 'Fix geometries') and export again")
                if crossing
                else _(
                    "fix the polygon (closed rings, holes inside the shell, parts not overlapping) and export again"
                ),
            )
        )
    return geom


def boundary_json(geometry: dict) -> dict:
    """The stored form of a boundary: only ``type`` and ``coordinates`` (drops ``bbox``, ``crs``…)."""
    return {"type": geometry["type"], "coordinates": geometry["coordinates"]}


def same_shape(a: BaseGeometry | None, b: BaseGeometry | None) -> bool:
    """True when two boundaries are the same after normalisation (ring start and orientation ignored)."""
    if a is None or b is None:
        return a is b
    return bool(shapely.equals_exact(shapely.normalize(a), shapely.normalize(b), tolerance=SAME_SHAPE_TOLERANCE))


def to_local_metres(geoms, *, lng0: float, lat0: float):
    """Project geometries (array or single) onto the local equirectangular plane around (lng0, lat0), in metres."""
    kx = METRES_PER_DEGREE * math.cos(math.radians(lat0))

    def project(coords):
        return np.column_stack(((coords[:, 0] - lng0) * kx, (coords[:, 1] - lat0) * METRES_PER_DEGREE))

    return shapely.transform(geoms, project)


def degrees_box(*, lng: float, lat: float, metres: float) -> tuple[float, float, float, float]:
    """A lng/lat box that contains every point within ``metres`` of (lng, lat)."""
    dlat = metres / METRES_PER_DEGREE
    # Near the poles cos(lat) → 0; clamp so the box stays finite (the city is nowhere near them).
    dlng = metres / (METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 1e-6))
    return lng - dlng, lat - dlat, lng + dlng, lat + dlat


def distance_m(*, lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Haversine distance between two points in metres (for point-to-point cases)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))
