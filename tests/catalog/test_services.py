"""import_catalog (and categories_switch): idempotent, all-or-nothing, never deletes a category."""

from __future__ import annotations

import copy
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog.models import CategoryAttribute, ServiceCategory
from apps.catalog.services import CatalogImportRefused, categories_switch, import_catalog
from tests.catalog.conftest import DEMO_CATALOG

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_entries():
    return json.loads(DEMO_CATALOG.read_text(encoding="utf-8"))


def snapshot() -> list:
    categories = list(ServiceCategory.objects.order_by("code").values())
    attributes = list(CategoryAttribute.objects.order_by("category__code", "code").values())
    return [categories, attributes]


def entry(code="ENV-NOISE", **fields):
    base = {"code": code, "name": fields.pop("name", "噪音扰民")}
    base.update(fields)
    return base


def problems_of(entries, **kwargs) -> list[tuple]:
    with pytest.raises(CatalogImportRefused) as caught:
        import_catalog(entries=entries, **kwargs)
    return [(p.index, p.code, p.field) for p in caught.value.problems]


# --- the demo catalog -------------------------------------------------------------------


def test_demo_catalog_imports_every_category(departments, demo_entries):
    report = import_catalog(entries=demo_entries)

    assert len(report.created) == 26
    assert report.updated == report.unchanged == report.missing == report.deactivated == []
    assert ServiceCategory.objects.count() == 26
    assert ServiceCategory.objects.filter(parent__isnull=False).count() == 20
    assert ServiceCategory.objects.filter(parent__isnull=True).count() == 6


def test_demo_catalog_values_are_stored_as_written(departments, demo_entries):
    import_catalog(entries=demo_entries)

    leak = ServiceCategory.objects.select_related("parent", "department").get(code="UTIL-WATER-LEAK")
    assert (leak.name, leak.name_en, leak.parent.code) == ("供水管道漏水", "Water pipe leak", "UTIL")
    assert (leak.default_priority, leak.handler, leak.department.code) == ("urgent", "department", "DEPT-WATER")
    assert leak.requires_confirmation is True
    assert leak.is_active is True
    assert leak.keywords == "漏水,爆管,水管,水表,供水"
    assert leak.guide_materials == "- 现场照片或视频（可选）\n- 水表户号（如知道）"
    assert leak.guide_steps == "1. 立即提交诉求并写明漏水位置\n2. 供水部门2小时内到场处置\n3. 修复后恢复供水并回访确认"
    assert leak.guide_time_limit == "2小时内到场，24小时内修复"
    assert list(leak.attributes.values_list("code", "datatype", "required", "order")) == [
        ("leak_location", "singlevaluelist", True, 1),
        ("water_supply_affected", "singlevaluelist", True, 2),
        ("leak_severity", "singlevaluelist", False, 3),
    ]
    assert leak.attributes.get(code="water_supply_affected").values == [
        {"key": "no_water", "name": "已停水"},
        {"key": "low_pressure", "name": "水压明显变小"},
        {"key": "not_affected", "name": "不影响"},
    ]
    meals = ServiceCategory.objects.get(code="WELFARE-MEALS")
    assert dict(meals.attributes.values_list("code", "datatype")) == {
        "elder_age": "number",
        "service_mode": "singlevaluelist",
        "start_date": "datetime",
        "diet": "multivaluelist",
    }
    assert set(ServiceCategory.objects.filter(handler="department").values_list("department__code", flat=True)) == {
        "DEPT-WATER",
        "DEPT-HEAT",
        "DEPT-PROPERTY",
        "DEPT-CHENGGUAN",
    }


def test_second_run_changes_nothing_and_writes_nothing(departments, demo_entries):
    import_catalog(entries=demo_entries)
    before = snapshot()

    with CaptureQueriesContext(connection) as queries:
        report = import_catalog(entries=demo_entries)

    assert len(report.unchanged) == 26
    assert report.created == report.updated == report.missing == []
    assert snapshot() == before
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []


# --- updates ----------------------------------------------------------------------------


