"""The public pages through Django's test client on the real database (shipped data plus test rows)."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from clusters import search
from clusters.choices import ClusterStatus
from clusters.models import Cluster
from tests import page_data

pytestmark = pytest.mark.django_db

LIST = reverse("clusters:list")
HOME = reverse("clusters:home")


def en(path):
    """The English page at `path` (English lives under /en/)."""
    return f"/en{path}"


def names(response):
    return [c.name for c in response.context["clusters"]]


def count(response):
    return response.context["page_obj"].paginator.count


# --- Home ---------------------------------------------------------------------------------------------------------


def test_home_shows_the_headline_counts_of_the_shipped_data(client):
    response = client.get(HOME)
    assert response.status_code == 200
    stats = response.context["stats"]
    # Seed 004: 25 national clusters in 9 province-level divisions and 21 cities; more than 70% in the east.
    assert (stats["clusters"], stats["provinces"], stats["cities"]) == (25, 9, 21)
    assert {f.name: f.count for f in stats["by_field"]} == {
        "信息技术": 10,
        "高端装备制造": 8,
        "新材料": 3,
        "生物": 2,
        "新能源": 2,
    }
    assert response.context["eastern_percent"] > 70
    html = response.content.decode()
    assert "<title>先进制造业集群门户" in html
    assert f'href="{LIST}?field=information-technology"' in html
    assert f'href="{LIST}?province=440000"' in html
    assert "演示集群" not in html  # no synthetic data shipped, so no notice


def test_home_in_english_uses_english_names(client):
    response = client.get(en(HOME))
    html = response.content.decode()
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in html
    assert "Advanced manufacturing clusters of China" in html
    assert "Information technology" in html and "Guangdong" in html
    assert "按领域" not in html


def test_home_flags_synthetic_clusters(client):
    page_data.demo_cluster()
    html = client.get(HOME).content.decode()
    assert "当前数据中含 1 个演示集群" in html


# --- List and filters ---------------------------------------------------------------------------------------------


def test_list_shows_all_public_clusters_paginated(client):
    page_data.hidden_cluster()
    response = client.get(LIST)
    assert response.status_code == 200
    assert count(response) == 25
    assert len(response.context["clusters"]) == 20
    assert "未公开测试集群" not in response.content.decode()
    second = client.get(LIST, {"page": 2})
    assert len(second.context["clusters"]) == 5
    assert not set(names(response)) & set(names(second))


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"field": "information-technology"}, 10),
        ({"field": "high-end-equipment"}, 8),
        ({"field": "new-materials"}, 3),
        ({"province": "440000"}, 6),  # 广东
        ({"province": "320000"}, 6),  # 江苏
        ({"city": "440300"}, None),  # 深圳: counted below
        ({"tier": "national"}, 25),
        ({"tier": "municipal"}, 0),
        ({"status": ClusterStatus.KEY_SUPPORT}, None),
        ({"q": "海康威视"}, 1),  # a lead enterprise
        ({"q": "集成电路"}, 1),  # a name
        ({"q": "成都"}, 2),  # a city: 成都 software, and 成德 which spans 成都、德阳
    ],
)
def test_each_filter_alone(client, params, expected):
    response = client.get(LIST, params)
    assert response.status_code == 200
    got = count(response)
    if expected is None:
        expected = Cluster.objects.public().filter(**_orm(params)).distinct().count()
    assert got == expected, names(response)
    assert got > 0 or "没有符合条件的集群" in response.content.decode()


def _orm(params):
    key, value = next(iter(params.items()))
    return {{"city": "cities__code", "status": "status"}[key]: value}


def test_text_search_matches_name_short_name_enterprise_and_city(client):
    demo = page_data.demo_cluster()
    for term in ["演示生物医药", "演示生物", "链主甲", "东莞", "Dongguan"]:
        assert demo.name in names(client.get(LIST, {"q": term})), term


SOFTWARE_NJ = "江苏省南京市软件和信息服务集群"
HANGZHOU = "浙江省杭州市数字安防集群"
SHENZHEN = {
    "广东省深圳市新一代信息通信集群",
    "广东省广深佛莞智能装备集群",
    "广东省深广高端医疗器械集群",
    "广东省深圳市先进电池材料集群",
}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("南京软件", {SOFTWARE_NJ}),  # city + a word of the name, typed without a space
        ("上海 集成电路", {"上海市集成电路集群"}),
        ("深圳 电池", {"广东省深圳市先进电池材料集群"}),
        ("深圳市电池", {"广东省深圳市先进电池材料集群"}),  # the city's full name, then the rest
        ("江苏软件", {SOFTWARE_NJ}),  # a province's short name
        ("　南京，软件 ", {SOFTWARE_NJ}),  # full-width space and comma separate words too
        ("杭州安防", {HANGZHOU}),
        ("海康威视", {HANGZHOU}),  # a lead enterprise
        ("中车四方", {"山东省青岛市轨道交通装备集群"}),  # part of a lead enterprise's name
        ("成都德阳能源", {"四川省成都市、德阳市高端能源装备集群"}),  # two cities and a word
        ("广东 生物", {"广东省深广高端医疗器械集群"}),  # a province and a field
        ("Shenzhen", SHENZHEN),  # a city's English name
        ("chengdu", {"四川省成都市软件和信息服务集群", "四川省成都市、德阳市高端能源装备集群"}),
        ("新材料", {"江苏省苏州市纳米新材料集群", "浙江省宁波市磁性材料集群", "江苏省常州市新型碳材料集群"}),
        ("装备", "many"),  # one word, many clusters: every 高端装备制造 cluster and 成德's 能源装备
        ("上海 深圳", set()),  # every word must match: no cluster is in both
        ("量子引力望远镜", set()),  # nonsense finds nothing
        ("zzz", set()),
    ],
)
def test_search_finds_clusters_from_what_people_type(client, query, expected):
    found = set(names(client.get(LIST, {"q": query, "page_size": 100})))
    if expected == "many":
        equipment = Cluster.objects.filter(field__slug="high-end-equipment").values_list("name", flat=True)
        expected = {*equipment, "四川省成都市、德阳市高端能源装备集群"}
        assert len(expected) == 9
    assert found == expected


def test_search_splits_at_known_names_and_keeps_the_rest_whole():
    names = {"南京", "南京市", "深圳", "深圳市", "海康威视", "江苏"}
    assert search.terms("南京软件", names) == ["南京", "软件"]
    assert search.terms("深圳市先进电池", names) == ["深圳市", "先进电池"]
    assert search.terms("工程机械", names) == ["工程机械"]  # nothing known inside: one term, no names needed
    assert search.terms("软件江苏 海康威视", names) == ["软件", "江苏", "海康威视"]
    assert search.terms("Shenzhen  battery", names) == ["Shenzhen", "battery"]
    assert search.terms("  ", names) == []


def test_api_search_uses_the_same_words(client):
    for key in ("q", "search"):
        data = client.get("/api/clusters/", {key: "南京软件"}).json()
        assert [row["name"] for row in data["results"]] == [SOFTWARE_NJ]


def test_city_search_finds_clusters_spanning_several_cities_once(client):
    response = client.get(LIST, {"q": "市"})
    assert len(names(response)) == len(set(names(response)))


def test_filters_combine(client):
    response = client.get(LIST, {"field": "information-technology", "province": "440000", "tier": "national"})
    assert response.status_code == 200
    clusters = page_data.listed_clusters(response)
    assert 0 < len(clusters) < 10
    for cluster in clusters:
        assert cluster.field.slug == "information-technology"
        assert "440000" in {p.code for p in cluster.provinces}
    assert count(client.get(LIST, {"field": "new-energy", "q": "海康威视"})) == 0


def test_province_filter_keeps_a_multi_city_cluster_once(client):
    response = client.get(LIST, {"province": "440000"})
    assert len(names(response)) == len(set(names(response)))
    assert any("广深佛莞" in n or "广佛惠" in n for n in names(response))


def test_ordering(client):
    by_name = names(client.get(LIST, {"ordering": "name"}))
    assert by_name == sorted(by_name)
    desc = names(client.get(LIST, {"ordering": "-name"}))
    assert desc == sorted(desc, reverse=True)


def test_active_filters_are_shown_and_removable(client):
    response = client.get(LIST, {"field": "information-technology", "province": "440000", "page": "1"})
    active = {f["name"]: f for f in response.context["active_filters"]}
    assert active["field"]["value"] == "信息技术"
    assert active["province"]["value"] == "广东省"
    html = response.content.decode()
    assert "领域：信息技术" in html and "清除全部" in html
    # Removing one keeps the other and drops the page.
    assert re.search(r'href="/clusters/\?province=440000" aria-label="移除筛选条件 领域：信息技术"', html)
    assert re.search(r'href="/clusters/\?field=information-technology" aria-label="移除筛选条件 省份：广东省"', html)
    assert 'href="/clusters/export.csv?field=information-technology&amp;province=440000"' in html


def test_pagination_keeps_the_filters(client):
    page_data.many_clusters(30)
    response = client.get(LIST, {"field": "information-technology", "q": "测试"})
    assert count(response) == 30
    html = response.content.decode()
    assert 'href="?field=information-technology&amp;q=%E6%B5%8B%E8%AF%95&amp;page=2" rel="next"' in html
    second = client.get(LIST, {"field": "information-technology", "q": "测试", "page": 2})
    assert len(second.context["clusters"]) == 10
    assert not set(names(response)) & set(names(second))
    # A page number past the end shows the last page rather than failing.
    assert client.get(LIST, {"field": "information-technology", "q": "测试", "page": 99}).status_code == 200


def test_empty_result_is_explained(client):
    response = client.get(LIST, {"q": "不存在的集群名称"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "没有符合条件的集群" in html and "查看全部集群" in html


@pytest.mark.parametrize(
    "params",
    [
        {"field": "nope", "province": "12"},
        {"city": "999999"},
        {"tier": "galactic"},
        {"status": "<script>"},
        {"ordering": "password"},
        {"province": "'; drop table clusters_cluster; --"},
    ],
)
def test_bad_filter_values_show_the_form_error_not_a_500(client, params):
    response = client.get(LIST, params)
    assert response.status_code == 400
    html = response.content.decode()
    assert "筛选条件无效，未列出集群" in html
    assert 'aria-invalid="true"' in html
    assert "<script>" not in html
    # No list at all: a list of everything would look like the answer to the bad question.
    assert "clusters" not in response.context and "cluster-table" not in html and "共 25 个集群" not in html


@pytest.mark.parametrize(
    ("params", "language", "message"),
    [
        ({"province": "abc"}, "zh-hans", "省份（province）：没有代码为“abc”的省份。"),
        ({"province": "abc"}, "en", "Province (province): There is no province with the code “abc”."),
        ({"field": "nope"}, "zh-hans", "领域（field）：没有代码为“nope”的领域。"),
        ({"city": "999999"}, "en", "City (city): There is no city with the code “999999”."),
        ({"tier": "galactic"}, "zh-hans", "层级（tier）：没有“galactic”这一层级。"),
        ({"status": "asleep"}, "en", "Status (status): There is no status “asleep”."),
        ({"ordering": "password"}, "zh-hans", "排序（ordering）：不能按“password”排序。"),
    ],
)
def test_a_bad_filter_value_is_named_with_its_parameter(client, params, language, message):
    response = client.get(en(LIST) if language == "en" else LIST, params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_pager_marks_the_pages_it_leaves_out(client):
    page_data.many_clusters(300)  # 325 clusters: 17 pages of 20
    html = client.get(LIST, {"page": 9}).content.decode()
    pager = re.search(r'<nav class="pagination".*?</nav>', html, re.S).group()
    shown = re.findall(r">(\d+|…)</(?:a|span)>", pager)
    assert shown == ["1", "…", "7", "8", "9", "10", "11", "…", "17"]
    assert '<span aria-current="page">9</span>' in pager
    assert 'href="?page=8" rel="prev"' in pager and 'href="?page=10" rel="next"' in pager


def test_synthetic_clusters_carry_a_badge_in_the_list(client):
    page_data.demo_cluster()
    html = client.get(LIST, {"q": "演示生物"}).content.decode()
    assert 'class="badge badge-synthetic">演示数据<' in html


def test_list_in_english(client):
    response = client.get(en(LIST), {"field": "information-technology", "province": "440000"})
    html = response.content.decode()
    assert re.search(r"\d+ clusters?<", html)
    assert "Field: Information technology" in html
    assert "Province: Guangdong" in html
    assert ">National<" in html
    assert '<option value="440000" selected>Guangdong</option>' in html


def test_list_canonical_url_keeps_filters_but_not_the_page(client):
    html = client.get(LIST, {"field": "new-energy", "page": "1"}).content.decode()
    assert '<link rel="canonical" href="http://testserver/clusters/?field=new-energy">' in html
    html = client.get(LIST, {"page": "2"}).content.decode()
    assert '<link rel="canonical" href="http://testserver/clusters/">' in html


@pytest.mark.parametrize("path", ["/favicon.ico", "/api/", "/admin/login/"])
def test_every_page_has_the_icon(client, path):
    if path == "/favicon.ico":
        from django.contrib.staticfiles import finders

        response = client.get(path, HTTP_ACCEPT="text/html")
        # Tests serve no collected static files; the redirect's target is the site's own icon file.
        assert response.status_code == 301 and response["Location"] == "/static/img/favicon.svg"
        assert finders.find("img/favicon.svg")
    else:
        response = client.get(path, follow=True, HTTP_ACCEPT="text/html")
        assert response.status_code == 200
        assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in response.content.decode()


# --- Cluster page -------------------------------------------------------------------------------------------------


def test_cluster_page_shows_the_record(client):
    demo = page_data.demo_cluster()
    response = client.get(demo.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<title>{demo.name} · 生物 · 先进制造业集群门户</title>" in html
    assert f'<link rel="canonical" href="http://testserver{demo.get_absolute_url()}">' in html
    assert "<h1>演示生物医药集群</h1>" in html
    assert 'class="badge badge-synthetic"' in html
    for text in ["广东省", "深圳市", "东莞市", "1999", "演示生物医药集群链主甲"]:
        assert text in html, text
    # Targets with progress: 产值 3000 in 2022 is above the line (2800): on track; 占全国比重 “超过25%” is behind (32).
    statuses = {row["target"].indicator.code: row["progress"].status for row in response.context["targets"]}
    assert statuses == {"output-value": "on_track", "national-share": "behind"}
    assert "进度正常" in html and "进度落后" in html
    assert "≥ 4000 亿元" in html and "超过 25%" in html and "（按下限计）" in html
    # Measures grouped by the source's category, in date order within the group; uncategorised ones last.
    assert html.index("<h3>搭建平台</h3>") < html.index("演示早期资金") < html.index("演示专项资金")
    assert html.index("演示专项资金") < html.index("<h3>未分类</h3>") < html.index("演示人才计划")
    assert html.count('<span class="tag">资金支持</span>') == 2 and '<span class="tag">人才</span>' in html
    assert "《演示资金管理办法》" in html
    # Indicator values over time: a table and a chart.
    assert html.count('<circle cx="') >= 3 and "<polyline" in html
    # Published evaluations only.
    assert "已发布的演示评估。" in html and "协同创新" in html and "17.5" in html
    assert "尚未发布的草稿。" not in html and "草稿评估机构" not in html
    # Every figure links to the numbered source list.
    assert 'href="#source-1"' in html and 'id="source-1"' in html
    assert 'href="https://example.org/src"' in html


def test_every_shipped_cluster_page_renders(client):
    for cluster in Cluster.objects.public():
        response = client.get(cluster.get_absolute_url())
        assert response.status_code == 200, cluster.slug
        assert cluster.name in response.content.decode()


def test_shipped_targets_cite_their_source(client):
    cluster = Cluster.objects.filter(targets__isnull=False).first()
    response = client.get(cluster.get_absolute_url())
    html = response.content.decode()
    assert len(response.context["targets"]) == cluster.targets.count()
    assert re.search(r'class="target-figure">.*?href="#source-\d+"', html, re.S)


def test_cluster_page_in_english(client):
    demo = page_data.demo_cluster()
    html = client.get(en(demo.get_absolute_url())).content.decode()
    assert "<h1>演示生物医药集群</h1>" in html  # data stays as entered
    assert "Biotechnology" in html and "Shenzhen" in html and "Guangdong" in html
    assert "On track" in html and "Behind" in html and "Output value" in html
    assert "Demo data" in html and "Targets" in html and "Innovation platforms" in html
    assert '<span class="tag">Funding</span>' in html and "<h3>Uncategorised</h3>" in html


def test_unknown_or_unpublished_cluster_is_a_styled_404(client):
    hidden = page_data.hidden_cluster()
    for url in ["/clusters/no-such-cluster/", hidden.get_absolute_url()]:
        response = client.get(url)
        assert response.status_code == 404
        html = response.content.decode()
        assert "页面不存在" in html and 'class="site-header"' in html
    assert "Page not found" in client.get(en("/clusters/no-such-cluster/")).content.decode()


def test_an_unknown_admin_address_is_a_404_for_staff(admin_client):
    """The admin's catch-all view answers it with the site's 404 page, whose language switch cannot name the
    same page in English (the view has no name to reverse) and so links to the home pages; it was a 500."""
    for url in ["/admin/no-such-page/", "/admin/clusters/historicalcluster/"]:
        response = admin_client.get(url)
        assert response.status_code == 404, url
        html = response.content.decode()
        assert "页面不存在" in html
        assert '<a href="/en/" lang="en" hreflang="en">English</a>' in html
        assert 'rel="canonical"' not in html


# --- Figures keep their caveats; measures show the source's category (shipped data) ------------------------------


def section(html, name):
    return re.search(rf'<section id="{name}".*?</section>', html, re.S).group(0)


def rows(html):
    """The indicator tables' rows as text: period, [scope,] figure and note, tags and citations stripped."""
    return [
        re.sub(r"\s+", " ", re.sub(r"<sup.*?</sup>|<[^>]+>", " ", row)).strip()
        for row in re.findall(r"<tr><th scope=\"row\">.*?</tr>", section(html, "indicators"), re.S)
    ]


