"""The three rates (三率): ONE definition, used by the supervisor's page, the exports and the API.

Over the tickets submitted in [start, end] (inclusive Asia/Shanghai days) under an org node,
merged duplicates and rejected tickets left out:

- response rate           = accepted no later than ``respond_by`` ÷ tickets
- resolution rate         = resolved or closed (a reopened ticket is back in progress) ÷ tickets
- on-time resolution rate = ``resolved_at`` no later than ``resolve_by`` ÷ tickets
  (reopening clears ``resolved_at``, so a reopened ticket is not resolved on time either)
- satisfaction rate       = rated 4 or 5 ÷ rated

A rate whose denominator is zero is ``None`` (shown "—"), never 0 % or 100 %.
Every number comes from one aggregate query (conditional counts); nothing loops over tickets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import pgettext

from apps.metrics.definitions import (
    COUNTED_STATES,
    RESOLVED_STATES,
    ROW,
    RUNNING_STATES,
    breach_q,
    counted_tickets,
    format_rate,
    node_path,
    rate,
)
from apps.metrics.selectors import (
    ATTENTION_MAX,
    AttentionRow,
    CategoryRow,
    TrendDay,
    attention_queryset,
    daily_trend,
    tickets_in_warning_and_breach,
    top_categories,
)
from apps.people.models import GridMembership, User
from apps.places.models import Level, OrgNode

__all__ = [
    "ATTENTION_MAX",
    "COUNTED_STATES",
    "RESOLVED_STATES",
    "RUNNING_STATES",
    "AttentionRow",
    "CategoryRow",
    "Rates",
    "Row",
    "TrendDay",
    "attention_queryset",
    "breach_q",
    "counted_tickets",
    "daily_trend",
    "format_rate",
    "node_path",
    "rate",
    "rates_by_child",
    "rates_for",
    "tickets_in_warning_and_breach",
    "top_categories",
    "total_of",
]

COUNT_FIELDS = (
    "tickets",
    "responded_on_time",
    "resolved",
    "resolved_on_time",
    "rated",
    "satisfied",
    "resolved_at_window",
    "overdue_open",
    # Working minutes (apps.sla) summed over the tickets that have them, and how many have them:
    # kept as sums so that rows add up exactly, averages included.
    "response_minutes_sum",
    "responses_timed",
    "resolution_minutes_sum",
    "resolutions_timed",
)
PUBLIC_COUNTS = COUNT_FIELDS[:8]


@dataclass(frozen=True)
class Rates:
    tickets: int = 0
    responded_on_time: int = 0
    resolved: int = 0
    resolved_on_time: int = 0
    rated: int = 0
    satisfied: int = 0
    resolved_at_window: int = 0
    overdue_open: int = 0
    response_minutes_sum: int = 0
    responses_timed: int = 0
    resolution_minutes_sum: int = 0  # over resolved or closed tickets only
    resolutions_timed: int = 0

    @property
    def avg_response_minutes(self) -> float | None:
        return round(self.response_minutes_sum / self.responses_timed, 1) if self.responses_timed else None

    @property
    def avg_resolution_minutes(self) -> float | None:
        return round(self.resolution_minutes_sum / self.resolutions_timed, 1) if self.resolutions_timed else None

    @property
    def response_rate(self) -> float | None:
        return rate(self.responded_on_time, self.tickets)

    @property
    def resolution_rate(self) -> float | None:
        return rate(self.resolved, self.tickets)

    @property
    def on_time_resolution_rate(self) -> float | None:
        return rate(self.resolved_on_time, self.tickets)

    @property
    def satisfaction_rate(self) -> float | None:
        return rate(self.satisfied, self.rated)

    RATE_FIELDS = ("response_rate", "resolution_rate", "on_time_resolution_rate", "satisfaction_rate")

    def as_dict(self) -> dict:
        """Counts, average working minutes and rates (the shape of the API answer)."""
        out = {name: getattr(self, name) for name in PUBLIC_COUNTS}
        out["avg_response_minutes"] = self.avg_response_minutes
        out["avg_resolution_minutes"] = self.avg_resolution_minutes
        out.update({name: getattr(self, name) for name in self.RATE_FIELDS})
        return out

    @classmethod
    def from_row(cls, row: dict | None) -> Rates:
        row = row or {}
        return cls(**{name: int(row.get(name) or 0) for name in COUNT_FIELDS})

    def __add__(self, other: Rates) -> Rates:
        return Rates(**{name: getattr(self, name) + getattr(other, name) for name in COUNT_FIELDS})


def total_of(rows: list[Row]) -> Rates:
    """The parent's figures from its drill-down rows (they cover every ticket), with no query."""
    return sum((row.rates for row in rows), Rates())


@dataclass(frozen=True)
class Row:
    """One line of a drill-down: a child node, a worker under a grid, or the rest.

    ``kind``: "node" (a child org node), "worker" (an assignee under a grid), "direct"
    (tickets placed on the node itself, e.g. a community's tickets with no grid) or
    "unassigned" (a grid's tickets nobody holds). The last two exist so that the rows
    always add up to the parent.
    """

    kind: str
    key: str
    name: str
    level: str
    rates: Rates = field(default_factory=Rates)
    code: str = ""

    def as_dict(self) -> dict:
        return {"kind": self.kind, "code": self.code, "name": self.name, "level": self.level, **self.rates.as_dict()}


