"""Issuing, checking and revoking the API keys of client applications.

A key reads ``<prefix>.<secret>``: the prefix finds the row, the SHA-256 digest of
the whole key proves it. The key is returned once, by ``api_key_issue``; nothing
can show it again, so a lost key is revoked and a new one issued.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import NotFound, ValidationFailed
from apps.open311.models import ApiKey

PREFIX_BYTES = 4  # 8 hex characters: enough to tell keys apart, short enough to read aloud
SECRET_BYTES = 24


def digest(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode("utf-8")).hexdigest()


def assign_new_key(api_key: ApiKey) -> str:
    """Give an unsaved ``ApiKey`` fresh key material; return the key (to be shown once)."""
    prefix = secrets.token_hex(PREFIX_BYTES)
    while ApiKey.objects.filter(prefix=prefix).exists():  # 4 billion prefixes: a retry is a curiosity
        prefix = secrets.token_hex(PREFIX_BYTES)
    raw_key = f"{prefix}.{secrets.token_urlsafe(SECRET_BYTES)}"
    api_key.prefix = prefix
    api_key.key_hash = digest(raw_key)
    return raw_key


@transaction.atomic
def api_key_issue(*, application: str, contact_email: str = "") -> tuple[ApiKey, str]:
    """Create a key for ``application``; return the row and the key, which is never shown again."""
    application = (application or "").strip()
    if not application:
        message = _("Name the application the key is for.")
        raise ValidationFailed(message, fields={"application": [message]})
    if len(application) > 100:
        message = _("The application name is at most 100 characters.")
        raise ValidationFailed(message, fields={"application": [message]})
    api_key = ApiKey(application=application, contact_email=(contact_email or "").strip())
    raw_key = assign_new_key(api_key)
    api_key.save()
    return api_key, raw_key


@transaction.atomic
def api_key_revoke(*, prefix: str) -> ApiKey:
    """Switch the key off: its application can no longer post. Revoking twice is harmless."""
    api_key = ApiKey.objects.select_for_update().filter(prefix=(prefix or "").strip().split(".")[0]).first()
    if api_key is None:
        raise NotFound(_("No API key has the prefix “%(prefix)s”.") % {"prefix": prefix})
    if api_key.is_active:
        api_key.is_active = False
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["is_active", "revoked_at"])
    return api_key


def api_key_check(raw_key: str) -> ApiKey | None:
    """The active key matching ``raw_key``, or None (unknown, malformed or revoked)."""
    prefix, dot, _secret = (raw_key or "").partition(".")
    if not dot or not prefix or len(prefix) > 16:
        return None
    api_key = ApiKey.objects.filter(prefix=prefix, is_active=True).first()
    if api_key is None or not hmac.compare_digest(api_key.key_hash, digest(raw_key)):
        return None
    return api_key


def api_key_touch(api_key: ApiKey) -> None:
    """Record the use; at most one write a minute per key, so a busy client costs no write per call."""
    now = timezone.now()
    if api_key.last_used_at is None or (now - api_key.last_used_at).total_seconds() >= 60:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
