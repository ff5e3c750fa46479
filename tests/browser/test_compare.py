"""Comparing clusters in Chromium: the table at 1366 and 390 px in Chinese and English (on a phone it scrolls
inside its box, first column pinned, never the page), the charts, and picking clusters with JavaScript off.
Screenshots go to test-artifacts/screenshots/compare-*.png."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from clusters.models import Indicator, IndicatorValue, Source
from tests.api_support import make_synthetic_clusters
from tests.browser.conftest import LANGUAGES, VIEWPORTS

pytestmark = pytest.mark.browser

NANJING, SHANGHAI, SHENZHEN = "nanjing-power-equipment", "shanghai-ic", "shenzhen-ict"
# The URL decides a public page's language: English under /en/.
PREFIX = {"zh": "", "en": "/en"}
EXPECTED = {
    "zh": [
        "口径：高压继电保护设备",
        "超过 90%",
        "据2021年报道",
        "约 22%",
        "说明：原文为深圳信息产业规模，非集群口径",
        "暂无数据",
    ],
    "en": [
        "Scope: 高压继电保护设备",
        "over 90%",
        "as reported in 2021",
        "about 22%",
        "Note: 原文为深圳信息产业规模",
        "No data yet",
    ],
}

# Is a page wider than its window? (0 or less: no sideways scroll of the page itself.)
PAGE_OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def open_page(browser, width, language, **options):
    context = browser.new_context(**VIEWPORTS[width], **LANGUAGES[language], **options)
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


@pytest.mark.parametrize("width", VIEWPORTS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_table_of_three_shipped_clusters(browser, live_server, shipped_data, screenshots, language, width):
    context, page = open_page(browser, width, language)
    try:
        page.goto(f"{live_server.url}{PREFIX[language]}/compare/?clusters={NANJING},{SHANGHAI},{SHENZHEN}")
        assert page.locator("html").get_attribute("lang") == ("en" if language == "en" else "zh-Hans")
        table = page.locator(".compare-table")
        text = table.inner_text()
        for words in EXPECTED[language]:
            assert words in text, words
        headers = table.locator("thead th.compare-cluster > a:first-child").all_inner_texts()
        assert [h.strip() for h in headers] == [
            "江苏省南京市新型电力（智能电网）装备集群",
            "上海市集成电路集群",
            "广东省深圳市新一代信息通信集群",
        ]

        name = f"compare-{language}-{width}"
        page.screenshot(path=str(screenshots / f"{name}.png"), full_page=True)
        box = page.locator(".compare-scroll")
        inner = box.evaluate("el => el.scrollWidth - el.clientWidth")
        overflow = page.evaluate(PAGE_OVERFLOW)
        assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {width}px"
        if width == "390":
            # Three clusters do not fit a phone: the table scrolls inside its box, the labels stay in view.
            assert inner > 0
            box.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
            label = table.locator("tbody th[scope=row]").first.bounding_box()
            frame = box.bounding_box()
            assert abs(label["x"] - frame["x"]) <= 2, (label, frame)
            assert page.locator(".compare-scroll-hint").is_visible()
            box.screenshot(path=str(screenshots / f"{name}-scrolled.png"))
        else:
            assert inner <= 0, "three clusters fit a desktop window"
            assert not page.locator(".compare-scroll-hint").is_visible()
        print(f"screenshot: {screenshots / name}.png")
    finally:
        context.close()


def _with_series():
    """Three synthetic clusters with 产业规模 over three years, so the page draws a chart."""
    clusters = make_synthetic_clusters(3, per_cluster=1)
    scale = Indicator.objects.get(code="industry-scale")
    source = Source.objects.get(code="seed-004")
    IndicatorValue.objects.bulk_create(
        IndicatorValue(cluster=c, indicator=scale, period=str(year), value=Decimal(base + 40 * k), source=source)
        for c, base in zip(clusters, (300, 900, 600), strict=True)
        for k, year in enumerate((2021, 2022, 2023))
    )
    return clusters


@pytest.mark.parametrize("width", VIEWPORTS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_charts_tell_the_lines_apart(browser, live_server, shipped_data, screenshots, language, width):
    slugs = ",".join(c.slug for c in _with_series())
    context, page = open_page(browser, width, language)
    try:
        page.goto(f"{live_server.url}{PREFIX[language]}/compare/?clusters={slugs}")
        chart = page.locator(".compare-chart")
        assert chart.count() == 1
        lines = chart.first.locator("svg[role=img] polyline")
        styles = lines.evaluate_all(
            "els => els.map(e => { const s = getComputedStyle(e); return [s.stroke, s.strokeDasharray]; })"
        )
        assert len(styles) == 3
        assert len({stroke for stroke, _ in styles}) == 3 and len({dash for _, dash in styles}) == 3
        markers = chart.first.locator("svg[role=img] circle, svg[role=img] polygon").evaluate_all(
            "els => els.map(e => e.tagName + ':' + e.getAttribute('class'))"
        )
        assert len(set(markers)) == 3  # one marker shape and colour per cluster
        legend = chart.first.locator(".compare-legend li")
        assert legend.count() == 3
        for item in legend.all():
            box = item.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"] + 1
        assert page.evaluate(PAGE_OVERFLOW) <= 0
        name = f"compare-chart-{language}-{width}"
        page.locator(".compare-charts").screenshot(path=str(screenshots / f"{name}.png"))
        page.screenshot(path=str(screenshots / f"{name}-page.png"), full_page=True)
    finally:
        context.close()


def arrive(page, url):
    """Wait for a click's page: a click returns once the navigation commits, before the page is parsed."""
    expect(page).to_have_url(url)
    page.wait_for_load_state()


