"""Hostile and careless cells (issue 11 §5): each is a row error in its cell, never a traceback or a 500,
and one period rule holds for the model, the API and the import."""

import io
import math

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from clusters.models import Cluster, IndicatorValue, Measure
from clusters.periods import validate_period
from clusters.sheets.dates import parse_period
from clusters.sheets.parsing import ParseError, parse_quantity
from clusters.sheets.services import run_import

from .api_support import make_user, token_for
from .import_helpers import SHENZHEN, VALUE_HEADER, counts, csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

BAD_PERIODS = ["٢٠٢٤", "0001", "9999-Q4", "1948", "2101-06", "2024-Q5", "2024-13"]


@pytest.mark.parametrize("period", BAD_PERIODS)
def test_one_period_rule_for_model_api_and_import(period):
    with pytest.raises(ValidationError):
        validate_period(period)
    with pytest.raises(ParseError):
        parse_period(period)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(make_user('p-editor', 'add_indicatorvalue'))}")
    body = {"cluster": "shanghai-ic", "indicator": "patents", "period": period, "value": "1", "source": "seed-004"}
    response = api.post("/api/indicator-values/", body, format="json")
    assert response.status_code == 400 and list(response.json()) == ["period"], response.json()
    result = run_import("indicator-values", csv_bytes([VALUE_HEADER, [SHENZHEN, "产值", period, "1", "", ""]]))
    assert [(e.row, e.column) for e in result.errors] == [(2, "期间")]


@pytest.mark.parametrize("period", ["2020", "2020-06", "2020-Q2", "2020-H1", "1949", "2100-12"])
def test_good_periods_pass_everywhere(period):
    validate_period(period)
    assert parse_period(period) == period


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, float("1E+400")])
def test_non_finite_numbers_are_cell_errors(value):
    with pytest.raises(ParseError, match="不是有限的数字"):
        parse_quantity(value)


def _xlsx_with_number_xml(text):
    """An xlsx whose 数值 cell holds ``text`` as its raw XML number, as a hand-made or damaged file may."""
    import zipfile

    data = xlsx_bytes([VALUE_HEADER, [SHENZHEN, "产值", "2030", 12345, "", ""]])
    source, output = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            part = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                part = part.replace(b"<v>12345</v>", f"<v>{text}</v>".encode())
            target.writestr(item, part)
    return output.getvalue()


@pytest.mark.parametrize("text", ["NaN", "inf", "-inf", "1E+400"])
def test_nan_and_infinity_in_a_numeric_cell_are_row_errors(tmp_path, text):
    before = counts()
    for data in (_xlsx_with_number_xml(text), csv_bytes([VALUE_HEADER, [SHENZHEN, "产值", "2030", text, "", ""]])):
        result = run_import("indicator-values", data, "nan.xlsx")
        assert [(e.row, e.column) for e in result.errors] == [(2, "数值")], [str(e) for e in result.errors]
    assert counts() == before


def test_over_long_text_and_nul_bytes_are_row_errors_before_any_write():
    """PostgreSQL refused these on confirm with a 500; SQLite stored them and the JSON backup then failed."""
    rows = [
        ["集群名称", "类别", "标题", "发布机构", "政策文件", "来源"],
        [SHENZHEN, "强链补链", "标" * 201, "", "", ""],
        [SHENZHEN, "强链补链", "正常标题", "机" * 201, "《" + "文" * 300 + "》", ""],
        [SHENZHEN, "强链补链", "含\x00空字符", "", "", ""],
        [SHENZHEN, "强链补链", "新出处", "", "", "出" * 301],
    ]
    before = counts()
    result = run_import("measures", csv_bytes(rows), "long.csv")
    errors = {(e.row, e.column): str(e) for e in result.errors}
    assert set(errors) == {(2, "标题"), (3, "发布机构"), (3, "政策文件"), (4, "标题"), (5, "来源")}, errors
    assert "不能超过 200 字（这里有 201 字）" in errors[2, "标题"]
    assert "不能超过 300 字（这里有 302 字）" in errors[3, "政策文件"]
    assert "控制字符" in errors[4, "标题"] and "\x00" not in errors[4, "标题"]
    assert "不能超过 300 字" in errors[5, "来源"]
    assert counts() == before and not Measure.objects.filter(title="正常标题").exists()
    # An xlsx carries a NUL as the escape _x0000_, which the reader turns back into the character.
    result = run_import("measures", xlsx_bytes([rows[0], [SHENZHEN, "强链补链", "含_x0000_空字符", "", "", ""]]))
    assert [(e.row, e.column) for e in result.errors] == [(2, "标题")] and "控制字符" in str(result.errors[0])


def test_a_numeric_cluster_name_is_a_name_or_a_lookup_miss_never_a_crash():
    result = run_import("indicator-values", xlsx_bytes([VALUE_HEADER, [12345, "产值", "2030", "1", "", ""]]))
    assert [str(e) for e in result.errors] == [
        "第 2 行 “集群名称”列：找不到集群“12345”（按集群全称、简称或网址标识查找）"
    ]
    rows = [["集群名称", "领域", "层级", "城市"], [2024, "新材料", "省级", "成都"]]
    result = run_import("clusters", xlsx_bytes(rows), "number.xlsx")
    assert result.ok and result.new == 1, [str(e) for e in result.errors]
    assert Cluster.objects.get(name="2024").slug


def test_a_cities_cell_of_separators_only_is_refused_for_an_existing_cluster(tmp_path):
    name = Cluster.objects.order_by("name").first().name
    path = tmp_path / "cities.csv"
    path.write_bytes(csv_bytes([["集群名称", "城市"], [name, "、"]]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_sheet", "clusters", str(path), stdout=io.StringIO(), stderr=err)
    assert "第 2 行 “城市”列：集群至少要有一个所在城市。" in err.getvalue()
    assert "Traceback" not in err.getvalue()
    assert Cluster.objects.get(name=name).cities.exists()


def test_a_value_with_a_nul_in_its_lookup_is_reported_safely():
    """The message repeats the cell; the import log must still be writable on PostgreSQL."""
    result = run_import("indicator-values", csv_bytes([VALUE_HEADER, ["集\x00群", "产值", "2030", "1", "", ""]]))
    assert not result.ok and "\x00" not in str(result.errors[0])
    assert result.record is not None and "\x00" not in result.record.error_summary
    assert not IndicatorValue.objects.filter(period="2030").exists()
