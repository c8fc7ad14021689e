"""Point → grid lookup over an in-memory STRtree of every active grid boundary.

Each process builds the index once, from the grids' ids, codes, community ids
and boundaries only (the OrgNode rows are fetched by id per answer), and keeps
it until ``GridVersion.version`` in the database differs from the version the
index was built from. The version is read at most once every
``GRID_INDEX_CHECK_SECONDS`` per process, so an import or an admin edit reaches
every web and Celery process within that many seconds, at the cost of one tiny
query per interval.

``GridIndex`` is pure (no database) and is what the benchmark measures.
Distances are metres on a local equirectangular projection (see geometry.py).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass

import numpy as np
import shapely
from django.utils.translation import gettext as _
from shapely.strtree import STRtree

from apps.core.errors import ValidationFailed
from apps.places import conf
from apps.places.geometry import BoundaryError, degrees_box, parse_boundary, to_local_metres
from apps.places.models import GridVersion, Level, OrgNode

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class GridEntry:
    grid_id: int
    code: str
    community_id: int | None
    community_code: str | None
    geometry: shapely.Geometry


@dataclass(frozen=True)
class Hit:
    """What the index answers: ids and codes only."""

    grid_id: int | None
    grid_code: str | None
    community_id: int | None
    community_code: str | None
    distance_m: float


class GridIndex:
    """An STRtree over grid boundaries, with the ids and codes needed to answer a lookup."""

    def __init__(self, entries: list[GridEntry], *, version: int | None = None):
        # Sorted by code, so "the smallest code among the hits" is "the smallest index".
        entries = sorted(entries, key=lambda e: e.code)
        self.version = version
        self.stamp: tuple | None = None  # (version, changed_at) it was built from, set by ensure_index
        self.grid_ids = [e.grid_id for e in entries]
        self.codes = [e.code for e in entries]
        self.community_ids = [e.community_id for e in entries]
        self.community_codes = [e.community_code for e in entries]
        self.geometries = np.array([e.geometry for e in entries], dtype=object)
        # Prepared geometries make each covers() test cheap on many-vertex boundaries.
        shapely.prepare(self.geometries)
        self.tree = STRtree(self.geometries)

    def __len__(self) -> int:
        return len(self.codes)

    def lookup(self, *, lng: float, lat: float, max_m: float) -> Hit:
        point = shapely.Point(lng, lat)
        candidates = self.tree.query(point)
        if len(candidates):
            covering = candidates[shapely.covers(self.geometries[candidates], point)]
            if len(covering):
                # A point on a shared edge or corner is covered by several grids: take the smallest code.
                i = int(covering.min())
                return Hit(self.grid_ids[i], self.codes[i], self.community_ids[i], self.community_codes[i], 0.0)
        return self._nearest_community(lng=lng, lat=lat, max_m=max_m)

    def _nearest_community(self, *, lng: float, lat: float, max_m: float) -> Hit:
        none = Hit(None, None, None, None, math.inf)
        if max_m <= 0 or not len(self):
            return none
        nearby = self.tree.query(shapely.box(*degrees_box(lng=lng, lat=lat, metres=max_m)))
        if not len(nearby):
            return none
        nearby = np.sort(nearby)
        distances = shapely.distance(shapely.Point(0, 0), to_local_metres(self.geometries[nearby], lng0=lng, lat0=lat))
        best = int(np.argmin(distances))  # first minimum = smallest grid code on a tie
        if distances[best] > max_m:
            return none
        i = int(nearby[best])
        return Hit(None, None, self.community_ids[i], self.community_codes[i], float(distances[best]))


@dataclass(frozen=True)
class Location:
    grid: OrgNode | None
    community: OrgNode | None
    distance_m: float | None  # 0 inside a grid; None when no community is near enough
    reason: str


class _IndexCache:
    def __init__(self):
        self.lock = threading.Lock()
        self.index: GridIndex | None = None
        self.checked_at = -math.inf


_cache = _IndexCache()


def grid_index_version() -> int:
    """The current version stamp in the database (0 before any grid was imported)."""
    return _stamp()[0]


def _stamp() -> tuple[int, object]:
    # changed_at is part of the stamp so a database that was reset and re-imported (a test
    # rolled back, a dev `flush`) is not mistaken for the one the index was built from.
    row = GridVersion.objects.filter(pk=1).values_list("version", "changed_at").first()
    return row if row else (0, None)


def build_index(*, version: int | None = None) -> GridIndex:
    """Build an index from the active grids in the database."""
    rows = (
        OrgNode.objects.filter(level=Level.GRID, is_active=True, boundary__isnull=False)
        .values_list("id", "code", "parent_id", "parent__code", "boundary")
        .order_by()
        .iterator(chunk_size=2000)
    )
    entries = []
    for grid_id, code, community_id, community_code, boundary in rows:
        try:
            geometry = parse_boundary(boundary)
        except BoundaryError as exc:
            # One bad row (edited around the import) must not take every lookup down.
            logger.warning("grid %s left out of the index: %s", code, exc)
            continue
        entries.append(GridEntry(grid_id, code, community_id, community_code, geometry))
    return GridIndex(entries, version=version)


def ensure_index(*, force_check: bool = False) -> GridIndex:
    """The process's index, rebuilt first if the database version moved on.

    ``force_check=True`` reads the version now instead of waiting for the interval (tests, commands).
    """
    now = time.monotonic()
    index = _cache.index
    if index is not None and not force_check and now - _cache.checked_at < conf.grid_index_check_seconds():
        return index
    with _cache.lock:
        index = _cache.index
        # The version is read *before* the grids: if an import commits in between, the index
        # holds newer grids under an older version and is simply rebuilt at the next check.
        stamp = _stamp()
        if index is None or index.stamp != stamp:
            started = time.monotonic()
            index = build_index(version=stamp[0])
            index.stamp = stamp
            logger.info("grid index v%s built: %d grids in %.2fs", stamp[0], len(index), time.monotonic() - started)
            _cache.index = index
        _cache.checked_at = time.monotonic()
        return index


def invalidate_index() -> None:
    """Drop this process's index; the next lookup rebuilds it (tests)."""
    with _cache.lock:
        _cache.index = None
        _cache.checked_at = -math.inf


