"""A read costs the same number of SQL queries at 25 clusters as at several hundred.

Each endpoint is measured on the shipped data plus one synthetic cluster (26 clusters), then again after
bulk-creating 400 more synthetic clusters with cities, measures, targets, indicator values and scored
evaluations, at the largest page size. The count must not grow, and must stay under a fixed bound.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from clusters.models import Cluster
from portal.caching import forget_memos
from tests.api_support import make_synthetic_clusters, make_user
from tests.page_data import REFERENCE_QUERIES

pytestmark = pytest.mark.django_db

# Queries per read, for an anonymous reader; a signed-in one adds the session and user lookups (2),
# and the permission lookups where visibility depends on them (2). The cluster list (every cluster's city
# links) and detail also read the small tables their rows point to (REFERENCE_QUERIES) once per data
# version: here, with nothing memoised, they do. A change here is a change to the selectors: look before raising.
ANONYMOUS = {
    "/api/fields/": 2,  # count, page
    "/api/provinces/": 2,
    "/api/cities/": 2,  # the page joins each city's province
    # Count, page (plain rows); every cluster's city links (selectors.city_links), once per data version.
    "/api/clusters/": 2 + 1 + REFERENCE_QUERIES,
    # The cluster, one query per related kind (its city links, measures' topics and evaluations' scores too).
    "/api/clusters/{slug}/": 11 + REFERENCE_QUERIES,
    "/api/measures/": 3,  # count, page, the page's measures' topics
    "/api/targets/": 3,  # + the page's clusters' indicator values, for progress
    "/api/indicator-values/": 2,
    # Count, the page's ids, their records, their clusters, their dimension scores; schemes, sources and
    # dimensions from the reference tables.
    "/api/evaluations/": 5 + REFERENCE_QUERIES,
    "/api/stats/": 6,
}
STAFF = {
    **{url: n + 2 for url, n in ANONYMOUS.items()},
    **{url: ANONYMOUS[url] + 4 for url in ANONYMOUS if url.startswith(("/api/clusters/", "/api/measures/"))},
    "/api/targets/": ANONYMOUS["/api/targets/"] + 4,
    "/api/indicator-values/": ANONYMOUS["/api/indicator-values/"] + 4,
    "/api/evaluations/": ANONYMOUS["/api/evaluations/"] + 4,
}
ENDPOINTS = list(ANONYMOUS)


def count_queries(client, url):
    cache.clear()  # throttle counters: keep the cache's own bookkeeping identical between runs
    forget_memos()  # memoised counts and stats: measure the read that builds them
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page_size": 200} if "{" not in url and "stats" not in url else {})
    assert response.status_code == 200, response.content[:300]
    return len(queries)


def measure(client, slug):
    return {url: count_queries(client, url.format(slug=slug)) for url in ENDPOINTS}


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "staff"])
def test_query_count_does_not_grow_with_the_data(signed_in, django_assert_max_num_queries):
    client = APIClient()
    expected = ANONYMOUS
    if signed_in:
        client.force_login(make_user("staff", "view_cluster", "view_evaluationrecord"))
        expected = STAFF

    # 26 clusters: the shipped 25 and one with two of everything (so every prefetch has rows to fetch).
    small_cluster = make_synthetic_clusters(1, per_cluster=2)[0]
    small = measure(client, small_cluster.slug)

    # 426 clusters, the new ones with five measures, targets, values and scored evaluations each.
    synthetic = make_synthetic_clusters(400, per_cluster=5, start=1)
    assert Cluster.objects.count() == 426
    large = measure(client, synthetic[0].slug)

    assert large == small == expected
    for url in ENDPOINTS:
        with django_assert_max_num_queries(expected[url]):
            count_queries(client, url.format(slug=synthetic[-1].slug))
