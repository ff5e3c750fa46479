"""The cluster map in a real browser, in both languages at 1366 and 390 px, with the shipped data and with
5,000 demo clusters; screenshots go to test-artifacts/screenshots/map-*.png."""

import io
import re

import pytest
from django.core.management import call_command

from clusters.models import City, Cluster

pytestmark = pytest.mark.browser

VIEWPORTS = {
    1366: {"viewport": {"width": 1366, "height": 900}},
    390: {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True},
}
LANGUAGES = {"zh": "zh-CN", "en": "en-US"}
GUANGDONG = {"zh": "广东省：6 个集群", "en": "Guangdong: 6 clusters"}
PREFIX = {"zh": "", "en": "/en"}


@pytest.fixture
def open_page(browser, live_server):
    contexts = []

    def open_page(width, language):
        context = browser.new_context(
            locale=LANGUAGES[language],
            extra_http_headers={"Accept-Language": LANGUAGES[language]},
            **VIEWPORTS[width],
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.base_url = live_server.url + PREFIX[language]  # English lives under /en/
        return page

    yield open_page
    for context in contexts:
        context.close()


def shot(page, folder, name, full_page=True):
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    print(f"screenshot: {path}")


def check_map(page, width, clusters, cities):
    """The map fills its column without sideways scrolling, draws every division and one dot per city."""
    svg = page.locator("svg.map-svg")
    box = svg.bounding_box()
    assert min(width, 1160) * 0.8 < box["width"] <= width, box  # the page column is at most 1160 px
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    assert page.locator(".map-provinces path").count() == 34
    assert page.locator(".map-dot").count() == cities
    # A dot is big enough to see (and on a phone to tap): at least 4 CSS px across.
    assert min(page.locator(".map-dot").evaluate_all("dots => dots.map(d => d.getBoundingClientRect().width)")) >= 4
    assert page.locator(".map-inset-label").is_visible()
    assert page.locator(".map-legend li").count() >= 3
    return svg


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("width", [1366, 390])
def test_the_map_with_the_shipped_data(open_page, shipped_data, screenshots, width, language):
    page = open_page(width, language)
    page.goto(page.base_url + "/map/")
    assert page.locator("html").get_attribute("lang") == ("en" if language == "en" else "zh-Hans")
    check_map(page, width, 25, 21)
    title = page.locator(f"svg a[href='{PREFIX[language]}/clusters/?province=440000'] > title").text_content()
    assert title == GUANGDONG[language]
    assert page.locator(".map-counts tbody tr").count() == 9
    shot(page, screenshots, f"map-shipped-{language}-{width}")
    shot(page, screenshots, f"map-shipped-{language}-{width}-first-screen", full_page=False)

    page.goto(page.base_url + "/")
    check_map(page, width, 25, 21)
    page.locator("figure.china-map").screenshot(path=str(screenshots / f"map-home-{language}-{width}.png"))
    shot(page, screenshots, f"map-home-page-{language}-{width}")


def point_inside(page, selector):
    """A viewport point where a click lands on `selector` itself (not on a city dot drawn over it)."""
    page.locator(selector).first.scroll_into_view_if_needed()
    return page.evaluate(
        """(selector) => {
            const target = document.querySelector(selector);
            const r = target.getBoundingClientRect();
            for (let y = r.top + 2; y < r.bottom; y += 2)
                for (let x = r.left + 2; x < r.right; x += 2) {
                    const hit = document.elementFromPoint(x, y);
                    if (hit && hit.closest("a") === target) return [x, y];
                }
            return null;
        }""",
        selector,
    )


def test_clicking_a_province_opens_the_list_with_the_same_filters(open_page, shipped_data, screenshots):
    page = open_page(1366, "zh")
    page.goto(page.base_url + "/map/")
    # Redraw the map with the form, no script involved: information technology only.
    page.get_by_label("领域").select_option(label="信息技术")
    page.get_by_role("button", name="更新地图").click()
    page.wait_for_url(re.compile(r"/map/\?field=information-technology"))
    expected = Cluster.objects.public().filter(field__slug="information-technology", cities__province="440000")
    count = expected.distinct().count()
    link = "svg a[href='/clusters/?field=information-technology&province=440000']"
    assert page.locator(f"{link} > title").text_content() == f"广东省：{count} 个集群"
    shot(page, screenshots, "map-filtered-it-zh-1366")

    x, y = point_inside(page, link)
    page.mouse.click(x, y)
    page.wait_for_url(re.compile(r"/clusters/\?field=information-technology&province=440000$"))
    assert page.locator(".cluster-table tbody tr").count() == count
    assert page.locator(".result-count").inner_text() == f"共 {count} 个集群"

    # A city's dot leads to that city's clusters.
    page.go_back()
    dot = "svg a[href='/clusters/?field=information-technology&city=440300']"
    page.locator(f"{dot} circle").click()
    page.wait_for_url(re.compile(r"city=440300$"))
    shenzhen = Cluster.objects.public().filter(field__slug="information-technology", cities="440300").count()
    assert page.locator(".cluster-table tbody tr").count() == shenzhen


def test_the_map_with_5000_demo_clusters(open_page, shipped_data, screenshots):
    call_command("generate_demo_data", clusters=5000, years=1, stdout=io.StringIO())
    clusters = Cluster.objects.public().count()
    cities = City.objects.filter(clusters__published=True).distinct().count()
    assert clusters == 5025
    for width in (1366, 390):
        for language in ("zh", "en"):
            page = open_page(width, language)
            page.goto(page.base_url + "/map/")
            check_map(page, width, clusters, cities)
            assert page.locator(".map-synthetic").is_visible()  # demo data says so
            shot(page, screenshots, f"map-demo5000-{language}-{width}")
            page.locator("figure.china-map").screenshot(
                path=str(screenshots / f"map-demo5000-figure-{language}-{width}.png")
            )
            page.goto(page.base_url + "/")
            check_map(page, width, clusters, cities)
