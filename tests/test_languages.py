"""The language is in the URL: Chinese unprefixed, English under /en/, whatever the browser or a cookie says.

Public pages link to themselves in the other language (hreflang alternates, a canonical URL in their own
language, a plain-link switch); the API and the admin keep following the cookie and Accept-Language.
"""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

HOST = "http://testserver"
PUBLIC_PAGES = ["/", "/clusters/", "/clusters/nanjing-power-equipment/", "/rankings/", "/map/"]
CHINESE_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}
ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


def links(html):
    """`{rel or hreflang: href}` of the page's canonical and alternate links."""
    found = {}
    for tag in re.findall(r"<link rel=\"(?:canonical|alternate)\"[^>]*>", html):
        href = re.search(r'href="([^"]*)"', tag).group(1).replace("&amp;", "&")
        key = re.search(r'hreflang="([^"]*)"', tag)
        found[key.group(1) if key else "canonical"] = href
    return found


def switch(html):
    """The language switch's links: `{language tag: href}`, and which one is marked current."""
    nav = re.search(r'<nav class="lang-switch".*?</nav>', html, re.S).group(0)
    hrefs = {lang: href.replace("&amp;", "&") for href, lang in re.findall(r'<a href="([^"]*)" lang="([^"]*)"', nav)}
    current = re.findall(r'lang="([^"]*)" hreflang="[^"]*" aria-current="true"', nav)
    return hrefs, current


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_english_lives_under_en_and_chinese_is_unprefixed(client, path):
    chinese = client.get(path, **ENGLISH_BROWSER)
    english = client.get(f"/en{path}", **CHINESE_BROWSER)
    assert chinese.status_code == english.status_code == 200
    assert chinese["Content-Language"] == "zh-hans" and '<html lang="zh-Hans">' in chinese.content.decode()
    assert english["Content-Language"] == "en" and '<html lang="en">' in english.content.decode()
    # The URL alone decides, so a cache may keep one copy whatever the browser asks for.
    assert "Accept-Language" not in chinese.get("Vary", "") and "Accept-Language" not in english.get("Vary", "")


def test_a_shared_english_link_opens_in_english_for_a_chinese_browser_and_cookie(client):
    client.cookies["django_language"] = "zh-hans"
    html = client.get("/en/clusters/shanghai-ic/", **CHINESE_BROWSER).content.decode()
    assert '<html lang="en">' in html and ">Targets</h2>" in html and ">目标</h2>" not in html
    client.cookies["django_language"] = "en"
    html = client.get("/clusters/shanghai-ic/", **ENGLISH_BROWSER).content.decode()
    assert '<html lang="zh-Hans">' in html and ">目标</h2>" in html


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_public_page_names_its_canonical_url_and_its_alternates(client, path):
    chinese = links(client.get(path).content.decode())
    english = links(client.get(f"/en{path}").content.decode())
    expected = {"zh-Hans": f"{HOST}{path}", "en": f"{HOST}/en{path}", "x-default": f"{HOST}{path}"}
    assert chinese == {"canonical": f"{HOST}{path}", **expected}
    assert english == {"canonical": f"{HOST}/en{path}", **expected}


def test_the_lists_links_keep_its_filters_but_not_the_page(client):
    found = links(client.get("/en/clusters/", {"field": "new-energy", "page": "1"}).content.decode())
    assert found == {
        "canonical": f"{HOST}/en/clusters/?field=new-energy",
        "zh-Hans": f"{HOST}/clusters/?field=new-energy",
        "en": f"{HOST}/en/clusters/?field=new-energy",
        "x-default": f"{HOST}/clusters/?field=new-energy",
    }
    # A bad filter is not part of any page's address.
    assert links(client.get("/clusters/", {"field": "nope"}).content.decode())["canonical"] == f"{HOST}/clusters/"


