"""Subtrees, ancestors and what each role may see."""

import pytest

from apps.people.models import Role
from apps.places.models import Department, OrgNode
from apps.places.selectors import ancestors, community_of, nodes_visible_to, subtree, visible_paths

pytestmark = pytest.mark.django_db


def node(code):
    return OrgNode.objects.get(code=code)


def test_subtree_is_the_node_and_everything_under_it(tree):
    codes = list(subtree(node("370101001001")).values_list("code", flat=True))
    assert codes == ["370101001001", *[f"370101001001{g:03d}" for g in range(1, 11)]]


def test_ancestors_from_the_city_down_in_one_query(tree, django_assert_num_queries):
    grid = node("370102003004010")
    with django_assert_num_queries(1):
        chain = ancestors(grid)
    assert [n.code for n in chain] == ["370100", "370102", "370102003", "370102003004"]
    assert ancestors(node("370100")) == []


def test_community_of(tree):
    assert community_of(node("370102003004010")).code == "370102003004"
    assert community_of(node("370102003004")).code == "370102003004"
    assert community_of(node("370102003")) is None


def test_what_each_role_sees(tree, make_user, admin_user):
    dept = Department.objects.create(code="CG-2-1", name="城管二中队", org_node=node("370102001"))
    supervisor = make_user("sup", Role.SUPERVISOR, nodes=["370101"])
    two_places = make_user("sup2", Role.SUPERVISOR, nodes=["370103001001", "370103001"])
    worker = make_user("worker", Role.GRID_WORKER, nodes=["370101001001001", "370101001001002"])
    department_staff = make_user("cg", Role.DEPARTMENT_STAFF, departments=[dept])
    resident = make_user("res", Role.RESIDENT)
    unscoped = make_user("clerk", Role.CLERK)

    assert nodes_visible_to(admin_user).count() == OrgNode.objects.count() == 409
    assert visible_paths(admin_user) is None
    assert nodes_visible_to(supervisor).count() == 1 + 3 + 12 + 120
    assert visible_paths(two_places) == ("370100/370103/370103001/",)
    assert nodes_visible_to(two_places).count() == 1 + 4 + 40
    assert sorted(nodes_visible_to(worker).values_list("code", flat=True)) == ["370101001001001", "370101001001002"]
    assert visible_paths(department_staff) == ("370100/370102/370102001/",)
    assert nodes_visible_to(department_staff).count() == 1 + 4 + 40
    assert nodes_visible_to(resident).count() == 0
    assert nodes_visible_to(unscoped).count() == 0


def test_anonymous_sees_nothing(db):
    from django.contrib.auth.models import AnonymousUser

    assert nodes_visible_to(AnonymousUser()).count() == 0
