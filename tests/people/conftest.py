"""An org tree built directly (the places app's importer is not needed to test people)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.cache import cache

from apps.people.models import Role, StaffScope, User
from apps.places.models import Department, OrgNode


def make_node(code: str, level: str, parent: OrgNode | None = None, name: str | None = None) -> OrgNode:
    return OrgNode.objects.create(
        code=code,
        name=name or f"{level} {code}",
        level=level,
        parent=parent,
        path=f"{parent.path if parent else ''}{code}/",
    )


def make_user(username: str, role: str = Role.RESIDENT, *, scopes=(), **extra) -> User:
    extra.setdefault("full_name", username.title())
    user = User.objects.create_user(username=username, password=None, role=role, **extra)
    for target in scopes:
        if isinstance(target, Department):
            StaffScope.objects.create(user=user, department=target)
        else:
            StaffScope.objects.create(user=user, org_node=target)
    return user


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # The production hasher takes ~0.3 s per password on purpose; tests only need it to be a hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The auth throttle counts in the cache; every test starts with a clean count.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def tree(db):
    """Jinan: 历下区 (two subdistricts' worth) and 市中区, down to grids, plus two departments."""
    city = make_node("370100", "city", name="济南市")
    lixia = make_node("370102", "district", city, "历下区")
    jiefang = make_node("370102001", "subdistrict", lixia, "解放路街道")
    east = make_node("370102001001", "community", jiefang, "东社区")
    east_g1 = make_node("370102001001001", "grid", east, "东社区第一网格")
    east_g2 = make_node("370102001001002", "grid", east, "东社区第二网格")
    west = make_node("370102001002", "community", jiefang, "西社区")
    west_g1 = make_node("370102001002001", "grid", west, "西社区第一网格")
    shizhong = make_node("370103", "district", city, "市中区")
    daguan = make_node("370103001", "subdistrict", shizhong, "大观园街道")
    south = make_node("370103001001", "community", daguan, "南社区")
    south_g1 = make_node("370103001001001", "grid", south, "南社区第一网格")
    cg = Department.objects.create(code="CG-LX", name="历下区城管局", org_node=lixia)
    water = Department.objects.create(code="WATER-SZ", name="市中区供水", org_node=shizhong)
    return SimpleNamespace(**locals())
