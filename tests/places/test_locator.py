"""Point → grid lookup: the pure index, then `locate` against the database and the version check."""

import random

import pytest
import shapely
from django.utils import translation

from apps.places import locator
from apps.places.locator import GridEntry, GridIndex, ensure_index, grid_index_version, locate
from apps.places.models import GridVersion, OrgNode
from apps.places.services import bump_grid_version, org_node_save
from tests.places import geo
from tests.places.conftest import run_import

M_PER_DEG_LAT = 111_195.08


def cell(col, row):
    return shapely.Polygon(geo.square(col, row))


def two_by_two(shuffle_seed=0):
    """Four cells; codes deliberately not in layout order: B(1,0)=G1, A(0,0)=G2, D(1,1)=G3, C(0,1)=G4."""
    entries = [
        GridEntry(1, "G2", 10, "C10", cell(0, 0)),
        GridEntry(2, "G1", 10, "C10", cell(1, 0)),
        GridEntry(3, "G4", 20, "C20", cell(0, 1)),
        GridEntry(4, "G3", 20, "C20", cell(1, 1)),
    ]
    random.Random(shuffle_seed).shuffle(entries)
    return GridIndex(entries)


X1 = round(geo.LNG0 + geo.CELL, 9)  # the vertical edge between column 0 and column 1
Y1 = round(geo.LAT0 + geo.CELL, 9)  # the horizontal edge between row 0 and row 1


class TestGridIndex:
    def test_a_point_inside_a_cell_finds_it(self):
        hit = two_by_two().lookup(lng=geo.LNG0 + 0.0005, lat=geo.LAT0 + 0.0005, max_m=500)
        assert (hit.grid_id, hit.grid_code, hit.community_id, hit.community_code, hit.distance_m) == (
            1,
            "G2",
            10,
            "C10",
            0.0,
        )

    @pytest.mark.parametrize("seed", [0, 1, 2, 3])
    def test_a_shared_edge_resolves_to_the_smallest_code_whatever_the_input_order(self, seed):
        index = two_by_two(seed)
        assert index.lookup(lng=X1, lat=geo.LAT0 + 0.001, max_m=500).grid_code == "G1"  # G2 | G1
        assert index.lookup(lng=geo.LNG0 + 0.001, lat=Y1, max_m=500).grid_code == "G2"  # G2 / G4
        assert index.lookup(lng=X1, lat=Y1 + 0.001, max_m=500).grid_code == "G3"  # G4 | G3

    @pytest.mark.parametrize("seed", [0, 1, 2, 3])
    def test_a_shared_corner_resolves_to_the_smallest_code(self, seed):
        assert two_by_two(seed).lookup(lng=X1, lat=Y1, max_m=500).grid_code == "G1"

    def test_an_outer_vertex_is_inside_its_grid(self):
        assert two_by_two().lookup(lng=geo.LNG0, lat=geo.LAT0, max_m=500).grid_code == "G2"

    def test_a_point_just_outside_gets_the_nearest_community_and_its_distance(self):
        lat = geo.LAT0 - 100 / M_PER_DEG_LAT  # 100 m south of row 0
        hit = two_by_two().lookup(lng=geo.LNG0 + 0.003, lat=lat, max_m=500)
        assert (hit.grid_id, hit.community_id, hit.community_code) == (None, 10, "C10")
        assert hit.distance_m == pytest.approx(100.0, abs=0.01)

    def test_the_nearest_grid_decides_the_community(self):
        lat = geo.LAT0 + 2 * geo.CELL + 50 / M_PER_DEG_LAT  # 50 m north of row 1
        hit = two_by_two().lookup(lng=geo.LNG0 + 0.001, lat=lat, max_m=500)
        assert (hit.community_code, round(hit.distance_m, 2)) == ("C20", 50.0)

    def test_a_point_far_away_gets_nothing(self):
        lat = geo.LAT0 - 501 / M_PER_DEG_LAT
        hit = two_by_two().lookup(lng=geo.LNG0 + 0.001, lat=lat, max_m=500)
        assert (hit.grid_id, hit.community_id) == (None, None)
        assert two_by_two().lookup(lng=geo.LNG0 + 0.001, lat=lat, max_m=502).community_code == "C10"

    def test_a_multipolygon_grid_answers_for_each_part(self):
        parts = shapely.MultiPolygon([cell(0, 0), cell(5, 5)])
        index = GridIndex([GridEntry(7, "M1", 70, "C70", parts), GridEntry(8, "N1", 80, "C80", cell(2, 2))])
        far_part = index.lookup(lng=geo.LNG0 + 5.5 * geo.CELL, lat=geo.LAT0 + 5.5 * geo.CELL, max_m=500)
        assert far_part.grid_code == "M1"
        between = index.lookup(lng=geo.LNG0 + 3.5 * geo.CELL, lat=geo.LAT0 + 3.5 * geo.CELL, max_m=500)
        assert between.grid_code is None
        assert between.community_code in {"C70", "C80"}

    def test_an_empty_index_answers_nothing(self):
        hit = GridIndex([]).lookup(lng=117.0, lat=36.6, max_m=500)
        assert (hit.grid_id, hit.community_id, len(GridIndex([]))) == (None, None, 0)


