"""The dashboard's results as plain tables (headers, rows) for ``exports.to_csv`` / ``to_xlsx``.

The portal renders the same tables on the page, so what is exported is what is shown.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from apps.metrics.exports import Percent
from apps.metrics.rates import AttentionRow, CategoryRow, Rates, Row, TrendDay

Table = tuple[list[str], list[list]]


def _pct(value: float | None):
    return None if value is None else Percent(value)


def rates_headers() -> list[str]:
    return [
        _("Tickets"),
        _("Responded on time"),
        _("Response rate"),
        _("Resolved"),
        _("Resolution rate"),
        _("Resolved on time"),
        _("On-time resolution rate"),
        _("Rated"),
        _("Satisfied (4–5)"),
        _("Satisfaction rate"),
        _("Resolved at the window"),
        _("Overdue, open"),
        _("Avg. working minutes to respond"),
        _("Avg. working minutes to resolve"),
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


def rates_table(*, code: str, name: str, rates: Rates) -> Table:
    return [_("Code"), _("Name"), *rates_headers()], [[code, name, *rates_cells(rates)]]


def children_table(*, rows: list[Row], total: Rates, total_name: str) -> Table:
    """One line per child (or worker), then the parent's total."""
    body = [[row.code, row.name, *rates_cells(row.rates)] for row in rows]
    body.append(["", total_name, *rates_cells(total)])
    return [_("Code"), _("Name"), *rates_headers()], body


def trend_table(days: list[TrendDay]) -> Table:
    return [_("Day"), _("Submitted"), _("Resolved")], [[d.day, d.submitted, d.resolved] for d in days]


def categories_table(rows: list[CategoryRow]) -> Table:
    return (
        [_("Code"), _("Category"), _("Tickets"), _("Resolved"), _("Share")],
        [[r.code, r.name, r.tickets, r.resolved, _pct(r.share)] for r in rows],
    )


def attention_table(rows: list[AttentionRow]) -> Table:
    levels = {"breach": _("Breach"), "warning": _("Warning")}
    return (
        [
            _("Tracking code"),
            _("Title"),
            _("Status"),
            _("State"),
            _("Due"),
            _("Age (minutes)"),
            _("Overdue (minutes)"),
            _("Category"),
            _("Grid"),
            _("Assignee"),
        ],
        [
            [
                r.code,
                r.title,
                levels.get(r.status, r.status),
                r.state,
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
