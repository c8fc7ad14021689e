import csv
import io
import re
from pathlib import Path

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.contrib.auth.tokens import default_token_generator
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from apps.people.models import GridMembership, Role, StaffScope, User
from apps.places.models import Department, OrgNode
from tests.people.conftest import make_user

COLUMNS = ["username", "full_name", "phone", "role", "org_code", "email", "department_code", "deputy", "position"]
LINK_RE = re.compile(r"^  (\S+): http://127\.0\.0\.1:8000/accounts/reset/([^/]+)/([^/]+)/$", re.M)


def _node(code, level, parent, nodes):
    node = OrgNode(code=code, name=f"{level}{code}", level=level, parent=parent,
                   path=f"{parent.path if parent else ''}{code}/")  # fmt: skip
    node.save()
    nodes.append(node)
    return node


@pytest.fixture
def city(db):
    """Two districts × 2 subdistricts × 3 communities × 5 grids = 60 grids, and two departments."""
    nodes: list[OrgNode] = []
    root = _node("370100", "city", None, nodes)
    for d in (2, 3):
        district = _node(f"37010{d}", "district", root, nodes)
        for s in (1, 2):
            sub = _node(f"{district.code}{s:03}", "subdistrict", district, nodes)
            for c in (1, 2, 3):
                community = _node(f"{sub.code}{c:03}", "community", sub, nodes)
                for g in (1, 2, 3, 4, 5):
                    _node(f"{community.code}{g:03}", "grid", community, nodes)
    Department.objects.create(code="CG-102", name="城管", org_node=OrgNode.objects.get(code="370102"))
    Department.objects.create(code="WY-103", name="物业", org_node=OrgNode.objects.get(code="370103"))
    return {n.code: n for n in nodes}


def _phone(i: int) -> str:
    return f"138{i:08}"


def realistic_rows(city) -> list[dict]:
    """About two hundred rows, the way an HR sheet looks: one or more rows per person."""
    rows, i = [], 0

    def add(**row):
        nonlocal i
        i += 1
        row.setdefault("phone", _phone(i))
        rows.append({c: row.get(c, "") for c in COLUMNS})

    grids = sorted(code for code, n in city.items() if n.level == "grid")
    communities = sorted(code for code, n in city.items() if n.level == "community")
    for n, grid in enumerate(grids):
        add(username=f"gw{n:03}", full_name=f"网格员{n:03}", role="grid_worker", org_code=grid, position="1")
        add(username=f"gwb{n:03}", full_name=f"网格员B{n:03}", role="grid_worker", org_code=grid)
    for n in range(len(grids)):
        # The first worker of the next grid is this grid's deputy: a second row for the same person.
        deputy = grids[(n + 1) % len(grids)]
        rows.append({**next(r for r in rows if r["username"] == f"gw{n:03}"), "org_code": deputy, "deputy": "yes",
                     "position": ""})  # fmt: skip
    for n, community in enumerate(communities):
        add(username=f"clerk{n:02}", full_name=f"窗口{n:02}", role="clerk", org_code=community,
            email=f"clerk{n:02}@example.cn")  # fmt: skip
        add(username=f"sq{n:02}", full_name=f"书记{n:02}", role="supervisor", org_code=community)
    add(username="sub1", full_name="街道主任", role="supervisor", org_code="370102001;370102002")
    add(username="dist3", full_name="区领导", role="supervisor", org_code="370103")
    add(username="cg1", full_name="城管甲", role="department_staff", department_code="CG-102")
    add(username="wy1", full_name="物业乙", role="department_staff", department_code="WY-103")
    add(username="ops", full_name="运维", role="admin", email="ops@example.cn")
    add(username="multi", full_name="多网格", role="grid_worker", org_code=f"{grids[0]}; {grids[5]}", deputy="是")
    return rows