def test_nanjing_shows_each_market_share_with_its_product_and_the_report_year(client):
    html = client.get("/clusters/nanjing-power-equipment/").content.decode()
    table = rows(html)
    assert "据2021年报道 高压继电保护设备 80%" in table
    assert "据2021年报道 省级电网调度自动化系统及设备 超过 90%" in table
    assert "据2021年报道 地级电网调度自动化系统及设备 超过 40%" in table
    assert "据2021年报道 超过 30,000 人" in table  # no scope column where no figure has one
    assert '<th scope="col">口径</th>' in section(html, "indicators")
    # The year of the report never poses as the year of the data.
    assert '<th scope="row">2021</th>' not in html and "（2021）" not in html


def test_shenzhen_shows_the_citys_industry_in_wan_yi_with_its_caveats(client):
    html = client.get("/clusters/shenzhen-ict/").content.decode()
    table = rows(html)
    assert "2020 深圳信息产业 2.8 万亿元 说明：原文为深圳信息产业规模，非集群口径" in table
    share = next(row for row in table if row.startswith("2020 深圳电子信息产业 约 16.67%"))
    assert "约1/6" in share and "非集群口径" in share
    assert "28000" not in section(html, "indicators")


def test_pages_in_english_say_as_reported_and_keep_the_scope(client):
    html = client.get(en("/clusters/nanjing-power-equipment/")).content.decode()
    assert "as reported in 2021" in html and '<th scope="col">Scope</th>' in html
    assert "over 90%" in html and "据2021年报道" not in html
    html = client.get(en("/clusters/shenzhen-ict/")).content.decode()
    assert "Note: 原文为深圳信息产业规模，非集群口径" in html and "2.8 trillion yuan" in html
    assert "万亿元" not in section(html, "indicators")


