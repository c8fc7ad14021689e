"""Bulk tickets generated on the server with ``INSERT … SELECT generate_series`` (a million in a
minute or two), spread over grids (some busier than others), states, channels and a year of dates.

Recent tickets (under 10 days old) are mostly open; older ones mostly closed, with some
resolved, rejected, merged and a few long-running open ones. Every generated ticket carries a
next SLA action in the future, so all of them sit in the scan's partial index without being
due: the worst case for the scan, as if every ticket were open.
About 60 % of finished tickets are rated: the score is set on the ticket row (rating_score, as the
rating service does) and the Rating rows are copied from it. No events are generated: no measured
query reads them. The tables are vacuumed at the end (see ``tickets``).
"""

from __future__ import annotations

import time

from django.db import connection
from django.utils import timezone

from bench.world import CATEGORIES

SETUP = [
    "DROP TABLE IF EXISTS bench_grid",
    """CREATE TEMP TABLE bench_grid AS
SELECT (row_number() OVER (ORDER BY g.code) - 1)::int AS n, g.id AS grid_id, g.parent_id AS community_id,
       g.path, m.user_id AS worker_id, COALESCE(g.lat, 36.6) AS lat, COALESCE(g.lng, 117.0) AS lng
FROM places_orgnode g JOIN people_gridmembership m ON m.grid_id = g.id AND NOT m.is_deputy
WHERE g.level = 'grid'""",
    "DROP TABLE IF EXISTS bench_cat",
    """CREATE TEMP TABLE bench_cat AS SELECT (row_number() OVER (ORDER BY code) - 1)::int AS n, id
    FROM catalog_servicecategory WHERE code = ANY(%(codes)s)""",
    "DROP TABLE IF EXISTS bench_resident",
    """CREATE TEMP TABLE bench_resident AS SELECT (row_number() OVER (ORDER BY id) - 1)::int AS n, id
    FROM people_user WHERE role = 'resident'""",
]

INSERT = """
INSERT INTO tickets_ticket (
    code, attributes, title, description, priority, channel, channel_detail, lat, lng, address, org_path,
    contact_name, contact_phone, state, submitted_at, accepted_at, resolved_at, closed_at, updated_at,
    resolution_note, reject_reason, resolved_at_window, reopen_count, respond_by, resolve_by,
    sla_calendar, escalation_level, next_action_at, assignee_id, category_id, community_id, grid_id, resident_id,
    rating_score
)
SELECT
    'BN' || lpad(x.s::text, 10, '0'), '{}'::jsonb, '批量工单 ' || x.s, '基准测试生成的工单描述。', 'normal',
    (ARRAY['api','web','window','phone','patrol'])[1 + floor(x.r4 * 5)::int], '',
    g.lat + (x.r5 - 0.5) * 0.001, g.lng + (x.r4 - 0.5) * 0.001, '', g.path,
    '居民', '138' || lpad((x.s %% 100000000)::text, 8, '0'),
    x.state, x.sub,
    CASE WHEN x.state NOT IN ('submitted', 'rejected') THEN x.sub + x.r5 * interval '30 hours' END,
    CASE WHEN x.state IN ('resolved', 'closed') THEN x.sub + x.r5 * interval '6 days' END,
    CASE WHEN x.state = 'closed' THEN x.sub + x.r5 * interval '6 days' + interval '3 days' END,
    x.sub + interval '1 hour', '', '', x.r4 < 0.03, 0, x.sub + interval '1 day', x.sub + interval '5 days',
    '', 0,
    %(now)s + interval '1 day' + x.r5 * interval '30 days',
    g.worker_id, c.id, g.community_id, g.grid_id,
    CASE WHEN x.r3 < 0.3 THEN r.id END,
    CASE WHEN x.state IN ('resolved', 'closed') AND x.r6 < 0.6 THEN (ARRAY[2,3,4,4,5,5,5])[1 + floor(x.r7 * 7)::int] END
FROM (
    SELECT s, sub, r2, r3, r4, r5, r6, r7,
        CASE WHEN sub > %(now)s - interval '10 days' THEN
            CASE WHEN r2 < 0.25 THEN 'submitted' WHEN r2 < 0.5 THEN 'accepted' WHEN r2 < 0.8 THEN 'in_progress'
                 WHEN r2 < 0.85 THEN 'waiting_on_resident' WHEN r2 < 0.95 THEN 'resolved' ELSE 'closed' END
        ELSE
            CASE WHEN r2 < 0.80 THEN 'closed' WHEN r2 < 0.88 THEN 'resolved' WHEN r2 < 0.94 THEN 'rejected'
                 WHEN r2 < 0.96 THEN 'merged' WHEN r2 < 0.98 THEN 'in_progress' ELSE 'accepted' END
        END AS state,
        floor(power(r1, 1.6) * %(grids)s)::int AS grid_n
    FROM (
        SELECT s, %(now)s - random() * interval '365 days' AS sub, random() AS r1, random() AS r2,
               random() AS r3, random() AS r4, random() AS r5, random() AS r6, random() AS r7
        FROM generate_series(%(start)s, %(end)s) AS s
    ) AS raw
) AS x
JOIN bench_grid g ON g.n = x.grid_n
JOIN bench_cat c ON c.n = x.s %% %(categories)s
LEFT JOIN bench_resident r ON r.n = x.s %% %(residents)s
"""

# The ratings of the tickets just generated, from the score already on the ticket row.
RATINGS = """
INSERT INTO tickets_rating (ticket_id, score, comment, created_at)
SELECT t.id, t.rating_score, '', t.resolved_at + interval '1 day'
FROM tickets_ticket t
WHERE t.id > %(after)s AND t.rating_score IS NOT NULL
"""


def tickets(*, start: int, end: int, chunk: int = 250_000, progress=print) -> float:
    """Insert tickets numbered start..end (inclusive); return the seconds taken."""
    started = time.perf_counter()
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [0.2026 + start / 1e9])
        for statement in SETUP:
            cursor.execute(statement, {"codes": [c for c, _ in CATEGORIES]} if "%(codes)s" in statement else None)
        cursor.execute("SELECT count(*) FROM bench_grid")
        grids = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM bench_resident")
        residents = max(cursor.fetchone()[0], 1)
        cursor.execute("SELECT COALESCE(max(id), 0) FROM tickets_ticket")
        after = cursor.fetchone()[0]
        for lo in range(start, end + 1, chunk):
            hi = min(lo + chunk - 1, end)
            cursor.execute(
                INSERT,
                {
                    "now": now,
                    "start": lo,
                    "end": hi,
                    "grids": grids,
                    "categories": len(CATEGORIES),
                    "residents": residents,
                },
            )
            progress(f"  generated tickets {lo:,}–{hi:,} ({time.perf_counter() - started:.0f} s)")
        cursor.execute(RATINGS, {"after": after})
        # VACUUM, not only ANALYZE: rows just bulk-loaded are not yet marked all-visible, so an
        # index-only scan (the metrics' covering index) would still read every row from the table
        # until autovacuum gets to it. A production table is kept vacuumed by autovacuum; measure
        # that steady state, not the minutes after a bulk load. (Needs autocommit, as here.)
        cursor.execute("VACUUM ANALYZE tickets_ticket")
        cursor.execute("VACUUM ANALYZE tickets_rating")
    return time.perf_counter() - started
