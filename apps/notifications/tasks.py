from celery import shared_task

from apps.notifications import services


@shared_task(
    bind=True,
    name="apps.notifications.tasks.deliver_notification",
    ignore_result=True,
    time_limit=60,
    soft_time_limit=50,
)
def deliver_notification(self, notification_id: int) -> str:
    """Idempotent: the conditional claim in services.deliver makes a second copy a no-op."""
    return services.deliver(notification_id, token=self.request.id or "")


@shared_task(name="apps.notifications.tasks.sweep", ignore_result=True, time_limit=120, soft_time_limit=100)
def sweep() -> dict:
    return services.sweep()
