"""Table-driven tests of the pure cell parsers: no database."""

import datetime as dt
from decimal import Decimal

import pytest

from clusters.choices import Qualifier, Tier
from clusters.sheets.columns import Column
from clusters.sheets.dates import parse_date, parse_period
from clusters.sheets.parsing import (
    ParseError,
    Unit,
    convert,
    format_quantity,
    map_headers,
    normalize_header,
    parse_choice,
    parse_quantity,
    parse_unit,
    split_values,
)

YI = Unit(Decimal("100000000"), "元")
PERCENT = Unit(Decimal(1), "%")
JIA = Unit(Decimal(1), "家")


@pytest.mark.parametrize(
    ("cell", "target", "column_unit", "expected", "qualifier"),
    [
        ("4000亿元", YI, None, "4000", Qualifier.EXACT),
        ("1.2万亿元", YI, None, "12000", Qualifier.EXACT),
        ("255亿", YI, None, "255", Qualifier.EXACT),
        ("3000万元", YI, None, "0.3", Qualifier.EXACT),
        ("3000", YI, "万元", "0.3", Qualifier.EXACT),
        ("3000万", YI, "元", "0.3", Qualifier.EXACT),
        ("42.5%", PERCENT, None, "42.5", Qualifier.EXACT),
        ("４２．５％", PERCENT, None, "42.5", Qualifier.EXACT),
        ("１，２００家", JIA, None, "1200", Qualifier.EXACT),
        ("1,234.5", YI, None, "1234.5", Qualifier.EXACT),
        ("1.2万家", JIA, None, "12000", Qualifier.EXACT),
        ("超过2000亿元", YI, None, "2000", Qualifier.AT_LEAST),
        ("2000亿元以上", YI, None, "2000", Qualifier.AT_LEAST),
        ("突破4000亿", YI, None, "4000", Qualifier.AT_LEAST),
        ("2000多亿元", YI, None, "2000", Qualifier.AT_LEAST),
        ("约300亿元", YI, None, "300", Qualifier.ABOUT),
        ("接近30%", PERCENT, None, "30", Qualifier.ABOUT),
        ("不足5%", PERCENT, None, "5", Qualifier.BELOW),
        ("不超过5%", PERCENT, None, "5", Qualifier.BELOW),
        ("-3.5%", PERCENT, None, "-3.5", Qualifier.EXACT),
        (4000.0, YI, None, "4000", Qualifier.EXACT),
        (0.3, YI, None, "0.3", Qualifier.EXACT),
        (12, JIA, None, "12", Qualifier.EXACT),
    ],
)
def test_numbers_convert_into_the_indicators_unit(cell, target, column_unit, expected, qualifier):
    quantity = parse_quantity(cell)
    assert convert(quantity, target, parse_unit(column_unit)) == Decimal(expected)
    assert quantity.qualifier == qualifier


@pytest.mark.parametrize(
    ("cell", "target", "column_unit", "reason"),
    [
        ("12家", YI, None, "无法换算"),
        ("30%", YI, None, "无法换算"),
        ("100亿美元", YI, None, "无法换算"),
        ("3000万元", YI, "亿元", "不一致"),
        ("1元", YI, None, "太小"),
    ],
)
def test_unconvertible_units_are_errors(cell, target, column_unit, reason):
    with pytest.raises(ParseError, match=reason):
        convert(parse_quantity(cell), target, parse_unit(column_unit))


@pytest.mark.parametrize("cell", ["abc", "很多", "1.2.3亿", "", "约", "超过2000亿元以下", True])
def test_bad_numbers(cell):
    with pytest.raises(ParseError):
        parse_quantity(cell)


