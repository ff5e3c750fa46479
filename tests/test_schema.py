"""Property-based run of schemathesis against the project's own OpenAPI schema.

The schema is loaded from the app itself (`/api/schema/` through the WSGI application, no server, no
network). For every GET operation schemathesis generates query and path parameters from the schema,
valid and invalid, and checks that the API never answers 5xx and that every response (status code,
content type, headers, body) is the one the schema documents. Bounded so `make test` stays quick.
"""

import inspect

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from clusters.models import Cluster
from portal.wsgi import application
from tests.api_support import make_evaluation

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


# Loaded at collection, straight from the WSGI application (the schema view needs no database). The
# lazy `schemathesis.pytest.from_fixture` loader relies on a pytest internal (`Node._nodeid`) that the
# pinned pytest no longer has, and a module-level schema gives one test per operation anyway.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture
def api_data(db, settings):
    # Hundreds of generated requests from one address: lift the anonymous rate limit for this run.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"},
    }
    # One published evaluation, so /api/evaluations/ and the details have such rows to validate.
    make_evaluation(Cluster.objects.get(slug="shenzhen-ict"), evaluated_on="2024-06-30")
    # The real WSGI handler closes "old" connections around each request, which on PostgreSQL would close
    # the test's own transaction; Django's test client disconnects the same handlers for the same reason.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.include(method="GET").parametrize()
@hypothesis_settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_get_endpoints_conform_to_the_schema(case, api_data):
    case.call_and_validate(checks=CHECKS)


def test_schema_covers_the_read_api():
    operations = {(op.ok().method.upper(), op.ok().path) for op in schema.get_all_operations()}
    for path in (
        "/api/fields/",
        "/api/provinces/",
        "/api/cities/",
        "/api/clusters/",
        "/api/clusters/{slug}/",
        "/api/measures/",
        "/api/targets/",
        "/api/indicator-values/",
        "/api/evaluations/",
        "/api/stats/",
    ):
        assert ("GET", path) in operations


# The schema view memoises its answer: generated once per process, and byte for byte drf-spectacular's own.


def stock_schema(query):
    """What drf-spectacular's own view answers (generated anew), as bytes and content type."""
    from django.test import RequestFactory
    from drf_spectacular.views import SpectacularAPIView

    response = SpectacularAPIView.as_view()(RequestFactory().get("/api/schema/", query))
    response.render()
    return response.content, response["Content-Type"]


@pytest.mark.parametrize("query", [{}, {"format": "json"}, {"lang": "en"}], ids=["yaml", "json", "english"])
def test_schema_is_generated_once_and_unchanged(client, query):
    from unittest import mock

    from drf_spectacular.generators import SchemaGenerator

    with mock.patch.object(SchemaGenerator, "get_schema", autospec=True, side_effect=SchemaGenerator.get_schema) as spy:
        first = client.get("/api/schema/", query)
        second = client.get("/api/schema/", query)
    assert spy.call_count == 1
    assert first.status_code == second.status_code == 200
    assert first.content == second.content == stock_schema(query)[0]
    assert first["Content-Type"] == stock_schema(query)[1]
    assert first["Content-Disposition"] == 'inline; filename="Cluster Portal API.{}"'.format(
        "json" if query.get("format") == "json" else "yaml"
    )


def test_schema_per_language(client):
    chinese = client.get("/api/schema/").content
    english = client.get("/api/schema/", {"lang": "en"}).content
    assert chinese != english
    assert client.get("/api/schema/").content == chinese


def api_serializer_classes():
    from rest_framework.serializers import BaseSerializer

    from clusters.api import compare_serializers, serializers, write_serializers

    return [
        cls
        for module in (serializers, write_serializers, compare_serializers)
        for _name, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, BaseSerializer) and cls.__module__ == module.__name__
    ]


@pytest.mark.parametrize("serializer", api_serializer_classes(), ids=lambda cls: cls.__name__)
def test_a_schema_component_is_described_by_its_own_docstring_only(serializer):
    """drf-spectacular describes a component by the nearest docstring among its classes: a base class's
    docstring (a note for the code's readers) would describe every shape built on it to API readers."""
    from drf_spectacular.plumbing import get_doc

    own = serializer.__dict__.get("__doc__")
    assert get_doc(serializer) == (inspect.cleandoc(own) if own else "")