def write_csv(path: Path, rows: list[dict], *, bom=False, columns=COLUMNS) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(("\ufeff" if bom else "") + buffer.getvalue(), encoding="utf-8")
    return path


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):
        call_command("import_staff", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def snapshot():
    return (
        sorted(User.objects.values_list("username", "full_name", "phone", "role", "email", "is_staff", "password")),
        sorted(StaffScope.objects.values_list("user__username", "org_node__code", "department__code")),
        sorted(GridMembership.objects.values_list("user__username", "grid__code", "position", "is_deputy")),
    )


def test_realistic_file_imports_everyone(city, tmp_path):
    rows = realistic_rows(city)
    assert len(rows) >= 200
    path = write_csv(tmp_path / "staff.csv", rows, bom=True)
    out, err = run(path)

    people = len({r["username"] for r in rows})
    assert out.splitlines()[-1] == f"created: {people}, updated: 0, unchanged: 0"
    assert User.objects.count() == people
    assert not User.objects.filter(password__isnull=False).exclude(password__startswith="!").exists()
    assert not any(u.has_usable_password() for u in User.objects.all())

    worker = User.objects.get(username="gw000")
    assert (worker.full_name, worker.phone, worker.role, worker.is_staff) == ("网格员000", "13800000001",
                                                                             "grid_worker", False)  # fmt: skip
    assert sorted(worker.scopes.values_list("org_node__code", flat=True)) == ["370102001001001", "370102001001002"]
    assert sorted(worker.grid_memberships.values_list("grid__code", "position", "is_deputy")) == [
        ("370102001001001", 1, False), ("370102001001002", 1, True),
    ]  # fmt: skip
    # A grid's roster keeps the file's order for rows without a position.
    assert list(
        GridMembership.objects.filter(grid__code="370102001001001").order_by("is_deputy", "position")
        .values_list("user__username", "position", "is_deputy")
    ) == [("gw000", 1, False), ("gwb000", 2, False), ("gw059", 1, True), ("multi", 2, True)]  # fmt: skip
    assert sorted(User.objects.get(username="sub1").scopes.values_list("org_node__code", flat=True)) == [
        "370102001", "370102002",
    ]  # fmt: skip
    assert list(User.objects.get(username="cg1").scopes.values_list("department__code", "org_node")) == [
        ("CG-102", None)
    ]
    ops = User.objects.get(username="ops")
    assert (ops.role, ops.is_staff, ops.email, ops.scopes.count()) == ("admin", True, "ops@example.cn", 0)
    clerk = User.objects.get(username="clerk00")
    assert list(clerk.scopes.values_list("org_node__code", flat=True)) == ["370102001001"]
    assert clerk.grid_memberships.count() == 0

    links = LINK_RE.findall(out)
    usernames = sorted(User.objects.values_list("username", flat=True))
    assert sorted(username for username, _uid, _token in links) == usernames
    assert err == ""


def _first_link(city, tmp_path):
    out, _err = run(write_csv(tmp_path / "staff.csv", realistic_rows(city)[:3]))
    links = {username: (uid, token) for username, uid, token in LINK_RE.findall(out)}
    assert sorted(links) == ["gw000", "gw001", "gwb000"]
    return links["gw000"]


def test_set_password_link_token_is_valid(city, tmp_path):
    uid, token = _first_link(city, tmp_path)
    user = User.objects.get(pk=force_str(urlsafe_base64_decode(uid)))
    assert user.username == "gw000"
    assert default_token_generator.check_token(user, token) is True


@pytest.mark.urls("tests.people.urls_with_reset")
def test_set_password_link_lets_the_owner_choose_a_password_once(city, tmp_path):
    uid, token = _first_link(city, tmp_path)
    client = Client()
    response = client.get(f"/accounts/reset/{uid}/{token}/")
    # Django swaps the token for a session marker and redirects to the form.
    assert response.status_code == 302
    form_url = response["Location"]
    assert form_url == f"/accounts/reset/{uid}/set-password/"
    response = client.post(form_url, {"new_password1": "Harbour-lights-2026", "new_password2": "Harbour-lights-2026"})
    assert response.status_code == 302
    assert User.objects.get(username="gw000").check_password("Harbour-lights-2026")
    # Used once, the link is dead.
    response = Client().get(f"/accounts/reset/{uid}/{token}/")
    assert response.status_code == 200
    assert response.context["validlink"] is False


def test_second_run_changes_nothing(city, tmp_path):
    path = write_csv(tmp_path / "staff.csv", realistic_rows(city))
    run(path)
    before = snapshot()
    out, err = run(path)
    people = User.objects.count()
    assert out.splitlines()[-1] == f"created: 0, updated: 0, unchanged: {people}"  # last: seed_demo shows it
    assert "accounts/reset" not in out
    assert snapshot() == before
    assert err == ""


def test_changes_are_reported_as_updated_and_prune_is_opt_in(city, tmp_path):
    rows = realistic_rows(city)
    run(write_csv(tmp_path / "v1.csv", rows))
    gw_rows = [r for r in rows if r["username"] == "gw000"]
    rows = [r for r in rows if r["username"] != "gw000"]
    rows.append({**gw_rows[0], "full_name": "网格员零", "org_code": "370103002003004"})  # moved, renamed
    path = write_csv(tmp_path / "v2.csv", rows)

    out, _ = run(path)
    assert "  updated: gw000 (grid_worker)" in out
    # gwb000 had no position: it moves up to first place in the grid gw000 left.
    assert "  updated: gwb000 (grid_worker)" in out
    assert "created: 0, updated: 2, unchanged: " in out
    assert "kept 4 scope(s) / roster place(s) that the file no longer lists (use --prune to remove)" in out
    worker = User.objects.get(username="gw000")
    assert worker.full_name == "网格员零"
    assert sorted(worker.grid_memberships.values_list("grid__code", flat=True)) == [
        "370102001001001", "370102001001002", "370103002003004",
    ]  # fmt: skip

    out, _ = run(path, "--prune")
    assert "removed 4 scope(s) / roster place(s) no longer in the file" in out
    assert list(worker.grid_memberships.values_list("grid__code", "position", "is_deputy")) == [
        ("370103002003004", 1, False)
    ]
    assert list(worker.scopes.values_list("org_node__code", flat=True)) == ["370103002003004"]
    out, _ = run(path, "--prune")
    assert "created: 0, updated: 0, unchanged: " in out


def test_existing_password_is_never_touched(city, tmp_path, monkeypatch):
    existing = make_user("gw000", Role.GRID_WORKER)
    existing.set_password("Old-password-2026")
    existing.save()
    monkeypatch.setenv("STAFF_PW", "Fresh-start-2026")
    run(write_csv(tmp_path / "staff.csv", realistic_rows(city)[:4]), "--password-from-env", "STAFF_PW")
    assert User.objects.get(username="gw000").check_password("Old-password-2026")
    assert User.objects.get(username="gwb000").check_password("Fresh-start-2026")


def test_password_from_env(city, tmp_path, monkeypatch):
    monkeypatch.setenv("STAFF_PW", "Fresh-start-2026")
    out, err = run(write_csv(tmp_path / "staff.csv", realistic_rows(city)[:6]), "--password-from-env", "STAFF_PW")
    assert "Fresh-start-2026" not in out + err
    assert "accounts/reset" not in out
    assert "new accounts have the password from $STAFF_PW" in out
    for user in User.objects.all():
        assert user.check_password("Fresh-start-2026")
        assert "Fresh-start-2026" not in user.password
        assert identify_hasher(user.password).algorithm == "md5"  # the configured hasher (tests: fast)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "--password-from-env STAFF_PW: the variable is unset or empty — export it first"),
        ("", "--password-from-env STAFF_PW: the variable is unset or empty — export it first"),
        ("12345678", "--password-from-env STAFF_PW: This password is too common. This password is entirely numeric."),
    ],
)
def test_password_from_env_refused(city, tmp_path, monkeypatch, value, message):
    if value is None:
        monkeypatch.delenv("STAFF_PW", raising=False)
    else:
        monkeypatch.setenv("STAFF_PW", value)
    path = write_csv(tmp_path / "staff.csv", realistic_rows(city)[:6])
    with pytest.raises(CommandError) as exc:
        run(path, "--password-from-env", "STAFF_PW")
    assert str(exc.value) == message
    assert User.objects.count() == 0


