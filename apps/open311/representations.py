"""The public shape of services, definitions and requests (GeoReport v2 field names).

Nothing here reads a resident's personal data: no contact name or phone, no email,
device or account id. A city may hide more (``Publication``, from the OPEN311_PUBLISH_*
settings): descriptions, and addresses together with the precise point. Which tickets
are shown at all is the selectors' business (OPEN311_PUBLIC_CHANNELS). Datetimes are
ISO 8601 with the local offset (+08:00); ids are strings; lat/long are numbers or null.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.open311 import conf
from apps.tickets.models import OPEN_STATES, State

# Hidden addresses leave lat/long rounded to 3 decimals: about 110 m north–south and 90 m
# east–west at Jinan's latitude, enough to map the problem to a block, too coarse to name
# the door. Without this, the exact point would give the address back (reverse geocoding).
COARSE_DECIMALS = 3


@dataclass(frozen=True)
class Publication:
    """What a request's public answer may carry beyond the basics; read once per response."""

    addresses: bool = True
    descriptions: bool = True

    @classmethod
    def from_settings(cls) -> Publication:
        return cls(addresses=conf.publish_addresses(), descriptions=conf.publish_descriptions())


def coarse(value: float | None) -> float | None:
    return None if value is None else round(value, COARSE_DECIMALS)


def localized(obj, field: str = "name") -> str:
    """The English name when the caller asked for English and one exists; the Chinese one otherwise."""
    english = getattr(obj, f"{field}_en", "")
    if english and (translation.get_language() or "").startswith("en"):
        return english
    return getattr(obj, field)


def iso(moment) -> str | None:
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _keywords(category) -> str | None:
    words = [word.strip() for word in (category.keywords or "").split(",") if word.strip()]
    return ",".join(words) or None


def service_entry(category) -> dict:
    return {
        "service_code": category.code,
        "service_name": localized(category),
        "description": category.description or None,
        # Attributes are prefetched: len() reads the cache, no query per service.
        "metadata": len(category.attributes.all()) > 0,
        "type": "realtime",
        "keywords": _keywords(category),
        "group": localized(category.parent) if category.parent_id else None,
    }


def _attribute_description(attribute) -> str:
    question = localized(attribute)
    return f"{question} — {attribute.description}" if attribute.description else question


def service_definition(category) -> dict:
    attributes = sorted(category.attributes.all(), key=lambda a: (a.order, a.id))
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": attribute.variable,
                "code": attribute.code,
                "datatype": attribute.datatype,
                "required": attribute.required,
                "datatype_description": attribute.datatype_description or None,
                # The spec counts from 1 ("1 is shown first"); our order may start anywhere.
                "order": position,
                "description": _attribute_description(attribute),
                "values": [{"key": str(v["key"]), "name": str(v["name"])} for v in attribute.values or []],
            }
            for position, attribute in enumerate(attributes, start=1)
        ],
    }


def status_of(ticket) -> str:
    return "open" if ticket.state in OPEN_STATES else "closed"


def status_notes(ticket, publication: Publication) -> str | None:
    """Why the status is what it is. A reject reason or a resolution note is staff's free text about
    the resident's request and can say as much as the description: hidden with the descriptions."""
    if ticket.state == State.MERGED and ticket.merged_into_id:
        return _("Merged into request %(code)s.") % {"code": ticket.merged_into.code}
    if not publication.descriptions:
        return None
    if ticket.state == State.REJECTED:
        return ticket.reject_reason or None
    if ticket.state in (State.RESOLVED, State.CLOSED):
        return ticket.resolution_note or None
    return None


def agency_responsible(ticket) -> str | None:
    for place in (ticket.department, ticket.grid, ticket.community):
        if place is not None:
            return place.name
    return None


def service_notice(category) -> str | None:
    return category.guide_time_limit or None


def _submitted(ticket):
    try:
        return ticket.open311
    except ObjectDoesNotExist:  # a ticket from another channel
        return None


def request_entry(ticket, publication: Publication | None = None) -> dict:
    publication = publication or Publication.from_settings()
    submitted = _submitted(ticket)
    # address_id is a community or grid code the client chose: part of the address, hidden with it.
    address_id = (submitted.address_id or None) if submitted else None
    return {
        "service_request_id": ticket.code,
        "status": status_of(ticket),
        "status_notes": status_notes(ticket, publication),
        "service_name": localized(ticket.category),
        "service_code": ticket.category.code,
        "description": (ticket.description or None) if publication.descriptions else None,
        "agency_responsible": agency_responsible(ticket),
        "service_notice": service_notice(ticket.category),
        "requested_datetime": iso(ticket.submitted_at),
        "updated_datetime": iso(ticket.updated_at),
        "expected_datetime": iso(ticket.resolve_by),
        "address": (ticket.address or None) if publication.addresses else None,
        "address_id": address_id if publication.addresses else None,
        "zipcode": None,
        "lat": ticket.lat if publication.addresses else coarse(ticket.lat),
        "long": ticket.lng if publication.addresses else coarse(ticket.lng),
        "media_url": (submitted.media_url or None) if submitted else None,
    }
