"""Template filters and tags for the public pages: thin wrappers over clusters.formatting, citations and charts."""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import get_language, gettext, override, pgettext_lazy

from clusters import charts, formatting, tables
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


@register.simple_tag
def list_table_body(clusters, picked=()):
    """The list table's rows, written in Python (clusters.tables)."""
    return tables.list_table_body(clusters, picked)


@register.simple_tag(takes_context=True)
def pager(context):
    """The pager under the list and the rankings, written in Python (clusters.tables)."""
    return tables.pager(context["request"].GET, context["page_obj"], context["page_range"])


@register.filter
def html_lang(language):
    """`<html lang>` of a language code: zh-hans → zh-Hans."""
    return html_lang_tag(language)


@register.filter
def loc(obj, attr="name"):
    """`name_en` of a field, division, indicator or category when the page is in English (if it has one)."""
    return formatting.loc(obj, attr)


@register.filter
def original_name(obj):
    """The Chinese name to show beside the English one (an English page, a cluster with `name_en`), else ''."""
    return formatting.original_name(obj)


@register.filter
def scheme_label(scheme):
    """“赛马方案（第1版）”, “赛马方案 (version 1)”: an evaluation scheme by name and version."""
    return gettext("%(name)s（第%(version)s版）") % {"name": scheme.name, "version": scheme.version}


@register.filter
def paren(text):
    """“（亿元）” in Chinese, “ (亿元)” in English."""
    return formatting.in_parentheses(text)


@register.filter
def unit_heading(unit):
    """“（亿元）” after an indicator's name; in English nothing where each figure names its unit."""
    return formatting.unit_heading(unit)


@register.filter
def grouped(value):
    """A count for readers: 5025 in Chinese (grouped from 10,000), 5,025 in English."""
    return formatting.number(value, "count")


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


# What a cluster page may lack, in the words of the note that says so.
NOT_GIVEN = [
    pgettext_lazy("not given", "目标"),
    pgettext_lazy("not given", "举措"),
    pgettext_lazy("not given", "指标数据"),
]


def join_words(words):
    """“目标、举措和指标数据”, “targets, measures or figures”."""
    words = [str(word) for word in words]
    if len(words) < 2:
        return "".join(words)
    return gettext("%(items)s和%(last)s") % {"items": gettext("、").join(words[:-1]), "last": words[-1]}


@register.simple_tag
def not_given(targets, measures, figures, evaluations):
    """What a cluster page lacks, said once instead of an empty section each (11 of the 25 shipped clusters
    have no target, measure or figure): “出处未提供该集群的目标、举措和指标数据。” and, without a published
    evaluation, a sentence for that. A list of sentences; empty when nothing is missing."""
    missing = [word for word, present in zip(NOT_GIVEN, (targets, measures, figures), strict=True) if not present]
    sentences = [gettext("出处未提供该集群的%(items)s。") % {"items": join_words(missing)}] if missing else []
    if not evaluations:
        sentences.append(gettext("尚无已发布的动态评估。"))
    return sentences


@register.filter
def percent_of(part, whole):
    """Width of a bar, in percent of the largest."""
    if not whole:
        return 0
    return round(float(part) / float(whole) * 100, 1)


@register.inclusion_tag("clusters/includes/line_chart.html")
def line_chart(series, label="", kind="score"):
    """A small server-rendered SVG line chart of points with `.period` and `.value`, oldest first (the
    evaluation totals: scores out of 100)."""
    chart = charts.line_chart(
        series, "", kind, title_of=lambda row: f"{row.period}{gettext('：')}{formatting.plain(row.value)}"
    )
    return {"chart": chart, "label": label}


@register.inclusion_tag("clusters/includes/line_chart.html")
def value_chart(values, label=""):
    """The line chart of one indicator's values for one scope, each point titled as the table writes it:
    the figure as its source states it, the period as readers should read it (“据2021年报道”). A chart of
    one scope says which under it, since an indicator may have a chart for each."""
    indicator = values[0].indicator
    chart = charts.line_chart(
        values,
        indicator.unit,
        indicator.kind,
        title_of=lambda v: f"{formatting.value_period(v)}{gettext('：')}{formatting.value_figure(v)}",
    )
    return {"chart": chart, "label": label, "caption": values[0].scope}
