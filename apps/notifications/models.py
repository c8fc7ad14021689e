"""The outbox: every notification is a row written in the transaction of the event that caused it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In-app inbox")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    # For residents without an account: the phone (SMS) the message goes to.
    address = models.CharField(_("address"), max_length=200, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=40)
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(
        "tickets.TicketEvent", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    state = models.CharField(_("state"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The Celery task id that claimed the row: a redelivery of that same task (its worker died)
    # may take the row again; any other copy of the task may not.
    claim_token = models.CharField(max_length=64, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweep: only undelivered rows, by when they are due.
            models.Index(
                fields=["next_attempt_at"], name="notification_due", condition=Q(state__in=["pending", "sending"])
            ),
            # The inbox and its unread badge.
            models.Index(fields=["recipient", "channel", "read_at"], name="notification_inbox"),
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient or self.address} ({self.channel}, {self.state})"


class Preference(models.Model):
    """Which channels a person wants, and in which language. In-app is always on."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_prefs")
    email = models.BooleanField(_("email"), default=False)
    sms = models.BooleanField(_("SMS"), default=False)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self):
        return f"{self.user}: email={self.email} sms={self.sms}"