def test_dry_run_writes_nothing(city, tmp_path):
    out, _ = run(write_csv(tmp_path / "staff.csv", realistic_rows(city)), "--dry-run")
    assert "(dry run: nothing saved)" in out
    assert "would be created: " in out
    assert "accounts/reset" not in out
    assert User.objects.count() == 0


def _good(n=0, **changes):
    base = dict.fromkeys(COLUMNS, "")
    base.update(username=f"new{n}", full_name="新人", phone="13900000000", role="clerk", org_code="370102001001")
    base.update(changes)
    return base


BAD_ROWS = [
    (
        _good(role="boss"),
        "role: unknown role “boss” — use one of clerk, grid_worker, supervisor, department_staff, admin",
    ),
    (
        _good(role="resident"),
        "role: unknown role “resident” — use one of clerk, grid_worker, supervisor, department_staff, admin",
    ),
    (
        _good(org_code="999999"),
        "org_code: unknown org code 999999 — correct the code, or import the org tree first (import_grids)",
    ),
    (
        _good(org_code="370102001001001"),
        "org_code: 370102001001001 is a grid, but a clerk works in a community — use the code of a community",
    ),
    (
        _good(role="grid_worker", org_code="370102001001"),
        "org_code: 370102001001 is a community, but a grid_worker works in a grid — use the code of a grid",
    ),
    (
        _good(role="supervisor", org_code="370100"),
        "org_code: 370100 is a city, but a supervisor works in a "
        "community / subdistrict / district — use the code of a community / "
        "subdistrict / district",
    ),
    (_good(org_code=""), "org_code: missing — a clerk needs the code of a community"),
    (_good(role="department_staff", org_code=""), "department_code: missing — department staff need a department code"),
    (
        _good(role="department_staff", org_code="", department_code="NOPE"),
        "department_code: unknown department NOPE — correct the code, or create the department first",
    ),
    (
        _good(department_code="CG-102"),
        "department_code: only department staff belong to a department — leave it "
        "empty, or make the role department_staff",
    ),
    (
        _good(role="admin"),
        "org_code: not used for the role admin — administrators see everything — leave org_code empty",
    ),
    (
        _good(phone="1380000"),
        "phone: “1380000” is not an 11-digit mobile number — write it like 13812341234 (format "
        "the column as text so the spreadsheet keeps every digit)",
    ),
    (
        _good(phone="1.38E+10"),
        "phone: “1.38E+10” is not an 11-digit mobile number — write it like 13812341234 "
        "(format the column as text so the spreadsheet keeps every digit)",
    ),
    (
        _good(phone=""),
        "phone: missing — write it like 13812341234 (format the column as text so the spreadsheet keeps every digit)",
    ),
    (_good(email="not-an-email"), "email: “not-an-email” is not an email address — correct it or leave it empty"),
    (
        _good(username="gw000", full_name="别人"),
        "username: duplicate username in file (first at row 2) — give each "
        "person one row; only repeat a row, with the same name, phone, role and email, to add more org codes",
    ),
    (_good(username="bad name!"), "username: not a valid login name — use at most 150 letters, digits and @ . + - _"),
    (_good(username=""), "username: missing — fill in the login name"),
    (_good(full_name=""), "full_name: missing — fill in the person's name"),
    (
        _good(role="grid_worker", org_code="370102001001001", deputy="maybe"),
        "deputy: “maybe” is not yes or no — write yes or no",
    ),
    (
        _good(role="grid_worker", org_code="370102001001001", position="first"),
        "position: “first” is not a whole number — write 1, 2, … or leave it empty to keep the file's order",
    ),
    (_good(deputy="yes"), "deputy: only grid workers have a roster place — leave it empty"),
]


