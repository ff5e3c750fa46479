"""The Content-Security-Policy header: present on every kind of response, with the directives we mean.

The browser tests (tests/browser/test_csp.py) prove the pages actually run under it.
"""

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db


def directives(response):
    header = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


EXPECTED = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/", 200),
        ("/clusters/?field=information-technology", 200),
        ("/clusters/shanghai-ic/", 200),
        ("/rankings/", 200),
        ("/api/clusters/", 200),
        ("/admin/login/", 200),
        ("/clusters/no-such-cluster/", 404),
        ("/clusters/?q=%00", 400),
    ],
)
def test_every_page_carries_the_strict_policy(client, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert directives(response) == EXPECTED
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_the_api_docs_alone_add_data_images_for_swagger_ui_icons(client):
    response = client.get("/api/docs/")
    assert directives(response) == {**EXPECTED, "img-src": ["'self'", "data:"]}
    # Swagger UI starts from a script file, not an inline script.
    page = response.content.decode()
    assert "?script=" in page and "<script>" not in page and "<style>" not in page
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_a_cached_response_keeps_its_policy(client, settings):
    settings.PUBLIC_CACHE_SECONDS = 60
    cache.clear()
    try:
        for url, img_src in [("/", ["'self'"]), ("/api/docs/", ["'self'", "data:"])]:
            first, second = client.get(url), client.get(url)
            assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")
            assert directives(second) == {**EXPECTED, "img-src": img_src}
    finally:
        cache.clear()


def test_public_templates_hold_no_inline_style_or_script(client):
    from tests import page_data

    cluster = page_data.demo_cluster()  # progress bars, dimension score bars, a chart
    for url in ["/", cluster.get_absolute_url(), "/rankings/", "/clusters/"]:
        page = client.get(url).content.decode()
        assert " style=" not in page and "<style" not in page, url
        assert "<script>" not in page, url
