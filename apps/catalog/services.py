"""Writing the service catalog: ``import_catalog`` is the one way a catalog file arrives."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from apps.catalog.importing import CategorySpec, ImportProblem, parse_catalog
from apps.catalog.models import CategoryAttribute, ServiceCategory
from apps.core.errors import ValidationFailed
from apps.places.models import Department

ATTRIBUTE_FIELDS = (
    "name", "name_en", "datatype", "required", "variable", "order", "description", "datatype_description", "values",
)  # fmt: skip


class CatalogImportRefused(ValidationFailed):
    """The file has problems; nothing was written. ``problems`` lists every one."""

    default_code = "catalog_import_refused"

    def __init__(self, problems: list[ImportProblem]):
        self.problems = problems
        fields: dict[str, list[str]] = {}
        for problem in problems:
            key = "file" if problem.index is None else f"[{problem.index}]"
            key += f".{problem.field}" if problem.field else ""
            fields.setdefault(key, []).append(f"{problem.problem} {problem.fix}")
        super().__init__(
            _("The catalog has %(count)d problem(s); nothing was imported.") % {"count": len(problems)},
            fields=fields,
        )


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # In the database but not in the file: kept (tickets refer to them) unless deactivated.
    missing: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)


class _DryRun(Exception):
    pass


def import_catalog(*, entries, deactivate_missing: bool = False, dry_run: bool = False) -> ImportReport:
    """Create or update categories (and replace their attributes) from catalog entries.

    All or nothing: any problem raises ``CatalogImportRefused`` and writes nothing.
    Running it again with the same entries changes nothing. Categories missing from
    the file are never deleted; with ``deactivate_missing`` they are switched off.
    With ``dry_run`` everything is checked and reported, then rolled back.
    """
    report = ImportReport()
    try:
        with transaction.atomic():
            _import(entries, deactivate_missing, report)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def _import(entries, deactivate_missing: bool, report: ImportReport) -> None:
    specs, problems = parse_catalog(entries)
    # Lock the catalog so two imports cannot interleave their reads and writes.
    existing = {c.code: c for c in ServiceCategory.objects.select_for_update(of=("self",)).select_related("parent")}
    problems += _check_across(specs, existing, deactivate_missing)
    departments = {
        d.code: d for d in Department.objects.filter(code__in={s.department_code for s in specs if s.department_code})
    }
    problems += _check_departments(specs, departments)
    if problems:
        raise CatalogImportRefused(problems)

    attributes_by_category: dict[int, dict[str, CategoryAttribute]] = {}
    for attribute in CategoryAttribute.objects.filter(category__in=[c.pk for c in existing.values()]):
        attributes_by_category.setdefault(attribute.category_id, {})[attribute.code] = attribute

    saved: dict[str, ServiceCategory] = dict(existing)
    for spec in _parents_first(specs):
        parent = saved[spec.parent_code] if spec.parent_code else None
        department = departments[spec.department_code] if spec.department_code else None
        values = {
            **spec.fields,
            "parent_id": parent.pk if parent else None,
            "department_id": department.pk if department else None,
        }
        category = existing.get(spec.code)
        if category is None:
            category = ServiceCategory.objects.create(code=spec.code, **values)
            _write_attributes(category, spec.attributes, {})
            report.created.append(spec.code)
        else:
            changed = [name for name, value in values.items() if getattr(category, name) != value]
            if changed:
                for name in changed:
                    setattr(category, name, values[name])
                category.save(update_fields=changed)
            current = attributes_by_category.get(category.pk, {})
            attributes_changed = _write_attributes(category, spec.attributes, current)
            (report.updated if changed or attributes_changed else report.unchanged).append(spec.code)
        saved[spec.code] = category

    in_file = {spec.code for spec in specs}
    for code, category in sorted(existing.items()):
        if code in in_file:
            continue
        report.missing.append(code)
        if deactivate_missing and category.is_active:
            category.is_active = False
            category.save(update_fields=["is_active"])
            report.deactivated.append(code)


def _write_attributes(category: ServiceCategory, specs: list[dict], current: dict[str, CategoryAttribute]) -> bool:
    """Make the category's attributes exactly ``specs``; return whether anything changed."""
    changed = False
    wanted = {spec["code"] for spec in specs}
    stale = [attribute.pk for code, attribute in current.items() if code not in wanted]
    if stale:
        CategoryAttribute.objects.filter(pk__in=stale).delete()
        changed = True
    for spec in specs:
        attribute = current.get(spec["code"])
        if attribute is None:
            CategoryAttribute.objects.create(category=category, **spec)
            changed = True
            continue
        differing = [name for name in ATTRIBUTE_FIELDS if getattr(attribute, name) != spec[name]]
        if differing:
            for name in differing:
                setattr(attribute, name, spec[name])
            attribute.save(update_fields=differing)
            changed = True
    return changed


