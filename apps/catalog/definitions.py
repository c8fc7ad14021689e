"""Rules for an attribute *definition* (its type and its list of choices).

Shared by the admin (through ``CategoryAttribute.clean``) and ``import_catalog``,
so a definition the one accepts the other accepts too. The rules follow Open311
GeoReport v2: list types carry ``values`` of ``{"key", "name"}``, other types none.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from apps.catalog.models import Datatype

LIST_DATATYPES = frozenset({Datatype.SINGLEVALUELIST, Datatype.MULTIVALUELIST})
KEY_MAX_LENGTH = 50
VALUE_NAME_MAX_LENGTH = 200


def check_attribute_definition(*, datatype, values, required: bool = False, variable: bool = True) -> dict:
    """Return ``{field: [problem, ...]}`` for a definition; empty when it is valid."""
    problems: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    if datatype not in Datatype.values:
        add(
            "datatype",
            _("Unknown type “%(datatype)s”: use one of %(choices)s.")
            % {"datatype": datatype, "choices": ", ".join(Datatype.values)},
        )
    if required and not variable:
        add("required", _("An attribute that takes no answer cannot be required: untick “required”."))

    if not isinstance(values, list):
        add("values", _('Choices must be a JSON list such as [{"key": "a", "name": "A"}].'))
        return problems

    if datatype in LIST_DATATYPES:
        if not values:
            add("values", _("A choice list needs at least one choice: add {“key”, “name”} entries."))
        for message in _check_choices(values):
            add("values", message)
    elif values and datatype in Datatype.values:
        add(
            "values",
            _("Only single and multiple choice attributes have choices: empty the list or change the type."),
        )
    return problems


def _check_choices(values: list) -> list[str]:
    messages = []
    seen: set[str] = set()
    for position, item in enumerate(values, start=1):
        if not isinstance(item, dict) or set(item) != {"key", "name"}:
            messages.append(_('Choice %(n)d must be an object with exactly "key" and "name".') % {"n": position})
            continue
        key, name = item["key"], item["name"]
        if not isinstance(key, str) or not key.strip():
            messages.append(_("Choice %(n)d: the key must be a non-empty text.") % {"n": position})
        elif key != key.strip() or "," in key or len(key) > KEY_MAX_LENGTH:
            # Open311 clients may send several keys comma-separated, so a comma
            # inside a key would make the answer ambiguous.
            messages.append(
                _(
                    "Choice %(n)d: the key “%(key)s” must be at most %(max)d characters, "
                    "without commas or surrounding spaces."
                )
                % {"n": position, "key": key, "max": KEY_MAX_LENGTH}
            )
        elif key in seen:
            messages.append(
                _("Choice %(n)d: the key “%(key)s” is used twice; give each choice its own key.")
                % {"n": position, "key": key}
            )
        else:
            seen.add(key)
        if not isinstance(name, str) or not name.strip() or len(name) > VALUE_NAME_MAX_LENGTH:
            messages.append(
                _("Choice %(n)d: the name must be a non-empty text of at most %(max)d characters.")
                % {"n": position, "max": VALUE_NAME_MAX_LENGTH}
            )
    return messages
