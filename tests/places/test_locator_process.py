"""A second OS process notices a grid change through the version stamp and rebuilds its index."""

import json
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT, subprocess_env
from tests.places import geo
from tests.places.conftest import run_import

LAT, LNG = geo.cell_center(30, 30)  # far from every generated grid at first

# Runs in the other process: answer the same point every 0.1 s until grid 001 appears there.
WATCHER = f"""
import json, sys, time
from django.conf import settings
from apps.places.locator import ensure_index, locate
settings.GRID_INDEX_CHECK_SECONDS = 0.2
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    where = locate(lat={LAT!r}, lng={LNG!r})
    index = ensure_index()
    seen = {{"grid": where.grid and where.grid.code, "version": index.version, "size": len(index)}}
    print("LOC", json.dumps(seen), flush=True)
    if where.grid is not None:
        sys.exit(0)
    time.sleep(0.1)
sys.exit(3)
"""


@pytest.mark.postgres
def test_another_process_rebuilds_its_index_after_an_import(transactional_db):
    collection = geo.generate(districts=1, subdistricts=1, communities=2, grids=3)
    run_import(collection["features"])  # committed: the other process can see it

    watcher = subprocess.Popen(
        [sys.executable, "manage.py", "shell", "-c", WATCHER],
        cwd=ROOT,
        env=subprocess_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = next(json.loads(line[4:]) for line in watcher.stdout if line.startswith("LOC "))
        assert first == {"grid": None, "version": 1, "size": 6}

        collection["features"][0]["geometry"]["coordinates"] = [geo.square(30, 30)]
        started = time.monotonic()
        report = run_import(collection["features"])
        assert report.updated["grid"] == ["370101001001001"]

        assert watcher.wait(timeout=30) == 0, watcher.stderr.read()
        lines = [json.loads(line[4:]) for line in watcher.stdout.read().splitlines() if line.startswith("LOC ")]
        assert lines[-1] == {"grid": "370101001001001", "version": 2, "size": 6}
        # Noticed within the check interval plus a lookup or two, not at some later restart.
        assert time.monotonic() - started < 10
    finally:
        if watcher.poll() is None:
            watcher.kill()
            watcher.wait()
