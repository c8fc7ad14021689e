"""SMS through a small backend interface. The gateway lies outside the system: tests mock it.

``SMS_BACKEND`` (env) chooses: ``console://`` (log only, the default), ``file:///path/outbox.jsonl``
(one JSON line per message — handy for demos and tests), or an ``http(s)://`` gateway URL that
receives ``POST {"phone": ..., "text": ...}`` with ``Authorization: Bearer $SMS_API_KEY``.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from pathlib import Path

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)


class SmsError(Exception):
    pass


class ConsoleBackend:
    def send(self, phone: str, text: str, *, key: str = "") -> None:
        logger.info("SMS to %s: %s", phone, text)


class FileBackend:
    def __init__(self, path: str):
        self.path = Path(path)

    def send(self, phone: str, text: str, *, key: str = "") -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"key": key, "phone": phone, "text": text, "at": timezone.now().isoformat()}, ensure_ascii=False
        )
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")


class HttpBackend:
    def __init__(self, url: str, api_key: str, timeout: float = 10.0):
        self.url, self.api_key, self.timeout = url, api_key, timeout

    def send(self, phone: str, text: str, *, key: str = "") -> None:
        data = json.dumps({"phone": phone, "text": text, "id": key}, ensure_ascii=False).encode()
        request = urllib.request.Request(  # noqa: S310 — the operator configures an http(s) URL
            self.url,
            data=data,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.api_key}",
                "Idempotency-Key": key,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                if response.status >= 300:
                    raise SmsError(f"gateway answered HTTP {response.status}")
        except OSError as exc:
            raise SmsError(f"gateway unreachable: {exc}") from exc


def get_backend():
    url = getattr(settings, "SMS_BACKEND", "console://")
    if url.startswith("file://"):
        return FileBackend(url[len("file://") :])
    if url.startswith(("http://", "https://")):
        return HttpBackend(url, getattr(settings, "SMS_API_KEY", ""))
    return ConsoleBackend()
