"""``manage.py import_catalog``: what the operator sees, and that a refused file writes nothing."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.catalog.models import CategoryAttribute, ServiceCategory
from tests.catalog.conftest import DEMO_CATALOG

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_catalog", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write(tmp_path, data, name="catalog.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_demo_file_imports_then_reimports_unchanged(departments):
    out, err = run(str(DEMO_CATALOG))

    assert out.splitlines()[0] == f"{DEMO_CATALOG}: 26 created, 0 updated, 0 unchanged"
    assert out.splitlines()[1].startswith("  created: MUNI, MUNI-STREETLIGHT, MUNI-ROAD,")
    assert err == ""
    assert ServiceCategory.objects.count() == 26

    out, _ = run(str(DEMO_CATALOG))

    assert out == f"{DEMO_CATALOG}: 0 created, 0 updated, 26 unchanged\n"


def test_missing_categories_are_listed_and_switched_off_on_request(departments, tmp_path):
    run(str(DEMO_CATALOG))
    entries = [e for e in json.loads(DEMO_CATALOG.read_text(encoding="utf-8")) if e["code"] != "ENV-NOISE"]
    path = write(tmp_path, entries)

    out, _ = run(str(path))

    assert out.splitlines() == [
        f"{path}: 0 created, 0 updated, 25 unchanged",
        "  not in the file, kept as they are: ENV-NOISE (use --deactivate-missing to switch them off)",
    ]
    assert ServiceCategory.objects.get(code="ENV-NOISE").is_active is True

    out, _ = run(str(path), "--deactivate-missing")

    assert out.splitlines() == [
        f"{path}: 0 created, 0 updated, 25 unchanged",
        "  switched off (not in the file): ENV-NOISE",
    ]
    assert ServiceCategory.objects.get(code="ENV-NOISE").is_active is False


def test_refused_file_lists_every_problem_and_writes_nothing(departments, tmp_path):
    path = write(
        tmp_path,
        [
            {"code": "ENV", "name": "环境卫生"},
            {"code": "ENV-NOISE", "name": "噪音扰民", "parent": "ENV", "handler": "department"},
            {"code": "UTIL-WATER-LEAK", "name": "漏水", "handler": "department", "department": "DEPT-GAS"},
        ],
    )
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError) as caught:
        call_command("import_catalog", str(path), stdout=out, stderr=err)

    assert str(caught.value) == f"{path}: The catalog has 2 problem(s); nothing was imported."
    assert err.getvalue().splitlines() == [
        f"{path}: entry [1] (code “ENV-NOISE”), field “department”: Missing: the category is handled by a "
        "department. Fix: Give the department's code, or set handler to “grid”.",
        f"{path}: entry [2] (code “UTIL-WATER-LEAK”), field “department”: No department “DEPT-GAS”. "
        "Fix: Create the department first (admin or seed_demo), or correct the code.",
    ]
    assert out.getvalue() == ""
    assert ServiceCategory.objects.count() == 0
    assert CategoryAttribute.objects.count() == 0


def test_dry_run_reports_and_rolls_back(departments):
    out, _ = run(str(DEMO_CATALOG), "--dry-run")

    assert out.splitlines()[0] == f"[dry run] {DEMO_CATALOG}: 26 created, 0 updated, 0 unchanged"
    assert ServiceCategory.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[{", "not valid JSON at line 1 column 3"),
        (b"\xff\xfe[", "not UTF-8 text"),
    ],
)
def test_unreadable_files_are_refused_with_the_reason(db, tmp_path, content, message):
    path = tmp_path / "catalog.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")

    with pytest.raises(CommandError) as caught:
        run(str(path))

    assert str(caught.value).startswith(f"{path}: {message}")


def test_missing_file_is_refused(db, tmp_path):
    with pytest.raises(CommandError) as caught:
        run(str(tmp_path / "nope.json"))

    assert str(caught.value) == f"{tmp_path / 'nope.json'}: no such file — check the path"
