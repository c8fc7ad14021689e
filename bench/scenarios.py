"""The five scenarios. Each returns a plain dict of Figures and notes for the report."""

from __future__ import annotations

import importlib.util
import os
import random
import statistics
import time
from datetime import timedelta
from pathlib import Path

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.load import payloads_for, submit_all
from bench.server import Gunicorn
from bench.stats import Figure, percentile

ROOT = Path(__file__).resolve().parent.parent


# --- 1. Intake ----------------------------------------------------------------------------------
def intake(world, *, clients: list[int], requests: int, runs: int, log_dir: Path, progress=print) -> dict:
    from apps.tickets.models import Ticket

    workers = 2 * (os.cpu_count() or 1) + 1
    out = {"workers": workers, "requests_per_run": requests, "by_clients": {}}
    with Gunicorn(workers=workers, log=log_dir / "gunicorn-intake.log") as server:
        # Warm every worker (imports, grid index) before measuring.
        submit_all(
            server.url,
            tokens=world.resident_tokens,
            payloads=payloads_for(world.points, world.category_codes, workers * 8, tag="warm"),
            concurrency=workers * 2,
        )
        for concurrency in clients:
            rps, p50, p95, p99, errors, lost = [], [], [], [], 0, 0
            for run in range(runs):
                before = Ticket.objects.count()
                result = submit_all(
                    server.url,
                    tokens=world.resident_tokens,
                    payloads=payloads_for(world.points, world.category_codes, requests, tag=f"c{concurrency}r{run}-"),
                    concurrency=concurrency,
                )
                stored = Ticket.objects.count() - before
                lost += abs(stored - result.ok)
                errors += result.failed
                rps.append(result.ok / result.elapsed)
                p50.append(percentile(result.latencies, 50) * 1000)
                p95.append(percentile(result.latencies, 95) * 1000)
                p99.append(percentile(result.latencies, 99) * 1000)
                progress(
                    f"  intake {concurrency} clients run {run + 1}: {rps[-1]:.0f} req/s, "
                    f"p95 {p95[-1]:.0f} ms, {result.failed} errors, stored {stored} / ok {result.ok}"
                )
            out["by_clients"][str(concurrency)] = {
                "requests_per_s": Figure.of(rps, "req/s").as_dict(),
                "p50_ms": Figure.of(p50, "ms").as_dict(),
                "p95_ms": Figure.of(p95, "ms").as_dict(),
                "p99_ms": Figure.of(p99, "ms").as_dict(),
                "errors": errors,
                "tickets_minus_successes": lost,
            }
    return out


# --- 2. Queue and dashboard ---------------------------------------------------------------------
def _timed_requests(client: Client, url: str, repeats: int) -> tuple[list[float], int, int]:
    client.get(url)  # warm caches (sessions, plans)
    times, queries, status = [], 0, 0
    for i in range(repeats):
        if i == 0:
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - t0) * 1000)
            queries = len(ctx.captured_queries)
        else:
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
        status = response.status_code
    return times, queries, status


