"""Reading and checking a staff sheet for import_staff: every problem found, with its row and a fix.

Nothing here writes. ``parse_staff_rows`` turns rows into ``StaffPlan`` people, or raises
``StaffImportRefused`` listing every bad row, so the caller can refuse the whole file at once.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from apps.core.errors import ValidationFailed
from apps.people.models import Role
from apps.people.phones import MOBILE_RE, normalize_phone
from apps.places.models import Department, Level, OrgNode

REQUIRED_COLUMNS = ("username", "full_name", "phone", "role", "org_code")
OPTIONAL_COLUMNS = ("email", "department_code", "deputy", "position")
IMPORT_ROLES = (Role.CLERK, Role.GRID_WORKER, Role.SUPERVISOR, Role.DEPARTMENT_STAFF, Role.ADMIN)
# Which org levels a role may be scoped to; roles missing here take no org_code.
ROLE_LEVELS = {
    Role.CLERK: (Level.COMMUNITY,),
    Role.GRID_WORKER: (Level.GRID,),
    Role.SUPERVISOR: (Level.COMMUNITY, Level.SUBDISTRICT, Level.DISTRICT),
}
YES = {"yes", "y", "true", "1", "是"}
NO = {"no", "n", "false", "0", "否", ""}
MAX_POSITION = 32767


class StaffImportRefused(ValidationFailed):
    """The file was refused; ``errors`` has one line per problem, each naming row, field and fix."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(
            _("%(count)d problem(s) found; nothing was imported.") % {"count": len(errors)},
            code="import_refused",
            fields={"file": errors},
        )


@dataclass
class StaffPlan:
    """One person as the file wants them (several rows of a grid worker merged into one)."""

    username: str
    full_name: str
    phone: str
    role: str
    email: str
    department: Department | None
    org_nodes: list[OrgNode] = field(default_factory=list)
    # grid id → (position, is_deputy)
    memberships: dict[int, tuple[int, bool]] = field(default_factory=dict)
    first_row: int = 0


