"""Run the benchmarks: ``python -m bench.run --quick`` (< 3 min) or ``--full``.

Needs PostgreSQL (DATABASE_URL) and reads CELERY_BROKER_URL; refuses SQLite. Creates a
database ``bench_<timestamp>`` on the same server, migrates it, runs the scenarios, writes
``var/bench/results.json`` and ``var/bench/results.md``, prints the table, drops the database.
Every figure is the median of several runs with the min–max of those runs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from pathlib import Path

from bench import database

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"

PROFILES = {
    "quick": {
        "sizes": [10_000, 100_000],
        "clients": [8, 32],
        "intake_requests": 200,
        "intake_runs": 3,
        "page_repeats": 10,
        "page_runs": 3,
        "scan_runs": 3,
        "routing_lookups": 5_000,
        "routing_runs": 3,
        "metrics_runs": 3,
    },
    "full": {
        "sizes": [10_000, 1_000_000],
        "clients": [8, 32],
        "intake_requests": 2_000,
        "intake_runs": 5,
        "page_repeats": 20,
        "page_runs": 5,
        "scan_runs": 5,
        "routing_lookups": 20_000,
        "routing_runs": 7,
        "metrics_runs": 5,
    },
}
SLOW_MS = 100.0  # pages slower than this at the largest size get their EXPLAIN in the results


def log(message: str) -> None:
    print(message, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_const", dest="profile", const="quick", help="small sizes (default)")
    mode.add_argument("--full", action="store_const", dest="profile", const="full", help="10,000 and 1,000,000")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    args = parser.parse_args(argv)
    profile_name = args.profile or "quick"
    profile = PROFILES[profile_name]

    server = database.server_url()
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith(("redis://", "rediss://")):
        log("bench: note — CELERY_BROKER_URL is not Redis; intake publishes no tasks anyway (in-app notices only).")
    name, url = database.create(server)
    queue = f"bench-{uuid.uuid4().hex[:10]}"
    database.configure(url, queue)
    log(f"bench ({profile_name}): database {name}")
    started = time.perf_counter()
    try:
        import django

        django.setup()
        return _run(profile_name, profile)
    finally:
        if args.keep:
            log(f"bench: kept database {name}")
        else:
            database.drop(server, name)
        _purge_queue(broker, queue)
        log(f"bench: done in {time.perf_counter() - started:.0f} s")


def _purge_queue(broker: str, queue: str) -> None:
    """Drop anything published to this run's own queue (nobody consumes it)."""
    if not broker.startswith(("redis://", "rediss://")):
        return
    try:
        import redis

        redis.Redis.from_url(broker, socket_timeout=3).delete(queue)
    except Exception as exc:  # the broker is optional for the numbers
        log(f"bench: could not purge queue {queue}: {exc}")


def _run(profile_name: str, profile: dict) -> int:
    from django.conf import settings
    from django.core.management import call_command

    from apps.tickets.models import Ticket
    from bench import generate, report, scenarios, world
    from bench.stats import machine

    # The in-process scenarios use Django's test client, whose host is "testserver".
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    OUT.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    city = world.build()
    log(f"bench: migrated and seeded {len(city.grid_ids)} grids in {time.perf_counter() - t0:.0f} s")

    results: dict = {"profile": profile_name, "machine": machine(), "profile_settings": profile}
    log("bench: routing")
    results["routing"] = scenarios.routing(side=100, lookups=profile["routing_lookups"], runs=profile["routing_runs"])
    results["sizes"] = {}
    numbered = 0
    for size in profile["sizes"]:
        missing = size - Ticket.objects.count()
        if missing > 0:
            seconds = generate.tickets(start=numbered + 1, end=numbered + missing, progress=log)
            numbered += missing
            log(f"bench: {Ticket.objects.count():,} tickets ({missing:,} generated in {seconds:.0f} s)")
        entry: dict = {"tickets": Ticket.objects.count(), "generate_s": round(seconds if missing > 0 else 0, 1)}
        log(f"bench: queue and dashboard at {size:,}")
        entry["pages"] = scenarios.queue_and_dashboard(city, repeats=profile["page_repeats"], runs=profile["page_runs"])
        log(f"bench: metrics at {size:,}")
        entry["metrics"] = scenarios.metrics_year(runs=profile["metrics_runs"])
        log(f"bench: SLA scan at {size:,}")
        entry["scan"] = scenarios.sla_scan(due=100, runs=profile["scan_runs"])
        results["sizes"][str(size)] = entry

    # Intake last: into a table already at the largest size (every index as big as it gets), and
    # without its tickets swelling the smaller size above.
    before = Ticket.objects.count()
    log(f"bench: intake at {before:,} tickets")
    results["intake"] = scenarios.intake(
        city,
        clients=profile["clients"],
        requests=profile["intake_requests"],
        runs=profile["intake_runs"],
        log_dir=OUT,
        progress=log,
    )
    results["intake"]["tickets_before"] = before

    largest = results["sizes"][str(profile["sizes"][-1])]
    slow = {name: page for name, page in largest["pages"]["pages"].items() if page["p95_ms"]["median"] > SLOW_MS}
    if slow:
        from apps.people.models import User

        users = {name: User.objects.get(username=page["user"]) for name, page in slow.items()}
        results["explain"] = scenarios.explain({name: (users[name], slow[name]["url"]) for name in slow})

    results["load_average_at_end"] = round(os.getloadavg()[0], 2)
    (OUT / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    markdown = report.markdown(results)
    (OUT / "results.md").write_text(markdown, encoding="utf-8")
    print()
    print(markdown)
    log(f"bench: wrote {OUT / 'results.json'} and {OUT / 'results.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
