"""Reads for the Open311 endpoint: the services offered and the public view of tickets."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from apps.catalog.selectors import active_categories
from apps.open311 import conf
from apps.open311.models import SubmittedRequest
from apps.tickets.codes import normalise
from apps.tickets.models import BOUNDARIES, OPEN_STATES, State, Ticket

CLOSED_STATES = (State.RESOLVED, State.CLOSED, State.REJECTED, State.MERGED)


def offered_services() -> list:
    """The categories a client may post to: offered ones that are not a group of offered ones.

    A group (a category with offered children) clusters services — it is their
    ``group`` — and is not itself a kind of request. Three queries whatever the size.
    """
    categories = list(active_categories())
    groups = {category.parent_id for category in categories if category.parent_id is not None}
    return [category for category in categories if category.pk not in groups]


def service_by_code(code: str):
    """The offered service with this code, or None."""
    categories = list(active_categories().filter(code=code))
    if not categories:
        return None
    category = categories[0]
    if active_categories().filter(parent=category).exists():
        return None
    return category


def public_tickets() -> QuerySet[Ticket]:
    """The tickets any GET may show (OPEN311_PUBLIC_CHANNELS), with everything their answer shows, in one query.

    Every read below starts here, so a ticket from a channel that is not public is simply
    not there: listed by no search, and "no request" when asked for by id or token.
    """
    return (
        Ticket.objects.filter(channel__in=sorted(conf.public_channels()))
        .select_related("category", "department", "grid", "community", "merged_into", "open311")
        .defer(*BOUNDARIES)
        .order_by("-submitted_at", "-id")
    )


def requests_by_ids(codes: list[str], *, limit: int) -> list[Ticket]:
    return list(public_tickets().filter(code__in=[normalise(code) for code in codes])[:limit])


def requests_matching(
    *, service_codes: list[str], start: datetime, end: datetime, statuses: set[str], limit: int
) -> list[Ticket]:
    queryset = public_tickets().filter(submitted_at__gte=start, submitted_at__lte=end)
    if service_codes:
        queryset = queryset.filter(category__code__in=service_codes)
    if statuses == {"open"}:
        queryset = queryset.filter(state__in=OPEN_STATES)
    elif statuses == {"closed"}:
        queryset = queryset.filter(state__in=CLOSED_STATES)
    return list(queryset[:limit])


def request_by_code(code: str) -> Ticket | None:
    return public_tickets().filter(code=normalise(code)).first()


def ticket_code_for_token(token: str) -> str | None:
    # Same rule as every other GET: the token of a ticket whose channel is not public finds nothing.
    return (
        SubmittedRequest.objects.filter(token=token, ticket__channel__in=sorted(conf.public_channels()))
        .values_list("ticket__code", flat=True)
        .first()
    )
