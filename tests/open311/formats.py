"""Reading the XML answers back into the JSON shape, to prove both carry the same data."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

LIST_TAGS = {"attributes", "values", "endpoints", "formats"}


def element_data(element: ET.Element, *, as_list: bool = False):
    children = list(element)
    if as_list or element.tag in LIST_TAGS:
        return [element_data(child) for child in children]
    if children:
        return {child.tag: element_data(child) for child in children}
    return element.text


def xml_data(content: bytes, *, root: str, item: str | None):
    """Parse an XML answer; check its root (and item) element names; return plain data."""
    assert content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    tree = ET.fromstring(content)  # noqa: S314 — our own answer, in a test
    assert tree.tag == root
    if item is None:
        return element_data(tree)
    assert all(child.tag == item for child in tree)
    return element_data(tree, as_list=True)


def as_text(data):
    """The JSON data as the XML carries it: every scalar a string, null and "" alike empty."""
    if isinstance(data, dict):
        return {key: as_text(value) for key, value in data.items()}
    if isinstance(data, list):
        return [as_text(value) for value in data]
    if isinstance(data, bool):
        return "true" if data else "false"
    if data is None or data == "":
        return None
    return str(data)


def json_data(response):
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content.decode("utf-8"))


ROOTS = {
    "discovery": ("discovery", None),
    "services": ("services", "service"),
    "service_definition": ("service_definition", None),
    "requests": ("service_requests", "request"),
    "errors": ("errors", "error"),
}


def same_in_xml(json_response, xml_response, kind: str):
    """Assert the XML answer carries exactly the JSON answer's data; return the JSON data."""
    assert xml_response.status_code == json_response.status_code
    assert xml_response["Content-Type"] == "text/xml; charset=utf-8"
    data = json_data(json_response)
    root, item = ROOTS[kind]
    assert xml_data(xml_response.content, root=root, item=item) == as_text(data)
    return data