@pytest.mark.django_db
class TestLocate:
    def test_inside_a_grid(self, tree, django_assert_num_queries):
        lat, lng = geo.cell_center(3, 0)
        ensure_index()
        with django_assert_num_queries(1), translation.override("en"):  # the two rows, by id
            where = locate(lat=lat, lng=lng)
        assert where.grid.code == "370101001001004"
        assert where.community.code == "370101001001"
        assert where.distance_m == 0.0
        assert where.reason == "point in grid 370101001001004"

    def test_outside_near_and_far(self, tree):
        with translation.override("en"):
            near = locate(lat=geo.LAT0 - 120 / M_PER_DEG_LAT, lng=geo.LNG0 + 0.0031)
            far = locate(lat=geo.LAT0 - 0.05, lng=geo.LNG0)
        assert (near.grid, near.community.code, near.distance_m) == (None, "370101001001", 120.0)
        assert near.reason == "outside every grid; nearest community 370101001001 at 120 m"
        assert (far.grid, far.community, far.distance_m) == (None, None, None)
        assert far.reason == "outside every grid; no community within 500 m"

    def test_the_distance_limit_is_a_setting(self, tree, settings):
        settings.GRID_NEAREST_COMMUNITY_MAX_METERS = 100
        with translation.override("en"):
            where = locate(lat=geo.LAT0 - 120 / M_PER_DEG_LAT, lng=geo.LNG0 + 0.0031)
        assert (where.community, where.reason) == (None, "outside every grid; no community within 100 m")

    def test_a_shared_edge_in_the_database_is_deterministic(self, tree):
        # Column 3 | column 4 of row 0: grids ...004 and ...005.
        where = locate(lat=geo.LAT0 + 0.001, lng=round(geo.LNG0 + 4 * geo.CELL, 9))
        assert where.grid.code == "370101001001004"

    def test_a_corner_shared_by_two_communities(self, tree):
        # Row 0 is community 001, row 1 community 002; the corner of cells (0,0),(1,0),(0,1),(1,1).
        where = locate(lat=Y1, lng=X1)
        assert where.grid.code == "370101001001001"
        assert where.community.code == "370101001001"

    def test_an_inactive_grid_is_not_found(self, tree, settings):
        settings.GRID_INDEX_CHECK_SECONDS = 0
        grid = OrgNode.objects.get(code="370101001001004")
        grid.is_active = False
        org_node_save(node=grid)
        lat, lng = geo.cell_center(3, 0)
        assert locate(lat=lat, lng=lng).grid is None

    def test_bad_coordinates_are_refused(self, db):
        from apps.core.errors import ValidationFailed

        with pytest.raises(ValidationFailed):
            locate(lat=91, lng=117)
        with pytest.raises(ValidationFailed):
            locate(lat=36.6, lng=float("nan"))
        with pytest.raises(ValidationFailed):
            locate(lat="north", lng=117)

    def test_decimal_and_string_coordinates_are_accepted(self, tree):
        from decimal import Decimal

        lat, lng = geo.cell_center(3, 0)
        assert locate(lat=Decimal(str(lat)), lng=str(lng)).grid.code == "370101001001004"


@pytest.mark.django_db
class TestVersionCheck:
    def test_the_index_is_rebuilt_after_a_change_once_the_version_is_checked(self, tree, settings):
        settings.GRID_INDEX_CHECK_SECONDS = 3600
        lat, lng = geo.cell_center(3, 0)
        first = ensure_index()
        assert locate(lat=lat, lng=lng).grid.code == "370101001001004"

        # Another process moves the boundary of ...004 away (a plain UPDATE plus the bump).
        OrgNode.objects.filter(code="370101001001004").update(
            boundary={"type": "Polygon", "coordinates": [geo.square(40, 40)]}
        )
        bump_grid_version()

        assert ensure_index() is first  # not checked yet: the interval has not passed
        assert locate(lat=lat, lng=lng).grid.code == "370101001001004"
        rebuilt = ensure_index(force_check=True)
        assert rebuilt is not first
        assert rebuilt.version == grid_index_version() == 2
        assert locate(lat=lat, lng=lng).grid is None
        far_lat, far_lng = geo.cell_center(40, 40)
        assert locate(lat=far_lat, lng=far_lng).grid.code == "370101001001004"

    def test_with_a_zero_interval_every_lookup_checks(self, tree, settings, django_assert_num_queries):
        settings.GRID_INDEX_CHECK_SECONDS = 0
        index = ensure_index()
        with django_assert_num_queries(1):
            assert ensure_index() is index  # one version read, no rebuild
        GridVersion.objects.filter(pk=1).update(version=99)
        assert ensure_index().version == 99

    def test_an_unchanged_version_keeps_the_index(self, tree):
        index = ensure_index()
        assert ensure_index(force_check=True) is index

    def test_a_reset_database_with_the_same_version_number_is_noticed(self, tree):
        index = ensure_index()
        GridVersion.objects.all().delete()
        OrgNode.objects.filter(level="grid").delete()
        run_import(geo.generate(districts=1, subdistricts=1, communities=1, grids=2)["features"])
        assert grid_index_version() == 1
        assert len(ensure_index(force_check=True)) == 2
        assert ensure_index() is not index

    def test_invalidate_drops_the_index(self, tree):
        index = ensure_index()
        locator.invalidate_index()
        assert ensure_index() is not index
