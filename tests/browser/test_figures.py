"""Figures with their caveats, in Chromium: 南京's three shares and 深圳's city-wide figures, desktop and phone,
Chinese and English, with screenshots of each page and of its figures."""

import pytest

from tests.browser.conftest import LANGUAGES, VIEWPORTS

pytestmark = pytest.mark.browser

EXPECTED = {
    ("nanjing-power-equipment", "zh"): ["据2021年报道", "高压继电保护设备", "省级电网调度自动化系统及设备", "超过 90%"],
    ("nanjing-power-equipment", "en"): ["as reported in 2021", "高压继电保护设备", "over 90%", "Scope"],
    ("shenzhen-ict", "zh"): ["2.8 万亿元", "说明：原文为深圳信息产业规模，非集群口径", "约 16.67%"],
    ("shenzhen-ict", "en"): ["2.8 trillion yuan", "Note: 原文为深圳信息产业规模，非集群口径", "about 16.67%"],
}


@pytest.mark.parametrize("width", VIEWPORTS)
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("slug", ["nanjing-power-equipment", "shenzhen-ict"])
def test_figures_show_scope_note_and_report_year(
    browser, live_server, shipped_data, screenshots, slug, language, width
):
    context = browser.new_context(**VIEWPORTS[width], **LANGUAGES[language])
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}{'/en' if language == 'en' else ''}/clusters/{slug}/")
        assert page.locator("html").get_attribute("lang") == ("en" if language == "en" else "zh-Hans")
        figures = page.locator("#indicators")
        text = figures.inner_text()
        for words in EXPECTED[slug, language]:
            assert words in text, words
        # Every note is on screen, not hidden in a tooltip.
        for note in figures.locator(".figure-note").all():
            assert note.is_visible()
            box = note.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"] + 1
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        name = f"figures-{slug}-{language}-{width}"
        page.screenshot(path=str(screenshots / f"{name}.png"), full_page=True)
        figures.screenshot(path=str(screenshots / f"{name}-indicators.png"))
        page.locator("#measures").screenshot(path=str(screenshots / f"{name}-measures.png"))
        print(f"screenshot: {screenshots / name}.png")
        assert overflow <= 0, f"{slug} scrolls sideways by {overflow}px at {width}px"
    finally:
        context.close()
