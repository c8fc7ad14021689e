"""Settings of the Open311 endpoint, each with a default that needs no variable."""

from django.conf import settings


def jurisdiction_id() -> str:
    """When set, a request naming another ``jurisdiction_id`` is refused (one city per endpoint)."""
    return getattr(settings, "OPEN311_JURISDICTION_ID", "") or ""


def rate_per_key() -> str:
    return getattr(settings, "OPEN311_RATE_PER_KEY", "") or "60/min"


def rate_per_ip() -> str:
    return getattr(settings, "OPEN311_RATE_PER_IP", "") or "30/min"


def max_requests() -> int:
    """The most requests one ``GET requests`` answers (the spec's default is 1000)."""
    return int(getattr(settings, "OPEN311_MAX_REQUESTS", 1000) or 1000)


def contact() -> str:
    """Who client developers write to; shown in discovery."""
    return getattr(settings, "OPEN311_CONTACT", "") or ""


def key_service() -> str:
    """Where a developer asks for a key; shown in discovery."""
    return getattr(settings, "OPEN311_KEY_SERVICE", "") or ""
