from datetime import date

import pytest
from django.utils import translation

from apps.core.errors import Forbidden, ValidationFailed
from apps.people.models import DutyStatus, GridMembership, Leave, Role, User
from apps.people.services import duty_set, grid_membership_set, leave_create, resident_register
from tests.people.conftest import make_user

STRONG = "Harbour-lights-2026"


@pytest.fixture
def people(tree):
    worker = make_user("worker", Role.GRID_WORKER, scopes=[tree.east_g1])
    return {
        "worker": worker,
        "sup": make_user("sup", Role.SUPERVISOR, scopes=[tree.jiefang]),
        "far": make_user("far", Role.SUPERVISOR, scopes=[tree.south]),
        "admin": make_user("admin1", Role.ADMIN),
        "peer": make_user("peer", Role.GRID_WORKER, scopes=[tree.east_g2]),
    }


# --- leave -----------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["worker", "sup", "admin"])
def test_leave_create_by_self_supervisor_or_admin(people, actor):
    leave = leave_create(
        user=people["worker"], start_date=date(2026, 12, 1), end_date=date(2026, 12, 3), note="年假",
        actor=people[actor],
    )  # fmt: skip
    assert (leave.user, leave.start_date, leave.end_date, leave.note) == (
        people["worker"], date(2026, 12, 1), date(2026, 12, 3), "年假",
    )  # fmt: skip


@pytest.mark.parametrize("actor", ["far", "peer"])
def test_leave_create_refused_outside_the_actors_area(people, actor):
    with pytest.raises(Forbidden):
        leave_create(
            user=people["worker"], start_date=date(2026, 12, 1), end_date=date(2026, 12, 3), note="",
            actor=people[actor],
        )  # fmt: skip
    assert Leave.objects.count() == 0


def test_leave_create_refuses_end_before_start_and_overlap(people):
    worker = people["worker"]
    with translation.override("en"), pytest.raises(ValidationFailed) as exc:
        leave_create(user=worker, start_date=date(2026, 12, 3), end_date=date(2026, 12, 1), note="", actor=worker)
    assert list(exc.value.fields) == ["end_date"]
    leave_create(user=worker, start_date=date(2026, 12, 1), end_date=date(2026, 12, 3), note="", actor=worker)
    with translation.override("en"), pytest.raises(ValidationFailed) as exc:
        leave_create(user=worker, start_date=date(2026, 12, 3), end_date=date(2026, 12, 5), note="", actor=worker)
    assert exc.value.fields == {
        "start_date": ["This overlaps the leave 2026-12-01–2026-12-03 — change the dates or edit that leave."]
    }
    assert Leave.objects.count() == 1
    # The day after is free: dates are inclusive, so the next leave may start on the 4th.
    leave_create(user=worker, start_date=date(2026, 12, 4), end_date=date(2026, 12, 4), note="", actor=worker)
    assert Leave.objects.count() == 2


def test_residents_take_no_leave(people):
    resident = make_user("13900000001")
    with pytest.raises(ValidationFailed):
        leave_create(user=resident, start_date=date(2026, 12, 1), end_date=date(2026, 12, 1), note="", actor=resident)
    assert Leave.objects.count() == 0


# --- duty ------------------------------------------------------------------------------------


def test_duty_set(people):
    worker = duty_set(user=people["worker"], status=DutyStatus.OFF, actor=people["sup"])
    assert User.objects.get(pk=worker.pk).duty_status == "off"
    duty_set(user=people["worker"], status="on_duty", actor=people["worker"])
    assert User.objects.get(pk=worker.pk).duty_status == "on_duty"


def test_duty_set_refuses_unknown_status_and_strangers(people):
    with pytest.raises(ValidationFailed) as exc:
        duty_set(user=people["worker"], status="asleep", actor=people["admin"])
    assert list(exc.value.fields) == ["status"]
    with pytest.raises(Forbidden):
        duty_set(user=people["worker"], status=DutyStatus.OFF, actor=people["far"])
    assert User.objects.get(pk=people["worker"].pk).duty_status == "on_duty"


