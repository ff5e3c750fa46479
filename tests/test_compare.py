"""Clusters side by side: /compare/, its CSV and xlsx downloads and GET /api/compare/, through the real stack.

One table (clusters.compare) feeds all four, so the tests read the page, the download and the API against
the shipped data (南京 vs 上海 vs 深圳, whose figures carry scopes, notes and report years) and against
synthetic clusters (charts, evaluations, query counts).
"""

import csv
import io
from decimal import Decimal

import pytest
import tablib
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook

from clusters.choices import EvaluationState, Qualifier
from clusters.compare import MAX_CLUSTERS, CompareError, compare, parse
from clusters.compare.downloads import filename
from clusters.models import (
    Cluster,
    Enterprise,
    EvaluationRecord,
    Indicator,
    IndicatorValue,
    LeadEnterprise,
    Source,
)
from tests import page_data
from tests.api_support import make_synthetic_clusters, make_user
from tests.evaluation_helpers import make_record, make_scheme

pytestmark = pytest.mark.django_db

NANJING, SHANGHAI, SHENZHEN = "nanjing-power-equipment", "shanghai-ic", "shenzhen-ict"
PAGE, CSV, XLSX, API = "/compare/", "/compare/export.csv", "/compare/export.xlsx", "/api/compare/"


@pytest.fixture(autouse=True)
def chinese():
    """Tables built outside a request speak the default language, whatever an earlier request activated."""
    with translation.override("zh-hans"):
        yield


def row(comparison, key):
    matches = [r for r in comparison.rows if r.key == key]
    assert matches, f"no row {key}: {[r.key for r in comparison.rows]}"
    return matches[0]


def texts(comparison, key):
    return [cell.text if cell else None for cell in row(comparison, key).cells]


def api_rows(data):
    return {r["key"]: r for r in data["rows"]}


def publish(record):
    EvaluationRecord.objects.filter(pk=record.pk).update(state=EvaluationState.PUBLISHED)
    return record


# --- Choosing the clusters ---------------------------------------------------------------------------------------


def test_slugs_keep_their_order_and_count_once():
    selection = parse(["b,a", "c", " a ，d  e", ""])
    assert selection.slugs == ("b", "a", "c", "d", "e")
    assert selection.duplicates == ("a",)


def test_more_than_ten_is_refused_before_any_query(client, django_assert_num_queries):
    slugs = ",".join(f"s{i}" for i in range(MAX_CLUSTERS + 2))
    with pytest.raises(CompareError, match="最多比较 10 个集群，这里有 12 个；请去掉 2 个"):
        parse([slugs])
    with django_assert_num_queries(0):
        response = client.get(PAGE, {"clusters": slugs})
    assert response.status_code == 400
    assert "请去掉 2 个" in response.content.decode()
    for url in (CSV, XLSX, API):
        response = client.get(url, {"clusters": slugs})
        assert response.status_code == 400, url