def test_changed_fields_and_attributes_are_updated_and_stale_attributes_removed(departments, demo_entries):
    import_catalog(entries=demo_entries)
    changed = copy.deepcopy(demo_entries)
    light = next(e for e in changed if e["code"] == "MUNI-STREETLIGHT")
    light["name_en"] = "Street light not working"
    light["attributes"] = [a for a in light["attributes"] if a["code"] != "lamp_count"]
    light["attributes"][1]["values"].append({"key": "wire_exposed", "name": "电线裸露"})
    light["attributes"].append(
        {"code": "noticed_at", "name": "发现时间", "datatype": "datetime", "required": False, "order": 9}
    )
    original_pk = ServiceCategory.objects.get(code="MUNI-STREETLIGHT").pk
    pole_pk = CategoryAttribute.objects.get(category__code="MUNI-STREETLIGHT", code="pole_number").pk

    report = import_catalog(entries=changed)

    assert report.updated == ["MUNI-STREETLIGHT"]
    assert len(report.unchanged) == 25
    light_row = ServiceCategory.objects.get(code="MUNI-STREETLIGHT")
    assert (light_row.pk, light_row.name_en) == (original_pk, "Street light not working")
    assert list(light_row.attributes.values_list("code", flat=True)) == ["pole_number", "fault_type", "noticed_at"]
    assert light_row.attributes.get(code="pole_number").pk == pole_pk  # updated in place, not recreated
    assert light_row.attributes.get(code="fault_type").values[-1] == {"key": "wire_exposed", "name": "电线裸露"}


def test_attribute_only_change_counts_as_updated(departments, demo_entries):
    import_catalog(entries=demo_entries)
    demo_entries[1]["attributes"][0]["description"] = "灯杆上的编号"

    report = import_catalog(entries=demo_entries)

    assert report.updated == [demo_entries[1]["code"]]


def test_parent_can_come_after_its_child_in_the_file(db):
    report = import_catalog(entries=[entry("ENV-NOISE", parent="ENV"), entry("ENV", name="环境卫生")])

    assert report.created == ["ENV", "ENV-NOISE"]
    assert ServiceCategory.objects.get(code="ENV-NOISE").parent.code == "ENV"


def test_a_parent_already_in_the_catalog_may_be_left_out_of_the_file(db):
    import_catalog(entries=[entry("ENV", name="环境卫生")])

    report = import_catalog(entries=[entry("ENV-NOISE", parent="ENV")])

    assert report.created == ["ENV-NOISE"]
    assert report.missing == ["ENV"]
    assert ServiceCategory.objects.get(code="ENV").is_active is True


def test_defaults_for_optional_fields(db):
    import_catalog(entries=[entry("ENV-NOISE", keywords="噪音，扰民、 施工", attributes=[{"code": "a", "name": "A"}])])

    category = ServiceCategory.objects.get(code="ENV-NOISE")
    assert (category.default_priority, category.handler, category.department_id) == ("normal", "grid", None)
    assert (category.requires_confirmation, category.is_active, category.order) == (True, True, 0)
    assert category.keywords == "噪音,扰民,施工"
    assert list(category.attributes.values("datatype", "required", "variable", "order", "values")) == [
        {"datatype": "string", "required": False, "variable": True, "order": 1, "values": []}
    ]


# --- missing categories ----------------------------------------------------------------


def test_missing_categories_are_reported_not_deleted(departments, demo_entries):
    import_catalog(entries=demo_entries)
    shorter = [e for e in demo_entries if e["code"] not in {"PERMIT-MIGRANT", "ENV-NOISE"}]

    report = import_catalog(entries=shorter)

    assert report.missing == ["ENV-NOISE", "PERMIT-MIGRANT"]
    assert report.deactivated == []
    assert ServiceCategory.objects.filter(code__in=["ENV-NOISE", "PERMIT-MIGRANT"], is_active=True).count() == 2


def test_deactivate_missing_switches_them_off(departments, demo_entries):
    import_catalog(entries=demo_entries)
    shorter = [e for e in demo_entries if e["code"] not in {"PERMIT-MIGRANT", "ENV-NOISE"}]

    report = import_catalog(entries=shorter, deactivate_missing=True)

    assert report.missing == report.deactivated == ["ENV-NOISE", "PERMIT-MIGRANT"]
    assert set(ServiceCategory.objects.filter(is_active=False).values_list("code", flat=True)) == {
        "ENV-NOISE",
        "PERMIT-MIGRANT",
    }
    assert ServiceCategory.objects.count() == 26
    again = import_catalog(entries=shorter, deactivate_missing=True)
    assert again.missing == ["ENV-NOISE", "PERMIT-MIGRANT"]
    assert again.deactivated == []


