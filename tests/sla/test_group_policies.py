"""SLA policies set on a group of categories, and the precedence between kind, group and priority."""

import html

import pytest
from django.urls import reverse
from django.utils import translation

from apps.catalog.models import ServiceCategory
from apps.sla.deadlines import compute_deadlines, policy_for, select_policy
from apps.sla.models import SlaPolicy

from .conftest import at
from .factories import policy

pytestmark = pytest.mark.django_db


def kind(code: str, group: ServiceCategory | None = None) -> ServiceCategory:
    return ServiceCategory.objects.create(code=code, name=f"category {code}", parent=group)


@pytest.fixture
def catalog():
    roads = kind("roads")  # a group
    pothole = kind("pothole", roads)  # has policies of its own
    crack = kind("crack", roads)  # has none: the group's apply
    water = kind("water")  # another group, no policies
    outage = kind("outage", water)
    return roads, pothole, crack, water, outage


@pytest.fixture
def ladder(catalog):
    """One policy at every rank; created in an order that is not the precedence, so ids cannot decide."""
    roads, pothole, *_ = catalog
    return {
        "group": policy("roads group", category=roads),
        "kind high": policy("pothole high", category=pothole, priority="high"),
        "any high": policy("any high", priority="high"),
        "group high": policy("roads group high", category=roads, priority="high"),
        "kind": policy("pothole", category=pothole),
        "urgent": SlaPolicy.objects.get(category=None, priority="urgent"),  # from the migration
        "default": SlaPolicy.objects.get(category=None, priority=""),
    }


@pytest.mark.parametrize(
    ("category", "priority", "expected"),
    [
        ("pothole", "high", "kind high"),  # own category + priority
        ("pothole", "low", "kind"),  # own category
        ("pothole", "urgent", "kind"),  # own category beats a priority-only policy
        ("crack", "high", "group high"),  # group + priority
        ("crack", "low", "group"),  # group
        ("crack", "urgent", "group"),  # the group beats a priority-only policy too
        ("roads", "high", "group high"),  # a ticket filed on the group itself
        ("outage", "high", "any high"),  # a group without policies: priority alone
        ("outage", "urgent", "urgent"),
        ("outage", "normal", "default"),
        ("water", "normal", "default"),
    ],
)
def test_the_most_specific_policy_wins_kind_then_group_then_priority(catalog, ladder, category, priority, expected):
    instance = ServiceCategory.objects.get(code=category)
    assert policy_for(category=instance, priority=priority) == ladder[expected]
    assert policy_for(category=instance.pk, priority=priority) == ladder[expected]  # an id works too


def test_a_kind_of_a_group_takes_the_group_policy_into_its_deadlines(catalog):
    roads, _pothole, crack, *_ = catalog
    group = policy("roads group", category=roads, response_minutes=15)
    result = compute_deadlines(category=crack, priority="normal", org_node=None, start=at(2025, 9, 30, 10))
    assert result.policy_id == group.pk
    assert result.respond_by == at(2025, 9, 30, 10, 15)


def test_equal_group_policies_lowest_id_wins_and_inactive_ones_do_not_count(catalog):
    roads, _pothole, crack, *_ = catalog
    first = policy("first", category=roads)
    policy("second", category=roads)
    assert policy_for(category=crack, priority="normal") == first
    first.is_active = False
    first.save(update_fields=["is_active"])
    assert policy_for(category=crack, priority="normal").name == "second"


def test_a_kind_moved_to_another_group_follows_its_new_group_at_once(catalog):
    roads, _pothole, crack, water, _outage = catalog
    roads_policy, water_policy = policy("roads", category=roads), policy("water", category=water)
    assert policy_for(category=crack, priority="normal") == roads_policy
    crack.parent = water
    crack.save(update_fields=["parent"])  # a catalog edit: the SLA config stamp does not change
    assert policy_for(category=crack, priority="normal") == water_policy
    assert policy_for(category=crack.pk, priority="normal") == water_policy


def test_query_counts_stay_bounded(catalog, ladder, django_assert_num_queries):
    _roads, _pothole, crack, _water, outage = catalog
    policy_for(category=None, priority="normal")  # warm the cache
    with django_assert_num_queries(1):  # the stamp; the group comes with the instance
        assert policy_for(category=crack, priority="low") == ladder["group"]
    with django_assert_num_queries(2):  # the stamp and the group of a bare id
        assert policy_for(category=outage.pk, priority="high") == ladder["any high"]


def test_a_bare_id_costs_no_group_lookup_when_no_policy_names_a_category(catalog, django_assert_num_queries):
    *_, outage = catalog
    policy_for(category=None, priority="normal")
    with django_assert_num_queries(1):
        assert policy_for(category=outage.pk, priority="urgent").priority == "urgent"


def test_select_policy_ranks_kind_group_and_priority_whatever_the_order():
    rows = [
        SlaPolicy(id=1, name="any", category_id=None, priority=""),
        SlaPolicy(id=2, name="any high", category_id=None, priority="high"),
        SlaPolicy(id=3, name="group", category_id=10, priority=""),
        SlaPolicy(id=4, name="group high", category_id=10, priority="high"),
        SlaPolicy(id=5, name="kind", category_id=11, priority=""),
        SlaPolicy(id=6, name="kind high", category_id=11, priority="high"),
    ]
    for order in (rows, rows[::-1]):

        def pick(category_id, group_id, priority, order=order):
            return select_policy(order, category_id=category_id, group_id=group_id, priority=priority).name

        assert pick(11, 10, "high") == "kind high"
        assert pick(11, 10, "low") == "kind"
        assert pick(12, 10, "high") == "group high"
        assert pick(12, 10, "low") == "group"
        assert pick(12, None, "high") == "any high"  # without its group, 10's policies do not apply
        assert pick(13, 14, "low") == "any"


def test_the_admin_explains_the_precedence(client, django_user_model):
    user = django_user_model.objects.create_superuser(username="root", password="x-pass-2026", email="r@example.com")
    client.force_login(user)
    with translation.override("en"):
        page = html.unescape(client.get(reverse("admin:sla_slapolicy_add"), HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "a group's policy applies to every kind in it that has no policy of its own" in page
    assert "the kind with the priority, the kind, the group with the priority, the group, the priority alone" in page
    page = client.get(reverse("admin:sla_slapolicy_add"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "事项组的策略适用于组内所有没有自己策略的事项" in page