def expire_version_check() -> None:
    """Make the next lookup in this process read the version (after this process changed the grids)."""
    _cache.checked_at = -math.inf


def locate(*, lat: float, lng: float) -> Location:
    """The grid (and community) at a WGS84 point, or the nearest community within the configured distance."""
    try:
        lat, lng = float(lat), float(lng)  # Decimal from a form, str from a query string
    except (TypeError, ValueError):
        raise ValidationFailed(
            _("lat and lng must be numbers."), fields={"lat": [_("A number is required.")]}
        ) from None
    if not (math.isfinite(lat) and -90 <= lat <= 90):
        raise ValidationFailed(_("lat must be between -90 and 90."), fields={"lat": [_("Between -90 and 90.")]})
    if not (math.isfinite(lng) and -180 <= lng <= 180):
        raise ValidationFailed(_("lng must be between -180 and 180."), fields={"lng": [_("Between -180 and 180.")]})
    max_m = conf.nearest_community_max_meters()
    hit = ensure_index().lookup(lng=lng, lat=lat, max_m=max_m)
    ids = [i for i in (hit.grid_id, hit.community_id) if i is not None]
    nodes = OrgNode.objects.in_bulk(ids) if ids else {}
    grid = nodes.get(hit.grid_id) if hit.grid_id is not None else None
    community = nodes.get(hit.community_id) if hit.community_id is not None else None
    if hit.grid_id is not None:
        reason = _("point in grid %(code)s") % {"code": hit.grid_code}
        return Location(grid=grid, community=community, distance_m=0.0, reason=reason)
    if hit.community_id is not None:
        distance = round(hit.distance_m, 1)
        reason = _("outside every grid; nearest community %(code)s at %(metres)d m") % {
            "code": hit.community_code,
            "metres": round(hit.distance_m),
        }
        return Location(grid=None, community=community, distance_m=distance, reason=reason)
    reason = _("outside every grid; no community within %(metres)d m") % {"metres": round(max_m)}
    return Location(grid=None, community=None, distance_m=None, reason=reason)
