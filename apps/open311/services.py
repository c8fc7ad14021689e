"""``POST requests``: turn an Open311 form into a ticket through the one intake, ``ticket_submit``.

This module only translates: Open311 field names in, the intake's checks and
routing unchanged, and the intake's field names mapped back so every 400 names
the field the client sent.
"""

from __future__ import annotations

import math
import re
import secrets
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import ValidationFailed
from apps.open311.models import ApiKey, SubmittedRequest
from apps.open311.render import Open311Error
from apps.open311.selectors import service_by_code
from apps.places.models import Level, OrgNode
from apps.tickets import services as ticket_services
from apps.tickets.models import Channel, Ticket

DESCRIPTION_MAX_LENGTH = 4000
ATTRIBUTE_KEY = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
# The intake's field names → the Open311 names the client used.
FIELD_NAMES = {
    "category": "service_code",
    "description": "description",
    "lat": "lat",
    "lng": "long",
    "location": "lat/long, address_string or address_id",
    "address": "address_string",
    "community": "address_id",
    "contact_name": "first_name/last_name",
    "contact_phone": "phone",
}
SHORT_FIELDS = {"first_name": 50, "last_name": 50, "device_id": 100, "account_id": 100, "address_id": 32}


def _field_error(field: str, message: str) -> str:
    return f"{field}: {message}"


def open311_field(intake_field: str) -> str:
    if intake_field.startswith("attributes."):
        return f"attribute[{intake_field.split('.', 1)[1]}]"
    return FIELD_NAMES.get(intake_field, intake_field)


def parse_attributes(form) -> dict:
    """``attribute[code]=v`` → {code: v}; ``attribute[code][]=a&…=b`` (or a repeated key) → {code: [a, b]}."""
    answers: dict = {}
    for key in form:
        match = ATTRIBUTE_KEY.match(key)
        if match is None:
            continue
        code, is_list = match.group(1), bool(match.group(2))
        values = form.getlist(key)
        if is_list or len(values) > 1:
            previous = answers.get(code)
            merged = (previous if isinstance(previous, list) else [previous] if previous is not None else []) + values
            answers[code] = merged
        else:
            answers[code] = values[0] if values else ""
    return answers


def _coordinate(form, name: str, bound: float, problems: list[str]) -> float | None:
    raw = (form.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not -bound <= value <= bound:
        problems.append(
            _field_error(name, _("give a number between -%(bound)d and %(bound)d (WGS84 degrees).") % {"bound": bound})
        )
        return None
    return value


def _full_name(first: str, last: str) -> str:
    # Chinese names read family name first, without a space: 张 + 三 → 张三.
    if first and last and all(unicodedata.east_asian_width(ch) in "WF" for ch in first + last):
        return f"{last}{first}"
    return " ".join(part for part in (first, last) if part)


def _community_for(address_id: str) -> OrgNode | None:
    """``address_id`` is the code of a community or a grid of the org tree (our address registry)."""
    node = OrgNode.objects.select_related("parent").filter(code=address_id, is_active=True).first()
    if node is None:
        return None
    if node.level == Level.COMMUNITY:
        return node
    if node.level == Level.GRID and node.parent is not None and node.parent.level == Level.COMMUNITY:
        return node.parent
    return None


def _cleaned_form(form) -> dict:
    """Check what only Open311 defines; collect every problem before refusing."""
    problems: list[str] = []
    service_code = (form.get("service_code") or "").strip()
    category = None
    if not service_code:
        problems.append(_field_error("service_code", _("required: give the code of a service from services.json.")))
    else:
        category = service_by_code(service_code)
        if category is None:
            problems.append(
                _field_error(
                    "service_code",
                    _("“%(code)s” is not a service offered here: pick a service_code from services.json.")
                    % {"code": service_code},
                )
            )
    lat = _coordinate(form, "lat", 90, problems)
    lng = _coordinate(form, "long", 180, problems)
    address = (form.get("address_string") or "").strip()
    if len(address) > 300:
        problems.append(_field_error("address_string", _("at most 300 characters.")))
    description = form.get("description") or ""
    if len(description) > DESCRIPTION_MAX_LENGTH:
        problems.append(
            _field_error(
                "description",
                _("%(length)d characters long; shorten it to at most %(max)d.")
                % {"length": len(description), "max": DESCRIPTION_MAX_LENGTH},
            )
        )
    values = {name: (form.get(name) or "").strip() for name in SHORT_FIELDS}
    for name, limit in SHORT_FIELDS.items():
        if len(values[name]) > limit:
            problems.append(_field_error(name, _("at most %(max)d characters.") % {"max": limit}))
    community = None
    if values["address_id"]:
        community = _community_for(values["address_id"])
        if community is None:
            problems.append(
                _field_error(
                    "address_id",
                    _("“%(id)s” is not a known address id (a community or grid code); send lat/long or address_string.")
                    % {"id": values["address_id"]},
                )
            )
    given_lat, given_long = bool((form.get("lat") or "").strip()), bool((form.get("long") or "").strip())
    if given_lat != given_long:
        missing = "long" if given_lat else "lat"
        problems.append(_field_error(missing, _("send lat and long together, or neither.")))
    elif not given_lat and not address and not values["address_id"]:
        problems.append(
            _field_error(
                "lat/long, address_string or address_id", _("a location is required: send lat and long, or an address.")
            )
        )
    email = (form.get("email") or "").strip()
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            problems.append(_field_error("email", _("not a valid email address.")))
    media_url = (form.get("media_url") or "").strip()
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
            if len(media_url) > 500:
                raise ValidationError("too long")
        except ValidationError:
            problems.append(_field_error("media_url", _("give an http or https URL of at most 500 characters.")))
    if problems:
        raise Open311Error(400, problems)
    return {
        "category": category,
        "lat": lat,
        "lng": lng,
        "address": address,
        "community": community,
        "description": description,
        "contact_name": _full_name(values["first_name"], values["last_name"]) or email or values["account_id"],
        "phone": (form.get("phone") or "").strip(),
        "email": email,
        "media_url": media_url,
        "device_id": values["device_id"],
        "account_id": values["account_id"],
        "address_id": values["address_id"],
    }


@transaction.atomic
def open311_submit(*, api_key: ApiKey, form) -> SubmittedRequest:
    """Create the ticket (channel "open311", detail = the application) and its Open311 record.

    Raises ``Open311Error(400, …)`` naming each Open311 field that needs fixing.
    """
    data = _cleaned_form(form)
    try:
        ticket: Ticket = ticket_services.ticket_submit(
            category=data["category"],
            description=data["description"],
            channel=Channel.OPEN311,
            channel_detail=api_key.application,
            contact_name=data["contact_name"],
            contact_phone=data["phone"],
            attributes=parse_attributes(form),
            lat=data["lat"],
            lng=data["lng"],
            address=data["address"],
            community=data["community"],
        )
    except ValidationFailed as refused:
        if not refused.fields:
            raise Open311Error(400, refused.message) from None
        raise Open311Error(
            400,
            [
                _field_error(open311_field(field), message)
                for field, messages in refused.fields.items()
                for message in messages
            ],
        ) from None
    return SubmittedRequest.objects.create(
        ticket=ticket,
        api_key=api_key,
        token=secrets.token_urlsafe(18),
        media_url=data["media_url"],
        address_id=data["address_id"],
        email=data["email"],
        device_id=data["device_id"],
        account_id=data["account_id"],
        created_at=timezone.now(),
    )
