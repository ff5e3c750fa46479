"""/data/ in Chromium, in Chinese and English at 1366 and 390 px, with the shipped data and with 5,000 demo clusters:
the downloads table and the data dictionary fit the window, a file downloaded by the browser re-imports unchanged,
and the list page's filters lead to filtered downloads. Screenshots go to test-artifacts/screenshots/data-*.png."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from clusters.sheets import registry
from tests.browser.conftest import LANGUAGES, VIEWPORTS
from tests.browser.test_csp import LISTEN

pytestmark = pytest.mark.browser

WORDS = {
    "zh": {"h1": "开放数据", "dictionary": "数据字典", "values": "指标值", "terms": "使用条款"},
    "en": {"h1": "Open data", "dictionary": "Data dictionary", "values": "Indicator values", "terms": "Terms of use"},
}
PAGE_OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
# What a download of each kind is checked with: the browser saves it, the import reads it back.
DOWNLOADS = {("zh", "1366"): ("indicator-values", "CSV"), ("en", "390"): ("measures", "Excel")}


def address(live_server, name, language, **kwargs):
    """The page's address in ``language``: English under /en/."""
    with translation.override("en" if language == "en" else "zh-hans"):
        return live_server.url + reverse(name, kwargs=kwargs or None)


def open_page(browser, width, language):
    context = browser.new_context(**VIEWPORTS[width], **LANGUAGES[language], accept_downloads=True)
    context.add_init_script(LISTEN)  # records what the Content-Security-Policy blocks
    page = context.new_page()
    page.set_default_timeout(20000)
    return context, page


def dry_run(kind, path):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_sheet", kind, str(path), "--dry-run", stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


@pytest.mark.parametrize("width", VIEWPORTS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_open_data_page(browser, live_server, shipped_data, screenshots, tmp_path, language, width):
    context, page = open_page(browser, width, language)
    try:
        page.goto(address(live_server, "clusters:data", language))
        assert page.locator("html").get_attribute("lang") == ("en" if language == "en" else "zh-Hans")
        assert page.locator("h1").inner_text() == WORDS[language]["h1"]
        rows = page.locator(".data-downloads tbody tr")
        assert rows.count() == 5
        assert WORDS[language]["values"] in rows.nth(3).inner_text() and "27" in rows.nth(3).inner_text()
        assert page.locator("#terms").inner_text().count("CC BY 4.0") >= 1
        # One dictionary per kind, one line per column the file has.
        for kind in registry.KINDS:
            lines = page.locator(f"#dictionary-{kind} tbody tr")
            assert lines.count() == len(registry.get(kind).export_columns()), kind
        page.screenshot(path=str(screenshots / f"data-{language}-{width}.png"), full_page=True)
        assert page.evaluate("window.__violations") == []
        assert page.evaluate(PAGE_OVERFLOW) <= 0, "the page scrolls sideways"
        for table in page.locator(".data-table").all():
            box = table.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= int(width) + 1, box
        if width == "390":
            # On a phone each row is a card: no header row, each cell labelled, the field name beside the header.
            assert not page.locator(".data-columns thead").first.is_visible()
            assert page.locator("#dictionary-measures .data-name").first.is_visible()
            assert page.locator(".data-downloads td.data-links").first.evaluate(
                "td => getComputedStyle(td, '::before').content"
            ) not in ("none", "normal")
        # The "columns" link lands on the kind's dictionary.
        page.locator("#kind-targets .data-links a").nth(2).click()
        page.wait_for_function("location.hash === '#dictionary-targets'")
        assert page.locator("#dictionary-targets h3").is_visible()

        if (language, width) in DOWNLOADS:
            kind, label = DOWNLOADS[(language, width)]
            with page.expect_download() as started:
                page.locator(f"#kind-{kind} .data-links a", has_text=label).click()
            download = started.value
            path = tmp_path / download.suggested_filename
            download.save_as(path)
            assert download.suggested_filename.startswith(f"{kind}-")
            assert "新增 0 行，修改 0 行" in dry_run(kind, path)
    finally:
        context.close()


def test_the_list_filters_lead_to_filtered_downloads(browser, live_server, shipped_data, screenshots, tmp_path):
    context, page = open_page(browser, "1366", "zh")
    try:
        page.goto(address(live_server, "clusters:list", "zh") + "?province=320000")
        page.get_by_role("link", name="全部数据类型").click()
        page.wait_for_url("**/data/?province=320000")
        assert "省份：江苏省" in page.locator(".active-filters").inner_text()
        counts = page.locator(".data-downloads tbody td.cell-number").all_inner_texts()
        assert [text.split()[0] for text in counts] == ["6", "10", "1", "9", "0"]
        page.screenshot(path=str(screenshots / "data-zh-1366-jiangsu.png"), full_page=True)
        with page.expect_download() as started:
            page.locator("#kind-indicator-values .data-links a", has_text="CSV").click()
        path = tmp_path / "jiangsu.csv"
        started.value.save_as(path)
        lines = path.read_text(encoding="utf-8-sig").splitlines()
        assert len(lines) == 10 and all(line.startswith("江苏省") for line in lines[1:])
        assert "新增 0 行，修改 0 行，不变 9 行" in dry_run("indicator-values", path)
    finally:
        context.close()


def test_the_page_with_5000_demo_clusters(browser, live_server, shipped_data, screenshots, tmp_path):
    call_command("generate_demo_data", clusters=5000, years=1, without_history=True, stdout=io.StringIO())
    for language, width in (("zh", "1366"), ("en", "390")):
        context, page = open_page(browser, width, language)
        try:
            page.goto(address(live_server, "clusters:data", language))
            notice = page.locator("#downloads .notice")
            assert notice.is_visible()
            assert ("30000" if language == "zh" else "30,000") in notice.inner_text()  # 5,000 + 15,000 + 5,000 + 5,000
            values = page.locator("#kind-indicator-values td.cell-number").inner_text()
            assert ("15027" if language == "zh" else "15,027") in values
            assert page.locator(".data-sources").inner_text().count("demo-synthetic") == 1
            assert page.evaluate(PAGE_OVERFLOW) <= 0
            page.screenshot(path=str(screenshots / f"data-demo5000-{language}-{width}.png"), full_page=True)
            if language == "zh":
                with page.expect_download() as started:
                    page.locator("#kind-indicator-values .data-links a", has_text="Excel").click()
                path = tmp_path / "values.xlsx"
                started.value.save_as(path)
                assert "新增 0 行，修改 0 行，不变 15027 行" in dry_run("indicator-values", path)
        finally:
            context.close()
