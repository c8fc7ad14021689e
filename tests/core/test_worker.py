"""A real Celery worker process runs tasks against the real database and broker."""

import pytest

from apps.core.models import Heartbeat
from apps.core.tasks import heartbeat
from tests.conftest import wait_for


@pytest.mark.celery_worker
def test_real_worker_runs_the_heartbeat_task(start_worker):
    start_worker()
    heartbeat.delay("from-test")
    beat = wait_for(lambda: Heartbeat.objects.filter(name="from-test").first(), message="heartbeat row")
    assert beat.beat_at is not None
