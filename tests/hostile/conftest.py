"""Hostile tests: load, faults and attacks. They reuse the tickets tests' small world
(two districts, four grids, one user of each role) and add live servers and
token-authenticated residents (private Redis servers: ``private_redis`` in tests/conftest.py).

Servers started here (gunicorn, redis-server, Celery workers) run on free ports of
127.0.0.1 against the test database; never the machine's shared Redis on 6379, except
through this run's own Celery queue (tests/conftest.py).
"""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from apps.tickets.models import Channel, Ticket
from bench.server import Gunicorn
from tests.conftest import subprocess_env
from tests.tickets.conftest import (  # noqa: F401 — fixtures shared with the tickets tests
    World,
    api_client,
    center,
    fresh_index_and_cache,
    make_user,
    media,
    submit,
    world,
)


def anonymous_ticket(world) -> Ticket:  # noqa: F811 — the world fixture's value
    """A resident without an account reports through the API: their receipt goes out by SMS."""
    return submit(
        world,
        resident=None,
        description="井盖缺失",
        contact_name="李先生",
        contact_phone="13600001111",
        channel=Channel.API,
    )


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
