"""The public site in a real browser: find, filter, open and switch language, with screenshots."""

import re

import pytest

from clusters.models import Cluster
from tests import page_data

pytestmark = pytest.mark.browser

IT_CLUSTERS = 10  # seed 004: 信息技术 10 of the 25 national clusters


def shot(page, folder, name, full_page=True):
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    print(f"screenshot: {path}")
    return path


def test_home_filter_open_and_switch_to_english(desktop, screenshots):
    page = desktop
    page.goto(page.base_url + "/")
    assert page.title().startswith("先进制造业集群门户")
    assert page.locator("h1").inner_text() == "中国先进制造业集群"
    assert page.locator(".stat dd").first.inner_text() == str(Cluster.objects.public().count())
    shot(page, screenshots, "01-home-zh")

    # Into the list, then filter by field with the form, as a user would.
    page.get_by_role("link", name="集群名录").first.click()
    page.wait_for_url(re.compile(r"/clusters/$"))
    page.get_by_label("领域").select_option(label="信息技术")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(r"field=information-technology"))
    rows = page.locator(".cluster-table tbody tr")
    assert rows.count() == IT_CLUSTERS
    assert page.locator(".result-count").inner_text() == f"共 {IT_CLUSTERS} 个集群"
    assert "领域：信息技术" in page.locator(".active-filters").inner_text()
    shot(page, screenshots, "02-list-it-zh")

    # Open one cluster: its targets are there with a progress status.
    first = rows.first.locator("th a")
    name = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r"/clusters/[\w-]+/$"))
    assert page.locator("h1").inner_text() == name
    cluster = Cluster.objects.get(name=name)
    targets = page.locator("#targets .target")
    assert targets.count() == cluster.targets.count()
    shot(page, screenshots, "03-detail-zh")

    # Switch to English with the header's link: the same page under /en/; page strings change, data stays as
    # entered, field names come in English.
    page.locator(".lang-switch").get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r"/en/clusters/[\w-]+/$"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == name
    assert page.locator("#targets-title").inner_text() == "Targets"
    assert page.locator(".eyebrow").inner_text() == cluster.field.name_en
    shot(page, screenshots, "04-detail-en")

    # Links keep the language: the breadcrumb leads to the English list, where the field filter works.
    page.locator(".breadcrumbs").get_by_role("link", name="Clusters").click()
    page.wait_for_url(re.compile(r"/en/clusters/$"))
    page.goto(page.url + "?field=information-technology")
    assert page.locator(".result-count").inner_text() == f"{IT_CLUSTERS} clusters"
    shot(page, screenshots, "05-list-it-en")
    # And back: the switch keeps the page and its query.
    page.locator(".lang-switch").get_by_role("link", name="简体中文").click()
    page.wait_for_url(re.compile(r"/clusters/\?field=information-technology$"))
    assert page.locator(".result-count").inner_text() == f"共 {IT_CLUSTERS} 个集群"


def test_a_cluster_page_with_progress_chart_and_evaluation(desktop, screenshots):
    demo = page_data.demo_cluster()
    page = desktop
    page.goto(page.base_url + demo.get_absolute_url())
    assert page.locator(".badge-synthetic").first.inner_text() == "演示数据"
    labels = page.locator("#targets .status-label").all_inner_texts()
    assert labels == ["进度正常", "进度落后"]
    bar = page.locator("#targets .progress-bar").first.bounding_box()
    track = page.locator("#targets .progress-track").first.bounding_box()
    assert 0.70 < bar["width"] / track["width"] < 0.80  # 3000 of 4000
    assert page.locator("#indicators svg polyline").count() == 1
    assert page.locator("#evaluations .evaluation").count() == 1
    shot(page, screenshots, "06-detail-demo-progress-zh")
    # A citation jumps to its source.
    page.locator("#targets .cite a").first.click()
    assert page.evaluate("location.hash").startswith("#source-")
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    shot(page, screenshots, "06b-detail-demo-print")


def test_phone_width_has_no_horizontal_overflow(phone, screenshots):
    page = phone
    cluster = page_data.demo_cluster()
    for name, path in [
        ("07-phone-home", "/"),
        ("08-phone-list", "/clusters/?field=information-technology"),
        ("09-phone-detail", cluster.get_absolute_url()),
    ]:
        page.goto(page.base_url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        shot(page, screenshots, name)
        shot(page, screenshots, f"{name}-first-screen", full_page=False)
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 390px"
    # On the phone the filter panel starts folded, so results come first; a tap opens it.
    page.goto(page.base_url + "/clusters/?field=information-technology")
    panel = page.locator("details.filters")
    assert panel.get_attribute("open") is None
    page.locator("details.filters summary").tap()
    assert page.get_by_label("领域", exact=True).is_visible()


def test_a_shared_english_link_opens_in_english_in_a_chinese_browser(browser, live_server, shipped_data, screenshots):
    context = browser.new_context(locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    page = context.new_page()
    try:
        page.goto(live_server.url + "/en/")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator("h1").inner_text() == "Advanced manufacturing clusters of China"
        shot(page, screenshots, "10-home-en")
        page.goto(live_server.url + "/")
        assert page.locator("html").get_attribute("lang") == "zh-Hans"
    finally:
        context.close()
