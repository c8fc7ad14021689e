"""Hostile tests: load, faults and attacks. They reuse the tickets tests' small world
(two districts, four grids, one user of each role) and add live servers, private Redis
servers and token-authenticated residents.

Servers started here (gunicorn, redis-server, Celery workers) run on free ports of
127.0.0.1 against the test database; never the machine's shared Redis on 6379, except
through this run's own Celery queue (tests/conftest.py).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from bench.server import Gunicorn
from tests.conftest import subprocess_env
from tests.tickets.conftest import (  # noqa: F401 — fixtures shared with the tickets tests
    World,
    api_client,
    center,
    fresh_index_and_cache,
    make_user,
    media,
    world,
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A private redis-server (no persistence) that a test can stop and start again on the same port."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed (apt-get install redis-server)")
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.workdir,
            stdout=(self.workdir / f"redis-{self.port}.log").open("ab"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        pytest.fail(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None


@pytest.fixture
def private_redis(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def live_gunicorn(transactional_db, tmp_path):
    """Start gunicorn on the test database: ``server = live_gunicorn(workers=3, **env)``."""
    servers: list[Gunicorn] = []

    def start(*, workers: int = 3, **env) -> Gunicorn:
        server = Gunicorn(
            workers=workers,
            log=tmp_path / f"gunicorn{len(servers)}.log",
            env=subprocess_env(**env),
        )
        servers.append(server)
        server.wait_ready()
        return server

    yield start
    for server in servers:
        server.stop()


def resident_tokens(n: int) -> list[str]:
    """n residents with API tokens (authenticated submissions are not throttled)."""
    from apps.people.models import Role

    tokens = []
    for i in range(n):
        user = make_user(f"load_resident{i:03d}", Role.RESIDENT, phone=f"1370000{i:04d}")
        tokens.append(Token.objects.create(user=user).key)
    return tokens
