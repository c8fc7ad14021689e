import pytest
from django.test import Client

from servicedesk.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker_reachable():
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True


def test_healthz_names_the_broker_when_it_is_unreachable(monkeypatch):
    # Port 1 on loopback: nothing listens, the connection is refused at once.
    from kombu import Connection

    monkeypatch.setattr(celery_app, "connection_for_write", lambda: Connection("redis://127.0.0.1:1/0"))
    response = Client().get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["broker"]
    assert body["broker"]["ok"] is False
    assert body["database"]["ok"] is True


def test_healthz_names_the_database_when_it_is_unreachable(monkeypatch):
    from apps.core import health

    class BrokenCursor:
        def __enter__(self):
            raise OSError("connection refused")

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(health.connection, "cursor", lambda: BrokenCursor())
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["database"]


def test_healthz_refuses_post():
    assert Client().post("/healthz").status_code == 405
