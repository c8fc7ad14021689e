"""Answers in the two formats of GeoReport v2, and its error shape.

JSON answers are lists of objects (or one object for a service definition and for
discovery). XML answers follow the element names of the specification's examples:
``<services><service>``, ``<service_requests><request>``, ``<service_definition>``,
``<errors><error>``. A ``None`` is an empty element, a boolean ``true``/``false``;
a list nests one element per item, named by ``ITEM_TAGS``.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from django.http import HttpResponse

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
# Characters XML 1.0 cannot carry at all, even escaped: a control character typed into a
# description must not make the whole answer unparseable.
NOT_IN_XML = re.compile(r"[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")
ITEM_TAGS = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}


class Open311Error(Exception):
    """Refuse a call with an HTTP status and one or more ``{code, description}`` entries."""

    def __init__(self, status: int, descriptions: str | list[str], *, headers: dict | None = None):
        super().__init__(descriptions)
        self.status = status
        self.descriptions = [descriptions] if isinstance(descriptions, str) else list(descriptions)
        self.headers = headers or {}


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return NOT_IN_XML.sub("\ufffd", str(value))


def _append(parent: ET.Element, tag: str, value) -> None:
    element = ET.SubElement(parent, tag)
    if value is None:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _append(element, key, item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _append(element, ITEM_TAGS.get(tag, "item"), item)
    else:
        element.text = _text(value)


def xml_document(root_tag: str, content) -> bytes:
    """``content`` is a dict (the root's children) or a list of (item tag, dict) pairs."""
    root = ET.Element(root_tag)
    if isinstance(content, dict):
        for key, value in content.items():
            _append(root, key, value)
    else:
        for item_tag, item in content:
            _append(root, item_tag, item)
    # ElementTree escapes &, <, > and quotes; the declaration names the encoding of the bytes.
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def respond(fmt: str, data, *, root: str, item: str | None = None, status: int = 200) -> HttpResponse:
    """Answer ``data`` (a list of dicts, or one dict when ``item`` is None) as JSON or XML."""
    if fmt == "xml":
        content = data if item is None else [(item, entry) for entry in data]
        return HttpResponse(xml_document(root, content), content_type=XML_TYPE, status=status)
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(body.encode("utf-8"), content_type=JSON_TYPE, status=status)


def error_response(fmt: str, error: Open311Error) -> HttpResponse:
    entries = [{"code": error.status, "description": description} for description in error.descriptions]
    response = respond(fmt, entries, root="errors", item="error", status=error.status)
    for name, value in error.headers.items():
        response[name] = value
    return response
