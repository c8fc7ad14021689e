#!/usr/bin/env python
"""Benchmark the point → grid index: 10,000 synthetic grids (100 × 100 cells), random points.

Not a test. Builds the same ``GridIndex`` the locator builds from the database, in
memory, and reports lookups per second as the median of several runs with the
spread (min–max). About 10 % of the points fall outside every grid, within or
beyond the nearest-community distance, so the slower "nearest community" path is
measured too.

    .venv/bin/python scripts/bench_locator.py [--side 100] [--lookups 20000] [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")

import django

django.setup()

import shapely  # noqa: E402

from apps.places.locator import GridEntry, GridIndex  # noqa: E402

LNG0, LAT0, CELL = 116.9, 36.55, 0.002  # ≈ 180 m × 220 m cells around Jinan
COMMUNITY_SIDE = 10  # 10 × 10 cells form one community


def build_entries(side: int) -> list[GridEntry]:
    entries = []
    for col in range(side):
        for row in range(side):
            x0, y0 = round(LNG0 + col * CELL, 9), round(LAT0 + row * CELL, 9)
            community = (col // COMMUNITY_SIDE) * 1000 + row // COMMUNITY_SIDE
            entries.append(
                GridEntry(
                    grid_id=col * side + row + 1,
                    code=f"G{col:04d}{row:04d}",
                    community_id=community,
                    community_code=f"C{community:07d}",
                    geometry=shapely.box(x0, y0, round(x0 + CELL, 9), round(y0 + CELL, 9)),
                )
            )
    return entries


def random_points(side: int, n: int, rng: random.Random) -> list[tuple[float, float]]:
    span = side * CELL
    margin = 0.05 * span  # points up to 5 % beyond the edge land outside every grid
    return [
        (rng.uniform(LNG0 - margin, LNG0 + span + margin), rng.uniform(LAT0 - margin, LAT0 + span + margin))
        for _ in range(n)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=100, help="cells per side (grids = side²)")
    parser.add_argument("--lookups", type=int, default=20000, help="lookups per run")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--max-m", type=float, default=500.0, help="nearest-community distance")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    started = time.perf_counter()
    entries = build_entries(args.side)
    index = GridIndex(entries)
    build_s = time.perf_counter() - started
    rng = random.Random(args.seed)

    rates, inside, near = [], 0, 0
    for run in range(args.runs):
        points = random_points(args.side, args.lookups, rng)
        t0 = time.perf_counter()
        hits = [index.lookup(lng=lng, lat=lat, max_m=args.max_m) for lng, lat in points]
        elapsed = time.perf_counter() - t0
        rates.append(len(points) / elapsed)
        if run == 0:
            inside = sum(h.grid_id is not None for h in hits)
            near = sum(h.grid_id is None and h.community_id is not None for h in hits)

    print(f"grids: {len(index):,} ({args.side}×{args.side} cells), index built in {build_s:.2f} s")
    print(
        f"points per run: {args.lookups:,} — {inside / args.lookups:.1%} inside a grid, "
        f"{near / args.lookups:.1%} outside but within {args.max_m:g} m of a community, "
        f"{(args.lookups - inside - near) / args.lookups:.1%} farther"
    )
    print(
        f"lookups/s over {args.runs} runs: median {statistics.median(rates):,.0f} "
        f"(min {min(rates):,.0f}, max {max(rates):,.0f}, stdev {statistics.stdev(rates) if len(rates) > 1 else 0:,.0f})"
    )
    print(f"median latency per lookup: {1e6 / statistics.median(rates):.1f} µs")


if __name__ == "__main__":
    main()
