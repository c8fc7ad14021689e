from celery import shared_task
from django.utils import timezone

from apps.core.models import Heartbeat
from apps.sla.scan import scan_once


@shared_task(name="apps.sla.tasks.scan", ignore_result=True, time_limit=300, soft_time_limit=280)
def scan() -> dict:
    """Run by beat every minute. Safe to run twice or on two workers at once (see scan.py)."""
    report = scan_once()
    Heartbeat.objects.update_or_create(name="sla-scan", defaults={"beat_at": timezone.now()})
    return report.as_dict()
