"""The Celery worker's consumer, made to survive a broker that goes away and comes back.

Celery 5.7 with kombu 5.7's Redis transport: when the broker connection breaks while the
consumer waits in BRPOP, ``Consumer.on_connection_error_after_connected`` first calls
``connection.collect()`` (which closes the default channel — that fails half-way, the
channel stays "in poll" — and then drops the transport's reference to the connection) and then
``connection.close()``. The second close reaches the same channel, which tries to finish its
BRPOP read through a client built from ``transport.client`` — now ``None`` — and raises
``AttributeError: 'NoneType' object has no attribute 'hostname'``. ``ignore_errors`` only
swallows connection and channel errors, so the AttributeError escapes the consumer's restart
loop: the worker stays up but never consumes again, and every task published after the broker
returns waits for a manual restart (tests/hostile/test_faults.py shows it).

The broken connection is being thrown away anyway, so an AttributeError while closing it is
no reason to stop reconnecting: only that close is made tolerant, the rest of Celery's
recovery (cancelling, prefetch reduction, blueprint restart) runs unchanged.
Selected with ``CELERY_WORKER_CONSUMER`` in settings.
"""

from __future__ import annotations

import logging

from celery.worker.consumer import Consumer as CeleryConsumer

logger = logging.getLogger(__name__)


def _tolerant_close(connection):
    close = connection.close

    def close_broken_connection():
        try:
            close()
        except AttributeError as exc:
            logger.warning("ignored while closing the lost broker connection: %r", exc)

    return close_broken_connection


class Consumer(CeleryConsumer):
    def on_connection_error_after_connected(self, exc):
        if self.connection is not None:
            # An instance attribute shadows the method for this one, discarded, connection.
            self.connection.close = _tolerant_close(self.connection)
        return super().on_connection_error_after_connected(exc)
