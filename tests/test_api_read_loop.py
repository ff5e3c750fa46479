"""The read serializers' own field copies and loop (``clusters.api.serializers.ModelSerializer``, issue 14)
answer exactly what DRF's generic ones do, on every GET the API routes, for the public and for staff, in
both languages."""

from unittest import mock

import pytest
from rest_framework import serializers as drf

from clusters.api import serializers as read
from clusters.api.urls import router, urlpatterns
from clusters.models import Cluster
from tests.page_data import demo_cluster, hidden_cluster

pytestmark = pytest.mark.django_db

# The API's routes outside the router, each with a GET that reads through the serializers, or why not.
OTHER_READS = {
    "stats/": "/api/stats/",
    "compare/": "/api/compare/?clusters=demo-bio,shanghai-ic",
    "schema/": None,  # drf-spectacular's document, tested in test_schema.py
    "docs/": None,  # Swagger UI's page
}


@pytest.fixture
def rich_data(settings):
    settings.PUBLIC_CACHE_SECONDS = 0  # every answer below is built, not served from the cache
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"},
    }
    demo_cluster()  # every kind of row a detail shows: targets, measures, values, scored evaluations, a draft
    hidden_cluster()


def drf_own_reading():
    """DRF's own ``fields`` (a deep copy and bind of every field) and ``to_representation`` (its generic
    ``get_attribute``) in place of the read base class's."""
    return mock.patch.multiple(
        read.ModelSerializer,
        fields=drf.Serializer.__dict__["fields"],
        to_representation=drf.Serializer.to_representation,
    )


def read_urls(client):
    """Each routed list, the details of its first page's rows, and the other reads."""
    urls = []
    for prefix, viewset, _basename in router.registry:
        listed = client.get(f"/api/{prefix}/")
        assert listed.status_code == 200, prefix
        urls.append(f"/api/{prefix}/")
        if hasattr(viewset, "retrieve"):
            key = "id" if viewset.lookup_field == "pk" else viewset.lookup_field
            urls += [f"/api/{prefix}/{row[key]}/" for row in listed.json()["results"][:6]]
    routed = {str(pattern.pattern) for pattern in urlpatterns} - {str(url.pattern) for url in router.urls}
    assert routed == set(OTHER_READS), "a new API route: say here how its GET is checked"
    return [*urls, "/api/clusters/demo-bio/", *(url for url in OTHER_READS.values() if url)]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("reader", ["anonymous", "staff"])
def test_every_read_answers_as_drf_itself_would(client, admin_user, rich_data, reader, language):
    if reader == "staff":
        client.force_login(admin_user)
    urls = read_urls(client)
    answers = {url: client.get(url, HTTP_ACCEPT_LANGUAGE=language) for url in urls}
    with drf_own_reading():
        for url, answer in answers.items():
            assert answer.status_code == 200, url
            assert answer.content == client.get(url, HTTP_ACCEPT_LANGUAGE=language).content, url
    details = [answer.json() for url, answer in answers.items() if url == "/api/clusters/demo-bio/"]
    assert [len(details[0][kind]) for kind in ("targets", "measures", "indicator_values", "evaluations")] == [
        2,
        3,
        4,
        2 if reader == "staff" else 1,
    ]


@pytest.mark.parametrize(
    "name, field, attribute",
    [
        ("name", drf.CharField(), "name"),  # a column
        ("abbreviation", drf.CharField(source="short_name"), "short_name"),
        ("field", read.FieldSerializer(), "field"),  # a foreign key: the related row
        ("cities", read.CitySerializer(many=True), "cities"),  # a many-to-many field's manager
        ("targets", read.TargetSerializer(many=True), "targets"),  # a reverse foreign key's manager
        ("html_url", drf.SerializerMethodField(), ""),  # source="*": the row itself
        ("field_name", drf.CharField(source="field.name"), None),  # dotted: DRF's walk
        ("provinces", drf.ListField(), None),  # a property: DRF calls what is callable
        ("url", drf.HyperlinkedIdentityField(view_name="api:cluster-detail"), None),  # reads its own way
    ],
)
def test_which_fields_read_a_model_attribute_directly(name, field, attribute):
    field.bind(field_name=name, parent=None)
    assert read._model_attribute(Cluster, field) == attribute
