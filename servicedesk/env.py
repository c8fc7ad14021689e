"""Reading the environment: one object, strict parsing, one-line errors.

django-environ does the URL parsing; this wrapper adds what it lacks for an
operator: a malformed value stops start-up with a message naming the variable
(``SystemExit`` prints it as one line, with no traceback), and booleans are
strict, so ``DEBUG=ture`` is an error rather than a silent ``False``.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import environ

TRUE = {"1", "true", "yes", "on", "y", "t"}
FALSE = {"0", "false", "no", "off", "n", "f", ""}


class EnvError(SystemExit):
    """A malformed environment variable; printed as one line, exit status 1."""

    def __init__(self, name: str, problem: str, fix: str):
        super().__init__(f"servicedesk: environment variable {name} {problem}; {fix}")
        self.name = name


class Env:
    def __init__(self):
        self._env = environ.Env()

    def raw(self, name: str, default: str | None = None) -> str | None:
        return os.environ.get(name, default)

    def str(self, name: str, default: str) -> str:
        return os.environ.get(name, default)

    def bool(self, name: str, default: bool) -> bool:
        value = os.environ.get(name)
        if value is None:
            return default
        lowered = value.strip().lower()
        if lowered in TRUE:
            return True
        if lowered in FALSE:
            return False
        raise EnvError(name, f"is {value!r}, not a boolean", "use 1/0, true/false, yes/no or on/off")

    def int(self, name: str, default: int, *, minimum: int | None = None) -> int:
        value = os.environ.get(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise EnvError(name, f"is {value!r}, not an integer", "set it to a whole number") from None
        if minimum is not None and number < minimum:
            raise EnvError(name, f"is {number}", f"it must be at least {minimum}")
        return number

    def float(self, name: str, default: float) -> float:
        value = os.environ.get(name)
        if value is None:
            return default
        try:
            return float(value)
        except ValueError:
            raise EnvError(name, f"is {value!r}, not a number", "set it to a number such as 0.75") from None

    def list(self, name: str, default: list[str]) -> list[str]:
        value = os.environ.get(name)
        if value is None:
            return default
        return [item.strip() for item in value.split(",") if item.strip()]

    def db(self, name: str, default: str) -> dict:
        value = os.environ.get(name, default)
        scheme = urlsplit(value).scheme
        if scheme not in self._env.DB_SCHEMES or scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
            raise EnvError(
                name,
                f"has an unsupported or missing scheme ({value!r})",
                "use postgres://USER@HOST:PORT/NAME or sqlite:////absolute/path.sqlite3",
            )
        try:
            config = self._env.db_url_config(value)
        except Exception as exc:  # environ raises several types for bad URLs
            raise EnvError(name, f"cannot be parsed ({exc})", "check the URL") from None
        if not config.get("NAME"):
            raise EnvError(name, "names no database", "add the database name to the URL path")
        return config

    def url(self, name: str, default: str, *, schemes: set[str]) -> str:
        value = os.environ.get(name, default)
        scheme = urlsplit(value).scheme
        if scheme not in schemes:
            raise EnvError(
                name, f"has scheme {scheme or 'none'!r} ({value!r})", f"use one of: {', '.join(sorted(schemes))}"
            )
        return value

    def email(self, name: str, default: str) -> dict:
        value = os.environ.get(name, default)
        try:
            config = self._env.email_url_config(value)
        except Exception as exc:
            raise EnvError(
                name, f"cannot be parsed ({exc})", "use smtp://user:pass@host:587 or consolemail://"
            ) from None
        if not config.get("EMAIL_BACKEND"):
            raise EnvError(
                name, f"has an unknown scheme ({value!r})", "use smtp://, smtp+tls://, consolemail:// or filemail://"
            )
        return config
