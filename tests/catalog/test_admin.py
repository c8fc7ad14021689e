"""Catalog admin: lists, the inline attribute editor and its validation of choices."""

from __future__ import annotations

import json

import pytest

from apps.catalog.models import CategoryAttribute, Datatype, ServiceCategory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.catalog.urls")]

ADD = "/admin/catalog/servicecategory/add/"


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    # Creating the admin user hashes a password; the slow default hasher adds nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def admin_client(admin_client):
    # Django's own form messages are asserted in English; the site default is zh-hans.
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return admin_client


def category_form(**overrides) -> dict:
    data = {
        "code": "ENV-NOISE",
        "name": "噪音扰民",
        "name_en": "Noise nuisance",
        "parent": "",
        "description": "",
        "keywords": "噪音",
        "order": "0",
        "is_active": "on",
        "guide_materials": "- 录音",
        "guide_steps": "1. 提交",
        "guide_time_limit": "24小时内响应",
        "handler": "grid",
        "department": "",
        "default_priority": "normal",
        "requires_confirmation": "on",
        "attributes-TOTAL_FORMS": "0",
        "attributes-INITIAL_FORMS": "0",
        "attributes-MIN_NUM_FORMS": "0",
        "attributes-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def with_attribute(data: dict, index: int = 0, **fields) -> dict:
    attribute = {"code": "source", "name": "噪音来源", "datatype": "singlevaluelist", "order": "1",
                 "variable": "on", "values": json.dumps([{"key": "a", "name": "甲"}])}  # fmt: skip
    attribute.update(fields)
    data = dict(data)
    for key, value in attribute.items():
        data[f"attributes-{index}-{key}"] = value
    data["attributes-TOTAL_FORMS"] = str(index + 1)
    return data


def test_add_a_category_with_an_attribute(admin_client):
    response = admin_client.post(ADD, with_attribute(category_form()))

    assert response.status_code == 302
    category = ServiceCategory.objects.get(code="ENV-NOISE")
    assert list(category.attributes.values("code", "datatype", "values")) == [
        {"code": "source", "datatype": "singlevaluelist", "values": [{"key": "a", "name": "甲"}]}
    ]


@pytest.mark.parametrize(
    ("attribute", "message"),
    [
        ({"values": "[]"}, "A choice list needs at least one choice"),
        ({"values": json.dumps([{"key": "a", "name": "甲"}, {"key": "a", "name": "乙"}])}, "is used twice"),
        ({"values": json.dumps([{"key": "a,b", "name": "甲"}])}, "without commas"),
        ({"values": json.dumps([{"key": "a"}])}, "exactly &quot;key&quot; and &quot;name&quot;"),
        ({"values": json.dumps({"a": "甲"})}, "Choices must be a JSON list"),
        ({"values": "[{"}, "Enter a valid JSON"),
        ({"datatype": "string"}, "Only single and multiple choice attributes have choices"),
        ({"datatype": "number", "values": "[]", "required": "on", "variable": ""}, "cannot be required"),
    ],
)
def test_bad_choices_are_refused_and_nothing_is_saved(admin_client, attribute, message):
    response = admin_client.post(ADD, with_attribute(category_form(), **attribute))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert ServiceCategory.objects.count() == 0
    assert CategoryAttribute.objects.count() == 0


def test_non_list_type_without_choices_is_fine(admin_client):
    response = admin_client.post(ADD, with_attribute(category_form(), datatype="number", values="[]"))

    assert response.status_code == 302
    assert CategoryAttribute.objects.get().datatype == Datatype.NUMBER


def test_department_handler_needs_a_department_and_grid_none(admin_client, departments):
    response = admin_client.post(ADD, category_form(handler="department"))
    assert "Choose the department that handles this category." in response.content.decode()

    water = departments["DEPT-WATER"].pk
    response = admin_client.post(ADD, category_form(department=water))
    assert "Leave empty when the grid worker handles it" in response.content.decode()
    assert ServiceCategory.objects.count() == 0

    response = admin_client.post(ADD, category_form(handler="department", department=water))
    assert response.status_code == 302


def test_groups_are_one_level_deep(admin_client, make_category):
    env = make_category("ENV", name="环境卫生")
    noise = make_category("ENV-NOISE", parent=env)
    permit = make_category("PERMIT", name="证照证明")
    change = f"/admin/catalog/servicecategory/{env.pk}/change/"

    response = admin_client.post(change, category_form(code="ENV", name="环境卫生", parent=noise.pk))
    assert "Choose a top-level group: “噪音扰民” is itself inside a group." in response.content.decode()

    response = admin_client.post(change, category_form(code="ENV", name="环境卫生", parent=permit.pk))
    assert "This category is a group (or would contain itself): leave the group empty." in response.content.decode()

    response = admin_client.post(change, category_form(code="ENV", name="环境卫生", parent=env.pk))
    assert "This category is a group (or would contain itself)" in response.content.decode()
    env.refresh_from_db()
    assert env.parent_id is None


def test_bad_code_is_refused(admin_client):
    response = admin_client.post(ADD, category_form(code="ENV NOISE"))

    assert "Use only letters, digits" in response.content.decode()
    assert ServiceCategory.objects.count() == 0


def test_changelist_search_and_filters(admin_client, make_category, django_assert_max_num_queries):
    env = make_category("ENV", name="环境卫生")
    for n in range(30):
        make_category(f"ENV-{n}", name=f"事项{n}", parent=env, keywords="噪音" if n == 7 else "")

    with django_assert_max_num_queries(12):
        response = admin_client.get("/admin/catalog/servicecategory/")
    assert response.status_code == 200

    response = admin_client.get("/admin/catalog/servicecategory/", {"q": "噪音"})
    assert list(response.context["cl"].queryset.values_list("code", flat=True)) == ["ENV-7"]
    response = admin_client.get("/admin/catalog/servicecategory/", {"is_active__exact": "0"})
    assert list(response.context["cl"].queryset) == []


def test_change_page_shows_the_sanitised_guide(admin_client, make_category):
    category = make_category(guide_materials='<img src=x onerror="alert(1)">**身份证**')

    html = admin_client.get(f"/admin/catalog/servicecategory/{category.pk}/change/").content.decode()

    assert "<p><strong>身份证</strong></p>" in html
    assert "onerror" not in html.split('name="guide_materials"')[0].split("guide as residents see it")[-1]


def test_switch_off_and_on_actions(admin_client, make_category):
    a = make_category("A", name="甲")
    b = make_category("B", name="乙", is_active=False)

    admin_client.post("/admin/catalog/servicecategory/", {"action": "switch_off", "_selected_action": [a.pk, b.pk]})
    assert ServiceCategory.objects.filter(is_active=True).count() == 0

    admin_client.post("/admin/catalog/servicecategory/", {"action": "switch_on", "_selected_action": [b.pk]})
    assert list(ServiceCategory.objects.filter(is_active=True).values_list("code", flat=True)) == ["B"]


def test_attribute_admin_validates_choices_too(admin_client, make_category, make_attribute):
    category = make_category()
    attribute = make_attribute(category, "periods", Datatype.MULTIVALUELIST, values=[("night", "夜间")])
    url = f"/admin/catalog/categoryattribute/{attribute.pk}/change/"
    data = {"category": category.pk, "code": "periods", "name": "时段", "datatype": "multivaluelist",
            "order": "0", "variable": "on", "values": "[]"}  # fmt: skip

    response = admin_client.post(url, data)

    assert "A choice list needs at least one choice" in response.content.decode()
    attribute.refresh_from_db()
    assert attribute.values == [{"key": "night", "name": "夜间"}]
    assert admin_client.get("/admin/catalog/categoryattribute/", {"q": "ENV-NOISE"}).status_code == 200