def queue_and_dashboard(world, *, repeats: int, runs: int) -> dict:
    from django.db.models import Count

    from apps.people.models import User
    from apps.tickets.models import Ticket

    busiest = (
        Ticket.objects.filter(state__in=["submitted", "accepted", "in_progress", "waiting_on_resident"])
        .values("assignee")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    worker = User.objects.get(pk=busiest["assignee"])
    supervisor = User.objects.get(pk=world.supervisor_id)
    today = timezone.localdate()
    period = f"from={(today - timedelta(days=30)).isoformat()}&to={today.isoformat()}"
    pages = {
        "worker_queue_api": (
            worker,
            "/api/v1/tickets/?assignee=me&state=submitted&state=accepted&state=in_progress"
            "&state=waiting_on_resident&ordering=resolve_by",
        ),
        "supervisor_list_api": (supervisor, "/api/v1/tickets/?org=370100"),
        "dashboard_metrics_api": (supervisor, f"/api/v1/metrics/?org=370100&{period}"),
        "dashboard_drilldown_api": (supervisor, f"/api/v1/metrics/?org=370100&{period}&group_by=child"),
        "dashboard_page": (supervisor, f"/dashboard/?org=370100&{period}"),
    }
    out = {"worker_open_tickets": busiest["n"], "pages": {}}
    for name, (user, url) in pages.items():
        client = Client()
        client.force_login(user)
        p50s, p95s, queries, status = [], [], 0, 0
        for _ in range(runs):
            times, queries, status = _timed_requests(client, url, repeats)
            p50s.append(percentile(times, 50))
            p95s.append(percentile(times, 95))
        out["pages"][name] = {
            "url": url,
            "user": user.username,
            "status": status,
            "queries": queries,
            "p50_ms": Figure.of(p50s, "ms").as_dict(),
            "p95_ms": Figure.of(p95s, "ms").as_dict(),
        }
    return out


def explain(sql_url_user_pairs) -> dict:
    """EXPLAIN (ANALYZE) of the slowest query each page runs — kept in the results for slow pages."""
    plans = {}
    for name, (user, url) in sql_url_user_pairs.items():
        client = Client()
        client.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        slowest = max(ctx.captured_queries, key=lambda q: float(q["time"]), default=None)
        if slowest is None:
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
            plans[name] = {"sql": slowest["sql"], "plan": "\n".join(r[0] for r in cursor.fetchall())}
    return plans


# --- 3. SLA scan -----------------------------------------------------------------------------------
def sla_scan(*, due: int, runs: int) -> dict:
    """One pass of scan_once with ``due`` tickets due among every ticket with a pending action."""
    from apps.sla.scan import scan_once
    from apps.tickets.models import SlaStep, Ticket

    pending = Ticket.objects.filter(next_action_at__isnull=False).count()
    times, processed = [], []
    rng = random.Random(2026)
    open_ids = list(
        Ticket.objects.filter(state__in=["submitted", "accepted"], assignee__isnull=False)
        .order_by("-submitted_at")
        .values_list("pk", flat=True)[:20000]
    )
    for _ in range(runs):
        now = timezone.now()
        chosen = rng.sample(open_ids, due)
        SlaStep.objects.filter(ticket_id__in=chosen).delete()
        # A reminder is due for each: the warning time has passed, the target has not.
        Ticket.objects.filter(pk__in=chosen).update(
            state="submitted",
            accepted_at=None,
            respond_warn_at=now - timedelta(minutes=1),
            respond_by=now + timedelta(hours=2),
            resolve_warn_at=now + timedelta(days=2),
            resolve_by=now + timedelta(days=3),
            next_action_at=now - timedelta(minutes=1),
        )
        t0 = time.perf_counter()
        report = scan_once(now=now)
        times.append((time.perf_counter() - t0) * 1000)
        processed.append(report.steps)
    return {
        "pending_tickets": pending,
        "due": due,
        "steps_per_pass": processed,
        "pass_ms": Figure.of(times, "ms").as_dict(),
        "ms_per_due_ticket": statistics.median(times) / due,
    }


# --- 4. Routing ----------------------------------------------------------------------------------
def routing(*, side: int, lookups: int, runs: int) -> dict:
    spec = importlib.util.spec_from_file_location("bench_locator", ROOT / "scripts" / "bench_locator.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    from apps.places.locator import GridIndex

    t0 = time.perf_counter()
    index = GridIndex(module.build_entries(side))
    build_s = time.perf_counter() - t0
    rng = random.Random(2026)
    rates = []
    for _ in range(runs):
        points = module.random_points(side, lookups, rng)
        t0 = time.perf_counter()
        for lng, lat in points:
            index.lookup(lng=lng, lat=lat, max_m=500.0)
        rates.append(lookups / (time.perf_counter() - t0))
    return {
        "grids": len(index),
        "build_s": round(build_s, 2),
        "lookups_per_run": lookups,
        "lookups_per_s": Figure.of(rates, "lookups/s").as_dict(),
        "us_per_lookup": 1e6 / statistics.median(rates),
    }


# --- 5. Metrics ----------------------------------------------------------------------------------
def metrics_year(*, runs: int) -> dict:
    from apps.metrics.rates import rates_by_child, rates_for

    end = timezone.localdate()
    start = end - timedelta(days=365)
    whole, children = [], []
    answer = None
    for _ in range(runs):
        t0 = time.perf_counter()
        answer = rates_for(node=None, start=start, end=end)
        whole.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        rates_by_child(node=None, start=start, end=end)
        children.append((time.perf_counter() - t0) * 1000)
    return {
        "period": [start.isoformat(), end.isoformat()],
        "rates": answer.as_dict() if answer else {},
        "city_ms": Figure.of(whole, "ms").as_dict(),
        "by_district_ms": Figure.of(children, "ms").as_dict(),
    }
