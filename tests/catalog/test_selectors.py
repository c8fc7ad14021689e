"""Catalog selectors: what is offered, in which order, and at what cost."""

from __future__ import annotations

import pytest

from apps.catalog.models import Datatype
from apps.catalog.selectors import active_categories, category_by_code, category_tree, requestable_categories
from apps.core.errors import NotFound

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(make_category, make_attribute):
    env = make_category("ENV", name="环境卫生", order=20)
    muni = make_category("MUNI", name="市政设施", order=10)
    make_category("ENV-NOISE", name="噪音扰民", parent=env, order=23)
    garbage = make_category("ENV-GARBAGE", name="垃圾清运", parent=env, order=21)
    make_category("MUNI-ROAD", name="道路破损", parent=muni, order=12)
    make_category("MUNI-OLD", name="旧事项", parent=muni, order=11, is_active=False)
    make_category("MUNI-OLD-X", name="旧事项下的", parent=muni.children.get(code="MUNI-OLD"), order=1)
    make_attribute(garbage, "days", Datatype.NUMBER, order=2)
    make_attribute(garbage, "kind", Datatype.SINGLEVALUELIST, order=1, values=[("a", "甲")])


def test_active_categories_are_ordered_and_skip_switched_off(catalog):
    assert [c.code for c in active_categories()] == ["MUNI", "MUNI-ROAD", "ENV", "ENV-GARBAGE", "ENV-NOISE"]


def test_active_categories_load_everything_in_two_queries(catalog, django_assert_num_queries):
    with django_assert_num_queries(2):
        categories = list(active_categories())
    with django_assert_num_queries(0):
        garbage = next(c for c in categories if c.code == "ENV-GARBAGE")
        assert [a.code for a in garbage.attributes.all()] == ["kind", "days"]
        assert garbage.parent.code == "ENV"
        assert garbage.department is None


def test_a_switched_off_group_hides_its_children(catalog):
    from apps.catalog.models import ServiceCategory

    ServiceCategory.objects.filter(code="ENV").update(is_active=False)

    assert [c.code for c in active_categories()] == ["MUNI", "MUNI-ROAD"]


def test_category_by_code_returns_offered_ones_only(catalog):
    assert category_by_code("ENV-NOISE").name == "噪音扰民"
    for code in ("MUNI-OLD", "MUNI-OLD-X", "NOPE"):
        with pytest.raises(NotFound) as caught:
            category_by_code(code)
        assert caught.value.code == "category_not_found"
        assert caught.value.status_code == 404


def test_groups_are_marked_and_not_requestable(catalog, make_category):
    make_category("SOLO", name="独立事项", order=99)

    assert {c.code: c.is_group for c in active_categories()} == {
        "MUNI": True,
        "MUNI-ROAD": False,
        "ENV": True,
        "ENV-GARBAGE": False,
        "ENV-NOISE": False,
        "SOLO": False,
    }
    assert [c.code for c in requestable_categories()] == ["MUNI-ROAD", "ENV-GARBAGE", "ENV-NOISE", "SOLO"]
    assert category_by_code("ENV").code == "ENV"
    assert category_by_code("ENV-NOISE", requestable=True).code == "ENV-NOISE"
    assert category_by_code("SOLO", requestable=True).code == "SOLO"
    with pytest.raises(NotFound):
        category_by_code("ENV", requestable=True)


def test_a_group_whose_children_are_all_switched_off_stays_a_group(catalog):
    from apps.catalog.models import ServiceCategory

    ServiceCategory.objects.filter(parent__code="ENV").update(is_active=False)

    assert category_by_code("ENV").is_group is True
    with pytest.raises(NotFound):
        category_by_code("ENV", requestable=True)


def test_category_tree_nests_children_under_groups(catalog, django_assert_num_queries):
    with django_assert_num_queries(2):
        tree = category_tree()

    assert [(n.category.code, [c.category.code for c in n.children]) for n in tree] == [
        ("MUNI", ["MUNI-ROAD"]),
        ("ENV", ["ENV-GARBAGE", "ENV-NOISE"]),
    ]
