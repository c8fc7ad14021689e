from django.db.models import QuerySet

from apps.notifications.models import Channel, Notification


def inbox(user) -> QuerySet[Notification]:
    """The user's in-app notifications, newest first (with the ticket for links)."""
    return (
        Notification.objects.filter(recipient=user, channel=Channel.IN_APP)
        .select_related("ticket")
        .order_by("-created_at", "-id")
    )


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, channel=Channel.IN_APP, read_at__isnull=True).count()