def test_deactivate_missing_refuses_to_hide_a_listed_child_behind_its_missing_parent(db):
    import_catalog(entries=[entry("ENV", name="环境卫生"), entry("ENV-NOISE", parent="ENV")])
    before = snapshot()

    assert problems_of([entry("ENV-NOISE", parent="ENV")], deactivate_missing=True) == [(0, "ENV-NOISE", "parent")]
    assert snapshot() == before


def test_a_switched_off_category_in_the_file_comes_back_on(db):
    import_catalog(entries=[entry("ENV-NOISE", active=False)])

    report = import_catalog(entries=[entry("ENV-NOISE")])

    assert report.updated == ["ENV-NOISE"]
    assert ServiceCategory.objects.get(code="ENV-NOISE").is_active is True


def test_dry_run_reports_and_writes_nothing(departments, demo_entries):
    report = import_catalog(entries=demo_entries, dry_run=True)

    assert len(report.created) == 26
    assert ServiceCategory.objects.count() == 0


# --- refused files ---------------------------------------------------------------------


def test_bad_entries_are_all_reported_and_nothing_is_written(departments, demo_entries):
    import_catalog(entries=demo_entries)
    before = snapshot()
    bad = copy.deepcopy(demo_entries)
    by_code = {e["code"]: e for e in bad}
    by_code["MUNI-STREETLIGHT"]["name"] = "路灯坏了"  # a valid change, which must not be applied either
    by_code["MUNI-ROAD"]["default_priority"] = "critical"
    by_code["MUNI-MANHOLE"].update(handler="department", department="DEPT-NOWHERE")
    by_code["ENV-GARBAGE"]["attributes"][0]["datatype"] = "colour"
    by_code["ENV-OBSTRUCTION"]["attributes"][0]["values"] = []
    by_code["ENV-NOISE"]["attributes"][1]["values"].append({"key": "night", "name": "重复"})
    by_code["UTIL-WATER-LEAK"]["attributes"][1]["required"] = "yes"
    by_code["UTIL-WATER-OUTAGE"]["requred"] = True
    by_code["UTIL-HEATING"]["parent"] = "NOPE"
    bad.append({"code": "MUNI-ROAD", "name": "重复的代码"})
    bad.append({"name": "没有代码"})
    bad.append("not an object")
    index = {e["code"]: i for i, e in enumerate(demo_entries)}

    found = problems_of(bad)

    assert found == [
        # shape of each entry, in file order
        (index["MUNI-ROAD"], "MUNI-ROAD", "default_priority"),
        (index["ENV-GARBAGE"], "ENV-GARBAGE", "attributes[0].datatype"),
        (index["ENV-OBSTRUCTION"], "ENV-OBSTRUCTION", "attributes[0].values"),
        (index["ENV-NOISE"], "ENV-NOISE", "attributes[1].values"),
        (index["UTIL-WATER-LEAK"], "UTIL-WATER-LEAK", "attributes[1].required"),
        (index["UTIL-WATER-OUTAGE"], "UTIL-WATER-OUTAGE", "requred"),
        (27, "", "code"),
        (28, "", ""),
        # across entries, then against the database
        (26, "MUNI-ROAD", "code"),
        (index["UTIL-HEATING"], "UTIL-HEATING", "parent"),
        (index["MUNI-MANHOLE"], "MUNI-MANHOLE", "department"),
    ]
    assert snapshot() == before


