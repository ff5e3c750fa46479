"""Rate limits that read their rate on each request, so settings changes (and tests) take effect."""

from rest_framework import throttling
from rest_framework.settings import api_settings


class DynamicRateMixin:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonRateThrottle(DynamicRateMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(DynamicRateMixin, throttling.UserRateThrottle):
    pass
