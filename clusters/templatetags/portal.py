"""Presentation helpers for the public pages: localised names, numbers, citations and small SVG charts."""

from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language, gettext, gettext_noop

from clusters.choices import Qualifier
from clusters.progress import period_position

register = template.Library()

# The closed vocabularies in clusters.choices carry Chinese labels; these marks put them in the English
# catalogue (tests/test_pages.py checks that every label there is translated).
CHOICE_LABELS = [
    gettext_noop("国家级"),
    gettext_noop("省级"),
    gettext_noop("市级"),
    gettext_noop("培育中"),
    gettext_noop("重点支持"),
    gettext_noop("警示"),
    gettext_noop("退出"),
    gettext_noop("先发优势"),
    gettext_noop("产业规模"),
    gettext_noop("市场份额"),
    gettext_noop("产业链条"),
    gettext_noop("链主企业"),
    gettext_noop("核心技术"),
    gettext_noop("创新要素"),
    gettext_noop("其他"),
    gettext_noop("竞赛决赛"),
    gettext_noop("验收"),
    gettext_noop("年度监测"),
    gettext_noop("复核"),
    gettext_noop("优秀"),
    gettext_noop("良好"),
    gettext_noop("合格"),
    gettext_noop("不合格"),
    gettext_noop("保留"),
    gettext_noop("东部"),
    gettext_noop("中部"),
    gettext_noop("西部"),
    gettext_noop("东北"),
    gettext_noop("新闻报道"),
    gettext_noop("研究简报"),
    gettext_noop("政府文件"),
    gettext_noop("标准"),
    gettext_noop("地方报送"),
]


def is_english():
    return (get_language() or "").startswith("en")


@register.filter
def loc(obj, attr="name"):
    """`name_en` of a field, division, indicator or category when the page is in English (if it has one)."""
    if obj is None:
        return ""
    if is_english():
        # Short names have no English form of their own: the English name is short already.
        english = getattr(obj, f"{attr}_en", "") or getattr(obj, "name_en", "")
        if english:
            return english
    return getattr(obj, attr, "")


@register.filter
def choice(label):
    """Translate a choice label from clusters.choices (`{{ cluster.get_tier_display|choice }}`)."""
    return gettext(str(label)) if label else ""


@register.filter
def paren(text):
    """“（亿元）” in Chinese, “ (亿元)” in English."""
    if not text:
        return ""
    return f" ({text})" if is_english() else f"（{text}）"


@register.filter
def num(value):
    """A Decimal without trailing zeros: 4000.0000 -> 4000, 42.5000 -> 42.5."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    text = format(value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize(), "f")
    return text


VALUE_PREFIX = {
    Qualifier.AT_LEAST: gettext_noop("超过"),
    Qualifier.ABOUT: gettext_noop("约"),
    Qualifier.BELOW: gettext_noop("不足"),
}
TARGET_PREFIX = {
    Qualifier.AT_LEAST: "≥",
    Qualifier.ABOUT: "≈",
    Qualifier.BELOW: "<",
}


def with_unit(number, unit):
    """“2000 亿元” but “22%”: a percent sign sits right against its number."""
    if not unit:
        return number
    return f"{number}{unit}" if unit.startswith("%") else f"{number} {unit}"


@register.simple_tag
def figure(value, qualifier, unit=""):
    """A figure as its source states it: “超过 2000 亿元”, “约 50 %”. Bounds stay bounds."""
    prefix = VALUE_PREFIX.get(qualifier)
    text = with_unit(num(value), unit)
    return f"{gettext(prefix)} {text}" if prefix else text


@register.simple_tag
def target_figure(target):
    """A target value with its direction: “≥ 4000 亿元”."""
    prefix = TARGET_PREFIX.get(target.qualifier, "")
    return f"{prefix} {with_unit(num(target.target_value), target.indicator.unit)}".strip()


@register.simple_tag(takes_context=True)
def cite(context, source):
    """A numbered link to the page's source list: <sup><a href="#source-2">[2]</a></sup>."""
    if source is None:
        return ""
    number = context.get("citations", {}).get(source.pk)
    if number is None:
        return ""
    return format_html(
        '<sup class="cite"><a href="#source-{}" title="{}">[{}]</a></sup>', number, gettext("出处"), number
    )


@register.filter
def percent_of(part, whole):
    """Width of a bar, in percent of the largest."""
    if not whole:
        return 0
    return round(float(part) / float(whole) * 100, 1)


@register.inclusion_tag("clusters/includes/line_chart.html")
def line_chart(series, unit="", label=""):
    """A small server-rendered SVG line chart of (period, value) points, oldest first."""
    width, height, left, right, top, bottom = 320, 140, 44, 12, 14, 28
    points = []
    if series:
        xs = [period_position(p.period) for p in series]
        ys = [float(p.value) for p in series]
        x0, x1 = min(xs), max(xs)
        y1 = max(ys) or 1.0
        y0 = 0.0 if min(ys) >= 0 else min(ys) * 1.1
        for row, x, y in zip(series, xs, ys, strict=True):
            px = left + (width - left - right) * ((x - x0) / (x1 - x0) if x1 > x0 else 0.5)
            py = top + (height - top - bottom) * (1 - (y - y0) / (y1 - y0))
            points.append({"x": round(px, 1), "y": round(py, 1), "period": row.period, "value": num(row.value)})
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": width - right,
        "top": top,
        "baseline": height - bottom,
        "points": points,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
        "unit": unit,
        "label": label,
        "max_label": num(Decimal(str(max(float(p.value) for p in series)))) if series else "",
    }
