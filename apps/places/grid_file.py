"""Reading and checking a GeoJSON grid file before anything is written.

Every problem of every feature is collected (index, code, field, problem, fix)
so a GIS operator fixes the whole file in one round instead of one error per
run. ``check_features`` only reads the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.core.errors import ValidationFailed
from apps.places.geometry import BoundaryError, parse_boundary
from apps.places.models import LEVEL_ORDER, Level, OrgNode, level_name

CODE_MAX = OrgNode._meta.get_field("code").max_length
NAME_MAX = OrgNode._meta.get_field("name").max_length
# The property that carries each level's code and name in a feature.
CODE_PROPERTY = {
    Level.CITY: "city_code",
    Level.DISTRICT: "district_code",
    Level.SUBDISTRICT: "subdistrict_code",
    Level.COMMUNITY: "community_code",
    Level.GRID: "code",
}
NAME_PROPERTY = {level: prop.replace("code", "name") for level, prop in CODE_PROPERTY.items()}
REQUIRED = [
    "code",
    "name",
    "community_code",
    "community_name",
    "subdistrict_code",
    "subdistrict_name",
    "district_code",
    "district_name",
]
LOOKUP_CHUNK = 500
MISSING = object()  # _text's "the property is missing" (worded when reported)

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ImportProblem:
    index: int | None  # position in the "features" array, from 0
    code: str | None
    field: str  # a key of the file ("community_code", "geometry.type"): never translated
    problem: str  # in the active language
    fix: str


class GridImportError(ValidationFailed):
    """The file was refused; ``problems`` lists every problem found."""

    default_code = "grid_import_invalid"

    def __init__(self, problems: list[ImportProblem]):
        self.problems = problems
        message = ngettext(
            "%(count)d problem in the grid file; nothing was imported.",
            "%(count)d problems in the grid file; nothing was imported.",
            len(problems),
        ) % {"count": len(problems)}
        fields: dict[str, list[str]] = {}
        for p in problems:
            key = f"features[{p.index}].{p.field}" if p.index is not None else p.field
            fields.setdefault(key, []).append(f"{p.problem} — {p.fix}")
        super().__init__(message, fields=fields)


@dataclass
class NodeSpec:
    """What the file says one org node should be."""

    level: str
    code: str
    name: str | None  # None: keep the existing name (a city only named by the default)
    parent_code: str | None
    index: int  # first feature that mentions it
    feature_code: str | None = None  # that feature's grid code, to name it in messages
    geometry: object = None  # grids only
    boundary: dict | None = None


@dataclass
class CheckedFile:
    specs: dict[str, dict[str, NodeSpec]] = field(default_factory=lambda: {lvl: {} for lvl in LEVEL_ORDER})
    existing: dict[str, OrgNode] = field(default_factory=dict)  # by code, with .parent_code annotated


def _text(props: dict, key: str, limit: int) -> tuple[str | None, object]:
    """(value, problem) for a required text property; codes given as JSON integers are accepted.

    The problem is None, ``MISSING`` or a translated sentence.
    """
    value = props.get(key)
    if isinstance(value, bool) or value is None:
        return None, MISSING
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        return None, _("must be a string, not %(type)s") % {"type": type(value).__name__}
    value = value.strip()
    if not value:
        return None, MISSING
    if len(value) > limit:
        return None, _("longer than %(limit)d characters") % {"limit": limit}
    return value, None


def _read_feature(index, feature, problems, *, default_city_code, default_city_name) -> list[NodeSpec] | None:
    def problem(code, fld, text, fix):
        problems.append(ImportProblem(index, code, fld, text, fix))

    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        problem(None, "type", _("not a GeoJSON Feature"), _('each item of "features" is {"type": "Feature", ...}'))
        return None
    props = feature.get("properties")
    if not isinstance(props, dict):
        problem(None, "properties", _("missing"), _("give the feature its code and names in properties"))
        return None
    raw_code = props.get("code")
    code_hint = str(raw_code).strip() if isinstance(raw_code, (str, int)) and str(raw_code).strip() else None
    values, ok = {}, True
    for key in REQUIRED:
        limit = NAME_MAX if key.endswith("name") else CODE_MAX
        value, bad = _text(props, key, limit)
        if bad is MISSING:
            ok = False
            problem(code_hint, key, _("missing"), _("set the %(property)s property") % {"property": key})
        elif bad:
            ok = False
            problem(code_hint, key, bad, _("fix %(property)s") % {"property": key})
        values[key] = value
    for key, default in (("city_code", default_city_code), ("city_name", None)):
        if props.get(key) in (None, ""):
            values[key] = default
            continue
        value, bad = _text(props, key, NAME_MAX if key == "city_name" else CODE_MAX)
        if bad:
            ok = False
            problem(
                code_hint,
                key,
                _("missing") if bad is MISSING else bad,
                _("fix %(property)s or leave it out to use the configured city") % {"property": key},
            )
        values[key] = value
    try:
        geometry = parse_boundary(feature.get("geometry"))
    except BoundaryError as exc:
        ok = False
        problem(code_hint, exc.problem.field, exc.problem.problem, exc.problem.fix)
        geometry = None
    if not ok:
        return None
    city_name = values["city_name"]
    if city_name is None and values["city_code"] == default_city_code:
        city_name = default_city_name or None
    parents = [None, values["city_code"], values["district_code"], values["subdistrict_code"], values["community_code"]]
    specs = []
    for level, parent_code in zip(LEVEL_ORDER, parents, strict=True):
        name = city_name if level == Level.CITY else values[NAME_PROPERTY[level]]
        specs.append(NodeSpec(level, values[CODE_PROPERTY[level]], name, parent_code, index, values["code"]))
    grid = specs[-1]
    grid.geometry = geometry
    grid.boundary = {"type": feature["geometry"]["type"], "coordinates": feature["geometry"]["coordinates"]}
    return specs


def _merge(specs, checked: CheckedFile, levels_by_code: dict, problems: list) -> None:
    """Add one feature's nodes, refusing a code that the file gives two meanings."""
    grid_code = specs[-1].code
    for spec in specs:
        fld = CODE_PROPERTY[spec.level]
        seen_level = levels_by_code.get(spec.code)
        if seen_level and seen_level[0] != spec.level:
            problems.append(
                ImportProblem(
                    spec.index,
                    grid_code,
                    fld,
                    _("code %(code)s is also used as a %(level)s in feature #%(index)d")
                    % {"code": spec.code, "level": level_name(seen_level[0]), "index": seen_level[1]},
                    _("codes are unique across all levels; give each node its own code"),
                )
            )
            continue
        levels_by_code.setdefault(spec.code, (spec.level, spec.index))
        known = checked.specs[spec.level].get(spec.code)
        if known is None:
            checked.specs[spec.level][spec.code] = spec
            continue
        if spec.level == Level.GRID:
            problems.append(
                ImportProblem(
                    spec.index,
                    grid_code,
                    "code",
                    _("duplicate grid code; first used in feature #%(index)d") % {"index": known.index},
                    _("give each grid its own code, or merge the parts into one MultiPolygon feature"),
                )
            )
            continue
        if spec.name and known.name and spec.name != known.name:
            problems.append(
                ImportProblem(
                    spec.index,
                    grid_code,
                    NAME_PROPERTY[spec.level],
                    _("%(level)s %(code)s is named %(name)r here but %(other)r in feature #%(index)d")
                    % {
                        "level": level_name(spec.level),
                        "code": spec.code,
                        "name": spec.name,
                        "other": known.name,
                        "index": known.index,
                    },
                    _("use one name per code throughout the file"),
                )
            )
        elif spec.name and not known.name:
            known.name = spec.name
        if spec.parent_code != known.parent_code:
            parent_level = LEVEL_ORDER[LEVEL_ORDER.index(spec.level) - 1]
            problems.append(
                ImportProblem(
                    spec.index,
                    grid_code,
                    fld,
                    _(
                        "%(level)s %(code)s lies under %(parent_level)s %(parent)s here "
                        "but under %(other)s in feature #%(index)d"
                    )
                    % {
                        "level": level_name(spec.level),
                        "code": spec.code,
                        "parent_level": level_name(parent_level),
                        "parent": spec.parent_code,
                        "other": known.parent_code,
                        "index": known.index,
                    },
                    _("a node has one parent; correct the codes of this feature"),
                )
            )


