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


# Without a setting (an old settings file), the same defaults as servicedesk/settings.py.
DEFAULT_PUBLIC_CHANNELS = ("web", "api", "open311")


def public_channels() -> frozenset[str]:
    """The intake channels whose tickets any GET may show; empty means none is shown.

    An empty list is a valid choice (publish nothing), so no ``or default`` here.
    """
    channels = getattr(settings, "OPEN311_PUBLIC_CHANNELS", DEFAULT_PUBLIC_CHANNELS)
    return frozenset(channel.strip().lower() for channel in channels if channel.strip())


def publish_addresses() -> bool:
    """False hides the address and address_id and coarsens lat/long (see representations.coarse)."""
    return bool(getattr(settings, "OPEN311_PUBLISH_ADDRESSES", True))


def publish_descriptions() -> bool:
    return bool(getattr(settings, "OPEN311_PUBLISH_DESCRIPTIONS", True))