@pytest.mark.parametrize(("bad", "problem"), BAD_ROWS, ids=[p.split(":")[0] + str(i) for i, (_, p) in
                                                            enumerate(BAD_ROWS)])  # fmt: skip
def test_bad_row_refuses_the_whole_file(city, tmp_path, bad, problem):
    _refused_with_nothing_written(city, tmp_path, bad, problem, imported_before=False)


@pytest.mark.parametrize(("bad", "problem"), [BAD_ROWS[0], BAD_ROWS[3], BAD_ROWS[15]], ids=["role", "level", "dup"])
def test_bad_row_after_an_import_changes_nothing(city, tmp_path, bad, problem):
    _refused_with_nothing_written(city, tmp_path, bad, problem, imported_before=True)


def _refused_with_nothing_written(city, tmp_path, bad, problem, *, imported_before):
    rows = realistic_rows(city)
    if imported_before:
        run(write_csv(tmp_path / "first.csv", rows))
    before = snapshot()
    # The bad row comes after a good new person and a changed person: neither may be saved.
    rows = [*rows[:-1], {**rows[-1], "full_name": "改名"}, _good(n=1, phone="13900000001"), bad]
    path = write_csv(tmp_path / "staff.csv", rows)
    message, err = run_refused(path)
    assert message == "1 problem(s) found; nothing was imported."
    row = len(rows) + 1  # the header is row 1
    assert err == [f"{path}: row {row} (username {bad['username'] or 'no username'}): {problem}"]
    assert snapshot() == before


