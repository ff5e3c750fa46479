"""Target progress, computed in one place for the cluster pages and the API.

A target (e.g. 产值 ≥ 4000 亿元 by 2025, baseline 2020) is compared with the latest value of its indicator:

- achieved: the latest value reaches the target (a lower-bound value such as “超过2000亿元” counts as 2000;
  an upper-bound value such as “不足4000亿元” never counts as reaching 4000);
- on track: not yet achieved, but at or above the straight line from baseline to target at the value's date;
- behind: below that line, or the target year has passed without the target being reached;
- no data: no value of the indicator yet;
- unjudged: a value exists but the target has no baseline, so there is no line to compare with.

Targets stated as a ceiling (qualifier “不足”, e.g. an energy intensity below X) run downwards: lower is better.
Everything here is pure: no database access, so it is cheap to call and easy to table-test.
"""

import enum
import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from clusters.choices import Qualifier

_PERIOD = re.compile(r"^(\d{4})(?:-(?:(\d{2})|Q([1-4])|H([12])))?$")


class Status(enum.StrEnum):
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    UNJUDGED = "unjudged"
    NO_DATA = "no_data"

    @property
    def label(self):
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.ACHIEVED: _("已实现"),
    Status.ON_TRACK: _("进度正常"),
    Status.BEHIND: _("进度落后"),
    Status.UNJUDGED: _("无基期，无法判断进度"),
    Status.NO_DATA: _("暂无数据"),
}


@dataclass(frozen=True)
class Progress:
    status: Status
    # Share of the target the latest value represents, 0–100 (for the bar); None without a value.
    percent: float | None = None
    # Where the straight line from baseline to target stands at the value's date, 0–100; None without a line.
    expected_percent: float | None = None
    # The value the comparison used (a bound counts as its bound) and the period it belongs to.
    value: Decimal | None = None
    period: str | None = None
    value_is_bound: bool = False

    @property
    def label(self):
        return self.status.label


def period_position(period):
    """Where a period ends, in years: '2020' -> 2020.0, '2020-06' -> 2019.5, '2020-Q1' -> 2019.25.

    Annual figures compare directly with baseline and target years, which are annual too.
    """
    match = _PERIOD.match(period or "")
    if not match:
        raise ValueError(f"Unrecognised period {period!r}")
    year, month, quarter, half = match.groups()
    year = int(year)
    if month:
        return year - 1 + int(month) / 12
    if quarter:
        return year - 1 + int(quarter) / 4
    if half:
        return year - 1 + int(half) / 2
    return float(year)


def latest_by_indicator(values):
    """The latest whole-cluster value per indicator id from an iterable of IndicatorValue-like rows.

    A figure with a scope (高压继电保护设备 80%) is about part of the cluster, so it never counts as the
    cluster's progress towards a target.
    """
    latest = {}
    for value in values:
        if getattr(value, "scope", ""):
            continue
        current = latest.get(value.indicator_id)
        if current is None or period_position(value.period) >= period_position(current.period):
            latest[value.indicator_id] = value
    return latest


def _percent(part, whole):
    if whole <= 0:
        return 100.0 if part >= whole else 0.0
    return max(0.0, min(100.0, float(part) / float(whole) * 100))


def target_progress(target, latest_value):
    """Progress of `target` (a Target) given `latest_value` (the latest IndicatorValue of its indicator, or None)."""
    if latest_value is None:
        return Progress(Status.NO_DATA)

    goal = Decimal(target.target_value)
    value = Decimal(latest_value.value)
    qualifier = latest_value.qualifier
    downward = target.qualifier == Qualifier.BELOW
    when = period_position(latest_value.period)

    if downward:
        # A ceiling: reached when the value is at or under it; an “at least” value never proves that.
        achieved = value < goal if qualifier == Qualifier.AT_LEAST else value <= goal
        percent = _percent(goal, value) if value > 0 else 100.0
    else:
        # A floor: reached when the value is at or over it; a “below” value never proves that.
        achieved = value > goal if qualifier == Qualifier.BELOW else value >= goal
        percent = _percent(value, goal)

    expected = None
    expected_percent = None
    if target.baseline_value is not None and target.baseline_year is not None:
        base = Decimal(target.baseline_value)
        span = target.target_year - target.baseline_year
        share = min(1.0, max(0.0, (when - target.baseline_year) / span)) if span > 0 else 1.0
        expected = base + (goal - base) * Decimal(str(share))
        expected_percent = _percent(goal, expected) if downward else _percent(expected, goal)

    if achieved:
        status = Status.ACHIEVED
    elif when >= target.target_year:
        status = Status.BEHIND
    elif expected is None:
        status = Status.UNJUDGED
    elif (value <= expected) if downward else (value >= expected):
        status = Status.ON_TRACK
    else:
        status = Status.BEHIND

    return Progress(
        status=status,
        percent=100.0 if achieved else min(percent, 99.9),
        expected_percent=expected_percent,
        value=value,
        period=latest_value.period,
        value_is_bound=qualifier in (Qualifier.AT_LEAST, Qualifier.BELOW),
    )
