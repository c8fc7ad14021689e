"""Enqueue Celery work after commit without ever failing the request.

The row that describes the work (an outbox notification, a ticket's next
action time) is committed first; the broker only speeds things up. If the
broker is down, publishing fails fast (see CELERY_TASK_PUBLISH_RETRY_POLICY)
and the periodic sweep picks the work up later, so nothing accepted is lost.
"""

from __future__ import annotations

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def send_now(task, *args, **kwargs) -> bool:
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=True)
    except Exception:  # any broker error: the sweep will retry
        logger.warning("broker unavailable; %s(%s) left for the sweep", task.name, args, exc_info=True)
        return False
    return True


def enqueue_on_commit(task, *args, **kwargs) -> None:
    transaction.on_commit(lambda: send_now(task, *args, **kwargs))
