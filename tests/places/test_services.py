"""The grid import service and the version stamp."""

import copy

import pytest
import shapely
from django.utils import translation

from apps.core.errors import ValidationFailed
from apps.places.models import GridVersion, Level, OrgNode
from apps.places.selectors import subtree
from apps.places.services import GridImportError, bump_grid_version, org_node_save
from tests.places import geo
from tests.places.conftest import run_import

pytestmark = pytest.mark.django_db


def snapshot():
    """Everything the import may touch, to prove a refused import wrote nothing."""
    nodes = list(OrgNode.objects.order_by("code").values_list("code", "name", "level", "parent_id", "path", "boundary"))
    return nodes, list(GridVersion.objects.values_list("version", flat=True))


def version():
    return GridVersion.objects.values_list("version", flat=True).first()


class TestBumpGridVersion:
    def test_creates_the_row_then_counts_up(self):
        assert not GridVersion.objects.exists()
        assert bump_grid_version() == 1
        assert bump_grid_version() == 2
        assert GridVersion.objects.get().version == 2


class TestImportRealisticFile:
    def test_creates_the_whole_tree(self, collection):
        report = run_import(collection["features"])

        assert report.counts() == {
            "city": {"created": 1, "updated": 0, "unchanged": 0},
            "district": {"created": 3, "updated": 0, "unchanged": 0},
            "subdistrict": {"created": 9, "updated": 0, "unchanged": 0},
            "community": {"created": 36, "updated": 0, "unchanged": 0},
            "grid": {"created": 360, "updated": 0, "unchanged": 0},
        }
        assert report.created["district"] == ["370101", "370102", "370103"]
        assert report.version == version() == 1
        assert OrgNode.objects.count() == 1 + 3 + 9 + 36 + 360
        city = OrgNode.objects.get(level=Level.CITY)
        assert (city.code, city.name, city.path, city.parent_id) == ("370100", "济南市", "370100/", None)
        grid = OrgNode.objects.select_related("parent").get(code="370102003004010")
        assert grid.name == "第2区第3街道第4社区第10网格"
        assert grid.path == "370100/370102/370102003/370102003004/370102003004010/"
        assert grid.parent.code == "370102003004"
        assert grid.boundary == {"type": "Polygon", "coordinates": [geo.square(9, 23)]}
        assert shapely.Polygon(geo.square(9, 23)).contains(shapely.Point(grid.lng, grid.lat))
        assert subtree(OrgNode.objects.get(code="370102")).count() == 1 + 3 + 12 + 120

    def test_a_community_sits_at_the_centroid_of_its_grids(self, collection):
        run_import(collection["features"])
        community = OrgNode.objects.get(code="370101001002")  # row 1, columns 0..9
        assert community.lng == pytest.approx(geo.LNG0 + 5 * geo.CELL, abs=1e-9)
        assert community.lat == pytest.approx(geo.LAT0 + 1.5 * geo.CELL, abs=1e-9)

    def test_running_twice_changes_nothing(self, collection):
        run_import(collection["features"])
        before = snapshot()
        updated_at = dict(OrgNode.objects.values_list("code", "updated_at"))

        report = run_import(copy.deepcopy(collection["features"]))

        assert report.counts() == {
            "city": {"created": 0, "updated": 0, "unchanged": 1},
            "district": {"created": 0, "updated": 0, "unchanged": 3},
            "subdistrict": {"created": 0, "updated": 0, "unchanged": 9},
            "community": {"created": 0, "updated": 0, "unchanged": 36},
            "grid": {"created": 0, "updated": 0, "unchanged": 360},
        }
        assert (report.changed, report.version) == (False, None)
        assert snapshot() == before
        assert dict(OrgNode.objects.values_list("code", "updated_at")) == updated_at

    def test_a_reordered_ring_is_unchanged(self, collection):
        run_import(collection["features"])
        features = copy.deepcopy(collection["features"])
        ring = features[0]["geometry"]["coordinates"][0]
        features[0]["geometry"]["coordinates"][0] = list(reversed(ring[1:] + ring[1:2]))
        report = run_import(features)
        assert (report.changed, report.version) == (False, None)

    def test_changed_names_and_boundaries_are_updated(self, collection):
        run_import(collection["features"])
        features = copy.deepcopy(collection["features"])
        features[0]["properties"]["name"] = "新名字网格"
        features[1]["geometry"]["coordinates"] = [geo.square(1, 50)]
        for f in features:
            if f["properties"]["district_code"] == "370103":
                f["properties"]["district_name"] = "历下区"

        report = run_import(features)

        assert report.updated["grid"] == ["370101001001001", "370101001001002"]
        assert report.changes["370101001001001"] == ["name"]
        assert report.changes["370101001001002"] == ["boundary"]
        assert report.updated["district"] == ["370103"]
        assert report.updated["community"] == ["370101001001"]  # its centroid moved with the boundary
        assert report.changes["370101001001"] == ["lat", "lng"]
        assert report.version == version() == 2
        assert OrgNode.objects.get(code="370103").name == "历下区"
        grid = OrgNode.objects.get(code="370101001001002")
        assert grid.boundary == {"type": "Polygon", "coordinates": [geo.square(1, 50)]}
        assert shapely.Polygon(geo.square(1, 50)).contains(shapely.Point(grid.lng, grid.lat))

    def test_a_dry_run_reports_and_writes_nothing(self, collection):
        report = run_import(collection["features"], dry_run=True)
        assert report.counts()["grid"]["created"] == 360
        assert report.dry_run is True
        assert OrgNode.objects.count() == 0
        assert not GridVersion.objects.exists()

    def test_city_from_the_feature(self, db):
        features = geo.generate(districts=1, subdistricts=1, communities=1, grids=1)["features"]
        features[0]["properties"].update(city_code="370200", city_name="青岛市")
        run_import(features)
        grid = OrgNode.objects.get(level=Level.GRID)
        assert grid.path.startswith("370200/")
        assert OrgNode.objects.get(code="370200").name == "青岛市"


