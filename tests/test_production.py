"""Production concerns: response caching with invalidation, structured logs (login lockout: test_client_address)."""

import gc
import json
import logging
import runpy
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache, caches
from django.db import connection, connections, transaction
from django.test import Client, override_settings

from clusters.models import City, Cluster
from portal.caching import data_version
from portal.logs import JsonFormatter

pytestmark = pytest.mark.django_db

REDIS_CACHE = {
    **django_settings.CACHES,  # the per-process "chrome" fragments too
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/15"},
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


def test_anonymous_api_reads_are_cached_and_invalidated_by_a_change(
    client, public_cache, django_capture_on_commit_callbacks
):
    first = client.get("/api/clusters/shanghai-ic/")
    second = client.get("/api/clusters/shanghai-ic/")
    assert first["X-Cache"] == "miss" and second["X-Cache"] == "hit"
    assert second.json() == first.json()

    cluster = Cluster.objects.get(slug="shanghai-ic")
    cluster.short_name = "上海集成电路（已更正）"
    with django_capture_on_commit_callbacks(execute=True):
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


def test_a_change_bumps_the_data_version_only_once_its_transaction_commits(
    public_cache, django_capture_on_commit_callbacks
):
    cluster = Cluster.objects.get(slug="shanghai-ic")
    for change in [
        lambda: cluster.save(),
        lambda: cluster.cities.add(City.objects.get(code="320100")),
        lambda: cluster.targets.first().delete(),
    ]:
        before = data_version()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            change()
            assert data_version() == before, "bumped before the commit"
        assert callbacks and data_version() > before


def test_the_cache_key_includes_the_scheme(client, public_cache):
    assert client.get("/api/clusters/")["X-Cache"] == "miss"
    https = client.get("/api/clusters/", secure=True)
    assert https["X-Cache"] == "miss"
    assert https.json()["results"][0]["url"].startswith("https://")
    assert client.get("/api/clusters/", secure=True)["X-Cache"] == "hit"


def _read_on_another_connection(url):
    try:
        return Client().get(url)
    finally:
        connections.close_all()


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite's shared-cache test database locks the table for other connections until the commit",
)
@pytest.mark.django_db(transaction=True)
def test_a_reader_between_save_and_commit_cannot_keep_the_old_page_alive(client, shipped_data, settings):
    """The attack: unpublish in the admin while readers hit the page; one lands before the commit."""
    settings.PUBLIC_CACHE_SECONDS = 60
    cache.clear()
    url = "/api/clusters/shanghai-ic/"
    client.get(url)
    assert client.get(url)["X-Cache"] == "hit"

    cluster = Cluster.objects.get(slug="shanghai-ic")
    with transaction.atomic():
        cluster.published = False
        cluster.save()
        with ThreadPoolExecutor(max_workers=1) as pool:
            during = pool.submit(_read_on_another_connection, url).result()
        assert during.status_code == 200  # the reader still sees the committed row, and that is right

    after = client.get(url)
    assert after.status_code == 404, "the page cached before the commit outlived the unpublish"
    cache.clear()


def test_gunicorn_freezes_what_the_master_loaded_before_a_worker_forks():
    """A worker's full garbage collections leave alone the app the master loaded (gunicorn.conf.py's pre_fork)."""
    config = runpy.run_path(str(django_settings.BASE_DIR / "gunicorn.conf.py"))
    gc.unfreeze()
    try:
        config["pre_fork"](server=None, worker=None)
        assert gc.get_freeze_count() > 100_000  # Django, the apps and their modules
    finally:
        gc.unfreeze()
