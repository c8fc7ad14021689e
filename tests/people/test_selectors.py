from datetime import date

from django.utils import translation

from apps.people.models import DutyStatus, GridMembership, Leave, Role
from apps.people.selectors import community_staff, grids_of, is_on_leave, roster_for_grid, staff_in_scope
from tests.people.conftest import make_user


def _roster(grid, *people):
    for user, position, deputy in people:
        GridMembership.objects.create(grid=grid, user=user, position=position, is_deputy=deputy)


def _summary(entries):
    return [(e.user.username, e.position, e.is_deputy, e.available, e.why) for e in entries]


def test_roster_orders_primaries_then_deputies_by_position(tree, django_assert_num_queries):
    w1, w2, d1, d2 = (make_user(n, Role.GRID_WORKER) for n in ("w1", "w2", "d1", "d2"))
    # Created out of order on purpose: the roster orders them, not the insertion.
    _roster(tree.east_g1, (d2, 2, True), (w2, 2, False), (d1, 1, True), (w1, 1, False))
    with translation.override("en"), django_assert_num_queries(2):
        entries = roster_for_grid(grid=tree.east_g1, day=date(2026, 11, 28))
    assert _summary(entries) == [
        ("w1", 1, False, True, "on duty"),
        ("w2", 2, False, True, "on duty"),
        ("d1", 1, True, True, "on duty"),
        ("d2", 2, True, True, "on duty"),
    ]


def test_worker_on_leave_is_unavailable_and_the_deputy_covers(tree):
    worker = make_user("worker", Role.GRID_WORKER)
    deputy = make_user("deputy", Role.GRID_WORKER)
    _roster(tree.east_g1, (worker, 1, False), (deputy, 1, True))
    Leave.objects.create(user=worker, start_date=date(2026, 11, 20), end_date=date(2026, 12, 2))
    Leave.objects.create(user=worker, start_date=date(2026, 12, 20), end_date=date(2026, 12, 21))  # another time
    with translation.override("en"):
        entries = roster_for_grid(grid=tree.east_g1, day=date(2026, 11, 28))
    assert _summary(entries) == [
        ("worker", 1, False, False, "on leave 2026-11-20–2026-12-02"),
        ("deputy", 1, True, True, "on duty"),
    ]


def test_leave_dates_are_inclusive(tree):
    worker = make_user("worker", Role.GRID_WORKER)
    _roster(tree.east_g1, (worker, 1, False))
    Leave.objects.create(user=worker, start_date=date(2026, 11, 20), end_date=date(2026, 12, 2))
    availability = {
        day: roster_for_grid(grid=tree.east_g1, day=day)[0].available
        for day in (date(2026, 11, 19), date(2026, 11, 20), date(2026, 12, 2), date(2026, 12, 3))
    }
    assert availability == {
        date(2026, 11, 19): True,
        date(2026, 11, 20): False,
        date(2026, 12, 2): False,
        date(2026, 12, 3): True,
    }
    assert is_on_leave(worker, date(2026, 11, 20)) is True
    assert is_on_leave(worker, date(2026, 12, 2)) is True
    assert is_on_leave(worker, date(2026, 12, 3)) is False
    assert is_on_leave(worker, date(2026, 11, 19)) is False


def test_off_duty_worker_is_unavailable(tree):
    worker = make_user("worker", Role.GRID_WORKER, duty_status=DutyStatus.OFF)
    _roster(tree.east_g1, (worker, 1, False))
    with translation.override("en"):
        assert _summary(roster_for_grid(grid=tree.east_g1, day=date(2026, 11, 28))) == [
            ("worker", 1, False, False, "off duty")
        ]


def test_roster_leaves_out_inactive_users_and_other_grids(tree):
    active = make_user("active", Role.GRID_WORKER)
    gone = make_user("gone", Role.GRID_WORKER, is_active=False)
    elsewhere = make_user("elsewhere", Role.GRID_WORKER)
    _roster(tree.east_g1, (active, 1, False), (gone, 2, False))
    _roster(tree.east_g2, (elsewhere, 1, False))
    assert [e.user.username for e in roster_for_grid(grid=tree.east_g1, day=date(2026, 11, 28))] == ["active"]