def run_refused(path):
    """Run a file that must be refused; the command's message and its stderr lines."""
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"), pytest.raises(CommandError) as exc:
        call_command("import_staff", str(path), stdout=out, stderr=err)
    assert out.getvalue() == ""
    return str(exc.value), err.getvalue().splitlines()


def test_every_problem_is_reported_at_once(city, tmp_path):
    rows = [_good(n=1, role="boss"), _good(n=2, phone="123"), _good(n=3, org_code="404")]
    path = write_csv(tmp_path / "staff.csv", rows)
    _message, err = run_refused(path)
    assert [line.split(":")[1].strip() for line in err] == ["row 2 (username new1)", "row 3 (username new2)",
                                                            "row 4 (username new3)"]  # fmt: skip
    assert User.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("username,full_name,phone,role\nx,X,13800000000,clerk\n",
         "row 1 (header): missing column(s) org_code — the first line must name the columns "
         "username,full_name,phone,role,org_code"),
        ("username,full_name,phone,role,org_code,mobile\n",
         "row 1 (header): unknown column(s) mobile — fix the spelling or remove them; known columns: "
         "username,full_name,phone,role,org_code,email,department_code,deputy,position"),
        ("", "the file is empty — the first line must name the columns"),
        ("username,full_name,phone,role,org_code\nx,X,13800000000,clerk,370102001001,extra\n",
         "row 2: 6 values but 5 columns — quote values that contain commas"),
    ],
)  # fmt: skip
def test_bad_file_shape_is_refused(city, tmp_path, content, problem):
    path = tmp_path / "staff.csv"
    path.write_text(content, encoding="utf-8")
    _message, err = run_refused(path)
    assert err == [f"{path}: {problem}"]
    assert User.objects.count() == 0


def test_non_utf8_file_is_refused(city, tmp_path):
    path = tmp_path / "staff.csv"
    path.write_bytes("username,full_name,phone,role,org_code\nx,张三,13800000000,clerk,370102001001\n".encode("gbk"))
    _message, err = run_refused(path)
    assert err == [f"{path}: byte 41 is not UTF-8 — save the sheet as “CSV UTF-8”"]
    assert User.objects.count() == 0


def test_only_the_required_columns_and_blank_lines(city, tmp_path):
    path = tmp_path / "staff.csv"
    path.write_text(
        "Username,Full_Name,Phone,Role,Org_Code\r\nlee,李,+86 138-0000-0000,Clerk,370102001001\r\n,,,,\r\n\r\n",
        encoding="utf-8",
    )
    out, _ = run(path)
    assert "created: 1, updated: 0, unchanged: 0" in out
    user = User.objects.get(username="lee")
    assert (user.phone, user.role) == ("13800000000", "clerk")


def test_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run(tmp_path / "nope.csv")
