"""Validating a ticket's answers to its category's attributes (Open311 ``attribute[code]``).

``clean_attribute_values`` is the one place that decides whether answers are
acceptable, whichever interface they came through (portal form, REST, Open311),
and what they look like once stored: only known codes, numbers as numbers,
datetimes as ISO 8601 strings with offset, multiple choices as a list of keys
in the order the category defines them.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from apps.catalog.models import Datatype
from apps.core.errors import ValidationFailed

STRING_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 4000
# Answers are counts, ages, readings: anything beyond 10**15 is a typo, and the
# bound keeps "1e999999999" from being expanded into a billion-digit int.
NUMBER_MAX_DIGITS = 15


class _Refused(Exception):
    """One answer is not acceptable; the message says why and how to fix it."""


def clean_attribute_values(*, category, values: dict) -> dict:
    """Return the normalised answers, or raise ``ValidationFailed`` listing every problem.

    ``values`` maps attribute codes to answers. An empty answer (``None``, ``""``,
    ``[]``) counts as not given. Field errors are keyed ``attributes.<code>``.
    """
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise ValidationFailed(
            _("Attributes must be given as an object mapping each attribute code to its answer."),
            fields={"attributes": [_("Send an object such as {“code”: “answer”}.")]},
        )

    attributes = list(category.attributes.all())
    known = {attribute.code: attribute for attribute in attributes}
    problems: dict[str, list[str]] = {}
    cleaned: dict = {}

    for code in values:
        if code not in known:
            problems[f"attributes.{code}"] = [
                _("“%(code)s” is not an attribute of “%(category)s”; remove it.")
                % {"code": code, "category": category.name}
            ]

    for attribute in sorted(attributes, key=lambda a: (a.order, a.id or 0)):
        raw = values.get(attribute.code)
        given = not _is_empty(raw)
        key = f"attributes.{attribute.code}"
        if not attribute.variable:
            if given:
                problems[key] = [_("“%(name)s” is information only and takes no answer; leave it out.") % _n(attribute)]
            continue
        if not given:
            if attribute.required:
                problems[key] = [_("“%(name)s” is required: give an answer.") % _n(attribute)]
            continue
        try:
            cleaned[attribute.code] = _CLEANERS[attribute.datatype](attribute, raw)
        except _Refused as refused:
            problems[key] = [str(refused)]

    if problems:
        count = len(problems)
        raise ValidationFailed(
            _("%(count)d attribute answer(s) need fixing: see the fields listed.") % {"count": count},
            fields=problems,
        )
    return cleaned


def _n(attribute) -> dict:
    return {"name": attribute.name}


def _is_empty(raw) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, (list, tuple)):
        return all(_is_empty(item) for item in raw)
    return False


def _clean_text(attribute, raw, limit: int) -> str:
    if not isinstance(raw, str):
        raise _Refused(_("“%(name)s” must be text.") % _n(attribute))
    text = raw.strip()
    if len(text) > limit:
        raise _Refused(
            _("“%(name)s” is %(length)d characters long; shorten it to at most %(limit)d.")
            % {"name": attribute.name, "length": len(text), "limit": limit}
        )
    return text


def _clean_string(attribute, raw) -> str:
    return _clean_text(attribute, raw, STRING_MAX_LENGTH)


def _clean_long_text(attribute, raw) -> str:
    return _clean_text(attribute, raw, TEXT_MAX_LENGTH)


def _clean_number(attribute, raw) -> int | float:
    not_a_number = _Refused(_("“%(name)s” must be a number, such as 12 or 3.5.") % _n(attribute))
    if isinstance(raw, bool):
        raise not_a_number
    if isinstance(raw, float) and not math.isfinite(raw):
        raise not_a_number
    if not isinstance(raw, (str, int, float, Decimal)):
        raise not_a_number
    try:
        number = Decimal(raw.strip() if isinstance(raw, str) else str(raw))
    except (InvalidOperation, ValueError):
        raise not_a_number from None
    if not number.is_finite():
        raise not_a_number
    if number and number.adjusted() >= NUMBER_MAX_DIGITS:
        raise _Refused(
            _("“%(name)s” is too large: give a number below 10^%(digits)d.")
            % {"name": attribute.name, "digits": NUMBER_MAX_DIGITS}
        )
    # Integral answers stay exact ints; others become floats so the result can
    # be stored in a JSON column as it is.
    if number == number.to_integral_value():
        return int(number)
    return float(number)


def _clean_datetime(attribute, raw) -> str:
    invalid = _Refused(
        _("“%(name)s” must be a date and time in ISO 8601, such as 2026-12-01T08:30:00+08:00.") % _n(attribute)
    )
    if isinstance(raw, datetime):
        moment = raw
    elif isinstance(raw, date):
        moment = datetime(raw.year, raw.month, raw.day)
    elif isinstance(raw, str):
        text = raw.strip()
        # Python 3.10's fromisoformat does not read a trailing "Z".
        if text[-1:] in {"Z", "z"}:
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise invalid from None
    else:
        raise invalid
    if timezone.is_naive(moment):
        # A naive answer means local time where the service desk runs (TIME_ZONE, Asia/Shanghai).
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment.isoformat()


def _choice_keys(attribute) -> list[str]:
    return [str(choice.get("key")) for choice in attribute.values or [] if isinstance(choice, dict)]


def _as_key(raw):
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, str):
        return raw.strip()
    return None


def _clean_single(attribute, raw) -> str:
    keys = _choice_keys(attribute)
    key = _as_key(raw)
    if key not in keys:
        raise _Refused(
            _("“%(value)s” is not a choice of “%(name)s”: use one of %(keys)s.")
            % {"value": _shorten(raw), "name": attribute.name, "keys": ", ".join(keys)}
        )
    return key


def _clean_multi(attribute, raw) -> list[str]:
    keys = _choice_keys(attribute)
    if isinstance(raw, str):
        # Open311 clients may send "a,b" instead of attribute[code][]=a&attribute[code][]=b.
        items = [part.strip() for part in raw.split(",")]
    elif isinstance(raw, (list, tuple)):
        items = [_as_key(item) for item in raw]
    else:
        raise _Refused(_("“%(name)s” must be a list of choice keys.") % _n(attribute))
    items = [item for item in items if item != ""]
    unknown = list(dict.fromkeys(_shorten(item) for item in items if item not in keys))
    if unknown:
        raise _Refused(
            _("%(values)s: not choices of “%(name)s”; use keys from %(keys)s.")
            % {"values": ", ".join(unknown[:5]), "name": attribute.name, "keys": ", ".join(keys)}
        )
    counts = Counter(items)
    duplicated = sorted((item for item, count in counts.items() if count > 1), key=keys.index)
    if duplicated:
        raise _Refused(
            _("%(values)s chosen more than once for “%(name)s”; give each choice once.")
            % {"values": ", ".join(duplicated), "name": attribute.name}
        )
    return [key for key in keys if key in items]


def _shorten(value, limit: int = 40) -> str:
    # Refused answers are echoed in the message; a hostile one must not make it huge.
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_CLEANERS = {
    Datatype.STRING: _clean_string,
    Datatype.TEXT: _clean_long_text,
    Datatype.NUMBER: _clean_number,
    Datatype.DATETIME: _clean_datetime,
    Datatype.SINGLEVALUELIST: _clean_single,
    Datatype.MULTIVALUELIST: _clean_multi,
}