def test_an_unknown_slug_is_a_400_that_names_it_on_every_surface(client):
    response = client.get(PAGE, {"clusters": f"{NANJING},no-such-cluster,{SHANGHAI}"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "没有找到集群“no-such-cluster”：它不存在或未公开" in page
    assert 'href="/clusters/"' in page  # where to pick instead
    response = client.get(CSV, {"clusters": f"{NANJING},nope-a,nope-b"})
    assert response.status_code == 400
    assert "“nope-a”、“nope-b”" in response.content.decode()
    response = client.get(API, {"clusters": f"{NANJING},no-such-cluster"})
    assert response.status_code == 400
    assert "“no-such-cluster”" in response.json()["clusters"][0]


def test_an_unpublished_cluster_reads_as_unknown_to_the_public_but_staff_may_compare_it(client):
    page_data.hidden_cluster()
    hidden = client.get(PAGE, {"clusters": f"{NANJING},hidden-test"})
    unknown = client.get(PAGE, {"clusters": f"{NANJING},hidden-tesx"})
    assert hidden.status_code == unknown.status_code == 400
    assert hidden.context["error"].replace("hidden-test", "X") == unknown.context["error"].replace("hidden-tesx", "X")
    assert client.get(API, {"clusters": f"{NANJING},hidden-test"}).status_code == 400

    client.force_login(make_user("viewer", "view_cluster"))
    response = client.get(PAGE, {"clusters": f"{NANJING},hidden-test"})
    assert response.status_code == 200
    assert response.context["comparison"].slugs == [NANJING, "hidden-test"]
    assert client.get(API, {"clusters": f"{NANJING},hidden-test"}).status_code == 200
    # Staff without the view permission are the public here.
    client.force_login(make_user("clerk"))
    assert client.get(PAGE, {"clusters": f"{NANJING},hidden-test"}).status_code == 400


def test_fewer_than_two_explains_how_to_pick(client):
    response = client.get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "如何选择要比较的集群" in page and 'href="/clusters/"' in page
    assert "<table" not in page

    response = client.get(PAGE, {"clusters": NANJING})
    assert response.status_code == 200
    page = response.content.decode()
    assert "已选：江苏省南京市新型电力（智能电网）装备集群。再选至少一个集群" in page
    assert f'href="/clusters/?compare={NANJING}"' in page  # keep picking with this one carried

    for url in (CSV, XLSX, API):
        response = client.get(url, {"clusters": NANJING})
        assert response.status_code == 400, url
    assert "请选择至少 2 个、至多 10 个集群" in client.get(API, {"clusters": NANJING}).json()["clusters"][0]


def test_repeated_parameters_redirect_to_the_comma_form(client):
    response = client.get(PAGE, {"clusters": [SHANGHAI, NANJING]})
    assert response.status_code == 302
    assert response["Location"] == f"/compare/?clusters={SHANGHAI},{NANJING}"
    # The downloads and the API read both forms without a detour.
    data = client.get(API, {"clusters": [SHANGHAI, NANJING]}).json()
    assert [c["slug"] for c in data["clusters"]] == [SHANGHAI, NANJING]


def test_a_repeated_slug_is_compared_once_and_the_page_says_so(client):
    response = client.get(PAGE, {"clusters": f"{NANJING},{SHANGHAI},{NANJING}"})
    assert response.status_code == 200
    assert response.context["comparison"].slugs == [NANJING, SHANGHAI]
    assert f"重复的集群只比较一次，已去掉：{NANJING}" in response.content.decode()
    assert client.get(API, {"clusters": f"{NANJING},{SHANGHAI},{NANJING}"}).json()["duplicates"] == [NANJING]


# --- The table, against the shipped data ---------------------------------------------------------------------------


def test_nanjing_and_shanghai_side_by_side_in_the_order_given():
    comparison = compare([NANJING, SHANGHAI])
    assert comparison.slugs == [NANJING, SHANGHAI]
    assert texts(comparison, "field") == ["高端装备制造", "信息技术"]
    assert texts(comparison, "provinces") == ["江苏省", "上海市"]
    assert texts(comparison, "origin_year") == [None, "1958"]
    # Each of 南京's market shares is its own row, labelled with its product; 上海 has none of them.
    for scope, figure in [
        ("高压继电保护设备", "80%"),
        ("省级电网调度自动化系统及设备", "超过 90%"),
        ("地级电网调度自动化系统及设备", "超过 40%"),
    ]:
        share = row(comparison, f"indicator:domestic-market-share:{scope}")
        assert share.scope == scope
        nanjing, shanghai = share.cells
        assert (nanjing.text, nanjing.detail, nanjing.qualifier) == (
            figure,
            "据2021年报道",
            Qualifier.AT_LEAST if "超过" in figure else Qualifier.EXACT,
        )
        assert nanjing.period_is_report_year and shanghai is None
    assert texts(comparison, "indicator:output-value") == [None, "超过 2000 亿元"]
    assert row(comparison, "indicator:output-value").cells[1].detail == "2020"
    # Targets with progress: 南京 promises 产值 ≥ 4000 亿元 by 2025 but has no 产值 figure yet.
    target = row(comparison, "target:output-value:2025").cells[0]
    assert target.text == "≥ 4000 亿元" and target.progress_text == "暂无数据"
    assert texts(comparison, "target:investment:2025") == [None, "3000 亿元"]

    reversed_comparison = compare([SHANGHAI, NANJING])
    assert texts(reversed_comparison, "field") == ["信息技术", "高端装备制造"]


def test_targets_carry_their_progress_in_the_cluster_pages_words():
    page_data.demo_cluster()  # 产值 on track (3000 of 4000 in 2022), 占全国比重 behind (超过 25 of 50)
    comparison = compare(["demo-bio", SHANGHAI])
    output = row(comparison, "target:output-value:2025").cells[0]
    assert output.progress.status == "on_track"
    assert output.text == "≥ 4000 亿元" and output.detail == "基期：2020 年 2000 亿元"
    assert output.progress_text == "进度正常 · 最新 3000 亿元（2022） · 完成 75%"
    share = row(comparison, "target:national-share:2025").cells[0]
    assert share.progress_text == "进度落后 · 最新 超过 25%（2022） · 完成 50% （按下限计）"
    assert comparison.display(share) == (
        f"≥ 50%（基期：2020 年 20%；进度落后 · 最新 超过 25%（2022） · 完成 50% （按下限计））[{share_number(comparison)}]"
    )


def share_number(comparison):
    return comparison.citations[Source.objects.get(code="test-pages").pk]


def test_a_scoped_figure_never_shares_a_row_with_the_whole_clusters():
    comparison = compare([SHANGHAI, SHENZHEN])
    whole = row(comparison, "indicator:national-share")
    scoped = row(comparison, "indicator:national-share:深圳电子信息产业")
    assert [c.text if c else None for c in whole.cells] == ["约 22%", None]
    assert [c.text if c else None for c in scoped.cells] == [None, "约 16.67%"]
    assert scoped.cells[1].note.startswith("原文作“约1/6”")
    # The whole cluster's row comes first, then the scoped one.
    keys = [r.key for r in comparison.rows]
    assert keys.index(whole.key) < keys.index(scoped.key)
    scale = row(comparison, "indicator:industry-scale:深圳信息产业").cells[1]
    assert scale.text == "2.8 万亿元" and scale.note == "原文为深圳信息产业规模，非集群口径"


def test_rows_where_every_cluster_is_empty_are_left_out():
    comparison = compare([NANJING, SHENZHEN])
    keys = {r.key for r in comparison.rows}
    assert "origin_year" not in keys  # neither source gives a start year
    assert "lead_enterprises" not in keys
    assert not any(key.startswith(("evaluation:", "dimension:")) for key in keys)  # no published evaluations
    assert "indicator:output-value" not in keys
    with_hangzhou = compare([NANJING, "hangzhou-digital-security"])
    assert texts(with_hangzhou, "lead_enterprises") == [None, "海康威视、大华股份、宇视科技"]


def test_every_figure_cites_a_numbered_source_listed_under_the_table(client):
    response = client.get(PAGE, {"clusters": f"{NANJING},{SHANGHAI},{SHENZHEN}"})
    comparison = response.context["comparison"]
    page = response.content.decode()
    for table_row in comparison.rows:
        if table_row.section == "indicators":
            for cell in table_row.cells:
                if cell is not None:
                    assert cell.sources and all(s.pk in comparison.citations for s in cell.sources)
    seed_004 = Source.objects.get(code="seed-004")
    number = comparison.citations[seed_004.pk]
    assert f'<li id="source-{number}">许昌市科技创新公共服务中心《' in page
    assert f'<a href="#source-{number}"' in page
    assert [s.pk for s in comparison.sources] == sorted(comparison.citations, key=comparison.citations.get)


def test_the_page_in_english_keeps_the_scope_and_says_as_reported(client):
    response = client.get(f"/en{PAGE}", {"clusters": f"{NANJING},{SHENZHEN}"})
    page = response.content.decode()
    assert '<html lang="en">' in page
    for words in (
        "Compare clusters",
        "Domestic market share",
        "Scope: 高压继电保护设备",
        "over 90%",
        "as reported in 2021",
    ):
        assert words in page, words
    assert "Note: 原文为深圳信息产业规模，非集群口径" in page
    data = client.get(API, {"clusters": f"{NANJING},{SHENZHEN}"}, HTTP_ACCEPT_LANGUAGE="en").json()
    share = api_rows(data)["indicator:domestic-market-share:高压继电保护设备"]
    assert share["label"].startswith("Domestic market share") and share["cells"][0]["detail"] == "as reported in 2021"


# --- Evaluations and charts, with synthetic clusters -------------------------------------------------------------------


def test_the_latest_current_published_evaluation_with_its_dimension_scores():
    # Each synthetic cluster comes with a published 2020 record scoring 80 on 协同创新 and 产业生态.
    first, second = make_synthetic_clusters(2, per_cluster=1)
    scheme = make_scheme()
    publish(make_record(first, scheme, "2023", scores=[60, 60, 60, 60, 60]))
    corrected = publish(make_record(first, scheme, "2024", scores=[50, 50, 50, 50, 50]))
    publish(make_record(first, scheme, "2024", scores=[90, 80, 70, 60, 50], revision=2, supersedes=corrected))
    make_record(first, scheme, "2025", scores=[10, 10, 10, 10, 10])  # a draft: never public
    comparison = compare([first.slug, second.slug])

    assert texts(comparison, "evaluation:period")[0] == "2024 · 年度监测"
    assert texts(comparison, "evaluation:total")[0] == "70"  # the correction, not the record it corrects
    assert texts(comparison, "evaluation:grade")[0] == "良好"
    # Dimensions share a row by name across schemes; a dimension one scheme lacks is empty for the other.
    assert texts(comparison, "dimension:协同创新") == ["90", "80"]
    assert texts(comparison, "dimension:产业生态") == ["60", "80"]
    assert texts(comparison, "dimension:治理体系") == ["50", None]
    assert row(comparison, "dimension:协同创新").cells[0].detail == "满分 100"
    assert texts(comparison, "evaluation:period")[1] == "2020 · 年度监测"


def _series(cluster, indicator, values, scope=""):
    source = Source.objects.get(code="seed-004")
    IndicatorValue.objects.bulk_create(
        IndicatorValue(cluster=cluster, indicator=indicator, period=p, value=Decimal(v), scope=scope, source=source)
        for p, v in values
    )


def test_a_chart_per_indicator_that_two_clusters_have_over_the_years(client):
    a, b, c = make_synthetic_clusters(3, per_cluster=1)  # each with one figure: 产值 2022
    output = Indicator.objects.get(code="industry-scale")
    patents = Indicator.objects.get(code="patents")
    _series(a, output, [("2020", "100"), ("2021", "120"), ("2023", "150")])
    _series(b, output, [("2021", "300"), ("2022", "310")])
    _series(c, output, [("2022", "200")])  # one point: drawn, but it alone makes no chart
    _series(a, patents, [("2020", "5"), ("2021", "6")])
    _series(c, patents, [("2021", "7")])  # only one cluster moves: no chart

    response = client.get(PAGE, {"clusters": f"{a.slug},{b.slug},{c.slug}"})
    comparison = response.context["comparison"]
    assert [chart.key for chart in comparison.charts] == ["industry-scale"]
    chart = comparison.charts[0]
    assert [(line.cluster.slug, [v.period for v in line.values]) for line in chart.lines] == [
        (a.slug, ["2020", "2021", "2023"]),
        (b.slug, ["2021", "2022"]),
        (c.slug, ["2022"]),
    ]
    # The table shows the latest value of each.
    assert texts(comparison, "indicator:industry-scale") == ["150 亿元", "310 亿元", "200 亿元"]
    page = response.content.decode()
    assert page.count('<figure class="chart compare-chart">') == 1
    # Lines differ by colour, dash and marker: each column its own classes, and a legend entry per line.
    assert 'class="cmp-line cmp-colour-0 cmp-dash-0"' in page and 'class="cmp-line cmp-colour-1 cmp-dash-1"' in page
    assert page.count("<polyline") == 2  # c's single point is a marker, not a line
    assert f"{a.name} · 2023：150 亿元 [" in page


# --- Downloads and the API: the same table -------------------------------------------------------------------------


def _csv_rows(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_and_xlsx_hold_the_api_table_cell_for_cell(client):
    params = {"clusters": f"{NANJING},{SHANGHAI},{SHENZHEN}"}
    data = client.get(API, params).json()
    csv_response = client.get(CSV, params)
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_response["Content-Disposition"] == (
        'attachment; filename="compare-nanjing-power-equipment-shanghai-ic-shenzhen-ict.csv"'
    )
    rows = _csv_rows(csv_response)
    assert rows[0] == ["分组", "项目", *(c["name"] for c in data["clusters"])]
    table = [r for r in rows[1:] if r[0] not in ("", "出处")]
    assert [r[2:] for r in table] == [[cell["display"] if cell else "" for cell in r["cells"]] for r in data["rows"]]
    assert [
        "指标",
        "国内市场占有率（%） · 口径：省级电网调度自动化系统及设备",
        "超过 90%（据2021年报道）[1]",
        "",
        "",
    ] in table
    sources = [r for r in rows if r[0] == "出处"]
    assert [r[1] for r in sources] == [f"[{s['number']}]" for s in data["sources"]]
    assert sources[0][2].startswith("许昌市科技创新公共服务中心《25个国家级先进制造业集群的主要做法与经验》")

    xlsx_response = client.get(XLSX, params)
    assert xlsx_response["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(xlsx_response.content))
    sheet = book.active
    assert sheet.freeze_panes == "C2" and sheet["A1"].font.b
    assert sheet.column_dimensions["C"].width == 34
    read_back = tablib.Dataset().load(io.BytesIO(xlsx_response.content), format="xlsx")
    assert [[value or "" for value in r] for r in [read_back.headers, *read_back]] == rows


def test_formula_looking_cells_are_neutralised_in_both_downloads(client):
    enterprise = Enterprise.objects.create(name='=HYPERLINK("http://x")')
    LeadEnterprise.objects.create(cluster=Cluster.objects.get(slug=NANJING), enterprise=enterprise)
    params = {"clusters": f"{NANJING},{SHANGHAI}"}
    leads = next(r for r in _csv_rows(client.get(CSV, params)) if r[1] == "链主企业")
    assert leads[2] == '\'=HYPERLINK("http://x")'
    sheet = load_workbook(io.BytesIO(client.get(XLSX, params).content)).active
    cell = next(c for c in sheet["C"] if isinstance(c.value, str) and "HYPERLINK" in c.value)
    assert cell.data_type == "s" and cell.value.startswith("'=")


def test_filenames_name_the_slugs_briefly():
    assert filename(["a", "b"], "csv") == "compare-a-b.csv"
    long = [f"synthetic-cluster-{i:02d}" for i in range(10)]
    name = filename(long, "xlsx")
    assert name.startswith("compare-synthetic-cluster-00-synthetic-cluster-01") and name.endswith("-more.xlsx")
    assert len(name) < 100


def test_the_api_shape(client):
    data = client.get(API, {"clusters": f"{SHENZHEN},{NANJING}"}).json()
    assert set(data) == {"clusters", "duplicates", "rows", "charts", "sources"}
    assert [c["slug"] for c in data["clusters"]] == [SHENZHEN, NANJING]
    assert data["clusters"][0]["html_url"] == "http://testserver/clusters/shenzhen-ict/"
    rows = api_rows(data)
    scale = rows["indicator:industry-scale:深圳信息产业"]
    assert scale["indicator"] == {"code": "industry-scale", "name": "产业规模", "unit": "亿元"}
    assert scale["scope"] == "深圳信息产业" and scale["cells"][1] is None
    cell = scale["cells"][0]
    assert cell["value"] == 28000 and cell["qualifier"] == "exact" and cell["period"] == "2020"
    numbers = {s["number"]: s["code"] for s in data["sources"]}
    assert [numbers[n] for n in cell["sources"]] == ["seed-004"]
    target = rows["target:output-value:2025"]["cells"][1]
    assert target["progress"] == {
        "status": "no_data",
        "label": "暂无数据",
        "percent": None,
        "expected_percent": None,
        "value": None,
        "period": None,
        "value_is_bound": False,
    }
    assert target["display"] == f"≥ 4000 亿元（暂无数据）[{target['sources'][0]}]"


def test_the_schema_documents_the_compare_endpoint(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/compare/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"clusters"}
    assert {"200", "400"} <= set(operation["responses"])
    assert schema["components"]["schemas"]["Comparison"]["properties"].keys() >= {"clusters", "rows", "sources"}


# --- A fixed number of queries -------------------------------------------------------------------------------------


@pytest.fixture
def crowd(db):
    """Four hundred synthetic clusters with five values, targets and scored evaluations each, and more periods."""
    clusters = make_synthetic_clusters(400, per_cluster=5)
    output = Indicator.objects.get(code="output-value")
    source = Source.objects.get(code="seed-004")
    IndicatorValue.objects.bulk_create(
        IndicatorValue(cluster=c, indicator=output, period=str(year), value=Decimal(year - 2000), source=source)
        for c in clusters[:10]
        for year in (2019, 2020, 2021)
    )
    return clusters


def _count(client, url, slugs):
    cache.clear()  # the API's throttle counters live in the cache
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"clusters": ",".join(slugs)})
    assert response.status_code == 200, response.content[:300]
    return len(queries)


@pytest.mark.parametrize("url", [PAGE, CSV, XLSX, API])
def test_two_or_ten_clusters_cost_the_same_queries(client, crowd, url, django_assert_num_queries):
    two = [c.slug for c in crowd[:2]]
    ten = [c.slug for c in crowd[:10]]
    small = _count(client, url, two)
    large = _count(client, url, ten)
    assert small == large == 8
    with django_assert_num_queries(8):
        response = client.get(url, {"clusters": ",".join([NANJING, *ten[1:]])})
    assert response.status_code == 200
    if url == PAGE:
        assert len(response.context["comparison"].charts) == 1  # output-value over three years, nine lines


def test_picking_on_the_list_and_cluster_pages_costs_no_query(client, django_assert_max_num_queries):
    from tests.page_data import REFERENCE_QUERIES
    from tests.test_pages import DETAIL_QUERIES, LIST_QUERIES

    with django_assert_max_num_queries(LIST_QUERIES):
        assert client.get("/clusters/", {"compare": f"{NANJING},{SHANGHAI}"}).status_code == 200
    with django_assert_max_num_queries(DETAIL_QUERIES + REFERENCE_QUERIES):
        assert client.get(f"/clusters/{SHENZHEN}/", {"compare": NANJING}).status_code == 200


# --- Picking clusters without JavaScript ---------------------------------------------------------------------------


def test_the_list_page_offers_a_checkbox_per_cluster_in_a_form_that_goes_to_compare(client):
    page = client.get("/clusters/").content.decode()
    form = page[page.index('<form class="compare-pick"') :]
    form = form[: form.index("</form>")]
    assert 'method="get" action="/compare/"' in form
    assert f'<input type="checkbox" name="clusters" value="{NANJING}"' in form
    assert "比较所选集群" in form


def test_the_list_page_carries_the_clusters_picked_so_far(client):
    battery = "shenzhen-battery-materials"  # on page 2 of the list (by field, then name); 上海 is on page 1
    response = client.get("/clusters/", {"compare": f"{battery},{SHANGHAI}"})
    assert battery not in {c.slug for c in response.context["clusters"]}
    page = response.content.decode()
    # Both are sent first, in the order picked; 上海's own box shows it picked.
    assert (
        f'<input type="hidden" name="clusters" value="{battery}"><input type="hidden" name="clusters" value="{SHANGHAI}">'
        in page
    )
    assert f'name="clusters" value="{SHANGHAI}" aria-label="比较 上海市集成电路集群" checked disabled' in page
    assert f'<input type="hidden" name="compare" value="{battery},{SHANGHAI}">' in page  # the filter form keeps it
    assert f'href="/compare/?clusters={battery},{SHANGHAI}">返回比较' in page
    assert "已选 2 个集群" in page


def test_a_cluster_page_adds_itself_to_the_comparison_it_came_from(client):
    page = client.get(f"/clusters/{SHENZHEN}/").content.decode()
    assert f'href="/compare/?clusters={SHENZHEN}">加入比较</a>' in page
    page = client.get(f"/clusters/{SHENZHEN}/", {"compare": f"{NANJING},{SHANGHAI}"}).content.decode()
    assert f'href="/compare/?clusters={NANJING},{SHANGHAI},{SHENZHEN}">加入比较（已选 2 个）</a>' in page
    page = client.get(f"/clusters/{SHENZHEN}/", {"compare": f"{NANJING},{SHENZHEN}"}).content.decode()
    assert f'href="/compare/?clusters={NANJING},{SHENZHEN}">返回比较</a>' in page
    # The compare page's column headers lead back with the comparison carried.
    page = client.get(PAGE, {"clusters": f"{NANJING},{SHANGHAI}"}).content.decode()
    assert f'href="/clusters/{SHANGHAI}/?compare={NANJING},{SHANGHAI}"' in page
    assert (
        f'href="/compare/?clusters={SHANGHAI}" aria-label="从比较中移除 江苏省南京市新型电力（智能电网）装备集群"'
        in page
    )
