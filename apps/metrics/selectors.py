"""The other tables of the supervisor's dashboard: the daily trend, the top categories and the
tickets needing attention (in warning or in breach). Each is a bounded number of queries."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from apps.core.db import reporting_db
from apps.metrics.definitions import (
    RESOLVED_STATES,
    ROW,
    RUNNING_STATES,
    breach_q,
    counted_tickets,
    node_path,
    rate,
    warning_q,
)
from apps.metrics.periods import day_bounds, days, local_tz
from apps.places.models import OrgNode
from apps.tickets.models import Ticket

# The most rows one call returns (an export of the list takes them all up to this).
ATTENTION_MAX = 5000


@dataclass(frozen=True)
class TrendDay:
    day: date
    submitted: int
    resolved: int

    def as_dict(self) -> dict:
        return {"day": self.day.isoformat(), "submitted": self.submitted, "resolved": self.resolved}


def daily_trend(*, node: OrgNode | None, start: date, end: date) -> list[TrendDay]:
    """Per local day of the period: tickets submitted (as counted by the rates) and tickets resolved.

    "Resolved" on a day means ``resolved_at`` falls on that day and the ticket is still resolved
    or closed, whenever it was submitted: the work done that day. Two GROUP BY queries, each an
    index-only range scan of the period (ticket_period_cover, ticket_resolved_cover); days
    without tickets are filled with zeros.
    """
    tz = local_tz()
    submitted = (
        counted_tickets(node=node, start=start, end=end)
        .annotate(day=TruncDate("submitted_at", tzinfo=tz))
        .values("day")
        .annotate(n=Count(ROW))
        .order_by()
    )
    lo, hi = day_bounds(start, end)
    resolved = Ticket.objects.using(reporting_db()).filter(
        resolved_at__gte=lo, resolved_at__lt=hi, state__in=RESOLVED_STATES
    )
    if node_path(node):
        resolved = resolved.filter(org_path__startswith=node.path)
    resolved = (
        resolved.annotate(day=TruncDate("resolved_at", tzinfo=tz))
        .values("day")
        .annotate(n=Count("resolved_at"))
        .order_by()
    )
    sub = {row["day"]: row["n"] for row in submitted}
    res = {row["day"]: row["n"] for row in resolved}
    return [TrendDay(day=d, submitted=sub.get(d, 0), resolved=res.get(d, 0)) for d in days(start, end)]


@dataclass(frozen=True)
class CategoryRow:
    code: str
    name: str
    name_en: str
    tickets: int
    resolved: int
    share: float | None  # of all counted tickets of the period

    def as_dict(self) -> dict:
        return asdict(self)


def top_categories(*, node: OrgNode | None, start: date, end: date, limit: int = 10) -> list[CategoryRow]:
    """The categories with the most counted tickets, most first. One query.

    Every category's count comes back (a catalogue has tens of categories, not thousands) and
    the total for the shares is their sum, so the period's tickets are read once, not twice.
    """
    grouped = (
        counted_tickets(node=node, start=start, end=end)
        .values("category__code", "category__name", "category__name_en")
        .annotate(
            tickets=Count(ROW),
            resolved=Count(ROW, filter=Q(state__in=RESOLVED_STATES)),
        )
        .order_by()
    )
    rows = sorted(grouped, key=lambda row: (-row["tickets"], row["category__code"]))
    total = sum(row["tickets"] for row in rows)
    return [
        CategoryRow(
            code=row["category__code"],
            name=row["category__name"],
            name_en=row["category__name_en"] or "",
            tickets=row["tickets"],
            resolved=row["resolved"],
            share=rate(row["tickets"], total),
        )
        for row in rows[: max(1, limit)]
    ]


@dataclass(frozen=True)
class AttentionRow:
    id: int
    code: str
    title: str
    state: str
    status: str  # "breach" or "warning"
    due_at: datetime | None  # the target that matters now: respond_by before acceptance, else resolve_by
    submitted_at: datetime
    age_minutes: int  # wall-clock minutes since submission
    overdue_minutes: int  # wall-clock minutes past due_at (0 in warning)
    category: str
    grid_code: str
    grid_name: str
    assignee: str

    def as_dict(self) -> dict:
        out = asdict(self)
        out["due_at"] = self.due_at.isoformat() if self.due_at else None
        out["submitted_at"] = self.submitted_at.isoformat()
        return out


def attention_queryset(*, node: OrgNode | None, now: datetime | None = None) -> QuerySet[Ticket]:
    """Open tickets (clock running) under the node in warning or in breach, the most urgent first:
    breaches before warnings, then by the target that matters now, earliest first."""
    now = now or timezone.now()
    qs = Ticket.objects.using(reporting_db()).filter(warning_q(now) | breach_q(now))
    if node_path(node):
        qs = qs.filter(org_path__startswith=node.path)
    return (
        qs.annotate(
            is_breach=Case(When(breach_q(now), then=Value(1)), default=Value(0), output_field=IntegerField()),
            due_at=Case(
                When(accepted_at__isnull=True, respond_by__isnull=False, then=F("respond_by")),
                default=F("resolve_by"),
            ),
        )
        .select_related("category", "grid", "assignee")
        .only(
            "id",
            "code",
            "title",
            "state",
            "submitted_at",
            "accepted_at",
            "respond_by",
            "resolve_by",
            "category__name",
            "grid__code",
            "grid__name",
            "assignee__full_name",
            "assignee__username",
        )
        .order_by("-is_breach", F("due_at").asc(nulls_last=True), "id")
    )


def attention_row(ticket: Ticket, *, now: datetime) -> AttentionRow:
    due = ticket.due_at
    return AttentionRow(
        id=ticket.pk,
        code=ticket.code,
        title=ticket.title,
        state=ticket.state,
        status="breach" if ticket.is_breach else "warning",
        due_at=due,
        submitted_at=ticket.submitted_at,
        age_minutes=max(0, int((now - ticket.submitted_at).total_seconds() // 60)),
        overdue_minutes=max(0, int((now - due).total_seconds() // 60)) if due and ticket.is_breach else 0,
        category=ticket.category.name if ticket.category_id else "",
        grid_code=ticket.grid.code if ticket.grid_id else "",
        grid_name=ticket.grid.name if ticket.grid_id else "",
        assignee=(ticket.assignee.full_name or ticket.assignee.username) if ticket.assignee_id else "",
    )


def tickets_in_warning_and_breach(
    *, node: OrgNode | None, now: datetime | None = None, limit: int = 50, offset: int = 0
) -> list[AttentionRow]:
    """A page of ``attention_queryset`` as rows with their age. Two queries whatever the backlog:
    the page's ids, ordered, from the partial covering index ``ticket_running_cover`` alone (every
    column that decides warning, breach and urgency is in it), then only the page's rows. In one
    query PostgreSQL read every running ticket's row in scope to sort them (~130 ms at 80,000)."""
    now = now or timezone.now()
    limit = max(1, min(limit, ATTENTION_MAX))
    ordered = attention_queryset(node=node, now=now)
    ids = list(ordered.values_list("pk", flat=True)[offset : offset + limit])
    if not ids:
        return []
    rows = {ticket.pk: ticket for ticket in ordered.filter(pk__in=ids)}
    return [attention_row(rows[pk], now=now) for pk in ids if pk in rows]


__all__ = [
    "ATTENTION_MAX",
    "RUNNING_STATES",
    "AttentionRow",
    "CategoryRow",
    "TrendDay",
    "attention_queryset",
    "attention_row",
    "daily_trend",
    "tickets_in_warning_and_breach",
    "top_categories",
]
