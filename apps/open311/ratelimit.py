"""Fixed-window rate limits for Open311 POSTs, counted in the Django cache.

One counter per (scope, identity, window): ``cache.add`` starts it and ``cache.incr``
counts atomically (in Redis and in the local-memory cache alike), so concurrent
posts never both read "59" and both pass.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.utils.translation import gettext as _
from rest_framework.throttling import BaseThrottle

from apps.open311.render import Open311Error

PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600, "d": 86400}
PERIODS["day"] = 86400


def parse_rate(rate: str) -> tuple[int, int]:
    """``"60/min"`` → (60, 60). A malformed rate fails loudly: a silent "no limit" would be worse."""
    count, _slash, period = (rate or "").strip().partition("/")
    try:
        number = int(count)
        seconds = PERIODS[period.strip().lower()]
    except (ValueError, KeyError):
        raise ValueError(f"malformed rate {rate!r}: write it as N/s, N/min, N/hour or N/day") from None
    if number < 1:
        raise ValueError(f"malformed rate {rate!r}: the count must be at least 1")
    return number, seconds


def client_address(request) -> str:
    # DRF's rule, so that REST_FRAMEWORK["NUM_PROXIES"] means the same here as for the other throttles.
    return BaseThrottle().get_ident(request)


def hit(*, scope: str, ident: str, rate: str) -> None:
    """Count one call; raise a 429 ``Open311Error`` when the window's allowance is spent."""
    limit, period = parse_rate(rate)
    now = time.time()
    window = int(now // period)
    key = f"open311:rate:{scope}:{ident}:{window}"
    cache.add(key, 0, timeout=period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # the counter expired between add and incr
        cache.add(key, 1, timeout=period + 1)
        count = 1
    if count > limit:
        retry_after = max(1, int((window + 1) * period - now) + 1)
        raise Open311Error(
            429,
            _("Too many requests (%(scope)s): at most %(rate)s; try again in %(seconds)d seconds.")
            % {"scope": scope, "rate": rate, "seconds": retry_after},
            headers={"Retry-After": str(retry_after)},
        )
