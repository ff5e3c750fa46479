"""Table tests for clusters.progress: pure, no database."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from clusters.choices import Qualifier
from clusters.progress import Status, latest_by_indicator, period_position, target_progress


def target(value, year=2025, baseline=None, baseline_year=None, qualifier=Qualifier.AT_LEAST):
    return SimpleNamespace(
        target_value=Decimal(value),
        target_year=year,
        baseline_value=None if baseline is None else Decimal(baseline),
        baseline_year=baseline_year,
        qualifier=qualifier,
    )


def value(amount, period, qualifier=Qualifier.EXACT, indicator_id=1):
    return SimpleNamespace(value=Decimal(amount), period=period, qualifier=qualifier, indicator_id=indicator_id)


# 南京新型电力装备: 产值 ≥ 4000 by 2025; a 2020 baseline of 2000 puts the straight line at 2400 in 2021,
# 2800 in 2022, 3200 in 2023.
NANJING = target("4000", 2025, baseline="2000", baseline_year=2020)


@pytest.mark.parametrize(
    ("tgt", "latest", "status", "percent", "expected_percent"),
    [
        # No value yet.
        (NANJING, None, Status.NO_DATA, None, None),
        # Reached exactly, or beyond: achieved, full bar.
        (NANJING, value("4000", "2024"), Status.ACHIEVED, 100.0, 90.0),
        (NANJING, value("4500", "2023"), Status.ACHIEVED, 100.0, 80.0),
        # On the line counts as on track; above it too.
        (NANJING, value("2800", "2022"), Status.ON_TRACK, 70.0, 70.0),
        (NANJING, value("3000", "2022"), Status.ON_TRACK, 75.0, 70.0),
        # Below the line: behind.
        (NANJING, value("2500", "2022"), Status.BEHIND, 62.5, 70.0),
        # A lower bound counts as its bound: “超过2800” in 2022 is on the line, “超过2700” is behind it.
        (NANJING, value("2800", "2022", Qualifier.AT_LEAST), Status.ON_TRACK, 70.0, 70.0),
        (NANJING, value("2700", "2022", Qualifier.AT_LEAST), Status.BEHIND, 67.5, 70.0),
        (NANJING, value("4000", "2022", Qualifier.AT_LEAST), Status.ACHIEVED, 100.0, 70.0),
        # An upper bound (“不足4000”) never proves the target reached, though it may be ahead of the line.
        (NANJING, value("4000", "2024", Qualifier.BELOW), Status.ON_TRACK, 99.9, 90.0),
        (NANJING, value("4000", "2025", Qualifier.BELOW), Status.BEHIND, 99.9, 100.0),
        # “约” counts as the figure itself.
        (NANJING, value("2800", "2022", Qualifier.ABOUT), Status.ON_TRACK, 70.0, 70.0),
        # The target year's own figure below target: behind, whatever the line says.
        (NANJING, value("3999", "2025"), Status.BEHIND, 99.9, 100.0),
        # After the target year and still short: behind.
        (NANJING, value("3900", "2026"), Status.BEHIND, 97.5, 100.0),
        # A mid-year figure sits between years: 2022-06 is 1.5 years in, line at 2600.
        (NANJING, value("2600", "2022-06"), Status.ON_TRACK, 65.0, 65.0),
        (NANJING, value("2599", "2022-H1"), Status.BEHIND, 64.975, 65.0),
        # A value from before the baseline: the line stays at the baseline.
        (NANJING, value("2100", "2019"), Status.ON_TRACK, 52.5, 50.0),
        # No baseline: no line to compare with, so the pace cannot be judged, but the bar still shows.
        (target("4000", 2025), value("3000", "2022"), Status.UNJUDGED, 75.0, None),
        (target("4000", 2025), value("4100", "2022"), Status.ACHIEVED, 100.0, None),
        (target("4000", 2025), value("3000", "2025"), Status.BEHIND, 75.0, None),
        # A ceiling target (qualifier “不足”): lower is better.
        (
            target("10", 2025, baseline="20", baseline_year=2020, qualifier=Qualifier.BELOW),
            value("16", "2022"),
            Status.ON_TRACK,
            62.5,
            62.5,
        ),
        (
            target("10", 2025, baseline="20", baseline_year=2020, qualifier=Qualifier.BELOW),
            value("17", "2022"),
            Status.BEHIND,
            10 / 17 * 100,
            62.5,
        ),
        (
            target("10", 2025, baseline="20", baseline_year=2020, qualifier=Qualifier.BELOW),
            value("9.5", "2023"),
            Status.ACHIEVED,
            100.0,
            10 / 14 * 100,
        ),
    ],
)
def test_target_progress(tgt, latest, status, percent, expected_percent):
    progress = target_progress(tgt, latest)
    assert progress.status == status
    assert progress.label  # every status has a human label
    if percent is None:
        assert progress.percent is None
    else:
        assert progress.percent == pytest.approx(percent)
    if expected_percent is None:
        assert progress.expected_percent is None
    else:
        assert progress.expected_percent == pytest.approx(expected_percent)


def test_progress_reports_the_value_it_used_and_whether_it_is_a_bound():
    progress = target_progress(NANJING, value("2800", "2022", Qualifier.AT_LEAST))
    assert progress.value == Decimal("2800")
    assert progress.period == "2022"
    assert progress.value_is_bound is True
    assert target_progress(NANJING, value("2800", "2022")).value_is_bound is False


@pytest.mark.parametrize(
    ("period", "position"),
    [("2020", 2020.0), ("2020-06", 2019.5), ("2020-12", 2020.0), ("2020-Q1", 2019.25), ("2020-H2", 2020.0)],
)
def test_period_position(period, position):
    assert period_position(period) == pytest.approx(position)


def test_period_position_rejects_garbage():
    with pytest.raises(ValueError):
        period_position("20xx")


def test_latest_by_indicator_picks_the_latest_period_per_indicator():
    rows = [
        value("1", "2019", indicator_id=1),
        value("3", "2021", indicator_id=1),
        value("2", "2021-06", indicator_id=1),
        value("9", "2020-Q4", indicator_id=2),
        value("8", "2020-H1", indicator_id=2),
    ]
    latest = latest_by_indicator(rows)
    assert latest[1].value == Decimal("3")
    assert latest[2].value == Decimal("9")
    assert set(latest) == {1, 2}