def one_file():
    """12 features of the generated file: grids 1–3 of communities 1–2 of subdistrict 1 of districts 1–2."""
    return [
        f
        for f in geo.generate()["features"]
        if f["properties"]["code"][-3:] <= "003"
        and f["properties"]["community_code"][-3:] <= "002"
        and f["properties"]["subdistrict_code"][-3:] == "001"
        and f["properties"]["district_code"] <= "370102"
    ]


BAD_FEATURES = {
    "missing property": (
        lambda fs: fs[2]["properties"].pop("community_name"),
        [(2, "370101001001003", "community_name", "missing")],
    ),
    "empty code": (
        lambda fs: fs[1]["properties"].update(code="  "),
        [(1, None, "code", "missing")],
    ),
    "not a feature": (
        lambda fs: fs.__setitem__(3, {"type": "Polygon"}),
        [(3, None, "type", "not a GeoJSON Feature")],
    ),
    "point geometry": (
        lambda fs: fs[4].update(geometry={"type": "Point", "coordinates": [117.0, 36.6]}),
        [(4, "370101001002002", "geometry.type", "geometry type 'Point' is not allowed")],
    ),
    "self-intersection": (
        lambda fs: fs[0].update(
            geometry={
                "type": "Polygon",
                "coordinates": [[[117, 36.6], [117.01, 36.61], [117.01, 36.6], [117, 36.61], [117, 36.6]]],
            }
        ),
        [(0, "370101001001001", "geometry", "self-intersecting polygon: Self-intersection[117.005 36.605]")],
    ),
    "hole outside its shell": (
        lambda fs: fs[0]["geometry"]["coordinates"].append(geo.square(30, 30)),
        [(0, "370101001001001", "geometry", "invalid polygon: Hole lies outside shell[117.06 36.66]")],
    ),
    "duplicate grid code": (
        lambda fs: fs[5]["properties"].update(code="370101001001001"),
        [(5, "370101001001001", "code", "duplicate grid code; first used in feature #0")],
    ),
    "code used at two levels": (
        lambda fs: fs[5]["properties"].update(code="370101001001"),
        [(5, "370101001001", "code", "code 370101001001 is also used as a community in feature #0")],
    ),
    "two names for one community": (
        lambda fs: fs[1]["properties"].update(community_name="别名社区"),
        [
            (
                1,
                "370101001001002",
                "community_name",
                "community 370101001001 is named '别名社区' here but '第1区第1街道第1社区' in feature #0",
            )
        ],
    ),
}


