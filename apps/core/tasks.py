from celery import shared_task
from django.utils import timezone

from apps.core.models import Heartbeat


@shared_task(name="apps.core.tasks.heartbeat", ignore_result=True, time_limit=30, soft_time_limit=20)
def heartbeat(name: str = "celery-beat") -> None:
    """Written every minute by beat through the worker: proves the pair runs."""
    Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": timezone.now()})
