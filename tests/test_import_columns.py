"""One declaration per column: the registry of kinds, limits read from the model, the new columns
(口径, 说明, 期间性质, 英文名称) in and out, and exports that stream in constant memory."""

import io
import tracemalloc
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook

from clusters.bulk import insert_with_history
from clusters.models import Cluster, ImportRecord, Indicator, IndicatorValue, Measure, Source
from clusters.sheets import registry
from clusters.sheets.services import run_import
from clusters.sheets.writers import export_bytes, template_file

from .import_helpers import SHENZHEN, body, counts, csv_bytes, last_record, xlsx_bytes

pytestmark = pytest.mark.django_db

NANJING = "江苏省南京市新型电力（智能电网）装备集群"
HEADER = ["集群名称", "指标", "期间", "口径", "数值", "期间性质", "来源", "说明"]


def test_every_kind_is_listed_once_and_evaluations_imports_are_logged_with_their_label():
    assert registry.KINDS == ("clusters", "measures", "targets", "indicator-values", "evaluations")
    assert {sheet.model for sheet in registry.SHEETS.values()} == set(registry.BY_MODEL)
    record = ImportRecord(kind="evaluations", file_name="评估.csv")
    record.full_clean()  # the choices come from the registry: evaluations is a kind like any other
    assert record.get_kind_display() == "动态评估"
    run_import("evaluations", csv_bytes([["集群名称", "评估期", "评估方案", "评估机构"]]), "评估.csv", dry_run=True)
    assert last_record().kind == "evaluations" and last_record().get_kind_display() == "动态评估"


@pytest.mark.parametrize(
    ("kind", "column", "model", "field"),
    [
        ("measures", "title", Measure, "title"),
        ("measures", "issuing_body", Measure, "issuing_body"),
        ("measures", "document_title", Measure, "document_title"),
        ("measures", "source", Source, "title"),
        ("clusters", "name", Cluster, "name"),
        ("clusters", "short_name", Cluster, "short_name"),
        ("clusters", "name_en", Cluster, "name_en"),
        ("clusters", "website", Cluster, "website"),
        ("indicator-values", "scope", IndicatorValue, "scope"),
    ],
)
def test_text_limits_come_from_the_model_field(kind, column, model, field):
    assert registry.get(kind)(None).column(column).max_length == model._meta.get_field(field).max_length


def test_scope_note_and_report_year_import_and_are_part_of_the_key(tmp_path):
    rows = [
        HEADER,
        [NANJING, "国内市场占有率", "2031", "高压继电保护设备", "80%", "报道年份", "seed-004", ""],
        [NANJING, "国内市场占有率", "2031", "省级电网调度自动化系统", "超90%", "报道年份", "seed-004", ""],
        [SHENZHEN, "产值", "2030", "", "1.2万亿元", "", "seed-004", "原文为深圳信息产业规模，非集群口径"],
    ]
    result = run_import("indicator-values", xlsx_bytes(rows), "口径.xlsx")
    assert result.ok and result.new == 3, [str(e) for e in result.errors]
    shares = IndicatorValue.objects.filter(
        indicator__code="domestic-market-share", period="2031", scope__contains="系统"
    )
    assert shares.get().period_is_report_year
    output = IndicatorValue.objects.get(cluster__name=SHENZHEN, period="2030")
    assert (output.scope, output.value, output.period_is_report_year) == ("", Decimal("12000"), False)
    assert output.note == "原文为深圳信息产业规模，非集群口径"
    again = run_import("indicator-values", xlsx_bytes(rows), "口径.xlsx")
    assert again.ok and again.unchanged == 3


def test_same_scope_twice_is_a_duplicate_and_a_bad_period_basis_is_refused():
    rows = [
        HEADER,
        [SHENZHEN, "产值", "2031", "终端", "1", "数据年份", "", ""],
        [SHENZHEN, "产值", "2031", "终端", "2", "", "", ""],
        [SHENZHEN, "产值", "2032", "", "3", "去年", "", ""],
    ]
    result = run_import("indicator-values", csv_bytes(rows), "dup.csv")
    assert [(e.row, e.column) for e in result.errors] == [(3, "集群名称"), (4, "期间性质")]
    assert "集群、指标、期间、口径 相同的只能有一行" in str(result.errors[0])
    assert "应填写数据年份、报道年份" in str(result.errors[1])