def aggregates(now: datetime) -> dict:
    """The conditional counts of the definition above, as Django aggregate expressions."""
    return {
        "tickets": Count(ROW),
        "responded_on_time": Count(ROW, filter=Q(accepted_at__isnull=False, accepted_at__lte=F("respond_by"))),
        "resolved": Count(ROW, filter=Q(state__in=RESOLVED_STATES)),
        "resolved_on_time": Count(ROW, filter=Q(resolved_at__isnull=False, resolved_at__lte=F("resolve_by"))),
        # From the ticket's copy of its rating (Ticket.rating_score, kept in step by ticket_rate):
        # joining tickets_rating made every period's query read the whole rating table.
        "rated": Count("rating_score"),
        "satisfied": Count(ROW, filter=Q(rating_score__gte=4)),
        "resolved_at_window": Count(ROW, filter=Q(resolved_at_window=True)),
        "overdue_open": Count(ROW, filter=breach_q(now)),
        "response_minutes_sum": Sum("response_minutes"),
        "responses_timed": Count("response_minutes"),
        "resolution_minutes_sum": Sum("resolution_minutes", filter=Q(state__in=RESOLVED_STATES)),
        "resolutions_timed": Count("resolution_minutes", filter=Q(state__in=RESOLVED_STATES)),
    }


def rates_for(*, node: OrgNode | None, start: date, end: date, now: datetime | None = None) -> Rates:
    """The counts and rates for the node's subtree (None: the whole city). One query.

    A caller that also shows the drill-down takes the total from its rows (``total_of``) instead.
    """
    now = now or timezone.now()
    return Rates.from_row(counted_tickets(node=node, start=start, end=end).aggregate(**aggregates(now)))


def _child_code(org_path: str, parent_path: str) -> str:
    """The code of the child of ``parent_path`` a ticket's ``org_path`` lies under.

    "370100/370102/370102001/" under "370100/" gives "370102"; a ticket placed on the parent
    itself gives "". Whole path segments, so codes of any length work (3701020011 is not
    under 370102001).
    """
    code, slash, _rest = org_path[len(parent_path) :].partition("/")
    return code if slash else ""


def _children(node: OrgNode | None) -> list[OrgNode]:
    qs = OrgNode.objects.filter(parent=node) if node is not None else OrgNode.objects.filter(parent__isnull=True)
    return list(qs.order_by("code").only("code", "name", "level", "path", "is_active"))


def rates_by_child(*, node: OrgNode | None, start: date, end: date, now: datetime | None = None) -> list[Row]:
    """One row per child node of ``node`` (per worker when ``node`` is a grid).

    The drill-down city → district → subdistrict → community → grid → worker. Children
    without tickets get a row of zeros (their rates None); the rows add up to ``rates_for``.
    Two queries whatever the number of tickets: the children, and one GROUP BY org_path (under
    a grid: the GROUP BY, the roster and the workers' names). Grouping by the stored column,
    not by the child's code cut out of it, spares computing a string for every ticket of the
    period; it returns at most one row per org node under ``node`` (bounded by the org tree,
    not by the tickets), folded into the children here.
    """
    now = now or timezone.now()
    if node is not None and node.level == Level.GRID:
        return _rates_by_worker(node=node, start=start, end=end, now=now)
    path = node_path(node)
    grouped = counted_tickets(node=node, start=start, end=end).values("org_path").annotate(**aggregates(now)).order_by()
    by_code: dict[str, Rates] = {}
    for row in grouped:
        code = _child_code(row["org_path"], path)
        by_code[code] = by_code.get(code, Rates()) + Rates.from_row(row)
    rows = []
    for child in _children(node):
        rows.append(
            Row(
                kind="node",
                key=child.code,
                code=child.code,
                name=child.name,
                level=child.level,
                rates=by_code.pop(child.code, Rates()),
            )
        )
    direct = by_code.pop("", None)
    # Codes left over belong to nodes that were moved or removed since the ticket was filed:
    # shown under their code so that no ticket silently drops out of the sum.
    for code, rates in sorted(by_code.items()):
        rows.append(Row(kind="node", key=code, code=code, name=code, level="", rates=rates))
    if direct is not None and direct.tickets:
        name = node.name if node is not None else pgettext("metrics", "City")
        label = pgettext("metrics", "%(name)s (not in a smaller area)") % {"name": name}
        rows.append(Row(kind="direct", key="", name=label, level="", rates=direct))
    return rows


def _rates_by_worker(*, node: OrgNode, start: date, end: date, now: datetime) -> list[Row]:
    """Under a grid: one row per worker on its roster and per other assignee of its tickets.

    A ticket counts for its current assignee (after a transfer, the one who holds it now).
    """
    grouped = (
        counted_tickets(node=node, start=start, end=end).values("assignee_id").annotate(**aggregates(now)).order_by()
    )
    by_user = {row["assignee_id"]: Rates.from_row(row) for row in grouped}
    roster = GridMembership.objects.filter(grid=node).order_by("is_deputy", "position", "user_id")
    roster = list(roster.values_list("user_id", flat=True))
    unassigned = by_user.pop(None, None)
    user_ids = list(dict.fromkeys([*roster, *sorted(by_user)]))
    users = User.objects.only("id", "username", "full_name").in_bulk(user_ids)
    rows = []
    for user_id in user_ids:
        user = users.get(user_id)
        # A user gone between the two queries keeps a row under their id, so that the rows
        # still add up to the grid's figures (the page takes its total from them).
        name = (user.full_name or user.username) if user is not None else str(user_id)
        rows.append(
            Row(
                kind="worker",
                key=str(user_id),
                # The id, not the username: a username may be a phone number, shown masked elsewhere.
                code=str(user_id),
                name=name,
                level="worker",
                rates=by_user.get(user_id, Rates()),
            )
        )
    if unassigned is not None and unassigned.tickets:
        label = pgettext("metrics", "Not assigned")
        rows.append(Row(kind="unassigned", key="", name=label, level="", rates=unassigned))
    return rows
