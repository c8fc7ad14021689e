"""The org-node, grid and locate endpoints: scope per role, errors, query counts."""

import pytest
from rest_framework.test import APIClient

from apps.people.models import Role
from apps.places.models import OrgNode
from tests.places import geo

pytestmark = pytest.mark.django_db


def client_for(user):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")  # messages are asserted in English
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def supervisor(tree, make_user):
    return make_user("sup", Role.SUPERVISOR, nodes=["370101"])


class TestOrgNodes:
    def test_a_supervisor_lists_their_subtree_only(self, supervisor):
        body = client_for(supervisor).get("/api/v1/org-nodes/", {"page_size": 100}).json()
        assert body["count"] == 1 + 3 + 12 + 120
        assert body["results"][0] == {
            "code": "370101",
            "name": "第1区",
            "level": "district",
            "parent": "370100",
            "path": "370100/370101/",
            "lat": None,
            "lng": None,
            "is_active": True,
        }
        assert "boundary" not in body["results"][0]
        assert [r["code"] for r in body["results"][:3]] == ["370101", "370101001", "370101001001"]
        assert len(body["results"]) == 100

    def test_filters(self, supervisor):
        client = client_for(supervisor)

        def codes(**params):
            return [r["code"] for r in client.get("/api/v1/org-nodes/", params).json()["results"]]

        assert codes(level="subdistrict") == ["370101001", "370101002", "370101003"]
        assert codes(parent="370101002") == [f"370101002{c:03d}" for c in range(1, 5)]
        assert codes(within="370101003004", level="grid")[:2] == ["370101003004001", "370101003004002"]
        assert len(codes(within="370101003004")) == 11
        assert codes(within="370102") == []  # another district: outside the scope
        assert codes(within="nope") == []
        assert codes(search="第2街道第3社区", level="community") == ["370101002003"]
        assert codes(search="370101003004010") == ["370101003004010"]
        assert codes(level="district") == ["370101"]

    def test_a_bad_filter_value_is_a_400_in_the_standard_shape(self, supervisor):
        response = client_for(supervisor).get("/api/v1/org-nodes/", {"level": "planet"})
        assert response.status_code == 400
        assert response.json()["code"] == "validation_error"
        assert list(response.json()["fields"]) == ["level"]

    def test_detail_by_code_with_ancestors(self, supervisor):
        response = client_for(supervisor).get("/api/v1/org-nodes/370101002003/")
        assert response.status_code == 200
        body = response.json()
        assert (body["code"], body["level"], body["parent"]) == ("370101002003", "community", "370101002")
        assert body["ancestors"] == [
            {"code": "370100", "name": "济南市", "level": "city"},
            {"code": "370101", "name": "第1区", "level": "district"},
            {"code": "370101002", "name": "第1区第2街道", "level": "subdistrict"},
        ]

    @pytest.mark.parametrize("code", ["370102001", "370100", "does-not-exist"])
    def test_outside_the_scope_or_unknown_is_404(self, supervisor, code):
        response = client_for(supervisor).get(f"/api/v1/org-nodes/{code}/")
        assert response.status_code == 404
        assert response.json() == {
            "code": "not_found",
            "message": "No org node with this code in your scope.",
            "fields": {},
        }

    def test_an_admin_sees_everything(self, tree, admin_user):
        assert client_for(admin_user).get("/api/v1/org-nodes/").json()["count"] == 409
        assert client_for(admin_user).get("/api/v1/org-nodes/370100/").status_code == 200

    def test_residents_are_forbidden_and_anonymous_unauthenticated(self, tree, make_user):
        resident = make_user("res", Role.RESIDENT)
        for url in ("/api/v1/org-nodes/", "/api/v1/org-nodes/370101/", "/api/v1/grids/", "/api/v1/locate/"):
            response = client_for(resident).get(url, {"lat": 36.6, "lng": 117.0})
            assert response.status_code == 403, url
            assert response.json()["code"] == "permission_denied"
            assert client_for(None).get(url).status_code in (401, 403)

    def test_the_list_costs_a_fixed_number_of_queries(self, supervisor, django_assert_max_num_queries):
        client = client_for(supervisor)
        # session, user, scope, count, page — whatever the page size.
        with django_assert_max_num_queries(5):
            small = client.get("/api/v1/org-nodes/", {"page_size": 5})
        with django_assert_max_num_queries(5):
            large = client.get("/api/v1/org-nodes/", {"level": "grid", "page_size": 100})
        assert (small.status_code, large.status_code) == (200, 200)
        assert (len(small.json()["results"]), len(large.json()["results"])) == (5, 100)


class TestGrids:
    def test_grids_include_their_boundary_and_stay_in_scope(self, supervisor, django_assert_max_num_queries):
        client = client_for(supervisor)
        with django_assert_max_num_queries(5):
            body = client.get("/api/v1/grids/", {"parent": "370101001002"}).json()
        assert body["count"] == 10
        first = body["results"][0]
        assert first["code"] == "370101001002001"
        assert first["boundary"] == {"type": "Polygon", "coordinates": [geo.square(0, 1)]}
        assert client.get("/api/v1/grids/", {"within": "370102"}).json()["count"] == 0
        assert client.get("/api/v1/grids/").json()["count"] == 120

    def test_grid_detail(self, supervisor):
        client = client_for(supervisor)
        assert client.get("/api/v1/grids/370101001002001/").json()["boundary"]["type"] == "Polygon"
        assert client.get("/api/v1/grids/370101001002/").status_code == 404  # a community, not a grid
        assert client.get("/api/v1/grids/370102001001001/").status_code == 404  # another district


class TestLocate:
    def test_a_point_inside(self, supervisor):
        lat, lng = geo.cell_center(2, 0)
        response = client_for(supervisor).get("/api/v1/locate/", {"lat": lat, "lng": lng}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        assert response.json() == {
            "grid": {"code": "370101001001003", "name": "第1区第1街道第1社区第3网格", "level": "grid"},
            "community": {"code": "370101001001", "name": "第1区第1街道第1社区", "level": "community"},
            "distance_m": 0.0,
            "reason": "point in grid 370101001001003",
        }

    def test_a_point_far_away(self, supervisor):
        response = client_for(supervisor).get("/api/v1/locate/", {"lat": 30.0, "lng": 110.0})
        body = response.json()
        assert (body["grid"], body["community"], body["distance_m"]) == (None, None, None)

    @pytest.mark.parametrize("params", [{"lat": 95, "lng": 117}, {"lat": "x", "lng": 117}, {"lng": 117}])
    def test_bad_coordinates_are_a_400(self, supervisor, params):
        response = client_for(supervisor).get("/api/v1/locate/", params)
        assert response.status_code == 400
        assert response.json()["code"] == "validation_error"
        assert "lat" in response.json()["fields"]


def test_unknown_node_code_with_odd_characters_is_a_404(tree, admin_user):
    assert client_for(admin_user).get("/api/v1/org-nodes/%E4%B8%AD%20x/").status_code == 404
    assert OrgNode.objects.count() == 409
