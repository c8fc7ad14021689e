"""`manage.py import_grids`: output, refusals and exit status."""

import io
import json
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from apps.places.models import GridVersion, OrgNode
from tests.conftest import ROOT
from tests.places import geo

pytestmark = pytest.mark.django_db


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_grids", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def small(tmp_path):
    return geo.write(tmp_path / "grids.geojson", geo.generate(districts=1, subdistricts=1, communities=2, grids=3))


def test_import_prints_what_it_created_then_that_nothing_changed(small):
    out, err = run(small)
    assert out.splitlines() == [
        "city: 1 created, 0 updated, 0 unchanged",
        "  created: 370100",
        "district: 1 created, 0 updated, 0 unchanged",
        "  created: 370101",
        "subdistrict: 1 created, 0 updated, 0 unchanged",
        "  created: 370101001",
        "community: 2 created, 0 updated, 0 unchanged",
        "  created: 370101001001, 370101001002",
        "grid: 6 created, 0 updated, 0 unchanged",
        "  created: 370101001001001, 370101001001002, 370101001001003, "
        "370101001002001, 370101001002002, 370101001002003",
        f"{small}: imported; grid version is now 1",
    ]
    assert err == ""  # not a tty: no progress bar

    out, _ = run(small)
    assert out.splitlines() == [
        "city: 0 created, 0 updated, 1 unchanged",
        "district: 0 created, 0 updated, 1 unchanged",
        "subdistrict: 0 created, 0 updated, 1 unchanged",
        "community: 0 created, 0 updated, 2 unchanged",
        "grid: 0 created, 0 updated, 6 unchanged",
        f"{small}: nothing changed",
    ]
    assert GridVersion.objects.get().version == 1


def test_updates_list_the_changed_fields(small, tmp_path):
    run(small)
    data = json.loads(small.read_text())
    data["features"][1]["properties"]["name"] = "改名网格"
    changed = geo.write(tmp_path / "changed.geojson", data)
    out, _ = run(changed)
    assert "grid: 0 created, 1 updated, 5 unchanged" in out.splitlines()
    assert "  updated: 370101001001002 (name)" in out.splitlines()


def test_bad_features_are_all_listed_and_nothing_is_imported(tmp_path):
    data = geo.generate(districts=1, subdistricts=1, communities=1, grids=3)
    data["features"][0]["properties"].pop("district_name")
    data["features"][2]["geometry"]["coordinates"] = [
        [[117, 36.6], [117.01, 36.61], [117.01, 36.6], [117, 36.61], [117, 36.6]]
    ]
    path = geo.write(tmp_path / "bad.geojson", data)
    err = io.StringIO()

    with pytest.raises(CommandError) as caught:
        call_command("import_grids", str(path), stdout=io.StringIO(), stderr=err)

    assert str(caught.value) == f"{path}: 2 problems; nothing was imported"
    assert err.getvalue().splitlines() == [
        f"{path}: feature #0 (code 370101001001001): district_name: missing — set the district_name property",
        f"{path}: feature #2 (code 370101001001003): geometry: self-intersecting polygon: "
        "Self-intersection[117.005 36.605] — redraw the ring so it does not cross itself "
        "(e.g. QGIS 'Fix geometries') and export again",
    ]
    assert OrgNode.objects.count() == 0
    assert not GridVersion.objects.exists()


