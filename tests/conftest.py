"""Test-wide fixtures: service markers, an isolated Celery queue, a real worker process."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from bench.server import free_port, stop_process
from servicedesk.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
BROKER_FROM_ENV = os.environ.get("CELERY_BROKER_URL", "")

# Each test run publishes to its own queue, so parallel runs (and a `make run`
# worker on this machine) never take each other's tasks. Without a configured
# broker, tests publish to kombu's in-memory transport instead of var/.
TEST_QUEUE = f"test-{uuid.uuid4().hex[:12]}"
celery_app.conf.task_default_queue = TEST_QUEUE
if not BROKER_FROM_ENV:
    celery_app.conf.broker_url = "memory://"


# Two runs against one PostgreSQL server (two checkouts, CI beside a developer's `make test`)
# must not share test_<NAME>: pytest-django would drop the other run's database under it.
RUN_ID = uuid.uuid4().hex[:8]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    for db in settings.DATABASES.values():
        if db["ENGINE"] == "django.db.backends.postgresql":
            test = db.setdefault("TEST", {})
            test["NAME"] = f"{test.get('NAME') or 'test_' + db['NAME']}_{RUN_ID}"


@pytest.fixture(autouse=True)
def _fresh_grid_index():
    """Each test starts with no cached point→grid index: grids change in transactions that
    roll back, which the index's version check (every GRID_INDEX_CHECK_SECONDS) cannot see."""
    from apps.places.locator import invalidate_index

    invalidate_index()
    yield


def have_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def have_redis() -> bool:
    return BROKER_FROM_ENV.startswith(("redis://", "rediss://"))


SERVICES = {
    "postgres": (have_postgres, "PostgreSQL: set DATABASE_URL=postgres://USER@HOST:PORT/NAME"),
    "redis": (have_redis, "Redis: set CELERY_BROKER_URL=redis://HOST:PORT/0"),
}


def pytest_runtest_setup(item):
    needed = [name for name in SERVICES if item.get_closest_marker(name)]
    if item.get_closest_marker("celery_worker"):
        needed = sorted({*needed, "postgres", "redis"})
    for name in needed:
        available, how = SERVICES[name]
        if not available():
            if REQUIRE_SERVICES:
                pytest.fail(f"this test needs {how} (REQUIRE_SERVICES=1 turns the skip into a failure)")
            pytest.skip(f"needs {how}")


def test_database_url() -> str:
    """The URL of the database pytest-django created, for subprocesses."""
    db = connection.settings_dict
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{db['NAME']}"


def subprocess_env(**extra) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": test_database_url(),
            "CELERY_TASK_DEFAULT_QUEUE": TEST_QUEUE,
            "DJANGO_SETTINGS_MODULE": "servicedesk.settings",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


class WorkerProcess:
    def __init__(self, log: Path, name: str, extra_args: list[str], env: dict):
        self.log = log
        self.name = name
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "servicedesk",
                "worker",
                "-Q",
                TEST_QUEUE,
                "-n",
                name,
                "--without-mingle",
                "--without-gossip",
                "-l",
                "info",
                *extra_args,
            ],
            cwd=ROOT,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"celery worker exited early:\n{self.log.read_text()}")
            if "ready." in self.log.read_text(errors="replace"):
                return
            time.sleep(0.2)
        raise TimeoutError(f"celery worker not ready after {timeout}s:\n{self.log.read_text()}")

    def stop(self) -> None:
        stop_process(self.proc)


@pytest.fixture
def start_worker(transactional_db, tmp_path):
    """Start real Celery worker processes on the test database and this run's queue.

    Usage: ``worker = start_worker(concurrency=2)``; all are stopped before the
    database is flushed.
    """
    workers: list[WorkerProcess] = []

    def start(*, concurrency: int = 1, extra_args: tuple[str, ...] = (), **env_extra) -> WorkerProcess:
        name = f"w{len(workers)}-{TEST_QUEUE}@%h"
        worker = WorkerProcess(
            tmp_path / f"worker{len(workers)}.log",
            name,
            ["--concurrency", str(concurrency), *extra_args],
            subprocess_env(**env_extra),
        )
        workers.append(worker)
        worker.wait_ready()
        return worker

    yield start
    for worker in workers:
        worker.stop()


def wait_for(predicate, *, timeout: float = 30.0, interval: float = 0.2, message: str = "condition"):
    """Poll until ``predicate()`` is truthy; return its value or fail the test."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout}s waiting for {message}")


def sms_keys(path: Path) -> Counter:
    """The idempotency keys in the file SMS backend's outbox (file://…), each with how often it was sent."""
    if not path.exists():
        return Counter()
    return Counter(json.loads(line)["key"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


class RedisServer:
    """A private redis-server (no persistence) that a test can stop and start again on the same
    port — never the machine's shared one."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = workdir / f"redis-{self.port}.log"
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed (apt-get install redis-server)")
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.workdir,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        pytest.fail(f"redis-server did not start on port {self.port}:\n{self.log.read_text(errors='replace')}")

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc, timeout=10)
        self.proc = None


@pytest.fixture
def private_redis(tmp_path):
    """A running private Redis (``.url``, ``.port``), stopped after the test."""
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def run_check(**env_overrides) -> subprocess.CompletedProcess:
    """``manage.py check`` in a fresh process with these environment variables, from the defaults
    otherwise (database, broker, DEBUG and SECRET_KEY unset): how start-up reacts to them."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "DEBUG", "SECRET_KEY"}}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
