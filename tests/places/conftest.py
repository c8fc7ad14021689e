"""Fixtures of the places tests: a generated grid file, an imported org tree, users per role."""

from __future__ import annotations

import pytest
from django.utils import translation

from apps.people.models import Role, StaffScope, User
from apps.places import locator
from apps.places.models import OrgNode
from apps.places.services import import_grids
from tests.places import geo


@pytest.fixture(autouse=True)
def english():
    # Messages are asserted in English whatever LANGUAGE_CODE is (zh-hans by default);
    # the tests of the Chinese messages override this. Requests choose their own language.
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fresh_index():
    """Each test starts and ends without a cached spatial index (the cache is per process)."""
    locator.invalidate_index()
    yield
    locator.invalidate_index()


@pytest.fixture
def collection():
    """3 districts × 3 subdistricts × 4 communities × 10 grids = 360 grids."""
    return geo.generate()


def run_import(features, *, allow_moves=False, **kwargs):
    return import_grids(
        features=features,
        allow_moves=allow_moves,
        default_city_code="370100",
        default_city_name="济南市",
        **kwargs,
    )


@pytest.fixture
def tree(db, collection):
    """The generated collection imported; returns the collection."""
    run_import(collection["features"])
    return collection


@pytest.fixture
def make_user(db):
    def make(username, role, *, nodes=(), departments=()):
        user = User.objects.create_user(username=username, password="pw-Secret-2026", role=role)
        for code in nodes:
            StaffScope.objects.create(user=user, org_node=OrgNode.objects.get(code=code))
        for department in departments:
            StaffScope.objects.create(user=user, department=department)
        return user

    return make


@pytest.fixture
def admin_user(make_user):
    return make_user("admin1", Role.ADMIN)
