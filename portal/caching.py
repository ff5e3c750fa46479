"""Whole-response caching for anonymous reads, invalidated the moment any data change is committed.

Every cached key carries a data version; a committed change to any record bumps the version, so stale
pages simply stop being looked up (and expire on their own). Staff and sessions are never cached.

The bump waits for the commit: bumped inside the transaction, a reader between the save and the commit
would read the old rows under the new version and cache them for the full timeout (an unpublished
cluster stayed public for 300 s in 6 of 12 tries under 8 readers). For the same reason a request takes
its key, and so the version, before the view reads anything.
"""

import hashlib
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import get_conditional_response

DATA_VERSION_KEY = "portal:data-version"


# The version a request has read, held for the rest of it (PublicCacheMiddleware opens one per request):
# a page asks for several memos, and with Redis each read of the version was a round trip.
_request_version = ContextVar("portal_request_version", default=None)


def data_version():
    held = _request_version.get()
    if held:
        return held[0]
    version = cache.get(DATA_VERSION_KEY)
    if version is None:
        cache.add(DATA_VERSION_KEY, 1, timeout=None)
        version = cache.get(DATA_VERSION_KEY, 1)
    if held is not None:
        held.append(version)
    return version


# Values that only change with the data, per process: {name: (data version, value)}.
_memos = {}


def memoised(name, build):
    """``build()``'s value, computed once per process for each data version.

    For what is the same for every request until the data changes (filter options, the schema, counts):
    the version is read from the shared cache once per request (on each call outside one), so a committed
    write anywhere makes every process rebuild on its next request. ``name`` must say everything the value
    depends on besides the data (the language, say)."""
    version = data_version()
    held = _memos.get(name)
    if held is not None and held[0] == version:
        return held[1]
    value = build()
    _memos[name] = (version, value)
    return value


def forget_memos():
    """Tests: each starts with nothing memoised (their writes roll back without a commit to bump)."""
    _memos.clear()


def bump_data_version(**_signal_kwargs):
    """Make every cached response stale now. Writers call it through `transaction.on_commit`."""
    held = _request_version.get()
    if held:
        held.clear()  # this request reads its own write on
    try:
        cache.incr(DATA_VERSION_KEY)
    except ValueError:  # not set yet (or evicted): any new value invalidates
        cache.set(DATA_VERSION_KEY, 2, timeout=None)


def bump_data_version_on_commit(using=None, **_signal_kwargs):
    """Signal receiver (save, delete, m2m): bump once the transaction that made the change commits."""
    transaction.on_commit(bump_data_version, using=using)


class PublicCacheMiddleware:
    """Serve repeated anonymous GETs of public pages and the API from the cache."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.timeout = getattr(settings, "PUBLIC_CACHE_SECONDS", 0)
        self.prefixes = tuple(getattr(settings, "PUBLIC_CACHE_PREFIXES", ("/",)))
        self.excluded = tuple(getattr(settings, "PUBLIC_CACHE_EXCLUDED_PREFIXES", ("/admin/",)))

    def __call__(self, request):
        token = _request_version.set([])  # the version this request reads, once (see data_version)
        try:
            return self._respond(request)
        finally:
            _request_version.reset(token)

    def _respond(self, request):
        if not self._cacheable_request(request):
            return self.get_response(request)
        key = self._key(request)  # before the view reads: see the module docstring
        response = cache.get(key)
        if response is not None:
            response["X-Cache"] = "hit"
            # A client that already holds this version gets a 304, as it would from the view.
            return get_conditional_response(request, etag=response.get("ETag"), last_modified=None, response=response)
        response = self.get_response(request)
        if self._cacheable_response(request, response):
            cache.set(key, self._storable(response), self.timeout)
            response["X-Cache"] = "miss"
        return response

    def _cacheable_request(self, request):
        path = request.path
        return (
            self.timeout > 0
            and request.method in ("GET", "HEAD")
            and path.startswith(self.prefixes)
            and not path.startswith(self.excluded)
            and not request.user.is_authenticated
            and "HTTP_AUTHORIZATION" not in request.META
        )

    @staticmethod
    def _cacheable_response(request, response):
        # `Vary: Cookie` only matters for sessions, and only anonymous requests get here; a page that
        # embeds a CSRF token is per-visitor, so it is never shared.
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and "private" not in response.get("Cache-Control", "")
        )

    @staticmethod
    def _storable(response):
        """Only bytes and headers: a DRF Response would also pickle its data and slow every hit."""
        stored = HttpResponse(response.content, status=response.status_code)
        for header, value in response.items():
            stored[header] = value
        return stored

    @staticmethod
    def _key(request):
        digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        accept = request.META.get("HTTP_ACCEPT", "")[:100]
        language = getattr(request, "LANGUAGE_CODE", "")
        # Scheme and host are in the key: API bodies and canonical links carry absolute URLs.
        variant = hashlib.sha256(f"{request.scheme}|{request.get_host()}|{accept}".encode()).hexdigest()[:16]
        return f"portal:response:{data_version()}:{language}:{variant}:{digest}"
