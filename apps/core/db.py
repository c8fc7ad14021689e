"""Which database a query goes to."""

from __future__ import annotations

from django.conf import settings


def reporting_db() -> str:
    """The alias for reports (dashboards, rates, exports): the read replica when
    DATABASE_REPLICA_URL is set, else the primary. Never use it for a read that must see a
    write made in the same request."""
    return settings.REPORTING_DATABASE