def test_roster_query_count_does_not_grow_with_the_roster(tree, django_assert_num_queries):
    for i in range(12):
        user = make_user(f"w{i:02}", Role.GRID_WORKER)
        _roster(tree.east_g1, (user, i, i >= 8))
        Leave.objects.create(user=user, start_date=date(2026, 11, 1), end_date=date(2026, 11, 30 if i % 2 else 2))
    with django_assert_num_queries(2):
        entries = roster_for_grid(grid=tree.east_g1, day=date(2026, 11, 28))
    assert [e.available for e in entries] == [i % 2 == 0 for i in range(12)]


def test_staff_in_scope_of_a_subdistrict_supervisor(tree):
    sup = make_user("sup", Role.SUPERVISOR, scopes=[tree.jiefang])
    clerk = make_user("clerk", Role.CLERK, scopes=[tree.east])
    worker = make_user("worker", Role.GRID_WORKER, scopes=[tree.west_g1])
    make_user("far_worker", Role.GRID_WORKER, scopes=[tree.south_g1])
    make_user("gone", Role.GRID_WORKER, scopes=[tree.east_g1], is_active=False)
    make_user("resident")
    # The 城管 department serves 历下区, which is wider than the supervisor's subdistrict.
    make_user("cg_staff", Role.DEPARTMENT_STAFF, scopes=[tree.cg])
    assert list(staff_in_scope(user=sup)) == [clerk, sup, worker]
    assert list(staff_in_scope(user=sup, role=Role.GRID_WORKER)) == [worker]


def test_staff_in_scope_of_a_district_supervisor_includes_its_departments(tree):
    sup = make_user("sup", Role.SUPERVISOR, scopes=[tree.lixia, tree.east])  # nested scope: no duplicate
    cg_staff = make_user("cg_staff", Role.DEPARTMENT_STAFF, scopes=[tree.cg])
    make_user("water_staff", Role.DEPARTMENT_STAFF, scopes=[tree.water])
    assert list(staff_in_scope(user=sup)) == [cg_staff, sup]


def test_staff_in_scope_for_admin_resident_and_department(tree):
    admin = make_user("admin1", Role.ADMIN)
    resident = make_user("resident")
    cg_staff = make_user("cg_staff", Role.DEPARTMENT_STAFF, scopes=[tree.cg])
    cg_other = make_user("cg_other", Role.DEPARTMENT_STAFF, scopes=[tree.cg])
    worker = make_user("worker", Role.GRID_WORKER, scopes=[tree.east_g1])
    assert list(staff_in_scope(user=admin)) == [admin, cg_other, cg_staff, worker]
    assert list(staff_in_scope(user=resident)) == []
    assert list(staff_in_scope(user=cg_staff)) == [cg_other, cg_staff]


def test_grids_of_a_worker(tree):
    worker = make_user("worker", Role.GRID_WORKER)
    _roster(tree.west_g1, (worker, 1, False))
    _roster(tree.east_g1, (worker, 2, True))
    assert list(grids_of(worker)) == [tree.east_g1, tree.west_g1]
    assert list(grids_of(make_user("nobody", Role.GRID_WORKER))) == []


def test_community_staff_is_scoped_exactly_to_the_community(tree):
    clerk = make_user("clerk", Role.CLERK, scopes=[tree.east])
    sup = make_user("sup_east", Role.SUPERVISOR, scopes=[tree.east])
    make_user("sup_sub", Role.SUPERVISOR, scopes=[tree.jiefang])  # wider: not the community's queue
    make_user("clerk_west", Role.CLERK, scopes=[tree.west])
    make_user("worker", Role.GRID_WORKER, scopes=[tree.east_g1])
    make_user("clerk_gone", Role.CLERK, scopes=[tree.east], is_active=False)
    assert list(community_staff(community=tree.east, roles=[Role.CLERK, Role.SUPERVISOR])) == [clerk, sup]
    assert list(community_staff(community=tree.east, roles=[Role.CLERK])) == [clerk]


def test_roster_reasons_are_in_chinese_by_default(tree):
    worker = make_user("worker", Role.GRID_WORKER)
    _roster(tree.east_g1, (worker, 1, False))
    Leave.objects.create(user=worker, start_date=date(2026, 11, 20), end_date=date(2026, 12, 2))
    with translation.override("zh-hans"):
        assert roster_for_grid(grid=tree.east_g1, day=date(2026, 11, 28))[0].why == "请假 2026-11-20–2026-12-02"