def _check_across(specs: list[CategorySpec], existing: dict, deactivate_missing: bool) -> list[ImportProblem]:
    problems = []
    first_index: dict[str, int] = {}
    for spec in specs:
        if spec.code in first_index:
            problems.append(
                ImportProblem(
                    spec.index,
                    spec.code,
                    "code",
                    _("Also used by entry [%(other)d].") % {"other": first_index[spec.code]},
                    _("Give each category a unique code, or merge the two entries."),
                )
            )
        else:
            first_index[spec.code] = spec.index

    in_file = {spec.code: spec for spec in specs}
    # The parent of each code after the import: the file's word wins over the database.
    parent_of = {code: (c.parent.code if c.parent_id else None) for code, c in existing.items()}
    parent_of.update({spec.code: spec.parent_code for spec in specs})
    # The catalog is two levels deep, like Open311's ``group``: groups, and the
    # categories inside them. That also rules out cycles.
    children_of: dict[str, set[str]] = {}
    for code, parent_code in parent_of.items():
        if parent_code:
            children_of.setdefault(parent_code, set()).add(code)
    for spec in specs:
        if not spec.parent_code or spec.parent_code == spec.code:
            continue
        if spec.parent_code not in in_file and spec.parent_code not in existing:
            problems.append(
                ImportProblem(
                    spec.index,
                    spec.code,
                    "parent",
                    _("No category “%(parent)s” in the file or the catalog.") % {"parent": spec.parent_code},
                    _("Add that category to the file, or correct the parent code."),
                )
            )
        elif deactivate_missing and spec.parent_code not in in_file and existing[spec.parent_code].is_active:
            problems.append(
                ImportProblem(
                    spec.index,
                    spec.code,
                    "parent",
                    _("“%(parent)s” is not in the file, so --deactivate-missing would switch it off and hide this one.")
                    % {"parent": spec.parent_code},
                    _("Add the parent to the file, or run without --deactivate-missing."),
                )
            )
        elif parent_of.get(spec.parent_code) is not None:
            problems.append(
                ImportProblem(
                    spec.index,
                    spec.code,
                    "parent",
                    _("“%(parent)s” is itself inside “%(grandparent)s”; groups are one level deep.")
                    % {"parent": spec.parent_code, "grandparent": parent_of[spec.parent_code]},
                    _("Give a top-level group as the parent."),
                )
            )
        elif children_of.get(spec.code):
            problems.append(
                ImportProblem(
                    spec.index,
                    spec.code,
                    "parent",
                    _("It is a group holding %(children)s, so it cannot be inside another group.")
                    % {"children": ", ".join(sorted(children_of[spec.code]))},
                    _("Remove the parent, or move its categories to another group first."),
                )
            )
    return problems


def _check_departments(specs: list[CategorySpec], departments: dict) -> list[ImportProblem]:
    problems = []
    for spec in specs:
        if not spec.department_code:
            continue
        department = departments.get(spec.department_code)
        if department is None:
            problems.append(
                ImportProblem(
                    spec.index,
                    spec.code,
                    "department",
                    _("No department “%(department)s”.") % {"department": spec.department_code},
                    _("Create the department first (admin or seed_demo), or correct the code."),
                )
            )
        elif not department.is_active:
            problems.append(
                ImportProblem(
                    spec.index,
                    spec.code,
                    "department",
                    _("Department “%(department)s” is switched off.") % {"department": spec.department_code},
                    _("Switch the department on, or choose another one."),
                )
            )
    return problems


def _parents_first(specs: list[CategorySpec]) -> list[CategorySpec]:
    """File order, except that a parent defined in the file is written before its children."""
    by_code = {spec.code: spec for spec in specs}
    ordered: list[CategorySpec] = []
    placed: set[str] = set()

    def place(spec: CategorySpec) -> None:
        if spec.code in placed:
            return
        placed.add(spec.code)
        parent = by_code.get(spec.parent_code) if spec.parent_code else None
        if parent is not None:
            place(parent)
        ordered.append(spec)

    for spec in specs:
        place(spec)
    return ordered


@transaction.atomic
def categories_switch(*, categories, active: bool) -> list[str]:
    """Switch categories on or off (never delete: tickets keep their category); return the codes changed."""
    changed = list(
        ServiceCategory.objects.select_for_update()
        .filter(pk__in=[c.pk for c in categories], is_active=not active)
        .values_list("code", flat=True)
    )
    ServiceCategory.objects.filter(code__in=changed).update(is_active=active)
    return sorted(changed)
