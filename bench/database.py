"""A throw-away PostgreSQL database for one benchmark run: created, migrated, dropped.

Must run before ``django.setup()``: it points DATABASE_URL at the new database so that
Django, and every subprocess started with ``os.environ``, use it.
"""

from __future__ import annotations

import os
import sys
import time
from urllib.parse import urlsplit, urlunsplit

REFUSAL = (
    "bench: needs PostgreSQL. Set DATABASE_URL=postgres://USER@HOST:PORT/NAME (and CELERY_BROKER_URL=redis://...);\n"
    "       the benchmark creates its own database bench_<timestamp> on that server and drops it afterwards.\n"
    "       SQLite is refused: its numbers would say nothing about a production deployment."
)


def server_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(REFUSAL)
    return url


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _admin_connection(url: str):
    import psycopg

    # Connect to the maintenance database of the same server to create/drop ours.
    return psycopg.connect(with_database(url, "postgres").replace("postgres://", "postgresql://", 1), autocommit=True)


def create(url: str) -> tuple[str, str]:
    name = f"bench_{time.strftime('%Y%m%d_%H%M%S')}_{os.getpid()}"
    with _admin_connection(url) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, with_database(url, name)


def drop(url: str, name: str) -> None:
    from django.db import connections

    connections.close_all()
    with _admin_connection(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def configure(database_url: str, queue: str) -> None:
    """Environment for this process and the servers it starts (read by servicedesk.settings)."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["CELERY_TASK_DEFAULT_QUEUE"] = queue
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
