import pytest

from tests.notifications.world import world_fixture


@pytest.fixture
def world(db):
    yield from world_fixture()
