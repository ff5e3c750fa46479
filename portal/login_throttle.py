"""Throttle password guessing: too many failures for one account from one address lock that pair out.

Works for every login (admin, API session) because it sits in the authentication backend.
"""

import hashlib

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver


def _key(username, request):
    address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    digest = hashlib.sha256(f"{(username or '').lower()}|{address}".encode()).hexdigest()
    return f"portal:login-failures:{digest}"


def is_locked(username, request):
    return cache.get(_key(username, request), 0) >= settings.LOGIN_FAILURE_LIMIT


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is not None and is_locked(username, request):
            # PermissionDenied stops Django from trying other backends: the login simply fails.
            raise PermissionDenied("too many failed logins")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            cache.delete(_key(username, request))
        return user


@receiver(user_login_failed)
def count_failure(sender, credentials, request=None, **kwargs):
    key = _key(credentials.get("username"), request)
    if cache.add(key, 1, settings.LOGIN_LOCKOUT_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, settings.LOGIN_LOCKOUT_SECONDS)