def test_suzhou_measures_sit_under_the_sources_own_heading(client):
    html = section(client.get("/clusters/suzhou-nanomaterials/").content.decode(), "measures")
    assert re.findall(r"<h3>(.*?)</h3>", html) == ["开放合作"]
    assert html.count("<li>") == 4
    assert '<span class="tag">营商环境</span>' in html and '<span class="tag">人才</span>' in html


def test_xian_and_nanjing_measures_the_audit_found_misfiled(client):
    xian = section(client.get("/clusters/xian-aviation/").content.decode(), "measures")
    assert re.findall(r"<h3>(.*?)</h3>", xian) == ["顶层设计"]
    assert "成立西安航空基地管理委员会" in xian
    nanjing = section(client.get("/clusters/nanjing-power-equipment/").content.decode(), "measures")
    assert re.findall(r"<h3>(.*?)</h3>", nanjing) == ["搭建平台"]
    funded = re.search(r"<li>(?:(?!</li>).)*给予资金支持(?:(?!</li>).)*</li>", nanjing, re.S).group(0)
    assert '<span class="tag">资金支持</span>' in funded


def test_measures_the_source_files_nowhere_are_uncategorised(client):
    html = section(client.get("/clusters/shanghai-ic/").content.decode(), "measures")
    assert re.findall(r"<h3>(.*?)</h3>", html) == ["未分类"]
    assert "出处没有为这些举措归类。" in html
    assert '<span class="tag">个税减免</span>' in html