def test_refusals_are_in_chinese_by_default(tmp_path):
    # A command runs in LANGUAGE_CODE (zh-hans) unless told otherwise; the keys of the file stay as they are.
    data = geo.generate(districts=1, subdistricts=1, communities=1, grids=2)
    data["features"][0]["properties"].pop("district_name")
    data["features"][1]["geometry"] = {"type": "Point", "coordinates": [117.0, 36.6]}
    path = geo.write(tmp_path / "bad.geojson", data)
    err = io.StringIO()
    with translation.override("zh-hans"), pytest.raises(CommandError) as caught:
        call_command("import_grids", str(path), stdout=io.StringIO(), stderr=err)
    assert str(caught.value) == f"{path}：2 个问题，未导入任何内容"
    assert err.getvalue().splitlines() == [
        f"{path}: 第 0 号要素 （编码 370101001001001）: district_name: 缺失 — 请填写 district_name 属性",
        f"{path}: 第 1 号要素 （编码 370101001001002）: geometry.type: 不允许的几何类型 'Point' — "
        "网格边界必须是 Polygon 或 MultiPolygon",
    ]
    with translation.override("zh-hans"), pytest.raises(CommandError) as caught:
        run(tmp_path / "nowhere.geojson")
    assert str(caught.value) == f"{tmp_path / 'nowhere.geojson'}：文件不存在——请检查路径"


def test_a_move_needs_allow_moves(small, tmp_path):
    run(small)
    data = json.loads(small.read_text())
    data["features"][0]["properties"].update(community_code="370101001002", community_name="第1区第1街道第2社区")
    moved = geo.write(tmp_path / "moved.geojson", data)
    with pytest.raises(CommandError):
        run(moved)
    assert OrgNode.objects.get(code="370101001001001").parent.code == "370101001001"

    out, _ = run(moved, "--allow-moves")
    assert "grid: 0 created, 1 updated, 5 unchanged (1 moved)" in out.splitlines()
    assert OrgNode.objects.get(code="370101001001001").parent.code == "370101001002"


def test_dry_run_writes_nothing(small):
    out, _ = run(small, "--dry-run")
    assert out.splitlines()[-1] == f"{small}: dry run — nothing was written"
    assert OrgNode.objects.count() == 0


def test_city_code_and_name_options(small):
    run(small, "--city-code", "370200", "--city-name", "青岛市")
    assert OrgNode.objects.get(code="370200").name == "青岛市"
    assert OrgNode.objects.get(code="370101").parent.code == "370200"


def test_another_city_without_a_name_is_refused(small):
    with pytest.raises(CommandError):
        run(small, "--city-code", "370200")
    assert OrgNode.objects.count() == 0


def test_a_progress_bar_on_a_tty_and_none_with_no_progress(small, tmp_path):
    tty = FakeTTY()
    call_command("import_grids", str(small), stdout=io.StringIO(), stderr=tty)
    assert "check" in tty.getvalue() and "write" in tty.getvalue()
    tty = FakeTTY()
    call_command("import_grids", str(small), "--no-progress", stdout=io.StringIO(), stderr=tty)
    assert tty.getvalue() == ""


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "{path}: no such file — check the path"),
        ("{not json", "{path}: not valid JSON at line 1 column 2: Expecting property name enclosed in double quotes"),
        ('{"type": "Feature"}', "{path}: not a GeoJSON FeatureCollection (top-level \"type\" is 'Feature')"),
        ("[1, 2]", "{path}: not a GeoJSON FeatureCollection (top-level \"type\" is 'list')"),
        ('{"type": "FeatureCollection"}', '{path}: "features" is missing or not a list'),
        ('{"type": "FeatureCollection", "features": []}', "{path}: the FeatureCollection has no features"),
    ],
)
def test_unreadable_files_are_refused_clearly(tmp_path, content, message):
    path = tmp_path / "in.geojson"
    if content is not None:
        path.write_text(content)
    with pytest.raises(CommandError) as caught:
        run(path)
    assert str(caught.value).startswith(message.format(path=path))
    assert OrgNode.objects.count() == 0


def test_the_exit_status_is_non_zero(tmp_path):
    missing = tmp_path / "missing.geojson"
    done = subprocess.run(
        [sys.executable, "manage.py", "import_grids", str(missing)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"},
    )
    # Run as an operator would: in the default language, zh-hans.
    assert (done.returncode, f"CommandError: {missing}：文件不存在" in done.stderr) == (1, True), done.stderr
