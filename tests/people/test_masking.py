import pytest

from apps.people.masking import can_see_phone, mask_phone, phone_for
from apps.people.models import Role
from tests.people.conftest import make_user


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812341234", "138****1234"),
        ("", ""),
        ("+8613812341234", "+86138****1234"),
        ("0531-88881234", "053*-****1234"),  # 12 digits: 3 + 4 shown, the dash kept
        ("053188881234", "053*****1234"),
        ("88881234", "****1234"),  # a short number shows at most half
        ("1234567", "****567"),
        ("12345", "****5"),
        ("12", "**"),
        ("1", "*"),
        ("138123412345678", "138********5678"),
        (" 13812341234 ", "138****1234"),
    ],
)
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize("phone", ["13812341234", "0531-88881234", "88881234", "12345", "138123412345678"])
def test_mask_phone_never_shows_more_than_seven_digits_or_half(phone):
    digits = sum(ch.isdigit() for ch in phone)
    shown = sum(ch.isdigit() for ch in mask_phone(phone))
    assert shown <= 7
    assert shown <= digits // 2 or digits >= 11


def test_who_sees_a_phone_whole(tree):
    resident = make_user("13900000001", phone="13900000001")
    other_resident = make_user("13900000002")
    admin = make_user("admin1", Role.ADMIN)
    superuser = make_user("root", is_superuser=True)
    supervisor = make_user("sup", Role.SUPERVISOR, scopes=[tree.jiefang])
    far_supervisor = make_user("far", Role.SUPERVISOR, scopes=[tree.south])
    dept = make_user("dept", Role.DEPARTMENT_STAFF, scopes=[tree.cg])
    place = tree.east_g1.path

    assert can_see_phone(resident, owner=resident, scope_path=place) is True
    assert can_see_phone(other_resident, owner=resident, scope_path=place) is False
    assert can_see_phone(admin, owner=resident) is True
    assert can_see_phone(superuser, owner=resident) is True
    assert can_see_phone(supervisor, owner=resident, scope_path=place) is True
    assert can_see_phone(supervisor, owner=resident) is False  # no place, no need
    assert can_see_phone(far_supervisor, owner=resident, scope_path=place) is False
    assert can_see_phone(dept, owner=resident, scope_path=place) is False
    assert phone_for(far_supervisor, "13900000001", owner=resident, scope_path=place) == "139****0001"
    assert phone_for(supervisor, "13900000001", owner=resident, scope_path=place) == "13900000001"


def test_anonymous_never_sees_a_phone(db):
    from django.contrib.auth.models import AnonymousUser

    assert can_see_phone(AnonymousUser(), scope_path="370100/") is False


def test_a_resident_with_a_path_still_sees_it_masked(tree):
    resident = make_user("13900000003")
    assert can_see_phone(resident, scope_path=tree.east_g1.path) is False
