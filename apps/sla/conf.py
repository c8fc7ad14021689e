"""Settings of the sla app, each with its default; the lead wires the env vars in settings.py."""

from django.conf import settings


def config_check_seconds() -> float:
    """How long a process trusts its cached calendars and policies without re-reading the stamp.

    0 (the default) reads the one-row stamp on every deadline computation (env SLA_CONFIG_CHECK_SECONDS).
    """
    return float(getattr(settings, "SLA_CONFIG_CHECK_SECONDS", 0))


def warning_record_seconds() -> float:
    """How often (at most) a process writes and logs the same missing-year warning (SLA_WARNING_RECORD_SECONDS).

    Between two writes the computations are counted in memory and added on the next write, so a
    year without data does not turn every ticket into a write on one hot row.
    """
    return float(getattr(settings, "SLA_WARNING_RECORD_SECONDS", 60))
