"""Fixtures for the portal tests: the tickets tests' small world, logged-in clients, and the browser gate.

Browser tests (``@pytest.mark.browser``) need Playwright and Debian's Chromium at /usr/bin/chromium;
without the browser they skip, unless REQUIRE_SERVICES=1 (then they fail).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.test import Client
from PIL import Image

from tests.tickets.conftest import (  # noqa: F401 — fixtures and helpers shared with the tickets tests
    G1,
    World,
    bring_to,
    center,
    fresh_index_and_cache,
    make_user,
    media,
    submit,
    world,
)

CHROMIUM = Path("/usr/bin/chromium")
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def pytest_runtest_setup(item):
    if item.get_closest_marker("browser"):
        problem = None
        if not CHROMIUM.exists():
            problem = f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
        else:
            try:
                import playwright.sync_api  # noqa: F401
            except ImportError:
                problem = "needs Playwright for Python (pip install playwright; never `playwright install`)"
        if problem:
            if REQUIRE_SERVICES:
                pytest.fail(f"this test {problem} (REQUIRE_SERVICES=1 turns the skip into a failure)")
            pytest.skip(problem)


def login_client(user, **extra) -> Client:
    client = Client(**extra)
    client.force_login(user)
    return client


@pytest.fixture
def as_user(world):  # noqa: F811 — the imported fixture, requested by name
    """``as_user("worker")`` → a test client logged in as that user of the world."""

    def make(name: str, **extra) -> Client:
        return login_client(world.users[name], **extra)

    return make


def jpeg_bytes(colour=(200, 30, 30), size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()