# --- grid roster -----------------------------------------------------------------------------


def _roster_rows(grid):
    return list(
        GridMembership.objects.filter(grid=grid)
        .order_by("is_deputy", "position")
        .values_list("user__username", "position", "is_deputy")
    )


def test_grid_membership_set_replaces_the_roster(tree, people):
    a, b = people["worker"], people["peer"]
    c = make_user("third", Role.GRID_WORKER)
    grid_membership_set(grid=tree.east_g1, users=[a, b], deputies=[c])
    assert _roster_rows(tree.east_g1) == [("worker", 1, False), ("peer", 2, False), ("third", 1, True)]
    result = grid_membership_set(grid=tree.east_g1, users=[c], deputies=[b, a])
    assert [(m.user.username, m.position, m.is_deputy) for m in result] == [
        ("third", 1, False), ("peer", 1, True), ("worker", 2, True),
    ]  # fmt: skip
    assert _roster_rows(tree.east_g1) == [("third", 1, False), ("peer", 1, True), ("worker", 2, True)]


def test_grid_membership_set_refusals_change_nothing(tree, people):
    grid_membership_set(grid=tree.east_g1, users=[people["worker"]], deputies=[])
    before = _roster_rows(tree.east_g1)
    with pytest.raises(ValidationFailed) as exc:
        grid_membership_set(grid=tree.east_g1, users=[people["peer"]], deputies=[people["sup"]])
    assert list(exc.value.fields) == ["deputies"]
    with pytest.raises(ValidationFailed) as exc:
        grid_membership_set(grid=tree.east_g1, users=[people["peer"]], deputies=[people["peer"]])
    assert list(exc.value.fields) == ["deputies"]
    with pytest.raises(ValidationFailed) as exc:
        grid_membership_set(grid=tree.east, users=[people["peer"]], deputies=[])
    assert list(exc.value.fields) == ["grid"]
    assert _roster_rows(tree.east_g1) == before
    assert GridMembership.objects.count() == 1


# --- resident sign-up ------------------------------------------------------------------------


def test_resident_register(db):
    user = resident_register(phone="138 1234 1234", password=STRONG, full_name=" 赵居民 ")
    user = User.objects.get(pk=user.pk)
    assert (user.username, user.phone, user.full_name) == ("13812341234", "13812341234", "赵居民")
    assert user.role == "resident"
    assert user.check_password(STRONG)
    assert user.password != STRONG


@pytest.mark.parametrize(
    ("phone", "password", "full_name", "fields"),
    [
        ("12812341234", STRONG, "赵", ["phone"]),
        ("1381234123", STRONG, "赵", ["phone"]),
        ("abc", STRONG, "赵", ["phone"]),
        ("13812341234", "12345678", "赵", ["password"]),
        ("13812341234", "short", "赵", ["password"]),
        ("13812341234", "password", "赵", ["password"]),
        ("13812341234", STRONG, "  ", ["full_name"]),
        ("999", "1", "", ["phone", "full_name", "password"]),
    ],
)
def test_resident_register_refusals(db, phone, password, full_name, fields):
    with pytest.raises(ValidationFailed) as exc:
        resident_register(phone=phone, password=password, full_name=full_name)
    assert sorted(exc.value.fields) == sorted(fields)
    assert User.objects.count() == 0


def test_resident_register_refuses_a_registered_phone(db):
    resident_register(phone="13812341234", password=STRONG, full_name="赵")
    with translation.override("en"), pytest.raises(ValidationFailed) as exc:
        resident_register(phone="+86 138-1234-1234", password=STRONG, full_name="钱")
    assert exc.value.fields == {"phone": ["This phone number is already registered — log in, or reset the password."]}
    assert list(User.objects.values_list("full_name", flat=True)) == ["赵"]
