"""The shared parts of the one definition: which tickets count, and what "resolved" and "overdue" mean."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Q, QuerySet

from apps.core.db import reporting_db
from apps.metrics.periods import day_bounds
from apps.places.models import OrgNode
from apps.tickets.models import RUNNING_STATES, State, Ticket

# Merged duplicates are counted once, on the ticket they were merged into; rejected
# requests were never the city's to solve. Listing the states kept (rather than
# excluding two) lets PostgreSQL use the (state, submitted_at) index.
COUNTED_STATES = tuple(s for s in State.values if s not in (State.MERGED, State.REJECTED))
RESOLVED_STATES = (State.RESOLVED, State.CLOSED)


# What the counts count, one per ticket: Count(ROW). submitted_at is never null and is the key
# of the covering index ticket_period_cover, so counting it keeps a period's scan index-only
# (Count("pk") would fetch every row from the table for its id; Count("*") takes no filter).
ROW = "submitted_at"


def breach_q(now: datetime) -> Q:
    """An open ticket whose clock runs and whose response or resolution target has passed."""
    return Q(state__in=RUNNING_STATES) & (Q(resolve_by__lt=now) | Q(accepted_at__isnull=True, respond_by__lt=now))


def warning_q(now: datetime) -> Q:
    """An open ticket whose clock runs and whose response or resolution warning time has come."""
    return Q(state__in=RUNNING_STATES) & (
        Q(resolve_warn_at__lte=now) | Q(accepted_at__isnull=True, respond_warn_at__lte=now)
    )


def rate(numerator: int, denominator: int) -> float | None:
    if not denominator:
        return None
    return round(numerator / denominator, 4)


def format_rate(value: float | None) -> str:
    """87.5 % → "87.50%"; no denominator → "—"."""
    return "—" if value is None else f"{value * 100:.2f}%"


def node_path(node: OrgNode | None) -> str:
    """The path prefix of a node; "" (the whole city, every root) for None."""
    return node.path if node is not None else ""


def counted_tickets(*, node: OrgNode | None, start: date, end: date) -> QuerySet[Ticket]:
    """The tickets the rates count: submitted in the period, under the node, not merged or rejected."""
    lo, hi = day_bounds(start, end)
    qs = Ticket.objects.using(reporting_db()).filter(
        submitted_at__gte=lo, submitted_at__lt=hi, state__in=COUNTED_STATES
    )
    path = node_path(node)
    if path:
        # An indexed prefix scan (varchar_pattern_ops on org_path), no join with the org tree.
        qs = qs.filter(org_path__startswith=path)
    return qs.order_by()