def test_the_switch_is_a_link_to_the_same_page_with_the_same_query(client):
    query = "field=new-energy&ordering=-name&page=1"
    hrefs, current = switch(client.get(f"/clusters/?{query}").content.decode())
    assert hrefs == {"zh-Hans": f"/clusters/?{query}", "en": f"/en/clusters/?{query}"} and current == ["zh-Hans"]
    hrefs, current = switch(client.get(f"/en/clusters/?{query}").content.decode())
    assert hrefs == {"zh-Hans": f"/clusters/?{query}", "en": f"/en/clusters/?{query}"} and current == ["en"]
    # Following it needs no form, no cookie and no JavaScript: the English page says “2 clusters”.
    html = client.get(hrefs["en"].split("?")[0], {"field": "new-energy"}).content.decode()
    assert "2 clusters" in html and '<form class="lang-switch"' not in html


def test_links_inside_an_english_page_stay_in_english(client):
    html = client.get("/en/clusters/").content.decode()
    assert 'href="/en/clusters/nanjing-power-equipment/"' in html
    assert 'href="/en/map/"' in html and 'href="/en/rankings/"' in html
    assert 'href="/en/clusters/export.csv"' in html


def test_a_page_that_does_not_exist_has_no_canonical_url_and_switches_to_the_home_page(client):
    response = client.get("/en/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and links(html) == {}
    assert switch(html)[0] == {"zh-Hans": "/", "en": "/en/"}
    # An unknown cluster's address is a real pattern: the switch keeps it.
    html = client.get("/en/clusters/no-such-cluster/").content.decode()
    assert switch(html)[0] == {"zh-Hans": "/clusters/no-such-cluster/", "en": "/en/clusters/no-such-cluster/"}


def test_the_api_keeps_following_the_browser_and_the_cookie(client):
    assert client.get("/api/stats/", **ENGLISH_BROWSER)["Content-Language"] == "en"
    assert client.get("/api/stats/", **CHINESE_BROWSER)["Content-Language"] == "zh-hans"
    assert client.get("/api/stats/")["Content-Language"] == "zh-hans"
    assert "Accept-Language" in client.get("/api/stats/")["Vary"]
    client.cookies["django_language"] = "en"
    assert client.get("/api/stats/")["Content-Language"] == "en"
    assert client.get("/en/api/stats/").status_code == 404  # the API has one address


def test_the_admins_language_switch_still_sets_the_cookie(admin_client):
    response = admin_client.post(reverse("set_language"), {"language": "en", "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert admin_client.cookies["django_language"].value == "en"
    assert admin_client.get("/admin/")["Content-Language"] == "en"
    admin_client.post(reverse("set_language"), {"language": "zh-hans", "next": "/admin/"})
    assert admin_client.get("/admin/")["Content-Language"] == "zh-hans"


def test_urls_reversed_in_english_carry_the_prefix():
    with translation.override("en"):
        assert reverse("clusters:detail", kwargs={"slug": "shanghai-ic"}) == "/en/clusters/shanghai-ic/"
        assert reverse("api:stats") == "/api/stats/"
    assert reverse("clusters:detail", kwargs={"slug": "shanghai-ic"}) == "/clusters/shanghai-ic/"


@pytest.fixture
def page_cache(settings):
    settings.PUBLIC_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_the_page_cache_never_serves_one_language_for_the_other(client, page_cache, path):
    english = client.get(f"/en{path}", **CHINESE_BROWSER)
    assert english["X-Cache"] == "miss" and english["Content-Language"] == "en"
    # The Chinese page is not the English one just cached, whatever the browser prefers.
    chinese = client.get(path, **ENGLISH_BROWSER)
    assert chinese["X-Cache"] == "miss" and chinese["Content-Language"] == "zh-hans"
    assert chinese.content != english.content
    # Each is then served from the cache, to any browser, in its own language.
    again = client.get(path, **CHINESE_BROWSER)
    assert again["X-Cache"] == "hit" and again.content == chinese.content
    again = client.get(f"/en{path}", **ENGLISH_BROWSER)
    assert again["X-Cache"] == "hit" and again.content == english.content
