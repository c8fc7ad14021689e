"""The OrgNode admin: boundaries validated like the import, saves bump the grid version."""

import json

import pytest
from django.contrib.auth import get_user_model

from apps.places.models import GridVersion, OrgNode
from tests.places import geo

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, tree):
    user = get_user_model().objects.create_superuser(username="root", password="pw-Secret-2026", email="r@x.cn")
    client.force_login(user)
    return client


def form_data(node, **changes):
    data = {
        "code": node.code,
        "name": node.name,
        "level": node.level,
        "parent": node.parent_id or "",
        "boundary": json.dumps(node.boundary) if node.boundary else "",
        "lat": node.lat or "",
        "lng": node.lng or "",
        "is_active": "on" if node.is_active else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != "" or k in ("parent", "boundary", "lat", "lng")}


def version():
    return GridVersion.objects.get().version


def test_pages_render(admin_client):
    grid = OrgNode.objects.get(code="370101001001001")
    for url in (
        "/admin/places/orgnode/",
        "/admin/places/orgnode/?level__exact=grid&q=370101001001",
        f"/admin/places/orgnode/{grid.pk}/change/",
        "/admin/places/department/",
        "/admin/places/servicecenter/",
        "/admin/places/gridversion/",
    ):
        assert admin_client.get(url).status_code == 200, url


def test_a_self_intersecting_boundary_is_refused(admin_client):
    grid = OrgNode.objects.get(code="370101001001001")
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[117, 36.6], [117.01, 36.61], [117.01, 36.6], [117, 36.61], [117, 36.6]]],
    }
    url, data = f"/admin/places/orgnode/{grid.pk}/change/", form_data(grid, boundary=json.dumps(bowtie))
    response = admin_client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "self-intersecting polygon: Self-intersection[117.005 36.605]" in response.content.decode()
    # In the default language, the problem and its fix are in Chinese (shapely's own reason is not).
    page = admin_client.post(url, data).content.decode()
    assert "多边形自相交：Self-intersection[117.005 36.605]" in page
    assert "请重画边界环使其不自相交" in page
    grid.refresh_from_db()
    assert grid.boundary == {"type": "Polygon", "coordinates": [geo.square(0, 0)]}
    assert version() == 1


def test_a_wrong_parent_level_is_refused(admin_client):
    grid = OrgNode.objects.get(code="370101001001001")
    district = OrgNode.objects.get(code="370101")
    response = admin_client.post(f"/admin/places/orgnode/{grid.pk}/change/", form_data(grid, parent=district.pk))
    assert response.status_code == 200
    assert "请选择一个社区作为上级。" in response.content.decode()  # the level by its name, not its code
    assert OrgNode.objects.get(pk=grid.pk).parent.code == "370101001001"


def test_saving_a_boundary_moves_the_point_and_bumps_the_version(admin_client):
    grid = OrgNode.objects.get(code="370101001001001")
    new = {"type": "Polygon", "coordinates": [geo.square(30, 30)]}
    response = admin_client.post(f"/admin/places/orgnode/{grid.pk}/change/", form_data(grid, boundary=json.dumps(new)))
    assert response.status_code == 302
    grid.refresh_from_db()
    assert grid.boundary == new
    assert (round(grid.lat, 3), round(grid.lng, 3)) == (36.661, 117.061)
    assert version() == 2


def test_grid_version_is_read_only(admin_client):
    row = GridVersion.objects.get()
    assert admin_client.post(f"/admin/places/gridversion/{row.pk}/change/", {"version": 7}).status_code == 403
    assert version() == 1