class TestRefusedFeatures:
    @pytest.mark.parametrize("kind", list(BAD_FEATURES))
    def test_each_bad_feature_is_refused_and_nothing_is_written(self, kind, tree):
        mutate, expected = BAD_FEATURES[kind]
        features = copy.deepcopy(one_file())
        features[0]["properties"]["name"] = "这次会改名"  # a valid change that must not be written either
        mutate(features)
        before = snapshot()

        with pytest.raises(GridImportError) as caught:
            run_import(features)

        got = [(p.index, p.code, p.field, p.problem) for p in caught.value.problems]
        assert got == expected
        assert all(p.fix for p in caught.value.problems)
        assert snapshot() == before

    def test_all_problems_are_reported_at_once_in_feature_order(self, db):
        features = one_file()
        features[4]["properties"].pop("name")
        features[1]["geometry"] = None
        features[4]["properties"]["district_code"] = ""
        with pytest.raises(GridImportError) as caught:
            run_import(features)
        assert [(p.index, p.field) for p in caught.value.problems] == [
            (1, "geometry"),
            (4, "name"),
            (4, "district_code"),
        ]
        assert caught.value.fields["features[1].geometry"] == [
            "missing geometry — give the feature a Polygon or MultiPolygon geometry"
        ]
        assert OrgNode.objects.count() == 0

    def test_a_code_that_exists_at_another_level_is_refused(self, tree):
        features = one_file()
        features[0]["properties"]["code"] = "370103"  # a district in the database, not in this file
        before = snapshot()
        with pytest.raises(GridImportError) as caught:
            run_import(features)
        [problem] = caught.value.problems
        assert (problem.index, problem.field, problem.problem) == (
            0,
            "code",
            "code 370103 already exists as a district (第3区), not a grid",
        )
        assert snapshot() == before


class TestMoves:
    def moved_file(self):
        features = one_file()
        # Grid 370101001001001 moves from community ...001001 to ...001002.
        features[0]["properties"].update(community_code="370101001002", community_name="第1区第1街道第2社区")
        return features

    def test_a_move_without_allow_moves_is_refused(self, tree):
        before = snapshot()
        with pytest.raises(GridImportError) as caught:
            run_import(self.moved_file())
        [problem] = caught.value.problems
        assert (problem.index, problem.code, problem.field, problem.problem, problem.fix) == (
            0,
            "370101001001001",
            "community_code",
            "grid 370101001001001 belongs to 370101001001 in the database; this file moves it under 370101001002",
            "rerun with --allow-moves to move it, or correct the code",
        )
        assert snapshot() == before

    def test_the_refusal_speaks_the_active_language(self, tree):
        with translation.override("zh-hans"), pytest.raises(GridImportError) as caught:
            run_import(self.moved_file())
        [problem] = caught.value.problems
        assert (problem.field, problem.problem, problem.fix) == (
            "community_code",
            "网格 370101001001001 在数据库中隶属于 370101001001，此文件将其移到 370101001002 之下",
            "如需移动，请加上 --allow-moves 重新运行；否则请修正编码",
        )
        assert str(caught.value) == "网格文件中有 1 个问题，未导入任何内容。"

    def test_allow_moves_moves_the_grid_and_its_path(self, tree):
        report = run_import(self.moved_file(), allow_moves=True)
        grid = OrgNode.objects.get(code="370101001001001")
        assert grid.parent.code == "370101001002"
        assert grid.path == "370100/370101/370101001/370101001002/370101001001001/"
        assert report.moved["grid"] == ["370101001001001"]
        assert report.changes["370101001001001"] == ["parent"]
        # Both communities' centroids follow their grids.
        assert sorted(report.updated["community"]) == ["370101001001", "370101001002"]
        assert report.version == version() == 2

    def test_moving_a_community_moves_its_grids_paths(self, tree):
        features = [f for f in copy.deepcopy(tree["features"]) if f["properties"]["community_code"] == "370101001004"]
        for f in features:
            f["properties"].update(subdistrict_code="370102001", subdistrict_name="第2区第1街道")
            f["properties"].update(district_code="370102", district_name="第2区")
        run_import(features[:1], allow_moves=True)  # one feature is enough to move the community
        paths = set(OrgNode.objects.filter(parent__code="370101001004").values_list("path", flat=True))
        assert len(paths) == 10
        assert all(p.startswith("370100/370102/370102001/370101001004/") for p in paths)


class TestOrgNodeSave:
    def test_a_wrong_parent_level_is_refused(self, tree):
        grid = OrgNode.objects.get(code="370101001001001")
        grid.parent = OrgNode.objects.get(code="370101")
        with pytest.raises(ValidationFailed) as caught:
            org_node_save(node=grid)
        assert str(caught.value) == "A grid must have a community as its parent."
        with translation.override("zh-hans"), pytest.raises(ValidationFailed) as caught:
            org_node_save(node=grid)
        assert str(caught.value) == "网格的上级必须是社区。"
        assert OrgNode.objects.get(code="370101001001001").parent.code == "370101001001"

    def test_a_recode_rewrites_the_subtree_and_bumps_the_version(self, tree):
        community = OrgNode.objects.get(code="370101001001")
        community.code = "370101001099"
        org_node_save(node=community)
        grid = OrgNode.objects.get(code="370101001001001")
        assert grid.path == "370100/370101/370101001/370101001099/370101001001001/"
        assert version() == 2
