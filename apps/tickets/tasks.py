from celery import shared_task

from apps.tickets.orphans import sweep_orphans


@shared_task(name="apps.tickets.tasks.sweep_attachments", ignore_result=True, time_limit=3600, soft_time_limit=3500)
def sweep_attachments() -> dict:
    """Run by beat daily (CELERY_BEAT_SCHEDULE). Idempotent: a second run, or two at once, finds
    the same orphans or none, and deleting a file already gone is a no-op. Walking every folder can
    outlast the default 120 s limit, hence the hour; if it is cut short the next run finishes."""
    return sweep_orphans().as_dict()
