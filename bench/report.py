"""The markdown table of a results dict (also printed to the terminal)."""

from __future__ import annotations

from bench.stats import Figure

PAGE_LABELS = {
    "worker_queue_api": "Grid worker's queue, API page 1 (assignee=me, open states, by resolve_by)",
    "supervisor_list_api": "Supervisor's ticket list, API page 1 (whole city)",
    "dashboard_metrics_api": "Dashboard: metrics API, city, last 30 days",
    "dashboard_drilldown_api": "Dashboard: metrics API by district (group_by=child)",
    "dashboard_page": "Dashboard page (portal), city, last 30 days",
}


def f(d: dict, digits: int = 1) -> str:
    return Figure(**d).text(digits)


def ratio(a: float, b: float) -> str:
    return f"×{b / a:.2f}" if a else "—"


def markdown(r: dict) -> str:
    m = r["machine"]
    sizes = list(r["sizes"])
    small, large = sizes[0], sizes[-1]
    lines = [
        f"### Benchmark ({r['profile']}) — {m['date']}",
        "",
        f"Machine: {m['cores']} cores, {m['cpu']}, {m['memory_gb']} GB RAM, Python {m['python']}, {m['system']}. "
        "PostgreSQL and Redis on the same machine; the load generator shares its cores with the server.",
        f"Load average (1 min) at start {m.get('load_average_1m', '?')}, at end {r.get('load_average_at_end', '?')} "
        "(anything well above 0 means other work shared the machine and slowed every figure).",
        "Each figure: median of the runs, (min–max) across runs.",
        "",
        f"**1. Intake** — `POST /api/v1/tickets/` under gunicorn ({r['intake']['workers']} sync workers), "
        f"{r['intake']['requests_per_run']:,} requests per run, residents with tokens, "
        f"into a table of {r['intake'].get('tickets_before', 0):,} tickets",
        "",
        "| clients | requests/s | p50 ms | p95 ms | p99 ms | errors | tickets − 201 answers |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for clients, row in r["intake"]["by_clients"].items():
        lines.append(
            f"| {clients} | {f(row['requests_per_s'], 0)} | {f(row['p50_ms'])} | {f(row['p95_ms'])} | "
            f"{f(row['p99_ms'])} | {row['errors']} | {row['tickets_minus_successes']} |"
        )
    lines += [
        "",
        f"**2. Queue and dashboard** — in-process requests (Django test client), at {int(small):,} and "
        f"{int(large):,} tickets (p50 / p95 ms; SQL queries per request; ratio of p50)",
        "",
        f"| page | queries | p50 @{int(small):,} | p95 @{int(small):,} | p50 @{int(large):,} | "
        f"p95 @{int(large):,} | p50 ratio |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    small_pages, large_pages = r["sizes"][small]["pages"]["pages"], r["sizes"][large]["pages"]["pages"]
    for name, page in small_pages.items():
        big = large_pages[name]
        queries = str(page["queries"]) if page["queries"] == big["queries"] else f"{page['queries']}→{big['queries']}"
        lines.append(
            f"| {PAGE_LABELS.get(name, name)} | {queries} | {f(page['p50_ms'])} | {f(page['p95_ms'])} | "
            f"{f(big['p50_ms'])} | {f(big['p95_ms'])} | {ratio(page['p50_ms']['median'], big['p50_ms']['median'])} |"
        )
    lines.append(
        f"\nThe busiest grid worker had {r['sizes'][small]['pages']['worker_open_tickets']:,} open tickets at "
        f"{int(small):,} and {r['sizes'][large]['pages']['worker_open_tickets']:,} at {int(large):,}."
    )
    s_small, s_large = r["sizes"][small]["scan"], r["sizes"][large]["scan"]
    lines += [
        "",
        "**3. SLA scan** — one pass (`scan_once`), 100 due tickets (a reminder each) among all tickets "
        "with a pending action",
        "",
        "| tickets with a pending action | pass ms | ms per due ticket |",
        "|---:|---:|---:|",
        f"| {s_small['pending_tickets']:,} | {f(s_small['pass_ms'])} | {s_small['ms_per_due_ticket']:.2f} |",
        f"| {s_large['pending_tickets']:,} | {f(s_large['pass_ms'])} | {s_large['ms_per_due_ticket']:.2f} |",
        "",
        f"Ratio {int(large):,} / {int(small):,}: {ratio(s_small['pass_ms']['median'], s_large['pass_ms']['median'])}.",
    ]
    ro = r["routing"]
    lines += [
        "",
        f"**4. Routing** — point → grid with {ro['grids']:,} grids (index built in {ro['build_s']} s): "
        f"{f(ro['lookups_per_s'], 0)} lookups/s, {ro['us_per_lookup']:.0f} µs per lookup.",
    ]
    me = r["sizes"][large]["metrics"]
    rates = me["rates"]
    lines += [
        "",
        f"**5. Metrics** — the rates for the whole city over a year ({me['period'][0]} – {me['period'][1]}) at "
        f"{int(large):,} tickets: {f(me['city_ms'])} ms for the city, {f(me['by_district_ms'])} ms for the "
        f"drill-down by district ({rates.get('tickets', 0):,} tickets counted; response "
        f"{_pct(rates.get('response_rate'))}, resolution {_pct(rates.get('resolution_rate'))}, on time "
        f"{_pct(rates.get('on_time_resolution_rate'))}, satisfaction {_pct(rates.get('satisfaction_rate'))}).",
        "",
        "Redo: `make bench-quick` (sizes 10,000 / 100,000, < 3 min) or `make bench` (10,000 / 1,000,000), "
        "with DATABASE_URL and CELERY_BROKER_URL set; results in `var/bench/results.{json,md}`.",
    ]
    if r.get("explain"):
        lines += ["", "Plans of the slowest query of each page slower than 100 ms (p95) are in results.json."]
    return "\n".join(lines) + "\n"


def _pct(value) -> str:
    if value is None:
        return "—"
    try:
        return f"{float(value) * 100:.1f} %" if float(value) <= 1 else f"{float(value):.1f} %"
    except (TypeError, ValueError):
        return str(value)
