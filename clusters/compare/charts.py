"""A small SVG line chart with one line per compared cluster, drawn on the server: no script, no inline style.

Lines differ by colour, dash and marker shape together, so they stay apart in grey print and for readers who
cannot tell the colours apart; a cluster keeps its look in every chart (it is its column's). Each point's
tooltip writes the figure and period as the table does, with its source's number, so a chart says no more
and no less than the figures it draws.
"""

from clusters import formatting
from clusters.progress import period_position

WIDTH, HEIGHT = 360, 180
LEFT, RIGHT, TOP, BOTTOM = 52, 16, 14, 30
MARKER = 4.5
LEGEND_WIDTH, LEGEND_HEIGHT = 44, 14
# Ten clusters, ten looks: dash i % 5 with shape (i + i // 5) % 5 never repeats a pair for i < 10.
SHAPES = ("circle", "square", "triangle", "diamond", "triangle-down")
DASHES = 5
# More distinct periods than this and only the first and last are labelled on the axis.
MAX_PERIOD_TICKS = 6


def look(index):
    """The CSS classes and marker shape of the line in column `index`."""
    return {
        "line_class": f"cmp-line cmp-colour-{index % 10} cmp-dash-{index % DASHES}",
        "marker_class": f"cmp-marker cmp-colour-{index % 10}",
        "shape": SHAPES[(index + index // DASHES) % len(SHAPES)],
    }


def marker_points(shape, x, y, r=MARKER):
    """A polygon's points for the marker `shape` centred on (x, y); '' for a circle (drawn as <circle>)."""
    corners = {
        "square": [(-r, -r), (r, -r), (r, r), (-r, r)],
        "triangle": [(0, -r * 1.2), (r * 1.1, r * 0.9), (-r * 1.1, r * 0.9)],
        "diamond": [(0, -r * 1.3), (r * 1.3, 0), (0, r * 1.3), (-r * 1.3, 0)],
        "triangle-down": [(0, r * 1.2), (r * 1.1, -r * 0.9), (-r * 1.1, -r * 0.9)],
    }.get(shape)
    if corners is None:
        return ""
    return " ".join(f"{round(x + dx, 1)},{round(y + dy, 1)}" for dx, dy in corners)


def geometry(chart, citations):
    """Everything the chart template draws, for a `table.Chart` and the comparison's source numbers."""
    values = [value for line in chart.lines for value in line.values]
    xs = [period_position(value.period) for value in values]
    ys = [float(value.value) for value in values]
    x0, x1 = min(xs), max(xs)
    y1 = max(ys) or 1.0
    y0 = 0.0 if min(ys) >= 0 else min(ys) * 1.1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(position):
        return round(LEFT + plot_w * ((position - x0) / (x1 - x0) if x1 > x0 else 0.5), 1)

    def py(number):
        return round(TOP + plot_h * (1 - (float(number) - y0) / (y1 - y0)), 1)

    lines = []
    for line in chart.lines:
        style = look(line.index)
        name = formatting.loc(line.cluster)
        points = []
        for value in line.values:
            x, y = px(period_position(value.period)), py(value.value)
            number = citations.get(value.source_id)
            points.append(
                {
                    "x": x,
                    "y": y,
                    "polygon": marker_points(style["shape"], x, y),
                    "title": f"{name} · {formatting.value_period(value)}：{formatting.value_figure(value)}"
                    + (f" [{number}]" if number else ""),
                }
            )
        lines.append(
            {
                **style,
                "name": name,
                "points": points,
                "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
                "legend_polygon": marker_points(style["shape"], LEGEND_WIDTH // 2, LEGEND_HEIGHT // 2, 4),
            }
        )

    periods = sorted({value.period for value in values}, key=period_position)
    if len(periods) > MAX_PERIOD_TICKS:
        periods = [periods[0], periods[-1]]
    ticks = [{"x": px(period_position(period)), "label": period} for period in periods]
    for tick, anchor in ((ticks[0], "start"), (ticks[-1], "end")):
        tick["anchor"] = anchor if len(ticks) > 1 else "middle"
    for tick in ticks[1:-1]:
        tick["anchor"] = "middle"
    kind = chart.indicator.kind
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "baseline": HEIGHT - BOTTOM,
        "lines": lines,
        "ticks": ticks,
        "max_label": formatting.number(y1, kind),
        "min_label": formatting.number(y0, kind),
        "label": chart.label,
        "title": f"{chart.label}{formatting.in_parentheses(chart.indicator.unit)}",
        "legend_width": LEGEND_WIDTH,
        "legend_height": LEGEND_HEIGHT,
        "legend_x": LEGEND_WIDTH // 2,
        "legend_y": LEGEND_HEIGHT // 2,
    }
