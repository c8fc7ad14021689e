"""Reading and checking a catalog file before anything is written.

``parse_catalog`` turns the JSON entries into ``CategorySpec`` objects and
collects *every* problem (entry index, code, field, what is wrong, how to fix
it), so an operator fixes the whole file in one pass. The write itself lives in
``services.import_catalog``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from apps.catalog.definitions import check_attribute_definition
from apps.catalog.models import CODE_PATTERN, Datatype, Handler
from apps.core.choices import Priority

CATEGORY_KEYS = (
    "code", "name", "name_en", "parent", "description", "keywords", "guide", "default_priority",
    "handler", "department", "requires_confirmation", "active", "order", "attributes",
)  # fmt: skip
GUIDE_KEYS = ("materials", "steps", "time_limit")
ATTRIBUTE_KEYS = (
    "code", "name", "name_en", "datatype", "required", "variable", "order", "description",
    "datatype_description", "values",
)  # fmt: skip
_CODE = re.compile(CODE_PATTERN)
_ATTRIBUTE_CODE = re.compile(r"^[-a-zA-Z0-9_]+$")
# Operators type Chinese punctuation as often as ASCII.
_KEYWORD_SPLIT = re.compile(r"[,，、;；]")


@dataclass(frozen=True)
class ImportProblem:
    index: int | None
    code: str
    field: str
    problem: str
    fix: str

    def __str__(self) -> str:
        where = _("file") if self.index is None else _("entry [%(index)d]") % {"index": self.index}
        if self.code:
            where += _(" (code “%(code)s”)") % {"code": self.code}
        if self.field:
            where += _(", field “%(field)s”") % {"field": self.field}
        return _("%(where)s: %(problem)s Fix: %(fix)s") % {"where": where, "problem": self.problem, "fix": self.fix}


@dataclass
class CategorySpec:
    index: int
    code: str
    parent_code: str | None
    department_code: str | None
    fields: dict  # model field name -> value (without parent and department)
    attributes: list[dict] = field(default_factory=list)  # model field name -> value, in file order


class _Entry:
    """Reads one JSON object, recording problems instead of raising."""

    def __init__(self, data: dict, *, index: int, code: str, prefix: str, problems: list[ImportProblem]):
        self.data, self.index, self.code, self.prefix, self.problems = data, index, code, prefix, problems

    def problem(self, key: str, problem: str, fix: str) -> None:
        self.problems.append(ImportProblem(self.index, self.code, f"{self.prefix}{key}", problem, fix))

    def unknown_keys(self, allowed: tuple[str, ...]) -> None:
        for key in self.data:
            if key not in allowed:
                self.problem(
                    key,
                    _("Unknown field."),
                    _("Remove it or correct its spelling; known fields: %(keys)s.") % {"keys": ", ".join(allowed)},
                )

    def text(self, key: str, *, max_length: int, required: bool = False, default: str = "") -> str:
        value = self.data.get(key)
        if value is None:
            if required:
                self.problem(key, _("Missing."), _("Give a non-empty text."))
            return default
        if not isinstance(value, str):
            self.problem(key, _("Not a text."), _("Write it as a JSON string in quotes."))
            return default
        value = value.strip()
        if required and not value:
            self.problem(key, _("Empty."), _("Give a non-empty text."))
        if len(value) > max_length:
            self.problem(
                key,
                _("%(length)d characters long.") % {"length": len(value)},
                _("Shorten it to at most %(max)d characters.") % {"max": max_length},
            )
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.problem(key, _("Not true or false."), _("Write true or false, without quotes."))
            return default
        return value

    def whole_number(self, key: str, default: int) -> int:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.problem(key, _("Not a whole number of 0 or more."), _("Write a number such as 10, without quotes."))
            return default
        return value

    def choice(self, key: str, choices, default: str) -> str:
        value = self.data.get(key, default)
        if value not in choices.values:
            self.problem(
                key,
                _("“%(value)s” is not allowed.") % {"value": value},
                _("Use one of: %(choices)s.") % {"choices": ", ".join(choices.values)},
            )
            return default
        return value

    def markdown(self, key: str, *, numbered: bool) -> str:
        """A guide text: a Markdown string, or a list of lines made into a Markdown list."""
        value = self.data.get(key)
        if value is None:
            return ""
        if isinstance(value, list) and all(isinstance(line, str) for line in value):
            lines = [line.strip() for line in value if line.strip()]
            return "\n".join(f"{n}. {line}" if numbered else f"- {line}" for n, line in enumerate(lines, start=1))
        if not isinstance(value, str):
            self.problem(key, _("Not a text."), _("Write Markdown text, or a list of texts (one per line)."))
            return ""
        return value.strip()


def parse_catalog(entries) -> tuple[list[CategorySpec], list[ImportProblem]]:
    """Check the shape of every entry; cross-entry and database checks come later."""
    problems: list[ImportProblem] = []
    if not isinstance(entries, list):
        problems.append(
            ImportProblem(
                None, "", "", _("The catalog is not a JSON list."), _("Put the categories in a list: [{...}, {...}].")
            )
        )
        return [], problems
    specs = []
    for index, data in enumerate(entries):
        if not isinstance(data, dict):
            problems.append(
                ImportProblem(index, "", "", _("The entry is not a JSON object."), _("Write it as {“code”: ...}."))
            )
            continue
        spec = _parse_category(data, index, problems)
        if spec is not None:
            specs.append(spec)
    return specs, problems


def _parse_category(data: dict, index: int, problems: list[ImportProblem]) -> CategorySpec | None:
    raw_code = data.get("code")
    code = raw_code.strip() if isinstance(raw_code, str) else ""
    entry = _Entry(data, index=index, code=code, prefix="", problems=problems)
    entry.unknown_keys(CATEGORY_KEYS)
    if not code:
        entry.problem("code", _("Missing or not a text."), _("Give each category a unique code such as “ENV-NOISE”."))
    elif not _CODE.match(code) or len(code) > 32:
        entry.problem(
            "code",
            _("“%(code)s” is not a valid code.") % {"code": code},
            _("Use at most 32 letters, digits, '-' and '_'."),
        )

    fields = {
        "name": entry.text("name", max_length=100, required=True),
        "name_en": entry.text("name_en", max_length=100),
        "description": entry.text("description", max_length=10_000),
        "keywords": _keywords(entry),
        "default_priority": entry.choice("default_priority", Priority, Priority.NORMAL),
        "handler": entry.choice("handler", Handler, Handler.GRID),
        "requires_confirmation": entry.boolean("requires_confirmation", True),
        "is_active": entry.boolean("active", True),
        "order": entry.whole_number("order", 0),
    }
    fields.update(_guide(data, index, code, problems))

    parent_code = entry.text("parent", max_length=32) or None
    if parent_code is not None and parent_code == code:
        entry.problem("parent", _("A category cannot be its own parent."), _("Give the code of its group, or none."))
    department_code = entry.text("department", max_length=32) or None
    if fields["handler"] == Handler.DEPARTMENT and department_code is None:
        entry.problem(
            "department",
            _("Missing: the category is handled by a department."),
            _("Give the department's code, or set handler to “grid”."),
        )
    if fields["handler"] == Handler.GRID and department_code is not None:
        entry.problem(
            "department",
            _("Given, but the category is handled by the grid worker."),
            _("Remove the department, or set handler to “department”."),
        )

    attributes = _attributes(data, index, code, problems)
    if not code:
        return None
    return CategorySpec(index, code, parent_code, department_code, fields, attributes)


def _keywords(entry: _Entry) -> str:
    value = entry.data.get("keywords")
    if value is None:
        return ""
    if isinstance(value, str):
        words = _KEYWORD_SPLIT.split(value)
    elif isinstance(value, list) and all(isinstance(word, str) for word in value):
        words = value
    else:
        entry.problem("keywords", _("Not a list of texts."), _('Write ["word", "word"] or "word, word".'))
        return ""
    joined = ",".join(word.strip() for word in words if word.strip())
    if len(joined) > 200:
        entry.problem(
            "keywords",
            _("%(length)d characters long in total.") % {"length": len(joined)},
            _("Keep the keywords under 200 characters together."),
        )
    return joined


def _guide(data: dict, index: int, code: str, problems: list[ImportProblem]) -> dict:
    guide = data.get("guide") or {}
    if not isinstance(guide, dict):
        problems.append(
            ImportProblem(
                index, code, "guide", _("Not an object."), _("Write {“materials”: …, “steps”: …, “time_limit”: …}.")
            )
        )
        guide = {}
    entry = _Entry(guide, index=index, code=code, prefix="guide.", problems=problems)
    entry.unknown_keys(GUIDE_KEYS)
    return {
        "guide_materials": entry.markdown("materials", numbered=False),
        "guide_steps": entry.markdown("steps", numbered=True),
        "guide_time_limit": entry.text("time_limit", max_length=100),
    }


def _attributes(data: dict, index: int, code: str, problems: list[ImportProblem]) -> list[dict]:
    raw = data.get("attributes", [])
    if not isinstance(raw, list):
        problems.append(
            ImportProblem(index, code, "attributes", _("Not a list."), _("Write the attributes as a list: [{...}].")),
        )
        return []
    attributes, seen = [], set()
    for position, item in enumerate(raw):
        prefix = f"attributes[{position}]."
        if not isinstance(item, dict):
            problems.append(
                ImportProblem(index, code, prefix[:-1], _("Not an object."), _("Write it as {“code”: ...}."))
            )
            continue
        entry = _Entry(item, index=index, code=code, prefix=prefix, problems=problems)
        entry.unknown_keys(ATTRIBUTE_KEYS)
        attribute_code = entry.text("code", max_length=50, required=True)
        if attribute_code and not _ATTRIBUTE_CODE.match(attribute_code):
            entry.problem(
                "code",
                _("“%(code)s” is not a valid attribute code.") % {"code": attribute_code},
                _("Use letters, digits, '-' and '_' only, such as “pole_number”."),
            )
        elif attribute_code in seen:
            entry.problem(
                "code",
                _("“%(code)s” is used twice in this category.") % {"code": attribute_code},
                _("Give each attribute its own code."),
            )
        seen.add(attribute_code)
        values = item.get("values", [])
        spec = {
            "code": attribute_code,
            "name": entry.text("name", max_length=200, required=True),
            "name_en": entry.text("name_en", max_length=200),
            "datatype": entry.choice("datatype", Datatype, Datatype.STRING),
            "required": entry.boolean("required", False),
            "variable": entry.boolean("variable", True),
            "order": entry.whole_number("order", position + 1),
            "description": entry.text("description", max_length=300),
            "datatype_description": entry.text("datatype_description", max_length=200),
            "values": values,
        }
        for key, messages in check_attribute_definition(
            datatype=item.get("datatype", Datatype.STRING),
            values=values,
            required=spec["required"],
            variable=spec["variable"],
        ).items():
            if key == "datatype":
                continue  # already reported by entry.choice
            for message in messages:
                entry.problem(key, message, _("Correct the attribute definition as described."))
        attributes.append(spec)
    return attributes
