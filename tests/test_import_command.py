"""``manage.py import_sheet``: every accepted format, every bad input, all-or-nothing, idempotent, round trip."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from clusters.choices import Qualifier
from clusters.models import Cluster, IndicatorValue, Measure, Source, Target
from clusters.sheets.reading import CFB_MAGIC, ENCRYPTED_MARKER
from clusters.sheets.services import run_import
from clusters.sheets.writers import export_bytes, template_file

from .import_helpers import (
    SHENZHEN,
    VALUE_HEADER,
    WUXI,
    collide_during_write,
    counts,
    csv_bytes,
    last_record,
    ods_bytes,
    value_rows,
    xls_bytes,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db


def run(tmp_path, kind, data, name="sheet.xlsx", *args):
    path = tmp_path / name
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    call_command("import_sheet", kind, str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def fails(tmp_path, kind, data, name="sheet.xlsx"):
    before = counts()
    err = io.StringIO()
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(CommandError) as raised:
        call_command("import_sheet", kind, str(path), stdout=io.StringIO(), stderr=err)
    assert counts() == before, "a failed import must write nothing"
    return f"{err.getvalue()}\n{raised.value}"


FORMATS = {
    "xlsx": lambda rows: xlsx_bytes(rows),
    "xlsx-named-sheet": lambda rows: xlsx_bytes([["说明"]], title="封面", extra_sheets=[("指标值", rows)]),
    "xls": lambda rows: xls_bytes(rows),
    "ods": lambda rows: ods_bytes(rows, title="指标值"),
    "csv-utf8": lambda rows: csv_bytes(rows),
    "csv-utf8-bom": lambda rows: csv_bytes(rows, bom=True),
    "csv-gbk": lambda rows: csv_bytes(rows, "gbk"),
    "csv-gb18030": lambda rows: csv_bytes(rows, "gb18030"),
    "csv-utf16": lambda rows: csv_bytes(rows, "utf-16"),
}


@pytest.mark.parametrize("file_format", FORMATS)
def test_each_format_imports_and_reimports_unchanged(tmp_path, file_format):
    data = FORMATS[file_format](value_rows())
    out, _err = run(tmp_path, "indicator-values", data, "a.xlsx", "--dry-run")
    assert "新增 3 行，修改 0 行，不变 0 行" in out
    assert not IndicatorValue.objects.filter(period="2030").exists()
    out, _err = run(tmp_path, "indicator-values", data)
    assert "已导入：新增 3 行" in out
    investment = IndicatorValue.objects.get(cluster__name=SHENZHEN, indicator__code="investment", period="2030")
    assert investment.value == Decimal("0.3") and investment.source.code == "seed-004"
    share = IndicatorValue.objects.get(cluster__name=WUXI, indicator__code="national-share", period="2030-06")
    assert (share.value, share.qualifier) == (Decimal("42.5"), Qualifier.AT_LEAST)
    count = IndicatorValue.objects.get(indicator__code="enterprise-count", period="2030")
    assert count.value == 1200 and count.source.kind == "submission"  # empty 来源 cites the file
    out, _err = run(tmp_path, "indicator-values", data)
    assert "新增 0 行，修改 0 行，不变 3 行" in out
    assert investment.history.count() == 1  # bulk writes kept history, and the re-import wrote none


def test_changed_value_is_an_update_with_history(tmp_path):
    run(tmp_path, "indicator-values", xlsx_bytes(value_rows()))
    rows = value_rows()
    rows[1][3] = "约0.5亿元"
    out, _err = run(tmp_path, "indicator-values", xlsx_bytes(rows))
    assert "新增 0 行，修改 1 行，不变 2 行" in out
    value = IndicatorValue.objects.get(cluster__name=SHENZHEN, indicator__code="investment", period="2030")
    assert (value.value, value.qualifier) == (Decimal("0.5"), Qualifier.ABOUT)
    assert value.history.count() == 2


def test_messy_sheet_title_row_english_headers_and_extra_columns(tmp_path):
    rows = [
        ["2030年指标报送表"],
        [],
        ["cluster", "indicator", "period", "value", "unit", "source", "备注", None],
        [f"  {SHENZHEN}  ", "output-value", "2030", "1,234.5", "亿元", "seed-004", "随便写", None],
        [None] * 8,
    ]
    out, err = run(tmp_path, "indicator-values", xlsx_bytes(rows))
    assert "新增 1 行" in out
    assert "表头在第 3 行" in err and "未知的列“备注”" in err


BAD_ROWS = {
    "unknown cluster": (["不存在的集群", "产值", "2030", "1", "", ""], "找不到集群“不存在的集群”"),
    "unknown indicator": ([SHENZHEN, "幸福指数", "2030", "1", "", ""], "找不到指标“幸福指数”"),
    "bad number": ([SHENZHEN, "产值", "2030", "一千", "", ""], "“一千”不是数字"),
    "bad period": ([SHENZHEN, "产值", "明年", "1", "", ""], "“明年”不是期间"),
    "unconvertible unit": ([SHENZHEN, "产值", "2030", "12家", "", ""], "单位“家”无法换算为“亿元”"),
    "empty value": ([SHENZHEN, "产值", "2030", "", "", ""], "不能为空"),
    "duplicate key": ([SHENZHEN_SHORT := "深圳市新一代信息通信集群", "新增投资", "2030", "1", "", ""], "与第 2 行重复"),
}


@pytest.mark.parametrize("case", BAD_ROWS)
def test_each_bad_row_is_reported_and_nothing_is_written(tmp_path, case):
    row, reason = BAD_ROWS[case]
    message = fails(tmp_path, "indicator-values", xlsx_bytes([*value_rows(), row]))
    assert "第 5 行" in message and reason in message
    assert "Traceback" not in message


def test_every_bad_row_is_reported_not_just_the_first(tmp_path):
    rows = [*value_rows(), *(row for row, _reason in BAD_ROWS.values())]
    message = fails(tmp_path, "indicator-values", csv_bytes(rows, "gbk"), "bad.csv")
    for row_number in range(5, 5 + len(BAD_ROWS)):
        assert f"第 {row_number} 行" in message
    assert f"{len(BAD_ROWS)} 处错误" in message and "没有写入任何数据" in message


def _encrypted():
    return CFB_MAGIC + b"\x00" * 64 + ENCRYPTED_MARKER + b"\x00" * 64


def _formula_without_value(sheet):
    sheet["D2"] = "=1+1"


BAD_FILES = {
    "empty": (b"", "文件是空的"),
    "not a spreadsheet": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "不是 Excel 工作簿"),
    "pdf": (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "PDF"),
    "html disguised as xls": (b"<html><table><tr><td>1</td></tr></table></html>", "网页"),
    "corrupt xlsx": (xlsx_bytes(value_rows())[:300], "已损坏"),
    "password-protected xlsx": (_encrypted(), "设置了打开密码"),
    "damaged xls": (CFB_MAGIC + b"\x00" * 200, "xls 文件已损坏"),
    "empty sheet": (xlsx_bytes([]), "是空的"),
    "header only": (xlsx_bytes([VALUE_HEADER]), "只有表头"),
    "wrong headers": (xlsx_bytes([["名称", "年份", "金额"], ["a", "2020", "1"]]), "缺少必填列“集群名称”"),
    "duplicate column": (xlsx_bytes([[*VALUE_HEADER, "数值"], [SHENZHEN, "产值", "2030", "1", "", "", "2"]]), "列重复"),
    "merged cells": (xlsx_bytes(value_rows(), merge="A2:A3"), "A2:A3 是合并单元格"),
    "formula without cached value": (xlsx_bytes(value_rows(), setup=_formula_without_value), "D2 是公式 =1+1"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_files_get_a_clear_message(tmp_path, case):
    data, reason = BAD_FILES[case]
    message = fails(tmp_path, "indicator-values", data)
    assert reason in message
    assert "Traceback" not in message


def test_refused_file_is_not_counted_as_row_errors(tmp_path):
    message = fails(tmp_path, "indicator-values", BAD_FILES["pdf"][0])
    assert "文件无法导入，没有写入任何数据。" in message
    assert "涉及 0 行" not in message


def test_file_over_the_size_limit(tmp_path, settings):
    settings.IMPORT_MAX_UPLOAD_SIZE = 1024
    message = fails(tmp_path, "indicator-values", xlsx_bytes(value_rows()))
    assert "超过上限 0.0 MB" in message or "超过上限" in message


def test_missing_file_is_a_clean_error(tmp_path):
    with pytest.raises(CommandError, match="无法读取文件"):
        call_command("import_sheet", "measures", str(tmp_path / "nope.xlsx"), stdout=io.StringIO())


def test_clusters_sheet_creates_updates_and_links(tmp_path):
    rows = [
        [
            "集群名称",
            "简称",
            "领域",
            "层级",
            "批次",
            "状态",
            "城市",
            "简介",
            "起步年份",
            "促进机构",
            "链主企业",
            "网址",
        ],
        [
            "导入测试省成德高端能源装备集群",
            "成德装备",
            "高端装备制造",
            "省级",
            "",
            "重点支持",
            "成都市、德阳",
            "",
            "1958",
            "测试促进会",
            "东方电气，新企业甲",
            "www.example.com",
        ],
    ]
    out, _err = run(tmp_path, "clusters", xlsx_bytes(rows))
    assert "新增 1 行" in out
    cluster = Cluster.objects.get(name="导入测试省成德高端能源装备集群")
    assert cluster.slug and cluster.tier == "provincial" and cluster.status == "key_support"
    assert sorted(c.name for c in cluster.cities.all()) == ["德阳市", "成都市"]
    assert [le.enterprise.name for le in cluster.lead_enterprises.all()] == ["东方电气", "新企业甲"]
    assert cluster.promotion_organization.name == "测试促进会" and cluster.website == "http://www.example.com"
    assert cluster.history.count() == 1
    out, _err = run(tmp_path, "clusters", xlsx_bytes(rows))
    assert "不变 1 行" in out
    rows[1][6], rows[1][10] = "成都", "新企业甲"
    out, _err = run(tmp_path, "clusters", xlsx_bytes(rows))
    assert "修改 1 行" in out
    assert [c.name for c in cluster.cities.all()] == ["成都市"]
    assert [le.enterprise.name for le in cluster.lead_enterprises.all()] == ["新企业甲"]


def test_clusters_sheet_errors(tmp_path):
    rows = [
        ["集群名称", "领域", "层级", "城市"],
        ["导入测试集群甲", "不存在的领域", "县级", "火星市"],
        ["导入测试集群乙", "新材料", "国家级", ""],
    ]
    message = fails(tmp_path, "clusters", csv_bytes(rows), "c.csv")
    assert "找不到领域“不存在的领域”" in message
    assert "“县级”不是可选值" in message
    assert "找不到城市“火星市”" in message
    assert "第 3 行 “城市”列：集群至少要有一个所在城市。" in message


def test_measures_and_targets(tmp_path):
    measures = [
        ["集群名称", "类别", "标题", "内容", "发布机构", "发布日期", "来源"],
        [SHENZHEN, "强链补链", "导入测试举措", "内容", "深圳市工信局", "2021年3月22日", "全新的报送材料"],
        [None, "顶层设计", "导入测试全局举措", "", "", 44277, ""],
    ]
    out, _err = run(tmp_path, "measures", xlsx_bytes(measures), "m.xlsx", "--publisher=深圳市工信局")
    assert "新增 2 行" in out and "新建出处：全新的报送材料" in out
    measure = Measure.objects.get(title="导入测试举措")
    assert measure.issued_on == dt.date(2021, 3, 22) and measure.source.publisher == "深圳市工信局"
    assert Measure.objects.get(title="导入测试全局举措").cluster is None
    assert Source.objects.filter(title="全新的报送材料").count() == 1
    out, _err = run(tmp_path, "measures", xlsx_bytes(measures), "m.xlsx", "--publisher=深圳市工信局")
    assert "不变 2 行" in out

    targets = [
        ["集群名称", "指标", "目标值", "单位", "目标年份", "基期值", "基期年份", "原文", "来源"],
        [SHENZHEN, "产值", "突破1.5万亿元", "", "2035", "1万亿", "2030", "2035年产值突破1.5万亿元", "seed-000"],
        [WUXI, "企业数", "3000", "家", "2035", "", "", "", "seed-000"],
    ]
    out, _err = run(tmp_path, "targets", xlsx_bytes(targets))
    assert "新增 2 行" in out
    target = Target.objects.get(cluster__name=SHENZHEN, indicator__code="output-value", target_year=2035)
    assert (target.target_value, target.baseline_value, target.qualifier) == (15000, 10000, Qualifier.AT_LEAST)
    targets[2][6], targets[2][5] = "2040", "1"
    message = fails(tmp_path, "targets", xlsx_bytes(targets))
    assert "基期年份必须早于目标年份" in message


@pytest.mark.parametrize("kind", ["clusters", "measures", "targets", "indicator-values"])
@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_round_trip_export_import_changes_nothing(kind, file_format):
    data = export_bytes(kind, file_format=file_format)
    before = counts()
    result = run_import(kind, data, f"export.{file_format}")
    assert result.ok, [str(e) for e in result.errors]
    assert result.new == result.updated == 0 and result.unchanged > 0
    assert counts() == before


@pytest.mark.parametrize("kind", ["clusters", "measures", "targets", "indicator-values"])
def test_template_reimports_cleanly(kind):
    data, _type, _name = template_file(kind)
    result = run_import(kind, data, "template.xlsx", dry_run=True)
    assert result.ok and result.unchanged == 1


def test_imports_are_logged(tmp_path):
    run(tmp_path, "indicator-values", xlsx_bytes(value_rows()), "logged.xlsx", "--dry-run")
    record = last_record()
    assert (record.file_name, record.kind, record.dry_run, record.new_count, record.committed) == (
        "logged.xlsx",
        "indicator-values",
        True,
        3,
        False,
    )
    fails(tmp_path, "indicator-values", xlsx_bytes([*value_rows(), BAD_ROWS["bad number"][0]]))
    assert last_record().error_count == 1


def test_a_record_saved_by_someone_else_during_the_write_fails_cleanly(tmp_path, monkeypatch):
    """Two clerks, one sheet: the loser is told to import again, nothing half-written, no traceback."""
    collide_during_write(monkeypatch)
    message = fails(tmp_path, "indicator-values", xlsx_bytes(value_rows()))
    assert "导入期间，有人修改了同样的记录，没有写入任何数据。请重新导入。" in message
    assert not IndicatorValue.objects.filter(period="2030").exists()
    assert last_record().error_count == 1 and not last_record().committed