def test_home_cites_the_national_bureau_of_statistics_for_the_eastern_share(client):
    html = client.get(HOME).content.decode()
    caption = re.search(r'<p id="east-caption">.*?</p>', html, re.S).group(0)
    assert "地区划分：国家统计局《东西中部和东北地区划分方法》" in caption
    assert "GB/T 2260" not in caption


def test_a_scoped_figure_never_counts_as_the_clusters_progress(client):
    """A target for the whole cluster compares with whole-cluster figures only, never with one product's."""
    demo = page_data.demo_cluster()
    share = demo.indicator_values.get(indicator__code="national-share")
    demo.indicator_values.create(
        indicator=share.indicator, period="2023", scope="某单一产品", value=90, source=share.source
    )
    response = client.get(demo.get_absolute_url())
    row = next(r for r in response.context["targets"] if r["target"].indicator.code == "national-share")
    assert row["latest"] == share and row["progress"].status == "behind"


def test_a_figure_series_charts_each_scope_apart_and_labels_the_report_year(client):
    demo = page_data.demo_cluster()
    output = demo.indicator_values.get(indicator__code="output-value", period="2022")
    for period, scope, value in [("2021", "整机", 10), ("2022", "整机", 20), ("2022", "零部件", 30)]:
        demo.indicator_values.create(
            indicator=output.indicator,
            period=period,
            scope=scope,
            value=value,
            period_is_report_year=period == "2022",
            source=output.source,
        )
    html = section(client.get(demo.get_absolute_url()).content.decode(), "indicators")
    # The whole cluster (2020–2022) and 整机 (2021, 2022) get a line each; 零部件 has one point, so none.
    assert html.count("<polyline") == 2
    assert "产值·整机历年数值折线图" in html and '<figcaption class="chart-caption">整机</figcaption>' in html
    assert "<title>据2022年报道：20 亿元</title>" in html
    assert "<title>2021：2500 亿元</title>" in html


