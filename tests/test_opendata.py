"""/data/: every public record kind as the import's own sheet (CSV and xlsx), its data dictionary on the page and in
each workbook, the last change, sources and terms; the list page's filters apply; published data only."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from clusters import opendata
from clusters.models import Cluster, IndicatorValue, Measure, Source
from clusters.sheets import dictionary, registry
from clusters.sheets.services import run_import
from tests.api_support import make_synthetic_clusters

from .import_helpers import body
from .import_helpers import csv_bytes as sheet_csv
from .opendata_support import (
    JIANGSU,
    NANJING,
    SHENZHEN,
    csv_rows,
    download,
    evaluations,  # noqa: F401 - a fixture
    rows_of,
    url,
    workbook,
)

pytestmark = pytest.mark.django_db

DATA = reverse("clusters:data")
KINDS = ["clusters", "measures", "targets", "indicator-values", "evaluations"]
SHIPPED = {"clusters": 25, "measures": 48, "targets": 4, "indicator-values": 27, "evaluations": 0}


def headers(kind):
    return [column.header for column in registry.get(kind).export_columns()]


def test_the_page_offers_every_kind_with_its_rows_last_change_and_downloads(client):
    response = client.get(DATA)
    assert response.status_code == 200
    kinds = response.context["kinds"]
    assert [k.kind for k in kinds] == KINDS == list(opendata.KINDS)
    assert {k.kind: k.rows for k in kinds} == SHIPPED
    assert {k.kind: k.synthetic for k in kinds} == dict.fromkeys(KINDS, 0)
    changed = {k.kind: k.changed for k in kinds}
    assert changed["indicator-values"] == IndicatorValue.objects.latest("updated_at").updated_at
    assert changed["evaluations"] is None
    page = response.content.decode()
    for kind in KINDS:
        assert f'href="{url(kind, "csv")}"' in page and f'href="{url(kind, "xlsx")}"' in page
    local = timezone.localtime(changed["clusters"])
    assert f'<time datetime="{local.isoformat()}">{local:%Y-%m-%d %H:%M}</time>' in page  # Beijing time
    assert "CC BY 4.0" in page and "请注明“先进制造业集群门户”" in page
    # Every source code the downloads cite is explained on the page.
    assert [s.code for s in response.context["sources"]] == ["seed-000", "seed-004"]
    assert "许昌市科技创新公共服务中心《25个国家级先进制造业集群的主要做法与经验》" in page


def test_the_dictionary_lists_every_column_of_every_download_with_meaning_and_example(client):
    response = client.get(DATA)
    page = response.content.decode()
    for summary in response.context["kinds"]:
        assert [entry.header for entry in summary.entries] == headers(summary.kind)
        assert all(entry.meaning for entry in summary.entries), summary.kind
        assert f'id="dictionary-{summary.kind}"' in page
    measures = {e.header: e for e in next(k for k in response.context["kinds"] if k.kind == "measures").entries}
    assert measures["主题"].example == "资金支持" and "多个用顿号分隔" in measures["主题"].meaning
    values = {e.header: e for e in next(k for k in response.context["kinds"] if k.kind == "indicator-values").entries}
    assert values["数值"].unit == "见“单位”列" and values["口径"].example == "高压继电保护设备"
    assert "<code>period_basis</code>" in page and "原文为深圳信息产业规模，非集群口径" in page


def test_the_dictionary_examples_are_cells_the_import_reads_back():
    """Each declared example is a value of the shipped data as an export writes it (no invented figure)."""
    exported = {kind: rows_of(_export(kind), "csv") for kind in ("clusters", "measures", "targets", "indicator-values")}
    for kind, rows in exported.items():
        columns = list(zip(*rows[1:], strict=True))
        for index, entry in enumerate(dictionary.entries(kind)):
            if entry.example and entry.header not in ("来源",):
                assert entry.example in columns[index], (kind, entry.header, entry.example)


def _export(kind):
    from clusters.sheets.writers import export_bytes

    return export_bytes(kind, None, "csv")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_download_has_the_import_headers_and_the_public_rows(client, evaluations, kind, file_format):  # noqa: F811
    response = client.get(url(kind, file_format))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"].startswith(f'attachment; filename="{kind}-')
    rows = rows_of(body(response), file_format)
    assert rows[0] == headers(kind)
    expected = SHIPPED[kind] + (2 if kind == "evaluations" else 0)
    assert len(rows) - 1 == expected
    assert not any("未公开测试集群" in str(cell) for row in rows for cell in row)


def test_evaluations_are_the_current_published_versions_only(client, evaluations):  # noqa: F811
    rows = csv_rows(download(client, "evaluations", "csv"))
    records = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert len(rows) == 3 and set(records) == {NANJING, SHENZHEN}  # not Wuxi's draft, not the hidden cluster's
    assert {(r["评估期"], r["评估方案"]) for r in records.values()} == {("2023", "opendata-scheme")}
    assert records[NANJING]["协同创新"] == "90"  # the correction, not the first version's 80
    assert records[NANJING]["先进制造能力"] == "82"
    assert records[SHENZHEN]["结论"] == "保留"


def test_an_evaluation_dimension_is_described_by_the_header_the_import_accepts(client, evaluations):  # noqa: F811
    """A dimension's column is named internally (score:协同创新); the dictionary gives its code, which the import
    accepts as a header as it accepts the Chinese one."""
    response = client.get(DATA)
    entries = {e.header: e for e in next(k for k in response.context["kinds"] if k.kind == "evaluations").entries}
    assert entries["协同创新"].name == "innovation" and entries["协同创新"].unit == "分"
    assert "“协同创新”维度的得分" in entries["协同创新"].meaning
    assert "<code>innovation</code>" in response.content.decode()
    rows = csv_rows(download(client, "evaluations", "csv"))
    english = [entries[header].name if header in entries else header for header in rows[0]]
    result = run_import("evaluations", sheet_csv([english, *rows[1:]]), "english.csv", dry_run=True)
    assert result.ok and result.unchanged == 2 and not result.warnings, [str(e) for e in result.errors]


def test_a_workbook_carries_the_dictionary_the_page_shows_with_sources_and_terms(client):
    book = workbook(download(client, "indicator-values", "xlsx"))
    assert book.sheetnames == ["指标值", "说明"]
    notes = [[("" if v is None else str(v)) for v in row] for row in book["说明"].iter_rows(values_only=True)]
    assert notes[0] == ["列名", "英文字段名", "含义", "单位或格式", "示例"]
    page = client.get(DATA).context["kinds"]
    entries = next(k for k in page if k.kind == "indicator-values").entries
    assert notes[1 : 1 + len(entries)] == [[e.header, e.name, e.meaning, e.unit, e.example] for e in entries]
    text = "\n".join(cell for row in notes for cell in row)
    assert "行数：27；其中演示数据 0 行" in text
    assert "筛选条件：无（全部公开数据）" in text
    assert f"下载地址：http://testserver{url('indicator-values', 'xlsx')}" in text
    for term in opendata.TERMS:
        assert str(term) in text
    sources = {row[0]: row for row in notes if row and row[0].startswith("seed-")}
    assert set(sources) == {"seed-000", "seed-004"}
    assert sources["seed-000"][1:4] == ["证券时报网", "“十四五”先进制造业集群发展蓝图酝酿待出", "2021-03-23"]


# --- The list page's filters ----------------------------------------------------------------------------------------


def test_the_list_filters_narrow_every_kind_through_its_cluster(client, evaluations):  # noqa: F811
    jiangsu = set(Cluster.objects.public().in_province(JIANGSU).values_list("name", flat=True))
    assert len(jiangsu) == 6
    for kind in KINDS:
        rows = csv_rows(download(client, kind, "csv", province=JIANGSU))
        names = {row[0] for row in rows[1:]}
        assert names and names <= jiangsu, kind
    values = csv_rows(download(client, "indicator-values", "csv", province=JIANGSU))
    assert len(values) - 1 == IndicatorValue.objects.filter(cluster__name__in=jiangsu).count() == 9
    page = client.get(DATA, {"province": JIANGSU})
    assert {k.kind: k.rows for k in page.context["kinds"]} == {
        "clusters": 6,
        "measures": 10,
        "targets": 1,
        "indicator-values": 9,
        "evaluations": 1,
    }
    notes = workbook(download(client, "targets", "xlsx", province=JIANGSU, q="南京"))["说明"]
    text = "\n".join(str(cell) for row in notes.iter_rows(values_only=True) for cell in row if cell)
    assert "筛选条件：关键词：南京、省份：江苏省" in text and "行数：1；其中演示数据 0 行" in text
    assert "目标（targets）：公开集群的发展目标" in text
    html = page.content.decode()
    assert f'href="{url("indicator-values", "csv")}?province={JIANGSU}"' in html
    assert "江苏省" in html and 'class="clear-all" href="/data/"' in html


def test_programme_wide_measures_come_only_without_a_cluster_filter(client):
    programme = set(Measure.objects.filter(cluster__isnull=True).values_list("title", flat=True))
    assert len(programme) == 11
    everything = {row[3] for row in csv_rows(download(client, "measures", "csv"))[1:]}
    assert programme <= everything
    for params in ({"field": "new-materials"}, {"q": "苏州"}, {"tier": "national"}, {"status": "key_support"}):
        filtered = {row[3] for row in csv_rows(download(client, "measures", "csv", **params))[1:]}
        assert filtered and not filtered & programme, params
    # Ordering and paging are not cluster filters: everything, programme-wide measures included.
    ordered = {row[3] for row in csv_rows(download(client, "measures", "csv", ordering="-name", page="2"))[1:]}
    assert ordered == everything


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"province": "abc"}, "省份（province）：没有代码为“abc”的省份。"),
        ({"field": "nope"}, "领域（field）：没有代码为“nope”的领域。"),
        ({"tier": "galactic"}, "层级（tier）"),
        ({"city": "999999"}, "城市（city）"),
    ],
)
def test_a_bad_filter_is_a_400_that_names_it_on_the_page_and_the_downloads(client, params, named):
    page = client.get(DATA, params)
    assert page.status_code == 400 and named in page.content.decode()
    assert "kinds" not in page.context
    for file_format in ("csv", "xlsx"):
        response = client.get(reverse(f"clusters:data_{file_format}", kwargs={"kind": "targets"}), params)
        assert response.status_code == 400
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert named in response.content.decode()


def test_an_unknown_kind_is_a_404(client):
    assert client.get("/data/sources.csv").status_code == 404
    assert client.get("/data/clusters.json").status_code == 404


def test_downloads_hold_what_the_api_lists_for_the_same_filter(client, evaluations):  # noqa: F811
    """The API and the downloads filter through the same FilterSet and the same published-only selectors."""
    for kind, api in (
        ("clusters", "/api/clusters/"),
        ("targets", "/api/targets/"),
        ("indicator-values", "/api/indicator-values/"),
        ("measures", "/api/measures/"),
        ("evaluations", "/api/evaluations/"),
    ):
        for params in ({}, {"province": JIANGSU}, {"field": "high-end-equipment"}):
            listed = client.get(api, params).json()["count"]
            rows = len(csv_rows(download(client, kind, "csv", **params))) - 1
            # The API lists every published version; a download has the current one (Nanjing's correction).
            superseded = 1 if kind == "evaluations" else 0
            assert rows == listed - superseded, (kind, params, rows, listed)


# --- Synthetic rows ---------------------------------------------------------------------------------------------------


def test_synthetic_rows_are_counted_on_the_page_and_marked_in_the_downloads(client):
    make_synthetic_clusters(3)
    response = client.get(DATA)
    synthetic = {k.kind: k.synthetic for k in response.context["kinds"]}
    assert synthetic == {"clusters": 3, "measures": 6, "targets": 6, "indicator-values": 6, "evaluations": 6}
    assert response.context["synthetic"] == 27
    assert "当前数据中有 27 行演示数据" in response.content.decode()
    rows = csv_rows(download(client, "indicator-values", "csv"))
    synthetic_rows = [row for row in rows[1:] if row[0].startswith("演示")]
    assert len(synthetic_rows) == 6  # marked by the cluster's name, as everywhere the demo data shows


def test_the_nav_and_the_list_page_lead_to_the_open_data(client):
    home = client.get("/").content.decode()
    assert f'<a href="{DATA}">开放数据</a>' in home
    listing = client.get(reverse("clusters:list"), {"province": JIANGSU}).content.decode()
    assert f'href="{DATA}?province={JIANGSU}">全部数据类型</a>' in listing


def test_the_page_in_english(client):
    with translation.override("en"):
        english = reverse("clusters:data")
    assert english.startswith("/en/")
    response = client.get(english)
    page = response.content.decode()
    assert '<html lang="en">' in page
    for words in ("Open data", "Data dictionary", "Terms of use", "Source codes", "Indicator values"):
        assert words in page, words
    measures = next(k for k in response.context["kinds"] if k.kind == "measures")
    topics = next(e for e in measures.entries if e.header == "主题")
    assert topics.meaning.startswith("The topics") and topics.example == "资金支持"
    assert '<span lang="zh-Hans">主题</span>' in page  # the header stays the one the file writes


def test_a_source_only_the_demo_data_cites_is_listed_with_its_marker(client):
    from django.core.management import call_command

    call_command("generate_demo_data", clusters=2, years=1, stdout=__import__("io").StringIO())
    response = client.get(DATA)
    codes = [s.code for s in response.context["sources"]]
    assert codes == ["demo-synthetic", "seed-000", "seed-004"]
    assert Source.objects.get(code="demo-synthetic").title in response.content.decode()
    assert 'badge badge-synthetic">演示数据</span>' in response.content.decode()
