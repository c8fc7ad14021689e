from django.contrib.auth.models import AnonymousUser

from apps.people.models import Role
from apps.people.scopes import Scope, scope_for
from tests.people.conftest import make_user


def test_admin_and_superuser_see_everything(tree):
    assert scope_for(make_user("admin1", Role.ADMIN)) == Scope(everything=True)
    assert scope_for(make_user("root", Role.RESIDENT, is_superuser=True)) == Scope(everything=True)
    scope = scope_for(make_user("admin2", Role.ADMIN))
    assert scope.covers_path(tree.south_g1.path) is True
    assert scope.empty is False


def test_supervisor_subtree_with_nested_scopes_collapsed(tree):
    sup = make_user("sup", Role.SUPERVISOR, scopes=[tree.jiefang, tree.east, tree.south])
    scope = scope_for(sup)
    assert scope == Scope(paths=("370100/370102/370102001/", "370100/370103/370103001/370103001001/"))
    assert scope.covers_path(tree.west_g1.path) is True
    assert scope.covers_path(tree.south_g1.path) is True
    assert scope.covers_path(tree.daguan.path) is False
    assert scope.covers_path(tree.lixia.path) is False


def test_scope_is_cached_on_the_user(tree, django_assert_num_queries):
    sup = make_user("sup", Role.SUPERVISOR, scopes=[tree.east])
    with django_assert_num_queries(1):
        scope_for(sup)
        scope_for(sup)


def test_resident_and_anonymous_have_an_empty_scope(tree):
    assert scope_for(make_user("13900000001")) == Scope()
    assert scope_for(AnonymousUser()) == Scope()
    assert Scope().empty is True
    assert Scope().covers_path(tree.east.path) is False


def test_department_staff_scope_is_their_department(tree):
    staff = make_user("cg", Role.DEPARTMENT_STAFF, scopes=[tree.cg])
    assert scope_for(staff) == Scope(department_ids=(tree.cg.pk,))
    assert scope_for(staff).covers_path(tree.east.path) is False


def test_grid_worker_and_clerk_scopes(tree):
    worker = make_user("w", Role.GRID_WORKER, scopes=[tree.east_g1, tree.west_g1])
    clerk = make_user("c", Role.CLERK, scopes=[tree.east])
    assert scope_for(worker).paths == (tree.east_g1.path, tree.west_g1.path)
    assert scope_for(clerk).paths == (tree.east.path,)


def test_q_for_paths_filters_a_subtree(tree):
    from apps.places.models import OrgNode

    sup = make_user("sup", Role.SUPERVISOR, scopes=[tree.east, tree.south])
    codes = set(OrgNode.objects.filter(scope_for(sup).q_for_paths("path")).values_list("code", flat=True))
    assert codes == {"370102001001", "370102001001001", "370102001001002", "370103001001", "370103001001001"}
    assert OrgNode.objects.filter(Scope().q_for_paths("path")).count() == 0
    assert OrgNode.objects.filter(Scope(everything=True).q_for_paths("path")).count() == OrgNode.objects.count()
