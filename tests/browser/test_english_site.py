"""The whole public site in Chromium, in Chinese and English, at 1366 and 390 px, with the shipped data and
then with 5,000 demo clusters: nothing scrolls sideways, English pages write no Chinese of their own, chart
labels are drawn inside their pictures, dimension scores wrap on a phone, and a cluster the sources say
little about shows one note instead of empty sections. Screenshots: test-artifacts/screenshots/h8-*.png.
"""

import io
import time

import pytest
from django.core.management import call_command

from clusters.models import Cluster
from tests.chrome import chinese_chrome
from tests.test_public_english import READ_ATTRIBUTES, data_strings, page_chrome

pytestmark = pytest.mark.browser

SCREENS = {
    1366: {"viewport": {"width": 1366, "height": 900}},
    390: {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True},
}
# The browser prefers the other language: the URL alone decides.
LANGUAGES = {"zh": ("", "en-US,en;q=0.9"), "en": ("/en", "zh-CN,zh;q=0.9")}
RICH = "/clusters/nanjing-power-equipment/"  # a target, measures, figures with scopes and report years
EMPTY = "/clusters/nanjing-software/"  # the sources give no target, measure or figure


def shot(page, folder, name):
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    page.screenshot(path=str(folder / f"{name}-first-screen.png"), full_page=False)
    print(f"screenshot: {folder / name}.png")


def sideways(page):
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def clipped_chart_labels(page):
    """Chart texts whose drawn box leaves their SVG's picture (the old y labels lost their first digit)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('figure.chart svg')].flatMap(svg => {
            const [, , w, h] = svg.getAttribute('viewBox').split(' ').map(Number);
            return [...svg.querySelectorAll('text')].map(t => [t.textContent, t.getBBox()])
              .filter(([, b]) => b.x < -0.5 || b.y < -0.5 || b.x + b.width > w + 0.5 || b.y + b.height > h + 0.5)
              .map(([text, b]) => `${text} @ ${Math.round(b.x)}..${Math.round(b.x + b.width)} of ${w}`);
        })"""
    )


def overflowing(page, selector):
    """Elements matching `selector` whose content is wider than they are, or that stick out of the page."""
    return page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)].filter(el => {
            const r = el.getBoundingClientRect();
            return el.scrollWidth > el.clientWidth + 1 || r.right > document.documentElement.clientWidth + 0.5;
        }).map(el => el.textContent.trim().slice(0, 40))""",
        selector,
    )


def words_broken(page, selector):
    """Labels too narrow for their longest word, which the browser then breaks mid-word (“manufacturin/g”)."""
    return page.evaluate(
        """(selector) => {
            const ctx = document.createElement('canvas').getContext('2d');
            return [...document.querySelectorAll(selector)].filter(el => {
                const style = getComputedStyle(el);
                ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
                // Latin words only: Chinese may break between any two characters.
                const words = el.textContent.trim().split(/\\s+/).filter(w => /^[A-Za-z-]+$/.test(w));
                const widest = Math.max(0, ...words.map(w => ctx.measureText(w).width));
                return widest > el.clientWidth + 0.5;
            }).map(el => el.textContent.trim());
        }""",
        selector,
    )


def visit(browser, live_server, screenshots, pages, label, data):
    """Each page in each language and screen size: the checks every page must pass, and screenshots."""
    timings = []
    for width, screen in SCREENS.items():
        for language, (prefix, accept) in LANGUAGES.items():
            context = browser.new_context(extra_http_headers={"Accept-Language": accept}, **screen)
            page = context.new_page()
            page.set_default_timeout(30000)
            try:
                for name, path in pages.items():
                    started = time.monotonic()
                    response = page.goto(f"{live_server.url}{prefix}{path}")
                    timings.append((name, language, width, round(time.monotonic() - started, 2)))
                    assert response.status == 200, path
                    assert page.locator("html").get_attribute("lang") == ("en" if language == "en" else "zh-Hans")
                    shot(page, screenshots, f"h8-{label}-{name}-{language}-{width}")
                    assert sideways(page) <= 0, (path, language, width, sideways(page))
                    assert clipped_chart_labels(page) == [], (path, language, width)
                    assert words_broken(page, ".bar-label") == [], (path, language, width)
                    if language == "en":
                        assert chinese_chrome(page.content(), page_chrome, READ_ATTRIBUTES, data) == [], path
                    if name == "list" and label == "demo5000":  # counts grouped as each language writes them
                        expected = "5,025 clusters" if language == "en" else "共 5025 个集群"
                        assert page.locator(".result-count").inner_text() == expected
                    # The switch leads to this very page in the other language.
                    other = page.locator(".lang-switch a:not([aria-current])").get_attribute("href")
                    assert other.split("?")[0].removeprefix("/en") == path.split("?")[0], other
            finally:
                context.close()
    print(f"\n{label} page loads (s):", timings)
    return timings


def check_cluster_pages(browser, live_server, screenshots, label):
    """A cluster the sources say little about, and a demo cluster's charts and dimension scores on a phone."""
    context = browser.new_context(**SCREENS[390])
    page = context.new_page()
    try:
        for language, (prefix, _accept) in LANGUAGES.items():
            page.goto(f"{live_server.url}{prefix}{EMPTY}")
            assert page.locator("section#targets, section#measures, section#indicators").count() == 0
            note = page.locator(".not-given")
            assert note.is_visible() and note.bounding_box()["height"] < 140  # one compact note, not four sections
            demo = Cluster.objects.filter(is_synthetic=True, evaluations__state="published").order_by("pk").first()
            if demo is None:
                continue
            page.goto(f"{live_server.url}{prefix}/clusters/{demo.slug}/")
            assert page.locator("figure.chart").count() >= 2  # figures and evaluation totals
            assert clipped_chart_labels(page) == []
            scores = page.locator(".evaluation-history .bars")
            assert scores.count() == 1
            assert overflowing(page, ".evaluation-history .bars li, .evaluation-history .bar-label") == []
            scores.screenshot(path=str(screenshots / f"h8-{label}-dimension-scores-{language}-390.png"))
            page.locator("figure.chart").first.screenshot(
                path=str(screenshots / f"h8-{label}-chart-{language}-390.png")
            )
    finally:
        context.close()


def test_the_site_in_both_languages_with_the_shipped_data_and_with_5000_demo_clusters(
    browser, live_server, shipped_data, screenshots
):
    pages = {"home": "/", "list": "/clusters/", "rich": RICH, "empty": EMPTY, "rankings": "/rankings/", "map": "/map/"}
    visit(browser, live_server, screenshots, pages, "shipped", data_strings())
    check_cluster_pages(browser, live_server, screenshots, "shipped")

    call_command("generate_demo_data", clusters=5000, years=3, without_history=True, stdout=io.StringIO())
    assert Cluster.objects.public().count() == 5025
    demo = Cluster.objects.filter(is_synthetic=True).order_by("pk").first()
    pages.update(
        {
            "list-page-2": "/clusters/?field=information-technology&ordering=-origin_year&page=2",
            "demo-cluster": demo.get_absolute_url(),
            "rankings-page-3": "/rankings/?page=3",
        }
    )
    timings = visit(browser, live_server, screenshots, pages, "demo5000", data_strings())
    check_cluster_pages(browser, live_server, screenshots, "demo5000")
    assert max(seconds for *_where, seconds in timings) < 20
