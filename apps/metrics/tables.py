"""The dashboard's results as plain tables (headers, rows) for ``exports.to_csv`` / ``to_xlsx``.

The portal renders the same tables on the page, so what is exported is what is shown.
"""

from __future__ import annotations

from django.utils.translation import pgettext

from apps.metrics.exports import Percent
from apps.metrics.rates import AttentionRow, CategoryRow, Rates, Row, TrendDay
from apps.tickets.models import State

Table = tuple[list[str], list[list]]


def _pct(value: float | None):
    return None if value is None else Percent(value)


def rates_headers() -> list[str]:
    return [
        pgettext("metrics", "Tickets"),
        pgettext("metrics", "Responded on time"),
        pgettext("metrics", "Response rate"),
        pgettext("metrics", "Resolved"),
        pgettext("metrics", "Resolution rate"),
        pgettext("metrics", "Resolved on time"),
        pgettext("metrics", "On-time resolution rate"),
        pgettext("metrics", "Rated"),
        pgettext("metrics", "Satisfied (4–5)"),
        pgettext("metrics", "Satisfaction rate"),
        pgettext("metrics", "Resolved at the window"),
        pgettext("metrics", "Overdue, open"),
        pgettext("metrics", "Avg. working minutes to respond"),
        pgettext("metrics", "Avg. working minutes to resolve"),
    ]


def rates_cells(rates: Rates) -> list:
    return [
        rates.tickets,
        rates.responded_on_time,
        _pct(rates.response_rate),
        rates.resolved,
        _pct(rates.resolution_rate),
        rates.resolved_on_time,
        _pct(rates.on_time_resolution_rate),
        rates.rated,
        rates.satisfied,
        _pct(rates.satisfaction_rate),
        rates.resolved_at_window,
        rates.overdue_open,
        rates.avg_response_minutes,
        rates.avg_resolution_minutes,
    ]


def _code_name() -> list[str]:
    return [pgettext("metrics", "Code"), pgettext("metrics", "Name")]


def rates_table(*, code: str, name: str, rates: Rates) -> Table:
    return _code_name() + rates_headers(), [[code, name, *rates_cells(rates)]]


def children_table(*, rows: list[Row], total: Rates, total_name: str) -> Table:
    """One line per child (or worker), then the parent's total."""
    body = [[row.code, row.name, *rates_cells(row.rates)] for row in rows]
    body.append(["", total_name, *rates_cells(total)])
    return _code_name() + rates_headers(), body


def trend_table(days: list[TrendDay]) -> Table:
    headers = [pgettext("metrics", "Day"), pgettext("metrics", "Submitted"), pgettext("metrics", "Resolved")]
    return headers, [[d.day, d.submitted, d.resolved] for d in days]


def categories_table(rows: list[CategoryRow]) -> Table:
    headers = [
        pgettext("metrics", "Code"),
        pgettext("metrics", "Category"),
        pgettext("metrics", "Tickets"),
        pgettext("metrics", "Resolved"),
        pgettext("metrics", "Share"),
    ]
    return headers, [[r.code, r.name, r.tickets, r.resolved, _pct(r.share)] for r in rows]


def attention_table(rows: list[AttentionRow]) -> Table:
    levels = {"breach": pgettext("metrics", "Breach"), "warning": pgettext("metrics", "Warning")}
    return (
        [
            pgettext("metrics", "Tracking code"),
            pgettext("metrics", "Title"),
            pgettext("metrics", "Status"),
            pgettext("metrics", "State"),
            pgettext("metrics", "Due"),
            pgettext("metrics", "Age (minutes)"),
            pgettext("metrics", "Overdue (minutes)"),
            pgettext("metrics", "Category"),
            pgettext("metrics", "Grid"),
            pgettext("metrics", "Assignee"),
        ],
        [
            [
                r.code,
                r.title,
                levels.get(r.status, r.status),
                State(r.state).label if r.state in State.values else r.state,
                r.due_at,
                r.age_minutes,
                r.overdue_minutes,
                r.category,
                r.grid_name,
                r.assignee,
            ]
            for r in rows
        ],
    )