def test_clusters_sheet_reads_and_writes_the_english_name():
    name = Cluster.objects.order_by("name").first().name
    result = run_import("clusters", csv_bytes([["集群名称", "英文名称"], [name, "Test English Name"]]), "en.csv")
    assert result.ok and result.updated == 1
    assert Cluster.objects.get(name=name).name_en == "Test English Name"
    exported = export_bytes("clusters", Cluster.objects.filter(name=name), "csv").decode("utf-8-sig")
    assert "英文名称" in exported.splitlines()[0] and "Test English Name" in exported


@pytest.mark.parametrize("file_format", ["xlsx", "csv", "json"])
def test_new_value_columns_round_trip_through_an_export(file_format):
    run_import(
        "indicator-values",
        csv_bytes([HEADER, [SHENZHEN, "产值", "2033", "终端", "约12亿元", "报道年份", "seed-004", "=注意"]]),
        "a.csv",
    )
    data = export_bytes("indicator-values", IndicatorValue.objects.filter(period="2033"), file_format)
    if file_format == "json":
        import json

        (record,) = json.loads(data)
        assert record["口径"] == "终端" and record["期间性质"] == "报道年份" and record["说明"] == "'=注意"
        return
    before = counts()
    result = run_import("indicator-values", data, f"export.{file_format}")
    assert result.ok and result.unchanged == 1 and result.new == result.updated == 0, [str(e) for e in result.errors]
    assert counts() == before


def test_template_and_admin_upload_page_describe_the_same_columns(client):
    sheet = registry.get("indicator-values")
    workbook = load_workbook(io.BytesIO(template_file("indicator-values")[0]))
    headers = [cell.value for cell in workbook.worksheets[0][1]]
    assert headers == [column.header for column in sheet.columns]
    assert [row[0].value for row in workbook.worksheets[1].iter_rows(min_row=2, max_row=len(headers) + 1)] == headers
    client.force_login(get_user_model().objects.create_superuser("cols", "c@example.com", "pw"))
    page = client.get(reverse("admin:clusters_indicatorvalue_sheet_import")).content.decode()
    for column in sheet.columns:
        assert f"<td>{column.header}</td><td><code>{column.name}</code></td>" in page


def _values(count, period):
    clusters = list(Cluster.objects.values_list("pk", flat=True))
    indicators = list(Indicator.objects.values_list("pk", flat=True))
    source = Source.objects.get(code="seed-004").pk
    pairs = [(c, i) for c in clusters for i in indicators]
    rows = [
        {
            "cluster_id": pairs[n % len(pairs)][0],
            "indicator_id": pairs[n % len(pairs)][1],
            "period": f"{period + n // len(pairs)}",
            "value": Decimal(n) + Decimal("0.25"),
            "source_id": source,
            "original_text": "原文" * 20,
        }
        for n in range(count)
    ]
    insert_with_history(IndicatorValue, rows)


def _peak_while_streaming(client, url, params):
    tracemalloc.start()
    response = client.get(url, params)
    size = 0
    for chunk in response.streaming_content:
        size += len(chunk)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, size


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_admin_export_streams_in_constant_memory(client, file_format):
    """6,000 rows take no more memory than 1,500: rows are fetched a chunk at a time and written as they come."""
    _values(1500, 1960)
    _values(6000, 1970)
    client.force_login(get_user_model().objects.create_superuser("exporter", "e@example.com", "pw"))
    url = reverse("admin:clusters_indicatorvalue_sheet_export")
    small, small_size = _peak_while_streaming(client, url, {"_format": file_format, "period__startswith": "196"})
    large, large_size = _peak_while_streaming(client, url, {"_format": file_format, "period__startswith": "197"})
    assert large_size > 3 * small_size  # four times the rows went out…
    assert large < 1.5 * small + 512 * 1024, (small, large)  # …in the same memory
    assert large < 8 * 1024 * 1024, large
    rows = body(client.get(url, {"_format": "csv", "period__startswith": "197"})).decode("utf-8-sig").splitlines()
    assert len(rows) == 1 + IndicatorValue.objects.filter(period__startswith="197").count() > 5000
