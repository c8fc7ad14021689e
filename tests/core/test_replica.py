"""DATABASE_REPLICA_URL: the reports read from the replica; everything else stays on the primary.

Run in a subprocess, because the replica alias exists only when the variable is set at start-up;
the "replica" here is the test database itself under a second alias (as a streaming replica
would be the primary's twin), so what is asserted is where each query was sent.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from apps.tickets.models import Channel
from tests.conftest import ROOT, subprocess_env
from tests.conftest import test_database_url as database_url
from tests.tickets.conftest import submit, world  # noqa: F401 — the shared small world

pytestmark = pytest.mark.postgres

SCRIPT = """
import django, json
django.setup()
from django.db import connections
from django.test import Client
from django.conf import settings
from apps.people.models import User

aliases = list(settings.DATABASES)
for alias in aliases:
    connections[alias].force_debug_cursor = True
supervisor = User.objects.get(username=%(username)r)
client = Client(HTTP_HOST="localhost")
client.force_login(supervisor)
for url in ("/api/v1/metrics/", "/api/v1/metrics/?group_by=child", "/api/v1/metrics/trend/",
            "/api/v1/metrics/top-categories/", "/api/v1/metrics/attention/",
            "/api/v1/metrics/export/?table=children&format=csv", "/dashboard/"):
    for alias in aliases:
        connections[alias].queries_log.clear()
    status = client.get(url).status_code
    print(json.dumps({"url": url, "status": status,
                      **{alias: [q["sql"] for q in connections[alias].queries] for alias in aliases}}))
"""


def run(env: dict, username: str) -> list[dict]:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT % {"username": username}],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


@pytest.mark.django_db(transaction=True)
def test_reports_read_tickets_from_the_replica_and_nothing_else_does(world):  # noqa: F811
    submit(world, description="路灯不亮", channel=Channel.API)
    pages = run(subprocess_env(DATABASE_REPLICA_URL=database_url()), world.district_supervisor.username)
    assert len(pages) == 7
    for page in pages:
        assert page["status"] == 200, page["url"]
        assert any("tickets_ticket" in sql for sql in page["replica"]), page["url"]
        on_primary = [sql for sql in page["default"] if "tickets_ticket" in sql]
        assert on_primary == [], (page["url"], on_primary)

    # Without the variable there is no replica alias: the same pages read the primary.
    pages = run(subprocess_env(), world.district_supervisor.username)
    assert "replica" not in pages[0]
    assert pages[0]["status"] == 200 and any("tickets_ticket" in sql for sql in pages[0]["default"])
