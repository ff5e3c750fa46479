"""clusters.charts: round ticks that fit the box, numbers written by clusters.formatting, labels never clipped."""

import re
from decimal import Decimal
from itertools import pairwise
from types import SimpleNamespace

import pytest

from clusters import charts
from tests import page_data


def rows(*pairs, report_years=()):
    return [
        SimpleNamespace(period=period, value=Decimal(str(value)), period_is_report_year=period in report_years)
        for period, value in pairs
    ]


def inside(chart):
    """Every label's estimated box lies within the picture, and the y labels within the left margin."""
    boxes = chart.label_boxes
    assert all(left >= 0 and right <= chart.width for left, right in boxes), boxes
    for tick in chart.y_ticks:
        assert charts.text_width(tick["label"]) + 2 * charts.PAD <= chart.left, tick
    assert charts.PAD + charts.text_width(chart.unit) <= chart.width


@pytest.mark.parametrize(
    ("low", "high", "kind", "expected"),
    [
        (0, Decimal("1905.36"), None, [0, 500, 1000, 1500, 2000]),
        (Decimal("1200"), Decimal("1905.36"), None, [0, 500, 1000, 1500, 2000]),  # from 0: sizes stay comparable
        (0, Decimal("17.5"), "share", [0, 5, 10, 15, 20]),
        (0, Decimal("90"), "share", [0, 20, 40, 60, 80, 100]),  # a share above 50: the whole scale
        (0, Decimal("78.5"), "score", [0, 20, 40, 60, 80, 100]),
        (0, Decimal("30000"), "count", [0, 10000, 20000, 30000]),
        (0, Decimal("0.3"), None, [0, Decimal("0.1"), Decimal("0.2"), Decimal("0.3")]),
        (Decimal("-3"), Decimal("12"), None, [-5, 0, 5, 10, 15]),
        (0, 0, None, [0, 1]),
    ],
)
def test_ticks_are_round_steps_of_one_two_or_five(low, high, kind, expected):
    assert charts.ticks(low, high, kind) == [Decimal(v) for v in expected]


def test_the_y_axis_of_a_large_sum_is_labelled_whole_and_unclipped():
    """The demo figure that showed as “905.3636”: 1905.3636 亿元."""
    values = rows(("2021", "1532.1200"), ("2022", "1700.5"), ("2023", "1905.3636"))
    chinese = charts.line_chart(values, "亿元", "money", "zh-hans")
    assert [t["label"] for t in chinese.y_ticks] == ["0", "500", "1000", "1500", "2000"]
    assert chinese.unit == "亿元"
    inside(chinese)
    english = charts.line_chart(values, "亿元", "money", "en")
    assert [t["label"] for t in english.y_ticks] == ["0", "50", "100", "150", "200"]
    assert english.unit == "billion yuan"
    inside(english)
    # The top tick is the top of the plot; the largest value sits below it.
    assert english.y_ticks[-1]["y"] == english.top and min(p["y"] for p in english.points) > english.top


def test_a_wide_label_widens_the_margin_instead_of_being_cut():
    values = rows(("2021", 12_000_000), ("2022", 31_500_000))
    chart = charts.line_chart(values, "人", "count", "en")
    assert chart.y_ticks[-1]["label"] == "40,000,000" and chart.unit == ""
    inside(chart)
    assert chart.left > 50  # the old fixed margin was 44 px
    chinese = charts.line_chart(rows(("2021", 12000), ("2022", 28000)), "亿元", "money", "zh-hans")
    assert chinese.unit == "万亿元" and [t["label"] for t in chinese.y_ticks] == ["0", "1", "2", "3"]


def test_every_period_is_labelled_when_the_labels_fit():
    chart = charts.line_chart(rows(("2019", 1), ("2020", 2), ("2021", 3), ("2022", 4)), "%", "share", "en")
    assert [x["label"] for x in chart.x_labels] == ["2019", "2020", "2021", "2022"]
    inside(chart)


def test_crowded_periods_get_a_regular_subset_with_the_first_and_last():
    months = [(f"{2020 + i // 12}-{i % 12 + 1:02d}", i) for i in range(30)]
    chart = charts.line_chart(rows(*months), "家", "count", "zh-hans")
    shown = [x["label"] for x in chart.x_labels]
    assert shown[0] == "2020-01" and shown[-1] == "2022-06" and 2 < len(shown) < 30
    positions = [x["x"] for x in chart.x_labels]
    widths = [charts.text_width(label) for label in shown]
    for (a, wa), (b, wb) in pairwise(zip(positions, widths, strict=True)):
        assert b - wb / 2 >= a + wa / 2 + charts.PAD  # no two labels overlap
    inside(chart)
    steps = {months.index(next(m for m in months if m[0] == label)) for label in shown[1:-1]}
    assert len({b - a for a, b in pairwise(sorted(steps))}) <= 1  # a regular step between


def test_a_report_year_is_marked_and_explained():
    chart = charts.line_chart(rows(("2020", 1), ("2021", 2), report_years=("2021",)), "%", "share", "zh-hans")
    assert [x["label"] for x in chart.x_labels] == ["2020", "2021*"] and chart.report_year_note


@pytest.mark.django_db
def test_the_cluster_page_draws_the_axis_in_the_pages_language(client):
    demo = page_data.demo_cluster()  # 产值 2500, 2800, 3000 亿元 in 2020–2022
    chinese = client.get(demo.get_absolute_url()).content.decode()
    english = client.get(f"/en{demo.get_absolute_url()}").content.decode()
    chart = re.search(r"<svg viewBox.*?</svg>", chinese, re.S).group(0)
    assert re.findall(r'class="tick">([^<]+)<', chart) == ["0", "1000", "2000", "3000", "2020", "2021", "2022"]
    assert '<text x="6" y="12" class="tick unit">亿元</text>' in chart
    chart = re.search(r"<svg viewBox.*?</svg>", english, re.S).group(0)
    assert re.findall(r'class="tick">([^<]+)<', chart) == ["0", "100", "200", "300", "2020", "2021", "2022"]
    assert "billion yuan</text>" in chart and "<title>2022: 300 billion yuan</title>" in chart
