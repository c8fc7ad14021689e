"""Fixtures for the catalog tests: the departments the demo catalog names, small categories."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation

from apps.catalog.models import CategoryAttribute, Datatype, Handler, ServiceCategory
from apps.places.models import Department, Level, OrgNode

ROOT = Path(__file__).resolve().parents[2]
DEMO_CATALOG = ROOT / "demo" / "catalog.json"
DEMO_DEPARTMENTS = {
    "DEPT-WATER": "供水",
    "DEPT-HEAT": "供暖",
    "DEPT-PROPERTY": "物业",
    "DEPT-CHENGGUAN": "城管",
}


@pytest.fixture(autouse=True)
def english():
    # Messages are asserted in English whatever LANGUAGE_CODE is (zh-hans by default).
    with translation.override("en"):
        yield


@pytest.fixture
def city(db):
    return OrgNode.objects.create(code="370100", name="济南市", level=Level.CITY, path="370100/")


@pytest.fixture
def departments(city):
    return {
        code: Department.objects.create(code=code, name=name, org_node=city) for code, name in DEMO_DEPARTMENTS.items()
    }


@pytest.fixture
def make_category(db):
    def make(code="ENV-NOISE", *, name="噪音扰民", parent=None, **fields):
        return ServiceCategory.objects.create(code=code, name=name, parent=parent, **fields)

    return make


@pytest.fixture
def make_attribute(db):
    def make(category, code, datatype=Datatype.STRING, *, required=False, order=0, values=(), **fields):
        return CategoryAttribute.objects.create(
            category=category,
            code=code,
            name=fields.pop("name", code.replace("_", " ").title()),
            datatype=datatype,
            required=required,
            order=order,
            values=[{"key": key, "name": name} for key, name in values],
            **fields,
        )

    return make


__all__ = ["DEMO_CATALOG", "DEMO_DEPARTMENTS", "Handler"]
