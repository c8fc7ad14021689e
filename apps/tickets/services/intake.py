"""Intake: every channel (web, API, window, phone, patrol, Open311) ends in ``ticket_submit``."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.catalog.attributes import clean_attribute_values
from apps.core.choices import Priority
from apps.core.errors import ValidationFailed
from apps.people.models import Role
from apps.people.phones import normalize_phone
from apps.places.models import Level, OrgNode
from apps.tickets import sla_hooks
from apps.tickets.codes import new_code
from apps.tickets.models import Channel, State, Ticket
from apps.tickets.routing import route_ticket
from apps.tickets.services.events import record_event

PHONE_RE = re.compile(r"^\+?[0-9][0-9\- ]{5,18}[0-9]$")
STAFF_CHANNELS = {Channel.WINDOW: (Role.CLERK,), Channel.PHONE: (Role.CLERK,), Channel.PATROL: (Role.GRID_WORKER,)}


def _validate(
    *,
    category,
    description,
    lat,
    lng,
    address,
    community,
    contact_name,
    contact_phone,
    channel,
    actor,
    resolve_on_spot,
    resolution_note,
    priority,
) -> dict:
    errors: dict[str, list[str]] = {}
    if category is None or not category.is_active or (category.parent_id and not category.parent.is_active):
        errors["category"] = [_("Choose an active service category.")]
    elif category.children.exists():
        errors["category"] = [_("This is a group of services; choose a kind of request inside it.")]
    if not (description or "").strip():
        errors["description"] = [_("Describe the request.")]
    elif len(description) > 4000:
        errors["description"] = [_("At most 4,000 characters.")]
    if (lat is None) != (lng is None):
        errors["lat" if lat is None else "lng"] = [_("Give both latitude and longitude, or neither.")]
    if lat is not None and not -90 <= lat <= 90:
        errors["lat"] = [_("Latitude must be between -90 and 90.")]
    if lng is not None and not -180 <= lng <= 180:
        errors["lng"] = [_("Longitude must be between -180 and 180.")]
    if lat is None and not (address or "").strip() and community is None:
        errors["location"] = [_("Give a point on the map, an address or a community.")]
    if community is not None and community.level != Level.COMMUNITY:
        errors["community"] = [_("This is not a community.")]
    if not (contact_name or "").strip():
        errors["contact_name"] = [_("Give a contact name.")]
    if not PHONE_RE.match(contact_phone or ""):
        errors["contact_phone"] = [_("Give a phone number of digits (for example 13812345678).")]
    if priority not in Priority.values:
        errors["priority"] = [_("Unknown priority.")]
    if channel not in Channel.values:
        errors["channel"] = [_("Unknown channel.")]
    elif channel in STAFF_CHANNELS:
        role = getattr(actor, "role", None)
        if role not in STAFF_CHANNELS[channel] and not getattr(actor, "is_superuser", False):
            errors["channel"] = [_("Only staff at the window or on patrol may record this channel.")]
    if resolve_on_spot:
        if channel not in (Channel.WINDOW, Channel.PHONE):
            errors["resolve_on_spot"] = [_("Only a clerk at the window can resolve on the spot.")]
        elif not (resolution_note or "").strip():
            errors["resolution_note"] = [_("Say how the request was resolved.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    return errors


@transaction.atomic
def ticket_submit(
    *,
    category,
    description: str,
    channel: str,
    contact_name: str = "",
    contact_phone: str = "",
    title: str = "",
    attributes: dict | None = None,
    lat: float | None = None,
    lng: float | None = None,
    address: str = "",
    community: OrgNode | None = None,
    priority: str | None = None,
    resident=None,
    actor=None,
    channel_detail: str = "",
    resolve_on_spot: bool = False,
    resolution_note: str = "",
) -> Ticket:
    """Validate, route, time and store a new ticket with its first event — all or nothing.

    ``actor`` is who is submitting (a clerk for the window, a worker on patrol, the
    resident, or None when anonymous); ``resident`` is whose request it is.
    """
    if resident is not None:
        contact_name = contact_name or resident.full_name or resident.username
        contact_phone = contact_phone or resident.phone
    priority = priority or (category.default_priority if category else Priority.NORMAL)
    _validate(
        category=category,
        description=description,
        lat=lat,
        lng=lng,
        address=address,
        community=community,
        contact_name=contact_name,
        contact_phone=contact_phone,
        channel=channel,
        actor=actor,
        resolve_on_spot=resolve_on_spot,
        resolution_note=resolution_note,
        priority=priority,
    )
    clean_attributes = clean_attribute_values(category=category, values=attributes or {})

    now = timezone.now()
    route = route_ticket(category=category, lat=lat, lng=lng, community=community, day=timezone.localdate(now))
    ticket = Ticket(
        category=category,
        attributes=clean_attributes,
        title=(title or "").strip()[:200] or category.name,
        description=description.strip(),
        priority=priority,
        channel=channel,
        channel_detail=channel_detail[:100],
        lat=lat,
        lng=lng,
        address=(address or "").strip()[:300],
        community=route.community,
        grid=route.grid,
        department=route.department,
        org_path=route.org_path,
        resident=resident,
        contact_name=contact_name.strip()[:100],
        contact_phone=normalize_phone(contact_phone),
        recorded_by=actor if actor is not None and actor != resident else None,
        assignee=route.assignee,
        state=State.SUBMITTED,
        submitted_at=now,
    )
    sla_hooks.on_submit(ticket)
    sla_hooks.after_change(ticket, "submit")
    _save_with_unique_code(ticket)
    record_event(
        ticket,
        action="submit",
        actor=actor,
        to_state=State.SUBMITTED,
        data={"channel": channel},  # the routing decision is on the internal "route" event
        at=now,
    )
    record_event(
        ticket,
        action="route",
        actor=None,
        from_state=State.SUBMITTED,
        to_state=State.SUBMITTED,
        note=route.reason,
        data=route.as_data(),
        is_public=False,
        at=now,
    )
    if resolve_on_spot:
        from apps.tickets.services.actions import resolve_at_window

        resolve_at_window(ticket=ticket, actor=actor, note=resolution_note)
    return ticket


def _save_with_unique_code(ticket: Ticket) -> None:
    for _attempt in range(5):
        ticket.code = new_code()
        try:
            with transaction.atomic():  # a savepoint: a collision must not poison the outer transaction
                ticket.save(force_insert=True)
            return
        except IntegrityError:
            if Ticket.objects.filter(code=ticket.code).exists():
                continue
            raise
    raise RuntimeError("could not allocate a unique tracking code")  # 25**10 codes: practically unreachable