def read_staff_csv(path: str | Path, *, source: str | None = None) -> list[tuple[int, dict[str, str]]]:
    """Rows of a UTF-8 CSV (BOM or not) as (row number, {column: value}); the header is row 1."""
    source = source or str(path)
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StaffImportRefused(
            [f"{source}: " + _("byte %(pos)d is not UTF-8 — save the sheet as “CSV UTF-8”") % {"pos": exc.start}]
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        raise StaffImportRefused([f"{source}: " + _("the file is empty — the first line must name the columns")])
    columns = [name.strip().lower() for name in header]
    problems = []
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    unknown = [c for c in columns if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    doubled = sorted({c for c in columns if columns.count(c) > 1})
    if missing:
        problems.append(_("missing column(s) %(cols)s — the first line must name the columns %(need)s"))
    if unknown:
        problems.append(_("unknown column(s) %(unknown)s — fix the spelling or remove them; known columns: %(all)s"))
    if doubled:
        problems.append(_("column(s) %(doubled)s appear twice — keep one of each"))
    if problems:
        values = {
            "cols": ", ".join(missing),
            "need": ",".join(REQUIRED_COLUMNS),
            "unknown": ", ".join(unknown),
            "all": ",".join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS),
            "doubled": ", ".join(doubled),
        }
        raise StaffImportRefused([f"{source}: row 1 (header): " + p % values for p in problems])
    rows, errors = [], []
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue  # a blank line, or one of empty cells a spreadsheet left behind
        if len(values) > len(columns):
            errors.append(
                f"{source}: row {number}: "
                + _("%(n)d values but %(c)d columns — quote values that contain commas")
                % {"n": len(values), "c": len(columns)}
            )
            continue
        rows.append((number, {c: v.strip() for c, v in zip(columns, values, strict=False)}))
    if errors:
        raise StaffImportRefused(errors)
    return rows


class _Problems:
    def __init__(self, source: str):
        self.source = source
        self.lines: list[str] = []

    def add(self, row: int, username: str, column: str, problem: str, fix: str) -> None:
        who = username or _("no username")
        self.lines.append(f"{self.source}: row {row} (username {who}): {column}: {problem} — {fix}")


def _check_person(problems: _Problems, row: int, values: Mapping[str, str]) -> None:
    username = values["username"]
    if not username:
        problems.add(row, username, "username", _("missing"), _("fill in the login name"))
    else:
        try:
            UnicodeUsernameValidator()(username)
            if len(username) > 150:
                raise DjangoValidationError("too long")
        except DjangoValidationError:
            problems.add(
                row, username, "username", _("not a valid login name"),
                _("use at most 150 letters, digits and @ . + - _"),
            )  # fmt: skip
    if not values["full_name"]:
        problems.add(row, username, "full_name", _("missing"), _("fill in the person's name"))
    elif len(values["full_name"]) > 100:
        problems.add(row, username, "full_name", _("longer than 100 characters"), _("shorten it"))
    if not MOBILE_RE.match(values["phone"]):
        problems.add(
            row, username, "phone",
            _("“%(phone)s” is not an 11-digit mobile number") % {"phone": values["phone"]} if values["phone"]
            else _("missing"),
            _("write it like 13812341234 (format the column as text so the spreadsheet keeps every digit)"),
        )  # fmt: skip
    if values["email"]:
        try:
            validate_email(values["email"])
        except DjangoValidationError:
            problems.add(
                row, username, "email", _("“%(email)s” is not an email address") % {"email": values["email"]},
                _("correct it or leave it empty"),
            )  # fmt: skip


def parse_staff_rows(rows: Sequence[tuple[int, Mapping[str, str]]], *, source: str) -> list[StaffPlan]:
    """Check every row and merge a person's rows; raise StaffImportRefused listing every problem."""
    problems = _Problems(source)
    cleaned = []
    for row, raw in rows:
        values = {c: (raw.get(c) or "").strip() for c in REQUIRED_COLUMNS + OPTIONAL_COLUMNS}
        values["phone"] = normalize_phone(values["phone"])
        values["role"] = values["role"].lower()
        values["codes"] = [c.strip() for c in values["org_code"].split(";") if c.strip()]
        cleaned.append((row, values))

    all_codes = {c for _row, v in cleaned for c in v["codes"]}
    nodes = {n.code: n for n in OrgNode.objects.filter(code__in=all_codes)}
    dept_codes = {v["department_code"] for _row, v in cleaned if v["department_code"]}
    departments = {d.code: d for d in Department.objects.filter(code__in=dept_codes)}

    plans: dict[str, StaffPlan] = {}
    first_seen: dict[str, tuple[int, tuple]] = {}
    grid_entries: list[tuple[StaffPlan, OrgNode, bool, int | None, int]] = []
    for row, v in cleaned:
        username, role = v["username"], v["role"]
        _check_person(problems, row, v)
        if role not in IMPORT_ROLES:
            problems.add(
                row, username, "role", _("unknown role “%(role)s”") % {"role": v["role"]},
                _("use one of %(roles)s") % {"roles": ", ".join(IMPORT_ROLES)},
            )  # fmt: skip
            continue
        row_nodes = _check_codes(problems, row, v, nodes)
        department = _check_department(problems, row, v, departments)
        deputy, position = _check_roster_columns(problems, row, v)
        identity = (v["full_name"], v["phone"], role, v["email"], v["department_code"])
        if username in first_seen:
            first_row, first_identity = first_seen[username]
            if role not in ROLE_LEVELS or identity != first_identity:
                problems.add(
                    row, username, "username",
                    _("duplicate username in file (first at row %(row)d)") % {"row": first_row},
                    _("give each person one row; only repeat a row, with the same name, phone, role and email, "
                      "to add more org codes"),
                )  # fmt: skip
                continue
        else:
            first_seen[username] = (row, identity)
            plans[username] = StaffPlan(
                username, v["full_name"], v["phone"], role, v["email"], department, first_row=row
            )
        plan = plans[username]
        for node in row_nodes:
            if node in plan.org_nodes:
                problems.add(
                    row, username, "org_code", _("%(code)s is listed twice for this person") % {"code": node.code},
                    _("list each org code once"),
                )  # fmt: skip
                continue
            plan.org_nodes.append(node)
            if role == Role.GRID_WORKER:
                grid_entries.append((plan, node, deputy, position, row))
    if problems.lines:
        raise StaffImportRefused(problems.lines)

    # A grid's workers without a position keep the file's order, so re-running gives the same roster.
    counters: dict[tuple[int, bool], int] = {}
    for plan, grid, deputy, position, _row in grid_entries:
        auto = counters[(grid.pk, deputy)] = counters.get((grid.pk, deputy), 0) + 1
        plan.memberships[grid.pk] = (position if position is not None else auto, deputy)
    return list(plans.values())


def _check_codes(problems: _Problems, row: int, v: dict, nodes: dict[str, OrgNode]) -> list[OrgNode]:
    username, role, codes = v["username"], v["role"], v["codes"]
    levels = ROLE_LEVELS.get(role)
    if levels is None:
        if codes:
            fix = (
                _("administrators see everything — leave org_code empty")
                if role == Role.ADMIN
                else _("department staff are scoped by department_code — leave org_code empty")
            )
            problems.add(row, username, "org_code", _("not used for the role %(role)s") % {"role": role}, fix)
        return []
    if not codes:
        problems.add(
            row, username, "org_code", _("missing"),
            _("a %(role)s needs the code of a %(levels)s") % {"role": role, "levels": " / ".join(levels)},
        )  # fmt: skip
        return []
    found = []
    for code in codes:
        node = nodes.get(code)
        if node is None:
            problems.add(
                row, username, "org_code", _("unknown org code %(code)s") % {"code": code},
                _("correct the code, or import the org tree first (import_grids)"),
            )  # fmt: skip
        elif node.level not in levels:
            problems.add(
                row, username, "org_code",
                _("%(code)s is a %(level)s, but a %(role)s works in a %(levels)s")
                % {"code": code, "level": node.level, "role": role, "levels": " / ".join(levels)},
                _("use the code of a %(levels)s") % {"levels": " / ".join(levels)},
            )  # fmt: skip
        else:
            found.append(node)
    return found


def _check_department(problems: _Problems, row: int, v: dict, departments: dict) -> Department | None:
    username, code = v["username"], v["department_code"]
    if v["role"] != Role.DEPARTMENT_STAFF:
        if code:
            problems.add(
                row, username, "department_code", _("only department staff belong to a department"),
                _("leave it empty, or make the role department_staff"),
            )  # fmt: skip
        return None
    if not code:
        problems.add(row, username, "department_code", _("missing"), _("department staff need a department code"))
        return None
    department = departments.get(code)
    if department is None:
        problems.add(
            row, username, "department_code", _("unknown department %(code)s") % {"code": code},
            _("correct the code, or create the department first"),
        )  # fmt: skip
    return department


def _check_roster_columns(problems: _Problems, row: int, v: dict) -> tuple[bool, int | None]:
    username, deputy_text, position_text = v["username"], v["deputy"].lower(), v["position"]
    deputy, position = False, None
    if deputy_text in YES:
        deputy = True
    elif deputy_text not in NO:
        problems.add(row, username, "deputy", _("“%(v)s” is not yes or no") % {"v": v["deputy"]}, _("write yes or no"))
    if position_text:
        if position_text.isdigit() and int(position_text) <= MAX_POSITION:
            position = int(position_text)
        else:
            problems.add(
                row, username, "position", _("“%(v)s” is not a whole number") % {"v": position_text},
                _("write 1, 2, … or leave it empty to keep the file's order"),
            )  # fmt: skip
    if v["role"] != Role.GRID_WORKER and (deputy or position is not None):
        column = "deputy" if deputy else "position"
        problems.add(row, username, column, _("only grid workers have a roster place"), _("leave it empty"))
    return deputy, position