def test_problem_text_names_index_code_field_problem_and_fix(db):
    with pytest.raises(CatalogImportRefused) as caught:
        import_catalog(entries=[entry("ENV-NOISE", handler="department", department="DEPT-NOWHERE")])

    assert [str(p) for p in caught.value.problems] == [
        "entry [0] (code “ENV-NOISE”), field “department”: No department “DEPT-NOWHERE”. "
        "Fix: Create the department first (admin or seed_demo), or correct the code."
    ]
    assert caught.value.message == "The catalog has 1 problem(s); nothing was imported."
    assert caught.value.fields == {
        "[0].department": [
            "No department “DEPT-NOWHERE”. Create the department first (admin or seed_demo), or correct the code."
        ]
    }


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (entry("bad code!"), "code"),
        (entry("X" * 33), "code"),
        (entry("A.B"), "code"),
        (entry(name=""), "name"),
        (entry(name=5), "name"),
        (entry(name_en="x" * 101), "name_en"),
        (entry(handler="robot"), "handler"),
        (entry(handler="department"), "department"),
        (entry(department="DEPT-WATER"), "department"),
        (entry(requires_confirmation="true"), "requires_confirmation"),
        (entry(active=1), "active"),
        (entry(order=-1), "order"),
        (entry(order="1"), "order"),
        (entry(keywords=[1, 2]), "keywords"),
        (entry(keywords="x" * 201), "keywords"),
        (entry(guide="带身份证"), "guide"),
        (entry(guide={"materials": 5}), "guide.materials"),
        (entry(guide={"time_limit": "x" * 101}), "guide.time_limit"),
        (entry(guide={"cost": "免费"}), "guide.cost"),
        (entry(parent="ENV-NOISE"), "parent"),
        (entry(attributes={"code": "a"}), "attributes"),
        (entry(attributes=["a"]), "attributes[0]"),
        (entry(attributes=[{"name": "A"}]), "attributes[0].code"),
        (entry(attributes=[{"code": "a b", "name": "A"}]), "attributes[0].code"),
        (entry(attributes=[{"code": "a", "name": "A"}, {"code": "a", "name": "B"}]), "attributes[1].code"),
        (entry(attributes=[{"code": "a"}]), "attributes[0].name"),
        (entry(attributes=[{"code": "a", "name": "A", "datatype": "number", "values": [{"key": "1", "name": "一"}]}]),
         "attributes[0].values"),
        (entry(attributes=[{"code": "a", "name": "A", "datatype": "multivaluelist",
                            "values": [{"key": "a,b", "name": "逗号"}]}]), "attributes[0].values"),
        (entry(attributes=[{"code": "a", "name": "A", "datatype": "singlevaluelist", "values": [{"key": "a"}]}]),
         "attributes[0].values"),
        (entry(attributes=[{"code": "a", "name": "A", "datatype": "singlevaluelist", "values": "a,b"}]),
         "attributes[0].values"),
        (entry(attributes=[{"code": "a", "name": "A", "variable": False, "required": True}]),
         "attributes[0].required"),
        (entry(attributes=[{"code": "a", "name": "A", "order": 1.5}]), "attributes[0].order"),
    ],
)  # fmt: skip
def test_each_kind_of_bad_entry_is_refused(departments, bad, field):
    assert [f for *_, f in problems_of([bad])] == [field]
    assert ServiceCategory.objects.count() == 0
    assert CategoryAttribute.objects.count() == 0


def test_unknown_and_inactive_departments_are_refused(departments):
    departments["DEPT-HEAT"].is_active = False
    departments["DEPT-HEAT"].save(update_fields=["is_active"])

    found = problems_of(
        [
            entry("UTIL-HEATING", handler="department", department="DEPT-HEAT"),
            entry("UTIL-GAS", handler="department", department="DEPT-GAS"),
        ]
    )

    assert found == [(0, "UTIL-HEATING", "department"), (1, "UTIL-GAS", "department")]


def test_the_catalog_is_two_levels_deep(db):
    import_catalog(entries=[entry("A", name="甲"), entry("B", name="乙", parent="A"), entry("C", name="丙")])
    before = snapshot()

    with pytest.raises(CatalogImportRefused) as caught:
        import_catalog(entries=[entry("X", name="戊", parent="B"), entry("A", name="甲", parent="C")])

    assert [str(p) for p in caught.value.problems] == [
        "entry [0] (code “X”), field “parent”: “B” is itself inside “A”; groups are one level deep. "
        "Fix: Give a top-level group as the parent.",
        "entry [1] (code “A”), field “parent”: It is a group holding B, so it cannot be inside another group. "
        "Fix: Remove the parent, or move its categories to another group first.",
    ]
    assert snapshot() == before


def test_parent_cycles_are_refused(db):
    import_catalog(entries=[entry("A", name="甲"), entry("B", name="乙", parent="A")])
    before = snapshot()

    assert problems_of([entry("A", name="甲", parent="B")]) == [(0, "A", "parent")]
    assert problems_of([entry("C", name="丙", parent="D"), entry("D", name="丁", parent="C")]) == [
        (0, "C", "parent"),
        (1, "D", "parent"),
    ]
    assert snapshot() == before


def test_the_file_must_be_a_list(db):
    assert problems_of({"categories": []}) == [(None, "", "")]


# --- switching on and off --------------------------------------------------------------


def test_categories_switch_changes_only_those_that_differ(make_category):
    on = make_category("A", name="甲")
    off = make_category("B", name="乙", is_active=False)

    assert categories_switch(categories=[on, off], active=False) == ["A"]
    assert list(ServiceCategory.objects.filter(is_active=True)) == []
    assert categories_switch(categories=ServiceCategory.objects.all(), active=True) == ["A", "B"]