@pytest.mark.parametrize(
    ("value", "qualifier", "default"),
    [
        (Decimal("2000.0000"), Qualifier.AT_LEAST, Qualifier.EXACT),
        (Decimal("0.3000"), Qualifier.ABOUT, Qualifier.EXACT),
        (Decimal("5"), Qualifier.BELOW, Qualifier.EXACT),
        (Decimal("4000"), Qualifier.EXACT, Qualifier.AT_LEAST),
        (Decimal("4000"), Qualifier.AT_LEAST, Qualifier.AT_LEAST),
    ],
)
def test_formatted_quantities_read_back(value, qualifier, default):
    quantity = parse_quantity(format_quantity(value, qualifier, default))
    assert quantity.amount == value
    assert (quantity.qualifier if quantity.explicit_qualifier else default) == qualifier


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2021-03-22", dt.date(2021, 3, 22)),
        ("2021/3/22", dt.date(2021, 3, 22)),
        ("2021.3.22", dt.date(2021, 3, 22)),
        ("2021年3月22日", dt.date(2021, 3, 22)),
        ("２０２１年３月２２日", dt.date(2021, 3, 22)),
        ("20210322", dt.date(2021, 3, 22)),
        ("2021年3月", dt.date(2021, 3, 1)),
        ("2021-03", dt.date(2021, 3, 1)),
        (44277, dt.date(2021, 3, 22)),
        (44277.0, dt.date(2021, 3, 22)),
        ("44277", dt.date(2021, 3, 22)),
        (dt.datetime(2021, 3, 22, 0, 0), dt.date(2021, 3, 22)),
        (dt.date(2021, 3, 22), dt.date(2021, 3, 22)),
    ],
)
def test_dates(cell, expected):
    assert parse_date(cell) == expected


@pytest.mark.parametrize("cell", ["2021-02-30", "2021年13月", "去年", "2021", 2021, "3/22/2021"])
def test_bad_dates(cell):
    with pytest.raises(ParseError):
        parse_date(cell)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2020", "2020"),
        (2020, "2020"),
        (2020.0, "2020"),
        ("2020年", "2020"),
        ("2020年度", "2020"),
        ("2020-6", "2020-06"),
        ("2020年6月", "2020-06"),
        ("2020-06-30", "2020-06"),
        (dt.date(2020, 6, 1), "2020-06"),
        ("2020Q2", "2020-Q2"),
        ("2020-q2", "2020-Q2"),
        ("2020年第二季度", "2020-Q2"),
        ("2020年上半年", "2020-H1"),
        ("2020-H2", "2020-H2"),
    ],
)
def test_periods(cell, expected):
    assert parse_period(cell) == expected


@pytest.mark.parametrize("cell", ["二〇二〇", "2020-13", "1900", "2020Q5", "去年"])
def test_bad_periods(cell):
    with pytest.raises(ParseError):
        parse_period(cell)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("广州、深圳,佛山；东莞", ["广州", "深圳", "佛山", "东莞"]),
        ("海康威视，大华股份;宇视科技", ["海康威视", "大华股份", "宇视科技"]),
        ("成都、 德阳、成都", ["成都", "德阳"]),
        ("中车四方股份（青岛）", ["中车四方股份（青岛）"]),
        ("", []),
        (None, []),
    ],
)
def test_multi_value_cells(cell, expected):
    assert split_values(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (" 集群名称 ", "集群名称"),
        ("集群名称（必填）", "集群名称"),
        ("*集群名称", "集群名称"),
        ("Target Value", "target_value"),
        ("target-year", "target_year"),
    ],
)
def test_header_normalisation(cell, expected):
    assert normalize_header(cell) == expected


def test_headers_map_chinese_and_english_and_report_unknown_and_duplicates():
    columns = [Column("cluster", "集群名称", required=True, aliases=("集群",)), Column("value", "数值")]
    mapping, unknown, duplicates = map_headers(["cluster", None, "数值", "备注", "集群"], columns)
    assert mapping == {"cluster": 0, "value": 2}
    assert unknown == [(3, "备注")]
    assert duplicates == [(4, "集群")]


@pytest.mark.parametrize(
    ("cell", "expected"), [("国家级", "national"), ("national", "national"), (" 省级 ", "provincial")]
)
def test_choices_by_label_or_value(cell, expected):
    assert parse_choice(cell, Tier) == expected


def test_unknown_choice_lists_the_options():
    with pytest.raises(ParseError, match="国家级、省级、市级"):
        parse_choice("县级", Tier)
