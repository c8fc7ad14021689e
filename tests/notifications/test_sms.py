"""SMS backends. The HTTP gateway lies outside the system: urllib is replaced by a fake."""

from __future__ import annotations

import io
import json
import logging
import urllib.error

import pytest

from apps.notifications.sms import ConsoleBackend, FileBackend, HttpBackend, SmsError, get_backend


class FakeResponse:
    def __init__(self, status):
        self.status = status

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class FakeGateway:
    def __init__(self, status=200, error=None):
        self.status, self.error, self.requests = status, error, []

    def __call__(self, request, timeout=None):
        self.requests.append((request, timeout))
        if self.error is not None:
            raise self.error
        return FakeResponse(self.status)


@pytest.mark.parametrize(
    ("url", "backend"),
    [("console://", ConsoleBackend), ("file:///tmp/x/sms.jsonl", FileBackend), ("https://gw.example/s", HttpBackend)],
)
def test_the_backend_is_chosen_by_url(settings, url, backend):
    settings.SMS_BACKEND = url
    assert isinstance(get_backend(), backend)


def test_the_file_backend_appends_one_json_line_per_message(tmp_path):
    path = tmp_path / "deep" / "sms.jsonl"
    backend = FileBackend(str(path))
    backend.send("13811112222", "您的诉求已受理", key="notification-1")
    backend.send("13811113333", "second", key="notification-2")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(r["key"], r["phone"], r["text"]) for r in rows] == [
        ("notification-1", "13811112222", "您的诉求已受理"),
        ("notification-2", "13811113333", "second"),
    ]
    assert "您的诉求已受理" in path.read_text(encoding="utf-8")  # readable, not \\u-escaped


def test_the_console_backend_only_logs(caplog):
    caplog.set_level(logging.INFO, logger="apps.notifications.sms")
    ConsoleBackend().send("13811112222", "hello", key="k")
    assert "SMS to 13811112222: hello" in caplog.text


def test_the_http_backend_posts_json_with_the_key_and_an_idempotency_key(monkeypatch):
    gateway = FakeGateway()
    monkeypatch.setattr("urllib.request.urlopen", gateway)
    HttpBackend("https://gw.example/send", "secret", timeout=4).send("13811112222", "您好", key="notification-9")
    ((request, timeout),) = gateway.requests
    assert (request.full_url, request.get_method(), timeout) == ("https://gw.example/send", "POST", 4)
    assert request.get_header("Authorization") == "Bearer secret"
    assert request.get_header("Idempotency-key") == "notification-9"
    assert request.get_header("Content-type") == "application/json"
    assert json.loads(request.data) == {"phone": "13811112222", "text": "您好", "id": "notification-9"}


@pytest.mark.parametrize(
    ("gateway", "message"),
    [
        (FakeGateway(status=302), "gateway answered HTTP 302"),
        (
            FakeGateway(error=urllib.error.HTTPError("https://gw.example/send", 503, "busy", {}, io.BytesIO())),
            "gateway unreachable: HTTP Error 503: busy",
        ),
        (FakeGateway(error=urllib.error.URLError("timed out")), "gateway unreachable: <urlopen error timed out>"),
        (FakeGateway(error=TimeoutError("read timed out")), "gateway unreachable: read timed out"),
    ],
)
def test_the_http_backend_turns_every_gateway_failure_into_an_sms_error(monkeypatch, gateway, message):
    monkeypatch.setattr("urllib.request.urlopen", gateway)
    with pytest.raises(SmsError) as caught:
        HttpBackend("https://gw.example/send", "secret").send("13811112222", "x", key="k")
    assert str(caught.value) == message
