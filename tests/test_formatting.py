"""clusters.formatting, the one module that writes figures for readers: examples in, words out."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from clusters import formatting
from clusters.choices import Qualifier


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("4000.0000"), "4000"),
        (Decimal("42.5000"), "42.5"),
        (Decimal("0.3000"), "0.3"),
        (Decimal("0E-4"), "0"),
        (Decimal("4E+3"), "4000"),
        (Decimal("-12.50"), "-12.5"),
        (Decimal("28000"), "28000"),  # no grouping: a sheet reads this back
        (17.5, "17.5"),
        (3, "3"),
        ("16.6700", "16.67"),
        (None, ""),
        ("", ""),
    ],
)
def test_plain_drops_trailing_zeros_and_never_writes_an_exponent(value, text):
    assert formatting.plain(value) == text


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (Decimal("4000.0000"), "money", "4000"),  # four digits stay as the sources write them
        (Decimal("9999"), "count", "9999"),
        (Decimal("10000"), "count", "10,000"),
        (Decimal("30000.0000"), "count", "30,000"),
        (Decimal("1234567.5"), "money", "1,234,567.5"),
        (Decimal("-25000"), "money", "-25,000"),
        (Decimal("16.6667"), "share", "16.67"),  # shares and money to 0.01
        (Decimal("0.3333"), "money", "0.33"),
        (Decimal("42.5"), "share", "42.5"),
        (Decimal("479.4"), "count", "479"),  # counts are whole
        (Decimal("2.5"), "count", "3"),  # half up, as readers round
        (Decimal("0.1234"), "other", "0.1234"),  # other kinds show what is stored
        (Decimal("0.1234"), None, "0.1234"),
        (None, "count", ""),
    ],
)
def test_number_rounds_by_kind_and_groups_from_ten_thousand(value, kind, text):
    assert formatting.number(value, kind) == text


@pytest.mark.parametrize(
    ("value", "unit", "kind", "text"),
    [
        (Decimal("28000"), "亿元", "money", "2.8 万亿元"),  # seed 004: “2.8万亿元”
        (Decimal("10000"), "亿元", "money", "1 万亿元"),  # seed 000: “产值突破万亿元”
        (Decimal("12345.67"), "亿元", "money", "1.2346 万亿元"),  # to the whole 亿
        (Decimal("9999.99"), "亿元", "money", "9999.99 亿元"),
        (Decimal("2000"), "亿元", "money", "2000 亿元"),
        (Decimal("255"), "亿元", "money", "255 亿元"),
        (Decimal("42.5"), "%", "share", "42.5%"),  # the percent sign sits against its number
        (Decimal("30000"), "人", "count", "30,000 人"),
        (Decimal("479"), "家", "count", "479 家"),
        (Decimal("7"), "", None, "7"),
        (Decimal("28000"), "万元", "money", "28,000 万元"),  # only 亿元 is written in 万亿
    ],
)
def test_amount_writes_large_sums_in_wan_yi_as_the_sources_do(value, unit, kind, text):
    assert formatting.amount(value, unit, kind) == text


@pytest.mark.parametrize(
    ("value", "unit", "kind", "text"),
    [
        (Decimal("4000"), "亿元", "money", "400 billion yuan"),  # 南京's 产值 target, ≥ 4000 亿元
        (Decimal("2000"), "亿元", "money", "200 billion yuan"),
        (Decimal("255"), "亿元", "money", "25.5 billion yuan"),
        (Decimal("10"), "亿元", "money", "1 billion yuan"),  # billion from 10 亿元
        (Decimal("9.99"), "亿元", "money", "999 million yuan"),
        (Decimal("3.5"), "亿元", "money", "350 million yuan"),
        (Decimal("1905.3636"), "亿元", "money", "190.536 billion yuan"),  # the Chinese digits, point moved
        (Decimal("9999.999"), "亿元", "money", "1 trillion yuan"),  # rounded as its kind says, then scaled
        (Decimal("28000"), "亿元", "money", "2.8 trillion yuan"),  # seed 004: 2.8 万亿元
        (Decimal("12345.67"), "亿元", "money", "1.2346 trillion yuan"),  # to the whole 亿, as in Chinese
        (Decimal("1.2"), "万亿元", "money", "1.2 trillion yuan"),
        (Decimal("28000"), "万元", "money", "280 million yuan"),
        (Decimal("5000"), "元", "money", "5,000 yuan"),
        (Decimal("42.5"), "%", "share", "42.5%"),
        (Decimal("30000"), "人", "count", "30,000"),  # counts lose their counter word
        (Decimal("479"), "家", "count", "479"),
        (Decimal("1500"), "件", "count", "1,500"),  # English groups from 1,000
        (Decimal("12"), "项", "count", "12"),
        (Decimal("3"), "个", "count", "3"),
        (Decimal("7"), "万吨", None, "7 万吨"),  # a unit the portal has no English for stays as given
    ],
)
def test_amount_in_english_uses_english_scale_words_and_no_counter_words(value, unit, kind, text):
    assert formatting.amount(value, unit, kind, "en") == text


@pytest.mark.parametrize(
    ("value", "language", "text"),
    [
        (Decimal("1500"), "en", "1,500"),
        (Decimal("1500"), "zh-hans", "1500"),
        (Decimal("999.5"), "en", "999.5"),
        (Decimal("-2500"), "en", "-2,500"),
        (Decimal("30000"), "zh-hans", "30,000"),
    ],
)
def test_number_groups_from_a_thousand_in_english(value, language, text):
    assert formatting.number(value, language=language) == text


@pytest.mark.parametrize(
    ("magnitude", "unit", "language", "shift", "words"),
    [
        (Decimal("2000"), "亿元", "zh-hans", 0, "亿元"),
        (Decimal("28000"), "亿元", "zh-hans", -4, "万亿元"),
        (Decimal("2000"), "亿元", "en", -1, "billion yuan"),
        (Decimal("5"), "亿元", "en", 2, "million yuan"),
        (Decimal("28000"), "亿元", "en", -4, "trillion yuan"),
        (Decimal("90"), "%", "en", 0, "%"),
        (Decimal("479"), "家", "en", 0, ""),
        (Decimal("479"), "家", "zh-hans", 0, "家"),
    ],
)
def test_scale_picks_one_unit_for_a_size(magnitude, unit, language, shift, words):
    assert formatting.scale(magnitude, unit, language) == formatting.Scale(shift, words)


@pytest.mark.parametrize(
    ("unit", "language", "text"),
    [
        ("亿元", "zh-hans", "（亿元）"),
        ("件", "zh-hans", "（件）"),
        ("亿元", "en", ""),
        ("件", "en", ""),
        ("%", "en", ""),
    ]
    + [("万吨", "en", " (万吨)"), ("", "zh-hans", "")],
)
def test_unit_heading_says_the_unit_where_the_figures_do_not(unit, language, text):
    assert formatting.unit_heading(unit, language) == text


def test_a_target_in_english():
    assert formatting.target_figure(Decimal("4000"), Qualifier.AT_LEAST, "亿元", "money", "en") == "≥ 400 billion yuan"
    assert formatting.target_figure(Decimal("80"), Qualifier.ABOUT, "%", "share", "en") == "≈ 80%"


@pytest.mark.parametrize(
    ("qualifier", "language", "text"),
    [
        (Qualifier.EXACT, "zh-hans", "2000 亿元"),
        (Qualifier.AT_LEAST, "zh-hans", "超过 2000 亿元"),
        (Qualifier.ABOUT, "zh-hans", "约 2000 亿元"),
        (Qualifier.BELOW, "zh-hans", "不足 2000 亿元"),
        (Qualifier.AT_LEAST, "en", "over 200 billion yuan"),
        (Qualifier.ABOUT, "en", "about 200 billion yuan"),
        (Qualifier.BELOW, "en", "under 200 billion yuan"),
    ],
)
def test_figure_keeps_a_bound_a_bound(qualifier, language, text):
    assert formatting.figure(Decimal("2000"), qualifier, "亿元", "money", language) == text


def test_figure_of_the_sources_own_words():
    assert formatting.figure(Decimal("90"), Qualifier.AT_LEAST, "%", "share", "zh-hans") == "超过 90%"
    assert formatting.figure(Decimal("16.67"), Qualifier.ABOUT, "%", "share", "zh-hans") == "约 16.67%"
    assert formatting.figure(Decimal("28000"), Qualifier.EXACT, "亿元", "money", "zh-hans") == "2.8 万亿元"
    assert formatting.figure(None, Qualifier.AT_LEAST, "%", "share", "zh-hans") == ""


@pytest.mark.parametrize(
    ("qualifier", "text"),
    [
        (Qualifier.AT_LEAST, "≥ 4000 亿元"),
        (Qualifier.ABOUT, "≈ 4000 亿元"),
        (Qualifier.BELOW, "< 4000 亿元"),
        (Qualifier.EXACT, "4000 亿元"),
    ],
)
def test_target_figure_shows_the_direction(qualifier, text):
    assert formatting.target_figure(Decimal("4000.0000"), qualifier, "亿元", "money") == text


@pytest.mark.parametrize(
    ("period", "is_report_year", "language", "text"),
    [
        ("2020", False, "zh-hans", "2020"),
        ("2021", True, "zh-hans", "据2021年报道"),
        ("2021", True, "en", "as reported in 2021"),
        ("2020-Q2", False, "zh-hans", "2020-Q2"),
        ("2021-06", True, "zh-hans", "据2021年报道"),  # the report's year, whatever the period's detail
        ("", True, "zh-hans", ""),
    ],
)
def test_period_label_says_when_a_year_is_only_the_reports(period, is_report_year, language, text):
    assert formatting.period_label(period, is_report_year, language) == text


@pytest.mark.parametrize(
    ("attr", "language", "text"),
    [
        ("name", "zh-hans", "广东省"),
        ("name", "en", "Guangdong"),
        ("short_name", "zh-hans", "广东"),
        ("short_name", "en", "Guangdong"),  # no short English name of its own: the English name
    ],
)
def test_loc_picks_the_name_in_the_language(attr, language, text):
    province = SimpleNamespace(name="广东省", short_name="广东", name_en="Guangdong")
    assert formatting.loc(province, attr, language) == text


def test_loc_falls_back_to_chinese_without_an_english_name():
    assert formatting.loc(SimpleNamespace(name="演示", name_en=""), language="en") == "演示"
    assert formatting.loc(None) == ""


@pytest.mark.parametrize(("language", "text"), [("zh-hans", "（亿元）"), ("en", " (亿元)")])
def test_in_parentheses(language, text):
    assert formatting.in_parentheses("亿元", language) == text
    assert formatting.in_parentheses("", language) == ""


def test_an_indicator_value_reads_as_its_source_states_it():
    value = SimpleNamespace(
        value=Decimal("90.0000"),
        qualifier=Qualifier.AT_LEAST,
        indicator=SimpleNamespace(unit="%", kind="share"),
        period="2021",
        period_is_report_year=True,
    )
    assert formatting.value_figure(value, "zh-hans") == "超过 90%"
    assert formatting.value_period(value, "zh-hans") == "据2021年报道"
