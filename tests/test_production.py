"""Production concerns: response caching with invalidation, login throttling, structured logs."""

import json
import logging

import pytest
from django.core.cache import cache, caches
from django.test import override_settings

from clusters.models import Cluster
from portal.logs import JsonFormatter

pytestmark = pytest.mark.django_db

REDIS_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/15"}
}


@pytest.fixture(params=["locmem", "redis"])
def public_cache(request, settings):
    settings.PUBLIC_CACHE_SECONDS = 60
    if request.param == "redis":
        with override_settings(CACHES=REDIS_CACHE):
            caches["default"].clear()
            yield request.param
            caches["default"].clear()
    else:
        cache.clear()
        yield request.param
        cache.clear()


def test_anonymous_api_reads_are_cached_and_invalidated_by_a_change(client, public_cache):
    first = client.get("/api/clusters/shanghai-ic/")
    second = client.get("/api/clusters/shanghai-ic/")
    assert first["X-Cache"] == "miss" and second["X-Cache"] == "hit"
    assert second.json() == first.json()

    cluster = Cluster.objects.get(slug="shanghai-ic")
    cluster.short_name = "上海集成电路（已更正）"
    cluster.save()

    third = client.get("/api/clusters/shanghai-ic/")
    assert third["X-Cache"] == "miss"
    assert third.json()["short_name"] == "上海集成电路（已更正）"


def test_staff_responses_are_never_cached(admin_client, public_cache):
    admin_client.get("/api/clusters/")
    response = admin_client.get("/api/clusters/")
    assert "X-Cache" not in response


def test_cache_is_off_by_default_in_development(client, settings):
    assert settings.PUBLIC_CACHE_SECONDS == 0
    assert "X-Cache" not in client.get("/api/clusters/")


@pytest.fixture
def clean_cache():
    cache.clear()
    yield
    cache.clear()


def test_login_is_locked_after_repeated_failures(client, django_user_model, settings, clean_cache):
    settings.LOGIN_FAILURE_LIMIT = 3
    django_user_model.objects.create_user("clerk", password="correct-horse-battery", is_staff=True)
    for _ in range(3):
        response = client.post("/admin/login/", {"username": "clerk", "password": "wrong"})
        assert response.status_code == 200 and not response.wsgi_request.user.is_authenticated

    # Even the right password is refused while the lock holds.
    client.post("/admin/login/", {"username": "clerk", "password": "correct-horse-battery"})
    assert "_auth_user_id" not in client.session

    cache.clear()  # the lock expires
    response = client.post("/admin/login/", {"username": "clerk", "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_json_log_lines_carry_level_logger_and_message():
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/x",), None)
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "WARNING" and line["logger"] == "django.request" and line["message"] == "Not Found: /x"


def test_cached_response_still_answers_conditional_requests(client, public_cache):
    first = client.get("/api/clusters/")
    assert first.has_header("ETag")
    client.get("/api/clusters/")
    response = client.get("/api/clusters/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 304


def test_public_pages_are_cached_for_anonymous_visitors(client, public_cache):
    for url in ["/", "/clusters/?field=information-technology", "/clusters/shanghai-ic/"]:
        assert client.get(url)["X-Cache"] == "miss"
        assert client.get(url)["X-Cache"] == "hit"
        assert "csrftoken" not in client.cookies


def test_language_switch_works_without_a_csrf_token(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/i18n/setlang/", {"language": "en", "next": "/clusters/"})
    assert response.status_code == 302
    assert strict.cookies["django_language"].value == "en"


def test_bulk_imports_and_demo_data_invalidate_cached_responses(
    client, public_cache, django_capture_on_commit_callbacks
):
    from clusters import demo
    from clusters.sheets.services import run_import

    from .import_helpers import csv_bytes, value_rows

    def cached_count():
        client.get("/api/clusters/")
        response = client.get("/api/clusters/")
        assert response["X-Cache"] == "hit"
        return response.json()["count"]

    before = cached_count()
    with django_capture_on_commit_callbacks(execute=True):
        demo.generate(clusters=3, years=1, seed=5)
    assert client.get("/api/clusters/").json()["count"] == before + 3

    cached_count()
    with django_capture_on_commit_callbacks(execute=True):
        assert run_import("indicator-values", csv_bytes(value_rows()), "v.csv").committed
    assert client.get("/api/indicator-values/?period=2030")["X-Cache"] == "miss"


def test_cache_key_includes_the_host(client, public_cache, settings):
    settings.ALLOWED_HOSTS = ["a.example", "b.example"]
    first = client.get("/api/clusters/", HTTP_HOST="a.example")
    second = client.get("/api/clusters/", HTTP_HOST="b.example")
    assert second["X-Cache"] == "miss"
    assert "b.example" in second.json()["results"][0]["url"] and "a.example" in first.json()["results"][0]["url"]
