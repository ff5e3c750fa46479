"""portal.caching.memoised: built once per data version, rebuilt after any committed write."""

import pytest

from clusters.models import Cluster
from portal.caching import memoised

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