def test_picking_clusters_without_javascript(browser, live_server, shipped_data, screenshots):
    context, page = open_page(browser, "1366", "zh", java_script_enabled=False)
    base = live_server.url
    try:
        # The list: tick two, compare. The checkboxes' repeated parameter comes back as the comma form.
        page.goto(f"{base}/clusters/")
        page.check(f'input[name="clusters"][value="{SHANGHAI}"]')
        page.check(f'input[name="clusters"][value="{SHENZHEN}"]')
        page.get_by_role("button", name="比较所选集群").click()
        arrive(page, f"{base}/compare/?clusters={SHANGHAI},{SHENZHEN}")
        assert page.locator("th.compare-cluster").count() == 2

        # Add a third from the list: the two already picked come along, first, ticked.
        page.get_by_role("link", name="添加集群").click()
        arrive(page, f"{base}/clusters/?compare={SHANGHAI},{SHENZHEN}")
        assert page.locator(f'input[type=checkbox][value="{SHENZHEN}"]').is_checked()
        page.check(f'input[name="clusters"][value="{NANJING}"]')
        page.get_by_role("button", name="比较所选集群").click()
        arrive(page, f"{base}/compare/?clusters={SHANGHAI},{SHENZHEN},{NANJING}")
        page.screenshot(path=str(screenshots / "compare-nojs-three.png"), full_page=True)

        # Remove one; then visit a cluster from its header and come back.
        page.get_by_role("link", name="从比较中移除 上海市集成电路集群").click()
        remaining = f"{SHENZHEN},{NANJING}"
        arrive(page, f"{base}/compare/?clusters={remaining}")
        assert page.locator("th.compare-cluster").count() == 2
        page.locator("th.compare-cluster > a").first.click()
        page.wait_for_url(re.compile(r"/clusters/[\w-]+/\?compare="))
        page.get_by_role("link", name="返回比较").click()
        arrive(page, f"{base}/compare/?clusters={remaining}")

        # From a cluster page with no comparison yet: one cluster explains how to pick the next.
        page.goto(f"{base}/clusters/hangzhou-digital-security/")
        page.get_by_role("link", name="加入比较").click()
        arrive(page, f"{base}/compare/?clusters=hangzhou-digital-security")
        assert "再选至少一个集群" in page.locator("main").inner_text()
        page.screenshot(path=str(screenshots / "compare-nojs-one.png"), full_page=True)
        page.get_by_role("link", name="去集群名录选择").click()
        page.check(f'input[name="clusters"][value="{SHANGHAI}"]')
        page.get_by_role("button", name="比较所选集群").click()
        arrive(page, f"{base}/compare/?clusters=hangzhou-digital-security,{SHANGHAI}")
        assert "海康威视、大华股份、宇视科技" in page.locator(".compare-table").inner_text()
    finally:
        context.close()


@pytest.mark.parametrize("width", VIEWPORTS)
def test_a_bad_request_is_a_readable_400_page(browser, live_server, shipped_data, screenshots, width):
    context, page = open_page(browser, width, "zh")
    try:
        response = page.goto(f"{live_server.url}/compare/?clusters={NANJING},no-such-cluster")
        assert response.status == 400
        assert "没有找到集群“no-such-cluster”" in page.locator("[role=alert]").inner_text()
        assert page.evaluate(PAGE_OVERFLOW) <= 0
        page.screenshot(path=str(screenshots / f"compare-400-{width}.png"), full_page=True)
    finally:
        context.close()
