"""Template filters and tags for the public pages: thin wrappers over clusters.formatting, citations and charts."""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import get_language, gettext, override

from clusters import formatting
from clusters.progress import period_position
from portal.locale import html_lang as html_lang_tag
from portal.locale import same_page_in

register = template.Library()


@register.inclusion_tag("clusters/includes/page_links.html", takes_context=True)
def page_links(context, query=""):
    """The page's canonical URL, in its own language, and the same page in every language (x-default:
    Chinese, unprefixed). `query` is what the canonical URL keeps of the query string (the list: its filters)."""
    request = context["request"]
    query = "" if query in ("", "?") else query
    origin = f"{request.scheme}://{request.get_host()}"
    paths = {code: same_page_in(request, code) for code, _name in settings.LANGUAGES}
    if None in paths.values():
        return {}
    alternates = [{"hreflang": html_lang_tag(code), "href": f"{origin}{path}{query}"} for code, path in paths.items()]
    alternates.append({"hreflang": "x-default", "href": f"{origin}{paths[settings.LANGUAGE_CODE]}{query}"})
    return {"canonical": f"{origin}{paths[get_language()]}{query}", "alternates": alternates}


@register.inclusion_tag("clusters/includes/language_switch.html", takes_context=True)
def language_switch(context):
    """Plain links to this page in each language, query string kept (a path no pattern matches: the home page)."""
    request = context["request"]
    query = request.GET.urlencode()
    options = []
    for code, name in settings.LANGUAGES:
        url = same_page_in(request, code)
        if url is None:
            with override(code):
                url = reverse("clusters:home")
        elif query:
            url = f"{url}?{query}"
        options.append({"url": url, "lang": html_lang_tag(code), "name": name, "current": code == get_language()})
    return {"options": options}


@register.filter
def html_lang(language):
    """`<html lang>` of a language code: zh-hans → zh-Hans."""
    return html_lang_tag(language)


@register.filter
def loc(obj, attr="name"):
    """`name_en` of a field, division, indicator or category when the page is in English (if it has one)."""
    return formatting.loc(obj, attr)


@register.filter
def paren(text):
    """“（亿元）” in Chinese, “ (亿元)” in English."""
    return formatting.in_parentheses(text)


@register.filter
def num(value):
    """A stored Decimal without trailing zeros: 4000.0000 -> 4000, 42.5000 -> 42.5."""
    return formatting.plain(value)


@register.filter
def value_figure(value):
    """An indicator value as its source states it (`{{ v|value_figure }}`)."""
    return formatting.value_figure(value)


@register.filter
def value_period(value):
    """An indicator value's period, “据2021年报道” where it is only the year of the report."""
    return formatting.value_period(value)


@register.simple_tag
def target_figure(target):
    """A target value with its direction: “≥ 4000 亿元”."""
    indicator = target.indicator
    return formatting.target_figure(target.target_value, target.qualifier, indicator.unit, indicator.kind)


@register.filter
def baseline_figure(target):
    """A target's baseline value with its unit, written as its figures are: “1 万亿元”."""
    indicator = target.indicator
    return formatting.amount(target.baseline_value, indicator.unit, indicator.kind)


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


def _chart(rows, unit, label, period_of, figure_of, max_label, caption=""):
    """The SVG geometry of a small line chart of rows with `.period` and `.value`, oldest first."""
    width, height, left, right, top, bottom = 320, 140, 44, 12, 14, 28
    points = []
    if rows:
        xs = [period_position(r.period) for r in rows]
        ys = [float(r.value) for r in rows]
        x0, x1 = min(xs), max(xs)
        y1 = max(ys) or 1.0
        y0 = 0.0 if min(ys) >= 0 else min(ys) * 1.1
        for row, x, y in zip(rows, xs, ys, strict=True):
            px = left + (width - left - right) * ((x - x0) / (x1 - x0) if x1 > x0 else 0.5)
            py = top + (height - top - bottom) * (1 - (y - y0) / (y1 - y0))
            points.append({"x": round(px, 1), "y": round(py, 1), "period": period_of(row), "figure": figure_of(row)})
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
        "max_label": max_label,
        "caption": caption,
    }


@register.inclusion_tag("clusters/includes/line_chart.html")
def line_chart(series, unit="", label=""):
    """A small server-rendered SVG line chart of (period, value) points, oldest first."""
    return _chart(
        series,
        unit,
        label,
        period_of=lambda row: row.period,
        figure_of=lambda row: formatting.with_unit(formatting.plain(row.value), unit),
        max_label=formatting.plain(max(row.value for row in series)) if series else "",
    )


@register.inclusion_tag("clusters/includes/line_chart.html")
def value_chart(values, label=""):
    """The line chart of one indicator's values for one scope, each point labelled as the table labels it:
    the figure as its source states it, the period as readers should read it (“据2021年报道”). A chart of
    one scope says which under it, since an indicator may have a chart for each."""
    indicator = values[0].indicator if values else None
    return _chart(
        values,
        indicator.unit if indicator else "",
        label,
        period_of=formatting.value_period,
        figure_of=formatting.value_figure,
        max_label=formatting.number(max(v.value for v in values), indicator.kind) if values else "",
        caption=values[0].scope if values else "",
    )