def _load_existing(codes: list[str]) -> dict[str, OrgNode]:
    existing = {}
    for start in range(0, len(codes), LOOKUP_CHUNK):
        chunk = codes[start : start + LOOKUP_CHUNK]
        for node in OrgNode.objects.filter(code__in=chunk).annotate(parent_code=F("parent__code")):
            existing[node.code] = node
    return existing


def _check_against_database(checked: CheckedFile, *, allow_moves: bool, problems: list) -> None:
    for level in LEVEL_ORDER:
        for spec in checked.specs[level].values():
            node = checked.existing.get(spec.code)
            grid_code = spec.feature_code
            if node is None:
                if spec.name is None:
                    problems.append(
                        ImportProblem(
                            spec.index,
                            grid_code,
                            "city_name",
                            _("city %(code)s is not in the database and has no name") % {"code": spec.code},
                            _("add city_name to the features, or pass --city-name"),
                        )
                    )
                continue
            fld = CODE_PROPERTY[level]
            if node.level != level:
                problems.append(
                    ImportProblem(
                        spec.index,
                        grid_code,
                        fld,
                        _("code %(code)s already exists as a %(level)s (%(name)s), not a %(expected)s")
                        % {
                            "code": spec.code,
                            "level": level_name(node.level),
                            "name": node.name,
                            "expected": level_name(level),
                        },
                        _("codes are unique across levels; use this node's own code"),
                    )
                )
            elif node.parent_code != spec.parent_code and not allow_moves:
                problems.append(
                    ImportProblem(
                        spec.index,
                        grid_code,
                        CODE_PROPERTY[LEVEL_ORDER[LEVEL_ORDER.index(level) - 1]] if spec.parent_code else fld,
                        (
                            _(
                                "%(level)s %(code)s belongs to %(parent)s in the database; "
                                "this file moves it under %(new)s"
                            )
                            if node.parent_code
                            else _("%(level)s %(code)s has no parent in the database; this file moves it under %(new)s")
                        )
                        % {
                            "level": level_name(level),
                            "code": spec.code,
                            "parent": node.parent_code,
                            "new": spec.parent_code,
                        },
                        _("rerun with --allow-moves to move it, or correct the code"),
                    )
                )


def check_features(
    features: list, *, allow_moves: bool, default_city_code: str, default_city_name: str, progress: Progress | None
) -> CheckedFile:
    """Parse and check every feature; raise GridImportError listing every problem, or return what to write."""
    problems: list[ImportProblem] = []
    checked = CheckedFile()
    levels_by_code: dict[str, tuple[str, int]] = {}
    total = len(features)
    for index, feature in enumerate(features):
        specs = _read_feature(
            index, feature, problems, default_city_code=default_city_code, default_city_name=default_city_name
        )
        if specs is not None:
            _merge(specs, checked, levels_by_code, problems)
        if progress:
            progress("check", index + 1, total)
    checked.existing = _load_existing(list(levels_by_code))
    _check_against_database(checked, allow_moves=allow_moves, problems=problems)
    if problems:
        raise GridImportError(sorted(problems, key=lambda p: (p.index is None, p.index or 0)))
    return checked
