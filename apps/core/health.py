"""Reachability checks for /healthz: the database and the Celery broker."""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

from servicedesk.celery import app as celery_app


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    return {"ok": True, "vendor": connection.vendor}


def check_broker() -> dict:
    conn = celery_app.connection_for_write()
    try:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=3)
    except Exception as exc:
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    finally:
        conn.release()
    return {"ok": True, "transport": conn.transport_cls if isinstance(conn.transport_cls, str) else "custom"}


def check_scheduler() -> dict:
    """Informational: when beat last ran the heartbeat task (not a failure if unknown)."""
    from apps.core.models import Heartbeat

    try:
        beat = Heartbeat.objects.filter(name="celery-beat").values_list("beat_at", flat=True).first()
    except Exception:
        return {"last_beat": None}
    return {"last_beat": timezone.localtime(beat).isoformat() if beat else None}
