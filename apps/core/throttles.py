"""Rate limits whose rates come from settings (and so from the environment)."""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle


class AnonymousSubmitThrottle(AnonRateThrottle):
    scope = "anon_submit"

    def get_rate(self):
        return settings.THROTTLE_RATES["anon_submit"]


class TrackThrottle(SimpleRateThrottle):
    """Per client address: guessing tracking codes is hopeless and slow."""

    scope = "track"

    def get_rate(self):
        return settings.THROTTLE_RATES["track"]

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