# --- Query counts: the same bound at 25 clusters and at several hundred ---------------------------------------------

# Home: clusters, provinces, cities, fields, eastern, synthetic counts, the regions' source; the map's totals,
# provinces and cities.
HOME_QUERIES = 10
# List: 3 filter-choice lists, up to 3 filter validations, count, page (a search that may split adds the
# names it splits at, one query); and once per data version every cluster's city links and lead enterprises
# (selectors.city_links, selectors.lead_names) and the small tables rows point to.
LIST_QUERIES = 10 + page_data.REFERENCE_QUERIES
# Detail: cluster, cities, lead enterprises, sources, characteristics, targets, measures, their topics, values,
# evaluations, scores; and once per data version the small tables rows point to.
DETAIL_QUERIES = 11

SCALES = [0, 400]  # extra synthetic clusters on top of the 25 shipped ones


@pytest.fixture(params=SCALES, ids=lambda n: f"{25 + n}-clusters")
def scale(request, db):
    if request.param:
        page_data.many_clusters(request.param)
        page_data.demo_cluster()
    assert Cluster.objects.public().count() >= 25 + request.param
    return request.param


def test_home_query_count_is_fixed(client, scale, django_assert_max_num_queries):
    with django_assert_max_num_queries(HOME_QUERIES):
        response = client.get(HOME)
    assert response.context["stats"]["clusters"] >= 25 + scale


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"field": "information-technology", "province": "440000", "city": "440300", "tier": "national"},
        {"q": "集群", "status": "cultivating", "ordering": "-name", "page": "2"},
        {"q": "深圳电池 规模", "field": "information-technology"},  # split at the names: one query for them
        {"field": "nope", "province": "12"},
    ],
    ids=["unfiltered", "all-filters", "search-page-2", "search-split", "invalid"],
)
def test_list_query_count_is_fixed(client, scale, params, django_assert_max_num_queries):
    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(LIST, params)
    if "nope" in params.values():
        assert response.status_code == 400 and "clusters" not in response.context
    else:
        assert response.status_code == 200 and len(response.context["clusters"]) <= 20


