"""Writes to the org tree: the grid version stamp, admin saves and the GeoJSON grid import."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import shapely
from django.db import transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import ValidationFailed
from apps.places import locator
from apps.places.geometry import BoundaryError, parse_boundary, same_shape
from apps.places.grid_file import CheckedFile, GridImportError, ImportProblem, NodeSpec, Progress, check_features
from apps.places.models import LEVEL_ORDER, PARENT_LEVEL, GridVersion, Level, OrgNode, level_name
from apps.places.signals import subtree_moved

__all__ = [
    "GridImportError",
    "ImportProblem",
    "ImportReport",
    "bump_grid_version",
    "import_grids",
    "org_node_delete",
    "org_node_save",
]

COORD_TOLERANCE = 1e-9  # degrees; lat/lng closer than this are "unchanged"


@transaction.atomic
def bump_grid_version() -> int:
    """Add one to the grid version (creating the row if missing); return the new version.

    Called inside the transaction that changed the grids, so the new version and the
    new boundaries become visible to other processes at the same commit.
    """
    now = timezone.now()
    if not GridVersion.objects.filter(pk=1).update(version=F("version") + 1, changed_at=now):
        _, created = GridVersion.objects.get_or_create(pk=1, defaults={"version": 1})
        if not created:  # another process created it between our update and our insert
            GridVersion.objects.filter(pk=1).update(version=F("version") + 1, changed_at=now)
    # This process need not wait for its next periodic check to see its own change.
    transaction.on_commit(locator.expire_version_check)
    return GridVersion.objects.values_list("version", flat=True).get(pk=1)


def _rewrite_subtree_paths(*, node: OrgNode, old_path: str, new_path: str) -> dict[str, int]:
    """Re-root every node under ``old_path`` (itself included) at ``new_path``: one UPDATE.

    Then announce the move (``subtree_moved``) so the apps holding copies of these paths
    (tickets) move them in this same transaction; returns what they moved, ``{label: count}``.
    Must run inside a transaction: a receiver's failure rolls the whole move back.
    """
    OrgNode.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1), output_field=CharField())
    )
    carried: Counter[str] = Counter()
    for _receiver, response in subtree_moved.send(sender=OrgNode, node=node, old_path=old_path, new_path=new_path):
        carried.update(response or {})
    return dict(carried)


def _check_parent(node: OrgNode) -> None:
    expected = PARENT_LEVEL.get(node.level)
    if expected is None and node.parent_id:
        raise ValidationFailed(_("A city has no parent."), fields={"parent": [_("Leave the parent empty for a city.")]})
    if expected is not None and (node.parent is None or node.parent.level != expected):
        raise ValidationFailed(
            _("A %(level)s must have a %(parent)s as its parent.")
            % {"level": level_name(node.level), "parent": level_name(expected)},
            fields={"parent": [_("Choose a %(level)s.") % {"level": level_name(expected)}]},
        )


@transaction.atomic
def org_node_save(*, node: OrgNode) -> OrgNode:
    """Save a node edited by hand (admin): check parent and boundary, keep paths right, bump the grid version."""
    _check_parent(node)
    if node.boundary is not None:
        if node.level != Level.GRID:
            raise ValidationFailed(_("Only grids have a boundary."), fields={"boundary": [_("Leave it empty.")]})
        try:
            geometry = parse_boundary(node.boundary)
        except BoundaryError as exc:
            raise ValidationFailed(str(exc), fields={"boundary": [str(exc)]}) from exc
        point = geometry.representative_point()
        node.lng, node.lat = point.x, point.y
    old_path = OrgNode.objects.filter(pk=node.pk).values_list("path", flat=True).first() if node.pk else None
    node.path = node.build_path()
    node.save()
    if old_path and old_path != node.path:
        _rewrite_subtree_paths(node=node, old_path=old_path, new_path=node.path)
    bump_grid_version()
    return node


@transaction.atomic
def org_node_delete(*, node: OrgNode) -> None:
    """Delete a node without children (PROTECT refuses otherwise) and bump the grid version."""
    node.delete()
    bump_grid_version()


# --- the GeoJSON import -------------------------------------------------------


@dataclass
class ImportReport:
    created: dict[str, list[str]] = field(default_factory=lambda: {lvl: [] for lvl in LEVEL_ORDER})
    updated: dict[str, list[str]] = field(default_factory=lambda: {lvl: [] for lvl in LEVEL_ORDER})
    unchanged: dict[str, list[str]] = field(default_factory=lambda: {lvl: [] for lvl in LEVEL_ORDER})
    moved: dict[str, list[str]] = field(default_factory=lambda: {lvl: [] for lvl in LEVEL_ORDER})
    # Rows of other apps that moved with each moved node (code → {"tickets": n}); a ticket under
    # two nodes moved by one import (a community and one of its grids) counts for each.
    carried: dict[str, dict[str, int]] = field(default_factory=dict)
    changes: dict[str, list[str]] = field(default_factory=dict)  # code → changed fields
    version: int | None = None  # the new grid version, when something changed
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return any(self.created[lvl] or self.updated[lvl] for lvl in LEVEL_ORDER)

    def carried_totals(self) -> dict[str, int]:
        """What moved with the moved nodes, summed over them: ``{"tickets": n}``."""
        totals: Counter[str] = Counter()
        for counts in self.carried.values():
            totals.update(counts)  # update, not +: a zero ("0 tickets moved") is still reported
        return dict(totals)

    def counts(self) -> dict[str, dict[str, int]]:
        return {
            lvl: {
                "created": len(self.created[lvl]),
                "updated": len(self.updated[lvl]),
                "unchanged": len(self.unchanged[lvl]),
            }
            for lvl in LEVEL_ORDER
        }


class _Writer:
    """Applies a checked file level by level, top-down, so every parent exists before its children."""

    def __init__(self, checked: CheckedFile, report: ImportReport, progress: Progress | None):
        self.checked = checked
        self.nodes: dict[str, OrgNode] = dict(checked.existing)
        self.report = report
        self.progress = progress
        self.now = timezone.now()
        self.touched_communities: set[int] = set()
        self.done = 0
        self.total = sum(len(specs) for specs in checked.specs.values())

    def run(self) -> None:
        for level in LEVEL_ORDER:
            self._write_level(level, list(self.checked.specs[level].values()))
        self._place_communities()

    def _tick(self, n: int) -> None:
        self.done += n
        if self.progress:
            self.progress("write", self.done, self.total)

    def _write_level(self, level: str, specs: list[NodeSpec]) -> None:
        to_create, to_update, update_fields = [], [], {"updated_at"}
        for spec in sorted(specs, key=lambda s: s.code):
            parent = self.nodes[spec.parent_code] if spec.parent_code else None
            node = self.nodes.get(spec.code)
            if node is None:
                node = OrgNode(code=spec.code, name=spec.name, level=level, parent=parent)
                node.path = node.build_path()
                if level == Level.GRID:
                    self._set_boundary(node, spec)
                to_create.append(node)
                self.report.created[level].append(spec.code)
                continue
            changed = self._apply(node, spec, parent)
            if changed:
                to_update.append(node)
                update_fields.update(changed)
                self.report.updated[level].append(spec.code)
                self.report.changes[spec.code] = sorted(changed - {"path", "lat", "lng"}) or sorted(changed)
            else:
                self.report.unchanged[level].append(spec.code)
        if to_create:
            OrgNode.objects.bulk_create(to_create, batch_size=500)
            self._ensure_ids(to_create)
            for node in to_create:
                self.nodes[node.code] = node
                if level == Level.GRID:
                    self.touched_communities.add(node.parent_id)
        if to_update:
            for node in to_update:
                node.updated_at = self.now
            OrgNode.objects.bulk_update(to_update, sorted(update_fields), batch_size=500)
        self._tick(len(specs))

    def _apply(self, node: OrgNode, spec: NodeSpec, parent: OrgNode | None) -> set[str]:
        changed = set()
        if spec.name and node.name != spec.name:
            node.name = spec.name
            changed.add("name")
        if (parent.pk if parent else None) != node.parent_id:
            if node.level == Level.GRID:
                self.touched_communities.update({node.parent_id, parent.pk})
            old_path = node.path
            node.parent = parent
            node.path = node.build_path()
            # Descendants not in the file (and the tickets under them) follow their moved ancestor
            # in the database, and the nodes in memory follow too.
            self.report.carried[node.code] = _rewrite_subtree_paths(node=node, old_path=old_path, new_path=node.path)
            for other in self.nodes.values():
                if other is not node and other.path.startswith(old_path):
                    other.path = node.path + other.path[len(old_path) :]
            self.report.moved[node.level].append(node.code)
            changed.update({"parent", "path"})
        elif node.path != node.build_path():  # a stale path left by an older edit: repair quietly
            node.path = node.build_path()
            changed.add("path")
        if node.level == Level.GRID:
            old = None
            if node.boundary:
                try:
                    old = parse_boundary(node.boundary)
                except BoundaryError:
                    old = None
            if not same_shape(old, spec.geometry) or node.lat is None or node.lng is None:
                self._set_boundary(node, spec)
                self.touched_communities.add(node.parent_id)
                changed.update({"boundary", "lat", "lng"})
        return changed

    @staticmethod
    def _set_boundary(node: OrgNode, spec: NodeSpec) -> None:
        node.boundary = spec.boundary
        point = spec.geometry.representative_point()
        node.lng, node.lat = point.x, point.y

    @staticmethod
    def _ensure_ids(created: list[OrgNode]) -> None:
        missing = [n for n in created if n.pk is None]
        if missing:  # backends that cannot return ids from a bulk insert
            ids = dict(OrgNode.objects.filter(code__in=[n.code for n in missing]).values_list("code", "id"))
            for node in missing:
                node.pk = ids[node.code]

    def _place_communities(self) -> None:
        """Put each community whose grids changed at the centroid of its active grids."""
        ids = sorted(i for i in self.touched_communities if i is not None)
        if not ids:
            return
        shapes: dict[int, list] = {}
        rows = OrgNode.objects.filter(level=Level.GRID, is_active=True, parent_id__in=ids, boundary__isnull=False)
        for parent_id, boundary in rows.values_list("parent_id", "boundary").iterator(chunk_size=2000):
            try:
                shapes.setdefault(parent_id, []).append(parse_boundary(boundary))
            except BoundaryError:
                continue
        created = set(self.report.created[Level.COMMUNITY])
        by_id = {n.pk: n for n in self.nodes.values() if n.level == Level.COMMUNITY}
        to_update = []
        for pk in ids:
            community = by_id.get(pk) or OrgNode.objects.get(pk=pk)
            if pk not in shapes:
                continue
            centroid = shapely.GeometryCollection(shapes[pk]).centroid
            if (
                community.lat is not None
                and abs(community.lat - centroid.y) < COORD_TOLERANCE
                and abs(community.lng - centroid.x) < COORD_TOLERANCE
            ):
                continue
            community.lat, community.lng, community.updated_at = centroid.y, centroid.x, self.now
            to_update.append(community)
            if community.code not in created and community.code not in self.report.updated[Level.COMMUNITY]:
                self.report.updated[Level.COMMUNITY].append(community.code)
                self.report.changes[community.code] = ["lat", "lng"]
                if community.code in self.report.unchanged[Level.COMMUNITY]:
                    self.report.unchanged[Level.COMMUNITY].remove(community.code)
        OrgNode.objects.bulk_update(to_update, ["lat", "lng", "updated_at"], batch_size=500)


@transaction.atomic
def import_grids(
    *,
    features: list,
    allow_moves: bool,
    default_city_code: str,
    default_city_name: str,
    progress: Progress | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Create and update the org tree from GeoJSON grid features, all or nothing.

    Every feature is checked first; any problem raises ``GridImportError`` listing all of
    them, and nothing is written. Nodes not in the file are left alone. The grid version is
    bumped once if anything changed. ``dry_run`` does everything, reports it, and rolls back.
    """
    # Serialise concurrent imports on the version row (PostgreSQL; SQLite's write lock does it already).
    list(GridVersion.objects.select_for_update().filter(pk=1))
    checked = check_features(
        features,
        allow_moves=allow_moves,
        default_city_code=default_city_code,
        default_city_name=default_city_name,
        progress=progress,
    )
    report = ImportReport(dry_run=dry_run)
    _Writer(checked, report, progress).run()
    if report.changed:
        report.version = bump_grid_version()
    if dry_run:
        transaction.set_rollback(True)
    return report
