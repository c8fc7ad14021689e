"""Settings of the places app, each with its default; the lead wires the env vars in settings.py."""

from django.conf import settings


def grid_index_check_seconds() -> float:
    """How often (at most) a process compares its spatial index with GridVersion (env GRID_INDEX_CHECK_SECONDS)."""
    return float(getattr(settings, "GRID_INDEX_CHECK_SECONDS", 2))


def nearest_community_max_meters() -> float:
    """How far outside every grid a point still gets a nearest community (GRID_NEAREST_COMMUNITY_MAX_METERS)."""
    return float(getattr(settings, "GRID_NEAREST_COMMUNITY_MAX_METERS", 500))


def city_code() -> str:
    return str(getattr(settings, "CITY_CODE", "370100"))


def city_name() -> str:
    return str(getattr(settings, "CITY_NAME", "济南市"))
