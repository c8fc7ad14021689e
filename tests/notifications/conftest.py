import pytest

from tests.notifications.world import world_fixture


@pytest.fixture
def world(db, monkeypatch):
    yield from world_fixture(monkeypatch)
