"""discovery, services and service definitions: schema-valid, the same in JSON and XML."""

from __future__ import annotations

import pytest

from tests.open311.conftest import BASE
from tests.open311.formats import json_data, same_in_xml


def get_both(client, path: str, kind: str, **params):
    json_response = client.get(f"{BASE}{path}.json", params)
    xml_response = client.get(f"{BASE}{path}.xml", params)
    return same_in_xml(json_response, xml_response, kind), json_response


def test_discovery_names_this_endpoint_and_both_formats(client, world):
    data, response = get_both(client, "discovery", "discovery")
    assert response.status_code == 200
    assert data["endpoints"] == [
        {
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": "http://testserver/open311/v2/",
            "changeset": data["changeset"],
            "type": "production",
            "formats": ["application/json", "text/xml"],
        }
    ]


def test_service_list_offers_the_active_leaves_with_their_group(client, world, validate, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):  # two calls (JSON and XML) of two queries each
        data, response = get_both(client, "services", "services")
    assert response.status_code == 200
    validate(data, "services.json")
    assert data == [
        {
            "service_code": "MUNI-LIGHT",
            "service_name": "Streetlight out",
            "description": "路灯不亮、闪烁或灯杆损坏。",
            "metadata": True,
            "type": "realtime",
            "keywords": "路灯,照明,灯杆",
            "group": "Municipal facilities",
        },
        {
            "service_code": "NOISE",
            "service_name": "Noise",
            "description": None,
            "metadata": False,
            "type": "realtime",
            "keywords": None,
            "group": None,
        },
        {
            "service_code": "WATER",
            "service_name": "停水",  # no English name: the Chinese one
            "description": None,
            "metadata": False,
            "type": "realtime",
            "keywords": None,
            "group": None,
        },
    ]


def test_service_names_are_chinese_by_default(world):
    from django.test import Client

    data = json_data(Client().get(f"{BASE}services.json"))
    assert [entry["service_name"] for entry in data] == ["路灯不亮", "噪音扰民", "停水"]
    assert data[0]["group"] == "市政设施"


def test_service_query_count_does_not_grow_with_the_catalog(client, world, django_assert_max_num_queries):
    from apps.catalog.models import CategoryAttribute, ServiceCategory

    for number in range(20):
        category = ServiceCategory.objects.create(code=f"EXTRA-{number}", name=f"事项{number}", parent=world.group)
        CategoryAttribute.objects.create(category=category, code="note", name="备注")
    with django_assert_max_num_queries(2):
        response = client.get(f"{BASE}services.json")
    assert len(json_data(response)) == 23


def test_service_definition_lists_every_attribute_in_order(client, world, validate):
    data, response = get_both(client, "services/MUNI-LIGHT", "service_definition")
    assert response.status_code == 200
    validate(data, "service-definition.json")
    assert data["service_code"] == "MUNI-LIGHT"
    assert [(a["order"], a["code"], a["datatype"], a["variable"], a["required"]) for a in data["attributes"]] == [
        (1, "notice", "string", False, False),
        (2, "fault", "singlevaluelist", True, True),
        (3, "extras", "multivaluelist", True, False),
        (4, "lamps", "number", True, False),
        (5, "pole", "string", True, False),
        (6, "since", "datetime", True, False),
        (7, "details", "text", True, False),
    ]
    assert data["attributes"][0]["description"] == "安全提示 — 请远离倒伏灯杆"
    assert data["attributes"][1] == {
        "variable": True,
        "code": "fault",
        "datatype": "singlevaluelist",
        "required": True,
        "datatype_description": None,
        "order": 2,
        "description": "Kind of fault",
        "values": [{"key": "not_lit", "name": "不亮"}, {"key": "flickering", "name": "忽明忽暗"}],
    }
    assert data["attributes"][3]["datatype_description"] == "盏，如 3"
    assert data["attributes"][3]["values"] == []


def test_service_definition_of_a_service_without_attributes(client, world, validate):
    data, _response = get_both(client, "services/NOISE", "service_definition")
    validate(data, "service-definition.json")
    assert data == {"service_code": "NOISE", "attributes": []}


@pytest.mark.parametrize("code", ["NOPE", "OLD", "MUNI"])  # unknown, switched off, a group
def test_unknown_service_is_404_in_the_open311_error_format(client, world, code):
    data = same_in_xml(client.get(f"{BASE}services/{code}.json"), client.get(f"{BASE}services/{code}.xml"), "errors")
    assert data == [
        {
            "code": 404,
            "description": f"service_code: no service “{code}” is offered; see the service list for the codes.",
        }
    ]


def test_unknown_format_is_not_served(client, world):
    assert client.get(f"{BASE}services.csv").status_code == 404


def test_other_methods_are_refused_in_the_open311_format(client, world):
    response = client.post(f"{BASE}services.json")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert json_data(response) == [{"code": 405, "description": "Method POST is not allowed here; use GET."}]


def test_xml_escapes_markup_in_catalog_text(client, world):
    world.noise.description = 'Loud <music> & "parties" after 22:00'
    world.noise.save(update_fields=["description"])
    data, _response = get_both(client, "services", "services")
    assert data[1]["description"] == 'Loud <music> & "parties" after 22:00'
    assert b'Loud &lt;music&gt; &amp; "parties"' in client.get(f"{BASE}services.xml").content


def test_jurisdiction_is_checked_when_configured(client, world, settings):
    settings.OPEN311_JURISDICTION_ID = "jinan.gov.cn"
    assert client.get(f"{BASE}services.json", {"jurisdiction_id": "jinan.gov.cn"}).status_code == 200
    assert client.get(f"{BASE}services.json").status_code == 200  # one city per endpoint: it may be left out
    response = client.get(f"{BASE}services.json", {"jurisdiction_id": "qingdao.gov.cn"})
    assert response.status_code == 404
    assert json_data(response) == [
        {
            "code": 404,
            "description": "jurisdiction_id: “qingdao.gov.cn” is not served here; use “jinan.gov.cn” or leave it out.",
        }
    ]


def test_any_jurisdiction_is_accepted_when_none_is_configured(client, world, settings):
    settings.OPEN311_JURISDICTION_ID = ""
    assert client.get(f"{BASE}services.json", {"jurisdiction_id": "anything"}).status_code == 200


def test_head_is_answered_like_get(client, world):
    response = client.head(f"{BASE}services.json")
    assert (response.status_code, response["Content-Type"]) == (200, "application/json; charset=utf-8")


def test_a_missing_schema_folder_fails_instead_of_skipping(monkeypatch, tmp_path):
    from tests.open311 import conftest

    monkeypatch.setattr(conftest, "SCHEMA_DIR", tmp_path / "absent")
    with pytest.raises(pytest.fail.Exception, match="the Open311 JSON Schemas are missing"):
        conftest.load_schemas()
