"""Small line charts drawn on the server as SVG: their axes and geometry, as pure functions of the numbers.

The first charts clipped their y label (“905.3636” for 1905.3636, the margin being a fixed 44 px), wrote
four decimals without separators and labelled only the first and last period. Here:
- the y axis has a few round ticks in 1-2-5 steps from 0 (or from below the lowest value), its top the
  first tick at or above the largest value; shares and scores above 50 get the whole 0–100 scale;
- tick numbers are written by clusters.formatting in the unit the axis is drawn in (亿元 or 万亿元 in
  Chinese, billion yuan in English …), which the chart names above the axis;
- the left margin is measured from the longest tick label (estimated from its characters at the tick
  font size, rounded up), so no label is clipped whatever the numbers;
- every period is labelled when the labels fit side by side, else a regular subset with the first and last.
"""

import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise

from clusters import formatting
from clusters.progress import period_position

WIDTH = 320
HEIGHT = 150
TICK_FONT = 10  # px; static/css/portal.css `.chart .tick` uses the same size
TOP = 20  # room for the unit above the axis
BOTTOM = 24  # room for the period labels
PAD = 6  # between a label and what it labels
MIN_RIGHT = 12
TICKS = 5  # at most this many y ticks
STEPS = (1, 2, 5)
FULL_SCALE_KINDS = {"share", "score"}  # read out of 100: above 50 the axis shows all of 0–100

# Estimated advance of a character, in ems of the tick font (sans-serif, proportional digits at most this wide).
NARROW = set(".,:;'!|ijlrtf ()")


def text_width(text, size=TICK_FONT):
    """A generous estimate of the width of `text` in px: wide (CJK) characters 1 em, narrow ones 0.35 em,
    others 0.62 em. Rounded up, so a margin sized by it holds the real text."""
    ems = 0.0
    for char in text:
        if unicodedata.east_asian_width(char) in ("W", "F"):
            ems += 1.0
        elif char in NARROW:
            ems += 0.35
        else:
            ems += 0.62
    return int(ems * size + 0.999)


def nice_step(span, count=TICKS - 1):
    """The smallest 1-2-5 step (…, 0.5, 1, 2, 5, 10, 20 …) that covers `span` in at most `count` steps."""
    span = Decimal(span)
    if span <= 0:
        return Decimal(1)
    exponent = span.adjusted() - 1
    while True:
        for step in STEPS:
            candidate = Decimal(step).scaleb(exponent)
            if candidate * count >= span:
                return candidate
        exponent += 1


def ticks(low, high, kind=None):
    """Round y ticks from 0 (or below the lowest value) to the first tick at or above the highest value."""
    low, high = min(Decimal(low), Decimal(0)), max(Decimal(high), Decimal(0))
    if kind in FULL_SCALE_KINDS and low >= 0 and 50 < high <= 100:
        return [Decimal(v) for v in range(0, 101, 20)]
    step = nice_step(high - low)
    start = (low / step).to_integral_value(rounding="ROUND_FLOOR") * step
    values = [start]
    while values[-1] < high or len(values) < 2:
        values.append(values[-1] + step)
    return values


def _spread(labels, positions, gap=PAD):
    """Indices of the period labels to show: all when they fit, else every k-th with the first and last."""
    count = len(labels)
    widths = [text_width(label) for label in labels]

    def fits(indices):
        return all(positions[b] - widths[b] / 2 >= positions[a] + widths[a] / 2 + gap for a, b in pairwise(indices))

    for step in range(1, max(count, 1) + 1):
        indices = list(range(0, count, step))
        if indices[-1] != count - 1:
            indices.append(count - 1)
            # The last label displaces a regular one too close to it.
            while len(indices) > 2 and not fits(indices[-2:]):
                indices.pop(-2)
        if fits(indices):
            return indices
    return [0, count - 1] if count > 1 else [0]


@dataclass
class Chart:
    """What templates/clusters/includes/line_chart.html draws."""

    width: int
    height: int
    left: int
    right: int
    top: int
    baseline: int
    unit: str
    y_ticks: list = field(default_factory=list)  # {"y", "label", "zero"}
    x_labels: list = field(default_factory=list)  # {"x", "label"}
    points: list = field(default_factory=list)  # {"x", "y", "title"}
    report_year_note: bool = False

    @property
    def polyline(self):
        return " ".join(f"{p['x']},{p['y']}" for p in self.points)

    @property
    def label_boxes(self):
        """Estimated boxes of every label ((left, right) in px), for tests: none may leave the picture."""
        boxes = [(self.left - PAD - text_width(t["label"]), self.left - PAD) for t in self.y_ticks]
        boxes += [(x["x"] - text_width(x["label"]) / 2, x["x"] + text_width(x["label"]) / 2) for x in self.x_labels]
        return boxes


def line_chart(rows, unit, kind=None, language=None, title_of=None):
    """The chart of `rows` (with `.period`, `.value` and optionally `.period_is_report_year`), oldest first;
    `title_of(row)` gives a point's hover text (the figure as the table writes it).

    A period that is only the year of a report is labelled “2021*”, and the chart says what * means: the
    year of a report never poses as the year of the data, not even on an axis."""
    values = [Decimal(row.value) for row in rows]
    scale = formatting.scale(max((abs(v) for v in values), default=Decimal(0)), unit, language)
    scaled = [v.scaleb(scale.shift) for v in values]
    y_values = ticks(min(scaled, default=0), max(scaled, default=0), kind)
    y_labels = [formatting.number(v, language=language) for v in y_values]
    left = PAD + max(text_width(label) for label in y_labels) + PAD
    periods = [row.period for row in rows]
    marks = [getattr(row, "period_is_report_year", False) for row in rows]
    x_texts = [f"{period[:4]}*" if mark else period for period, mark in zip(periods, marks, strict=True)]
    right = WIDTH - max(MIN_RIGHT, (text_width(x_texts[-1]) // 2 + 2) if x_texts else MIN_RIGHT)
    inner_left = left + max(PAD, (text_width(x_texts[0]) // 2 + 2 - PAD) if x_texts else PAD)
    baseline = HEIGHT - BOTTOM
    low, high = y_values[0], y_values[-1]

    def y_of(v):
        return round(TOP + (baseline - TOP) * float((high - v) / (high - low)), 1)

    xs = [period_position(p) for p in periods]
    x0, x1 = (min(xs), max(xs)) if xs else (0, 0)

    def x_of(x):
        return round(inner_left + (right - inner_left) * ((x - x0) / (x1 - x0) if x1 > x0 else 0.5), 1)

    points = [
        {"x": x_of(x), "y": y_of(v), "title": title_of(row) if title_of else formatting.number(v, kind, language)}
        for row, x, v in zip(rows, xs, scaled, strict=True)
    ]
    positions = [p["x"] for p in points]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=left,
        right=right,
        top=TOP,
        baseline=baseline,
        unit=scale.unit,
        y_ticks=[{"y": y_of(v), "label": label, "zero": v == 0} for v, label in zip(y_values, y_labels, strict=True)],
        x_labels=[{"x": positions[i], "label": x_texts[i]} for i in _spread(x_texts, positions)] if rows else [],
        points=points,
        report_year_note=any(marks),
    )
