"""Open311 GeoReport v2: the keys issued to client applications, and what each request came with."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiKey(models.Model):
    """A key an administrator issues to one client application (FixMyStreet, a city 311 app …).

    Only a SHA-256 digest of the key is stored: the key itself is shown once, when it
    is issued. ``prefix`` (the part before the dot) finds the row without a scan and
    names the key in lists and in ``open311_key revoke``.
    """

    application = models.CharField(_("application"), max_length=100)
    contact_email = models.EmailField(_("contact email"), blank=True)
    prefix = models.CharField(_("key prefix"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(_("key digest"), max_length=64, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")
        ordering = ["application", "id"]

    def __str__(self):
        return f"{self.application} ({self.prefix}…)"


class SubmittedRequest(models.Model):
    """What an Open311 POST brought besides the ticket itself.

    The token answers ``GET tokens/{token}``. The contact details (email, device and
    account ids) are kept for the staff and never published; ``media_url`` and
    ``address_id`` are echoed in the public answers, as the client sent them.
    """

    ticket = models.OneToOneField(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="open311"
    )
    api_key = models.ForeignKey(
        ApiKey, verbose_name=_("API key"), on_delete=models.PROTECT, related_name="submitted_requests"
    )
    token = models.CharField(_("token"), max_length=40, unique=True)
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    address_id = models.CharField(_("address id"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    device_id = models.CharField(_("device id"), max_length=100, blank=True)
    account_id = models.CharField(_("account id"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("Open311 request")
        verbose_name_plural = _("Open311 requests")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.token} → {self.ticket_id}"
