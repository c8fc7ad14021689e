"""The three rates (三率) and the supervisor's tables, read from the database; exports as CSV/XLSX.

Call from pages, tasks and commands (never re-implement a definition):
- ``rates.rates_for(*, node, start, end, now=None) -> Rates``
- ``rates.rates_by_child(*, node, start, end, now=None) -> list[Row]`` and ``rates.total_of(rows) -> Rates``
- ``rates.daily_trend(*, node, start, end) -> list[TrendDay]``
- ``rates.top_categories(*, node, start, end, limit=10) -> list[CategoryRow]``
- ``rates.tickets_in_warning_and_breach(*, node, now=None, limit=50, offset=0) -> list[AttentionRow]``
  (``rates.attention_queryset(*, node, now=None)`` for counting or paginating)
- ``access.can_view_metrics(user)``, ``access.node_for(user, code)``, ``access.check_period(start, end)``
- ``tables.*_table(...) -> (headers, rows)`` and ``exports.to_csv`` / ``exports.to_xlsx``
``node`` is an ``places.OrgNode`` (None: the whole city); dates are inclusive Asia/Shanghai days.
"""
