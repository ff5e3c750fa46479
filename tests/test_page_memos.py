"""What the pages memoise under the data version (portal.caching.memoised) follows a committed write.

Filter options, headline stats and the map of public clusters are built once per data version; a write
committed through the admin's path (a save or an m2m change, which bump the version on commit) shows on
the next request, and nothing is rebuilt while the data stays the same.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clusters.models import City, Cluster, Enterprise, LeadEnterprise
from portal.caching import bump_data_version

pytestmark = pytest.mark.django_db

HOME = reverse("clusters:home")
LIST = reverse("clusters:list")
MAP = reverse("clusters:map")


def options(response, name):
    select = next(s for s in response.context["selects"] if s["name"] == name)
    return {value for value, _label in select["options"]}


def city_options(response):
    return options(response, "city")


@pytest.fixture
def empty_city():
    """A city that holds no public cluster (so it is not a filter option yet)."""
    return City.objects.exclude(clusters__published=True).order_by("code").first()


def test_filter_options_follow_a_committed_write(client, empty_city, django_capture_on_commit_callbacks):
    assert empty_city.province_id not in options(client.get(LIST), "province")  # 北京: no shipped cluster
    assert empty_city.code not in city_options(client.get(LIST))
    cluster = Cluster.objects.public().order_by("pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        cluster.cities.add(empty_city)
    response = client.get(LIST)
    assert empty_city.code in city_options(response) and empty_city.province_id in options(response, "province")
    assert empty_city.province_id in {p.code for p in client.get(reverse("clusters:rankings")).context["provinces"]}


def test_filter_options_are_read_once_per_data_version(client, django_assert_max_num_queries):
    client.get(LIST)
    first = client.get(LIST)
    # Without the options' three queries (fields, provinces, cities): count, the page, its cities and leads.
    with django_assert_max_num_queries(5):
        again = client.get(LIST)
    assert city_options(again) == city_options(first)


def test_filter_options_are_labelled_in_the_page_language(client):
    chinese = next(s for s in client.get(LIST).context["selects"] if s["name"] == "province")["options"]
    english = next(s for s in client.get(f"/en{LIST}").context["selects"] if s["name"] == "province")["options"]
    assert dict(chinese)["440000"] == "广东省" and dict(english)["440000"] == "Guangdong"


def test_stats_and_the_home_map_follow_a_committed_write(client, django_capture_on_commit_callbacks):
    before = client.get(HOME).context
    assert before["stats"]["clusters"] == 25 and before["map"]["clusters"] == 25
    assert f'href="{LIST}?province=610000"' in client.get(HOME).content.decode()  # 陕西: 西安 alone
    assert client.get("/api/stats/").json()["clusters"] == 25
    cluster = Cluster.objects.get(slug="xian-aviation")
    cluster.published = False
    with django_capture_on_commit_callbacks(execute=True):
        cluster.save()
    after = client.get(HOME).context
    assert after["stats"]["clusters"] == 24 and after["stats"]["provinces"] == 8
    assert f'href="{LIST}?province=610000"' not in client.get(HOME).content.decode()  # the bars too
    assert after["map"]["clusters"] == 24
    assert client.get(MAP).context["map"]["clusters"] == 24
    assert client.get("/api/stats/").json()["clusters"] == 24


def test_the_home_page_reads_nothing_twice(client, django_assert_max_num_queries):
    client.get(HOME)
    # Stats, region sources and the map are memoised: a second visit runs no query at all.
    with django_assert_max_num_queries(0):
        assert client.get(HOME).status_code == 200


def test_the_unfiltered_map_is_the_home_map_and_a_filtered_one_is_not(client):
    home = client.get(HOME).context["map"]
    assert client.get(MAP).context["map"] is home
    filtered = client.get(MAP, {"field": "new-materials"}).context["map"]
    assert filtered is not home and filtered["clusters"] == 3


def test_option_tags_are_escaped_and_mark_only_the_selection():
    from clusters.selects import Options

    options = Options([("a", "<b>甲</b>"), ("b&c", "乙")])
    assert options.html() == '<option value="a">&lt;b&gt;甲&lt;/b&gt;</option><option value="b&amp;c">乙</option>'
    assert options.html("b&c") == (
        '<option value="a">&lt;b&gt;甲&lt;/b&gt;</option><option value="b&amp;c" selected>乙</option>'
    )
    assert options.html("nope") == options.html()


def test_a_valid_city_without_public_clusters_stays_selected(client, empty_city):
    html = client.get(LIST, {"city": empty_city.code}).content.decode()
    assert (
        f'<option value="{empty_city.code}" selected>{empty_city.name}（{empty_city.province.short_name}）</option>'
        in html
    )


def _list_names(client):
    names = []
    for page in (1, 2):
        names += [row.name for row in client.get(LIST, {"page": page}).context["clusters"]]
    return names


def _api_names(client):
    return [row["name"] for row in client.get(reverse("api:cluster-list"), {"page_size": 100}).json()["results"]]


def test_the_unfiltered_lists_follow_the_memoised_order_through_a_committed_write(
    client, django_capture_on_commit_callbacks
):
    """The unfiltered list page and API list read a slice of the public clusters' memoised order; a cluster
    published, renamed or hidden shows in its place on the next request, as the ordered query puts it."""
    expected = list(Cluster.objects.public().values_list("name", flat=True))  # the model's order
    assert _list_names(client) == expected == _api_names(client)
    first, last = Cluster.objects.public()[0], Cluster.objects.public().reverse()[0]
    with django_capture_on_commit_callbacks(execute=True):
        Cluster.objects.filter(pk=first.pk).update(published=False)  # as a bulk change does, no signal …
        last.name = "！" + last.name  # … and a rename that sorts it first within its field
        last.save()
    with django_capture_on_commit_callbacks(execute=True):
        bump_data_version()  # what the bulk paths do after their own writes
    expected = list(Cluster.objects.public().values_list("name", flat=True))
    assert first.name not in expected and last.name in expected
    assert _list_names(client) == expected == _api_names(client)
    assert client.get(LIST).context["page_obj"].paginator.count == len(expected)


def test_the_unfiltered_list_neither_sorts_nor_counts_in_the_database(client):
    client.get(LIST)  # memos built
    with CaptureQueriesContext(connection) as queries:
        client.get(LIST)
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "COUNT(" not in sql and '"clusters_field"."order"' not in sql
    # …while a filtered one still asks the database for both
    with CaptureQueriesContext(connection) as queries:
        client.get(LIST, {"field": "information-technology"})
    assert "COUNT(" in " ".join(query["sql"] for query in queries.captured_queries)


def test_the_list_rows_cities_and_lead_enterprises_follow_a_committed_write(
    client, empty_city, django_capture_on_commit_callbacks
):
    """A row's cities and lead enterprises come from memos of every cluster's (selectors.city_links,
    selectors.lead_names): a city linked or a lead enterprise added shows on the next request."""
    first = Cluster.objects.public()[0]  # the first row of the first page

    def first_row(**params):
        return client.get(LIST, params).context["clusters"][0]

    assert first_row().slug == first.slug and empty_city.name not in first_row().city_names
    with django_capture_on_commit_callbacks(execute=True):
        first.cities.add(empty_city)
        enterprise = Enterprise.objects.create(name="备忘之后的链主企业")
        LeadEnterprise.objects.create(cluster=first, enterprise=enterprise, order=0)
    row = first_row()
    assert empty_city.name in row.city_names and row.lead_names.startswith("备忘之后的链主企业")
    api_row = client.get(reverse("api:cluster-list")).json()["results"][0]
    assert api_row["slug"] == first.slug and empty_city.code in {city["code"] for city in api_row["cities"]}
