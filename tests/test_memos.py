"""portal.caching.memoised: built once per data version, rebuilt after any committed write."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from clusters.models import Cluster
from portal import caching
from portal.caching import PublicCacheMiddleware, bump_data_version, data_version, memoised

pytestmark = pytest.mark.django_db


def count_clusters(calls):
    calls.append(1)
    return Cluster.objects.count()


def test_built_once_until_a_committed_write(django_capture_on_commit_callbacks):
    calls = []
    first = memoised("test:count", lambda: count_clusters(calls))
    assert memoised("test:count", lambda: count_clusters(calls)) == first
    assert len(calls) == 1

    with django_capture_on_commit_callbacks(execute=True):
        Cluster.objects.first().delete()  # the shipped data is loaded
    assert memoised("test:count", lambda: count_clusters(calls)) != first
    assert len(calls) == 2


def test_names_are_separate():
    assert memoised("test:a", lambda: "a") == "a"
    assert memoised("test:b", lambda: "b") == "b"
    assert memoised("test:a", lambda: "changed") == "a"


class CountingCache:
    """The cache, counting reads of the data version."""

    def __init__(self, cache):
        self.cache, self.version_reads = cache, 0

    def get(self, key, *args, **kwargs):
        self.version_reads += key == caching.DATA_VERSION_KEY
        return self.cache.get(key, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.cache, name)


def test_a_request_reads_the_data_version_once(client, monkeypatch):
    """A page asks for several memos; each asked the shared cache (with Redis, a round trip) for the version."""
    counting = CountingCache(caching.cache)
    monkeypatch.setattr(caching, "cache", counting)
    client.get("/clusters/")  # builds the memos
    counting.version_reads = 0
    assert client.get("/clusters/").status_code == 200
    assert counting.version_reads == 1
    memoised("test:outside", lambda: 1), memoised("test:outside", lambda: 1)
    assert counting.version_reads == 3  # outside a request, each call reads it


def test_a_request_reads_its_own_write_under_the_new_version():
    seen = []

    def view(request):
        seen.append(data_version())
        bump_data_version()  # a write committed inside the request
        seen.append(data_version())
        seen.append(data_version())
        return HttpResponse("ok")

    PublicCacheMiddleware(view)(RequestFactory().get("/api/"))
    assert seen[1] == seen[2] == seen[0] + 1