def test_detail_query_count_is_fixed(client, scale, django_assert_max_num_queries):
    cluster = Cluster.objects.filter(targets__isnull=False).order_by("pk").first()
    if scale:
        cluster = Cluster.objects.get(slug="demo-bio")
        page_data.grow(cluster, 300)
    with django_assert_max_num_queries(DETAIL_QUERIES + page_data.REFERENCE_QUERIES):
        response = client.get(cluster.get_absolute_url())
    assert response.status_code == 200
    with django_assert_max_num_queries(DETAIL_QUERIES):
        assert client.get(cluster.get_absolute_url()).content == response.content
    if scale:
        assert len(response.context["measures"]) >= 300
        assert len(response.context["evaluations"]) >= 60


def site_chrome(client, path):
    """The page's menu and footer."""
    page = client.get(path).content.decode()
    menu = page.index('<nav class="site-nav"')
    return page[menu : page.index("</nav>", menu)], page[page.index('<footer class="site-footer">') :]


@pytest.mark.parametrize("first", ["/", "/clusters/", "/clusters/shanghai-ic/", "/en/rankings/"])
def test_the_menu_marks_the_page_it_is_on_whichever_page_rendered_it_first(client, first):
    """The menu and footer are rendered once per language (and the menu per current entry), then kept
    (base.html, "chrome" cache)."""
    site_chrome(client, first)
    for path, current in [
        ("/", ["/"]),
        ("/clusters/", ["/clusters/"]),
        ("/clusters/?field=information-technology&page=2", ["/clusters/"]),
        ("/clusters/shanghai-ic/", []),
        ("/rankings/", ["/rankings/"]),
        ("/en/", ["/en/"]),
        ("/en/clusters/", ["/en/clusters/"]),
        ("/en/clusters/shanghai-ic/", []),
    ]:
        menu, footer = site_chrome(client, path)
        assert re.findall(r'<a href="([^"]+)" aria-current="page">', menu) == current, path
        english = path.startswith("/en/")
        assert ('href="/en/clusters/"' in menu) == english and ("集群名录" in menu) != english, path
        assert ('href="/en/clusters/"' in footer) == english and ("下载 CSV" in footer) != english, path


