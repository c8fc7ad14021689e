"""The SLA scan: find tickets whose next action time has come, claim them, act, exactly once.

Reads only due rows: ``next_action_at <= now`` is a range scan over the partial index
``ticket_next_action_due`` (rows with nothing pending are not in it), so the cost follows
the number of due tickets, not the number of open ones. Rows are claimed with
``SELECT … FOR UPDATE SKIP LOCKED`` in small batches: two scans running at once take
different tickets, and a step's unique key (SlaStep) stops a repeat even so. A ticket
whose processing raises is pushed back a few minutes and logged; it never blocks the rest.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

logger = logging.getLogger("apps.sla.scan")
RETRY_DELAY = timedelta(minutes=5)


@dataclass
class ScanReport:
    processed: int = 0
    steps: int = 0
    failed: list[int] = field(default_factory=list)
    batches: int = 0

    def as_dict(self) -> dict:
        return {"processed": self.processed, "steps": self.steps, "failed": self.failed, "batches": self.batches}


def _claim_batch(now, size: int) -> list[int]:
    from apps.tickets.models import Ticket

    qs = Ticket.objects.filter(next_action_at__lte=now).order_by("next_action_at").values_list("pk", flat=True)
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True)
    return list(qs[:size])


def scan_once(*, now=None, batch_size: int | None = None, max_batches: int = 100) -> ScanReport:
    from apps.tickets.models import Ticket
    from apps.tickets.services.sla_actions import ticket_process_due

    now = now or timezone.now()
    batch_size = batch_size or settings.SLA_SCAN_BATCH
    report = ScanReport()
    skip: set[int] = set()
    for _ in range(max_batches):
        with transaction.atomic():
            ids = [pk for pk in _claim_batch(now, batch_size + len(skip)) if pk not in skip][:batch_size]
            if not ids:
                break
            report.batches += 1
            for pk in ids:
                try:
                    with transaction.atomic():
                        report.steps += len(ticket_process_due(ticket_id=pk, now=now))
                    report.processed += 1
                except Exception:
                    logger.exception("SLA scan: ticket %s failed; retrying in %s", pk, RETRY_DELAY)
                    Ticket.objects.filter(pk=pk).update(next_action_at=now + RETRY_DELAY)
                    report.failed.append(pk)
                    skip.add(pk)
    if report.processed or report.failed:
        logger.info("SLA scan: %s", report.as_dict())
    return report
