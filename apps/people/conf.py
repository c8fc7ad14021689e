"""Settings the people app reads, each with a default that needs no configuration."""

from django.conf import settings


def site_url() -> str:
    """Where people reach the site; set-password links printed by import_staff start with it."""
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")


def auth_token_rate() -> str:
    """How often one client address may try to log in or register (DRF rate syntax)."""
    return getattr(settings, "AUTH_TOKEN_RATE", "20/min")
