"""Rankings, a bad filter and the search in a real browser, at 1366 px and 390 px, in Chinese and English."""

import re

import pytest
from django.core.management import call_command

from clusters.models import Cluster

pytestmark = pytest.mark.browser

DEMO_CLUSTERS = 320  # 7 pages of 50: enough for the pager to leave pages out
SCREENS = {
    "desktop": {"viewport": {"width": 1366, "height": 900}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}
LANGUAGES = {"zh": ("zh-CN", "zh-CN,zh;q=0.9"), "en": ("en-US", "en-US,en;q=0.9")}
LABELS = {
    "zh": {"rank": "名次", "rank-change": "变化", "score": "总分", "word": ("等级", "结论")},
    "en": {"rank": "Rank", "rank-change": "Change", "score": "Total score", "word": ("Grade", "Conclusion")},
}
RETAIN = {"zh": "保留", "en": "Retain"}


def open_page(browser, live_server, screen, language):
    locale, accept = LANGUAGES[language]
    context = browser.new_context(locale=locale, extra_http_headers={"Accept-Language": accept}, **SCREENS[screen])
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url + ("/en" if language == "en" else "")  # English lives under /en/
    return context, page


def shot(page, folder, name, full_page=True):
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    print(f"screenshot: {path}")


def before_label(cell):
    """The label a phone card shows before a figure (CSS ::before with the cell's data-label)."""
    return cell.evaluate("el => getComputedStyle(el, '::before').content")


def lines_of(element):
    """How many lines the element's text takes (one rectangle per line box)."""
    return element.evaluate(
        "el => { const r = document.createRange(); r.selectNodeContents(el); "
        "return new Set([...r.getClientRects()].map(rect => Math.round(rect.top))).size; }"
    )


def cells_collide(row):
    """Cells of a row whose text overflows them, that overlap or that stick out of the row (“ExcellentRetain”)."""
    return row.evaluate(
        """tr => {
          const box = tr.getBoundingClientRect();
          const cells = [...tr.children].map(c => c.getBoundingClientRect());
          const spill = [...tr.children].filter(c => c.scrollWidth > c.clientWidth + 1).length;
          const out = spill + cells.filter(c => c.left < box.left - 0.5 || c.right > box.right + 0.5).length;
          let overlaps = 0;
          cells.forEach((a, i) => cells.slice(i + 1).forEach(b => {
            if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5) overlaps++;
          }));
          return out + overlaps;
        }"""
    )


def test_rankings_are_paginated_with_labelled_cards(browser, live_server, shipped_data, screenshots):
    call_command("generate_demo_data", clusters=DEMO_CLUSTERS, years=2, seed=7, without_history=True, verbosity=0)
    for screen in SCREENS:
        for language in LANGUAGES:
            context, page = open_page(browser, live_server, screen, language)
            try:
                page.goto(page.base_url + "/rankings/")
                rows = page.locator(".ranking-table tbody tr")
                assert rows.count() == 50
                heading = page.locator("#ranking-title").inner_text()
                assert str(DEMO_CLUSTERS) in heading
                pager = page.locator(".pagination")
                assert re.sub(r"\s+", " ", pager.inner_text()).count("…") == 1  # ‹ 1 2 3 … 7 ›
                height = page.evaluate("document.documentElement.scrollHeight")
                print(f"rankings {screen} {language}: page 1 is {height} px tall")
                overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
                assert overflow <= 0, f"scrolls sideways by {overflow}px"
                shot(page, screenshots, f"20-rankings-{screen}-{language}")
                shot(page, screenshots, f"20-rankings-{screen}-{language}-first-screen", full_page=False)
                page.locator(".ranking-table tbody tr").nth(2).scroll_into_view_if_needed()
                shot(page, screenshots, f"20-rankings-{screen}-{language}-rows", full_page=False)
                pager.scroll_into_view_if_needed()
                shot(page, screenshots, f"20-rankings-{screen}-{language}-pager", full_page=False)

                first = rows.first
                assert [cells_collide(rows.nth(i)) for i in range(10)] == [0] * 10
                if screen == "phone":
                    assert not page.locator(".ranking-table thead").is_visible()
                    for cls, label in LABELS[language].items():
                        cells = first.locator(f"td.{cls}")
                        expected = label if isinstance(label, tuple) else (label,)
                        assert tuple(before_label(cells.nth(i)) for i in range(cells.count())) == tuple(
                            f'"{text}"' for text in expected
                        )
                else:
                    assert page.locator(".ranking-table thead").is_visible()
                    assert before_label(first.locator("td.rank")) in ("none", "normal")  # the header says it

                # Short words stay whole: every 保留 (Retain), grade, change and score is on one line.
                retained = page.locator(".ranking-table td.word", has_text=RETAIN[language])
                assert retained.count() > 0
                for selector in ("td.word", "td.rank-change [aria-hidden=true]", "td.score", "td.rank"):
                    cells = page.locator(f".ranking-table {selector}")
                    for i in range(0, cells.count(), 7):
                        assert lines_of(cells.nth(i)) == 1, (screen, language, selector, cells.nth(i).inner_text())

                # Next page: ranks go on from 50, the changes against the previous period are there.
                page.locator(".pagination a[rel=next]").click()
                page.wait_for_url(re.compile(r"page=2"))
                ranks = [int(r) for r in page.locator(".ranking-table td.rank").all_inner_texts()]
                assert len(ranks) == 50 and 45 <= ranks[0] <= 51 and ranks == sorted(ranks)
                changes = page.locator(".ranking-table td.rank-change .visually-hidden").all_text_contents()
                said = "上升|下降|名次不变" if language == "zh" else "Up|Down|No change|unchanged"
                assert sum(bool(re.search(said, text)) for text in changes) > 40
                shot(page, screenshots, f"21-rankings-page-2-{screen}-{language}", full_page=False)
            finally:
                context.close()


def test_a_bad_filter_shows_its_error_and_no_list(browser, live_server, shipped_data, screenshots):
    for screen in SCREENS:
        for language in LANGUAGES:
            context, page = open_page(browser, live_server, screen, language)
            try:
                response = page.goto(page.base_url + "/clusters/?province=abc")
                assert response.status == 400
                alert = page.get_by_role("alert")
                expected = "没有代码为“abc”的省份" if language == "zh" else "There is no province with the code “abc”"
                assert expected in alert.inner_text()
                assert page.locator(".cluster-table").count() == 0
                shot(page, screenshots, f"22-list-bad-filter-{screen}-{language}", full_page=False)
                # The rankings say the same about the same mistake.
                response = page.goto(page.base_url + "/rankings/?province=abc")
                assert response.status == 400 and expected in page.get_by_role("alert").inner_text()
            finally:
                context.close()


@pytest.mark.parametrize(
    ("query", "expected"),
    [("南京软件", "江苏省南京市软件和信息服务集群"), ("深圳 电池", "广东省深圳市先进电池材料集群")],
)
def test_search_from_the_list_form(browser, live_server, shipped_data, screenshots, query, expected):
    for screen in SCREENS:
        context, page = open_page(browser, live_server, screen, "zh")
        try:
            page.goto(page.base_url + "/clusters/")
            if screen == "phone":
                page.locator("details.filters summary").tap()  # the filter panel starts folded on a phone
            page.get_by_label("关键词").fill(query)
            page.get_by_role("button", name="筛选").click()
            page.wait_for_url(re.compile(r"q="))
            names = page.locator(".cluster-table tbody th a").all_inner_texts()
            assert names == [expected]
            assert Cluster.objects.filter(name=expected).exists()
            shot(page, screenshots, f"23-search-{query.replace(' ', '-')}-{screen}", full_page=False)
        finally:
            context.close()
