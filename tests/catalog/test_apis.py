"""The public catalog API: lists, detail, 404s, hidden categories, fixed query counts."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from apps.catalog.models import Datatype, Handler
from apps.catalog.services import import_catalog
from tests.catalog.conftest import DEMO_CATALOG

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.catalog.urls")]

LIST = "/api/v1/categories/"


@pytest.fixture
def client():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")  # messages are asserted in English


@pytest.fixture
def noise(make_category, make_attribute):
    env = make_category("ENV", name="环境卫生", name_en="Environment", order=20)
    noise = make_category(
        "ENV-NOISE",
        name="噪音扰民",
        name_en="Noise nuisance",
        parent=env,
        order=23,
        description="施工、广场舞等噪音。",
        keywords="噪音,扰民",
        guide_materials="- 录音<script>alert(1)</script>\n- [视频](javascript:alert(1))",
        guide_steps="1. 提交\n2. 核实",
        guide_time_limit="24小时内响应",
        default_priority="high",
    )
    make_attribute(noise, "periods", Datatype.MULTIVALUELIST, order=2, name="发生时段",
                   values=[("night", "夜间"), ("evening", "晚间")])  # fmt: skip
    make_attribute(noise, "source", Datatype.SINGLEVALUELIST, order=1, required=True, name="噪音来源",
                   name_en="Source", description="选一项", datatype_description="单选",
                   values=[("construction", "建筑施工")])  # fmt: skip
    return noise


def test_detail_shows_everything_a_form_needs(client, noise):
    response = client.get(f"{LIST}ENV-NOISE/")

    assert response.status_code == 200
    assert response.json() == {
        "code": "ENV-NOISE",
        "name": "噪音扰民",
        "name_en": "Noise nuisance",
        "parent": "ENV",
        "group": "环境卫生",
        "is_group": False,
        "description": "施工、广场舞等噪音。",
        "keywords": ["噪音", "扰民"],
        "guide": {
            "materials": "- 录音<script>alert(1)</script>\n- [视频](javascript:alert(1))",
            "materials_html": '<ul>\n<li>录音</li>\n<li><a rel="noopener noreferrer">视频</a></li>\n</ul>',
            "steps": "1. 提交\n2. 核实",
            "steps_html": "<ol>\n<li>提交</li>\n<li>核实</li>\n</ol>",
            "time_limit": "24小时内响应",
        },
        "default_priority": "high",
        "handler": "grid",
        "department": None,
        "requires_confirmation": True,
        "order": 23,
        "attributes": [
            {
                "code": "source",
                "name": "噪音来源",
                "name_en": "Source",
                "datatype": "singlevaluelist",
                "required": True,
                "variable": True,
                "order": 1,
                "description": "选一项",
                "datatype_description": "单选",
                "values": [{"key": "construction", "name": "建筑施工"}],
            },
            {
                "code": "periods",
                "name": "发生时段",
                "name_en": "",
                "datatype": "multivaluelist",
                "required": False,
                "variable": True,
                "order": 2,
                "description": "",
                "datatype_description": "",
                "values": [{"key": "night", "name": "夜间"}, {"key": "evening", "name": "晚间"}],
            },
        ],
    }


def test_department_is_shown_for_department_handled_categories(client, make_category, departments):
    make_category("UTIL-WATER-LEAK", name="漏水", handler=Handler.DEPARTMENT, department=departments["DEPT-WATER"])

    body = client.get(f"{LIST}UTIL-WATER-LEAK/").json()

    assert (body["handler"], body["department"]) == ("department", {"code": "DEPT-WATER", "name": "供水"})


def test_list_is_public_ordered_and_paginated(client, noise, make_category):
    make_category("PERMIT", name="证照证明", order=60)

    response = client.get(LIST)

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (3, None, None)
    assert [c["code"] for c in body["results"]] == ["ENV", "ENV-NOISE", "PERMIT"]


def test_a_broken_session_or_token_does_not_lock_the_public_out(client, noise):
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    assert client.get(LIST).status_code == 200


def test_switched_off_categories_and_children_of_switched_off_groups_are_hidden(client, noise, make_category):
    make_category("OLD", name="旧事项", is_active=False)
    noise.parent.is_active = False
    noise.parent.save(update_fields=["is_active"])

    assert client.get(LIST).json()["results"] == []
    for code in ("OLD", "ENV", "ENV-NOISE"):
        response = client.get(f"{LIST}{code}/")
        assert response.status_code == 404
        assert response.json() == {
            "code": "category_not_found",
            "message": f"No service category “{code}” is offered: check the code against the catalog list.",
            "fields": {},
        }


def test_unknown_code_is_a_404_in_the_standard_shape(client, db):
    response = client.get(f"{LIST}NOPE/")

    assert response.status_code == 404
    assert response.json()["code"] == "category_not_found"
    assert set(response.json()) == {"code", "message", "fields"}


def test_filter_by_parent_and_top_level(client, noise, make_category):
    make_category("PERMIT", name="证照证明", order=60)

    assert [c["code"] for c in client.get(LIST, {"parent": "ENV"}).json()["results"]] == ["ENV-NOISE"]
    assert [c["code"] for c in client.get(LIST, {"top_level": "true"}).json()["results"]] == ["ENV", "PERMIT"]
    assert client.get(LIST, {"parent": "NOPE"}).json()["results"] == []
    assert [c["code"] for c in client.get(LIST, {"is_group": "false"}).json()["results"]] == ["ENV-NOISE", "PERMIT"]
    assert [c["code"] for c in client.get(LIST, {"is_group": "true"}).json()["results"]] == ["ENV"]
    assert client.get(f"{LIST}ENV/").json()["is_group"] is True


@pytest.mark.parametrize(
    ("term", "codes"),
    [("扰民", ["ENV-NOISE"]), ("noise", ["ENV-NOISE"]), ("env", ["ENV", "ENV-NOISE"]), ("广场舞", ["ENV-NOISE"]),
     ("证照", ["PERMIT"]), ("zzz", [])],
)  # fmt: skip
def test_search_matches_code_names_keywords_and_description(client, noise, make_category, term, codes):
    make_category("PERMIT", name="证照证明", order=60)

    assert [c["code"] for c in client.get(LIST, {"search": term}).json()["results"]] == codes


def test_query_count_does_not_grow_with_the_catalog(client, departments, django_assert_max_num_queries):
    import json

    import_catalog(entries=json.loads(DEMO_CATALOG.read_text(encoding="utf-8")))

    with django_assert_max_num_queries(3):
        body = client.get(LIST).json()
    assert body["count"] == 26
    assert sum(len(c["attributes"]) for c in body["results"]) > 40

    with django_assert_max_num_queries(3):
        assert client.get(LIST, {"parent": "WELFARE", "search": "老"}).status_code == 200
    with django_assert_max_num_queries(2):
        assert client.get(f"{LIST}UTIL-WATER-LEAK/").status_code == 200


def test_page_size_can_be_chosen(client, noise):
    body = client.get(LIST, {"page_size": 1}).json()

    assert (body["count"], len(body["results"])) == (2, 1)
    assert body["next"].endswith("page=2&page_size=1")


def test_the_api_is_read_only(client, noise):
    assert client.post(LIST, {"code": "X", "name": "x"}).status_code == 405
    assert client.delete(f"{LIST}ENV-NOISE/").status_code == 405