# --- The English catalogue covers every public template string ------------------------------------------------------

TRANSLATE_TAG = re.compile(r"""{%\s*translate\s+(?:"([^"]+)"|'([^']+)')""")
BLOCK_TAG = re.compile(r"{%\s*blocktranslate\b(.*?)%}(.*?)(?:{%\s*plural\s*%}.*?)?{%\s*endblocktranslate\s*%}", re.S)


def template_msgids():
    from django.conf import settings

    root = settings.BASE_DIR / "templates"
    for path in sorted(root.rglob("*.html")):  # the admin's templates too: staff may choose English
        text = path.read_text(encoding="utf-8")
        for match in TRANSLATE_TAG.finditer(text):
            yield path.name, match.group(1) or match.group(2)
        for match in BLOCK_TAG.finditer(text):
            yield path.name, re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", match.group(2).replace("%", "%%"))


def test_every_template_string_has_an_english_translation():
    msgids = list(template_msgids())
    assert len(msgids) > 100
    with translation.override("en"):
        missing = [
            (name, msgid)
            for name, msgid in msgids
            if re.search(r"[\u4e00-\u9fff]", msgid) and translation.gettext(msgid) == msgid
        ]
    assert missing == [], "run makemessages -l en and translate these"


def test_no_template_writes_chinese_outside_a_translation_tag():
    """Every Chinese word or punctuation mark in a template goes through the catalogue (500.html, rendered
    when nothing else can be relied on, says everything in both languages)."""
    from django.conf import settings

    han = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
    untagged = []
    for path in sorted((settings.BASE_DIR / "templates").rglob("*.html")):
        if path.name == "500.html":
            continue
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", "", text, flags=re.S)
        text = re.sub(r"{%\s*blocktranslate\b.*?{%\s*endblocktranslate\s*%}", "", text, flags=re.S)
        text = re.sub(r"""{%\s*translate\s+(?:"[^"]*"|'[^']*')[^%]*%}""", "", text)
        untagged += [(path.name, line.strip()) for line in text.splitlines() if han.search(line)]
    assert untagged == []
