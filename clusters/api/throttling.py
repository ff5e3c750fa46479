"""Rate limits that read their rate on each request, so settings changes (and tests) take effect.

An anonymous client is counted by the address portal.clientip decides, the one the login lockout uses:
DRF's own ident believes any X-Forwarded-For, so a new header each time lifted the limit.
"""

from rest_framework import throttling
from rest_framework.settings import api_settings

from portal.clientip import client_ip


class DynamicRateMixin:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        return client_ip(request)


class AnonRateThrottle(DynamicRateMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(DynamicRateMixin, throttling.UserRateThrottle):
    """Signed-in users only. DRF's counts an anonymous client by address too, so the user rate capped
    anonymous readers whenever the anonymous rate was set above it (`make loadtest`'s anonymous API reads
    were refused with 429 after 1,200 a minute, whatever `DJANGO_API_ANON_RATE` said)."""

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)
