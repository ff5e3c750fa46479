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
    pass
