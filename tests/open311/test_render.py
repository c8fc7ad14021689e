"""XML that any parser reads back: escaping, control characters, nulls and booleans."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from apps.open311.render import Open311Error, error_response, respond, xml_document


def test_markup_and_control_characters_survive():
    content = xml_document("services", [("service", {"description": 'a <b> & "c"\x00\x0b d 中文', "flag": True})])
    tree = ET.fromstring(content)  # noqa: S314 — our own output
    assert tree.find("service/description").text == 'a <b> & "c"\ufffd\ufffd d 中文'
    assert tree.find("service/flag").text == "true"


def test_null_is_an_empty_element_and_lists_nest():
    content = xml_document("service_definition", {"code": None, "attributes": [{"values": [{"key": "k"}]}]})
    assert content.endswith(
        b"<service_definition><code /><attributes><attribute><values><value><key>k</key></value></values>"
        b"</attribute></attributes></service_definition>"
    )


def test_json_is_utf8_not_escaped():
    response = respond("json", [{"name": "路灯"}], root="services", item="service")
    assert response.content == '[{"name":"路灯"}]'.encode()


def test_error_response_carries_headers():
    response = error_response("json", Open311Error(429, "slow down", headers={"Retry-After": "5"}))
    assert (response.status_code, response["Retry-After"]) == (429, "5")
    assert response.content == b'[{"code":429,"description":"slow down"}]'
