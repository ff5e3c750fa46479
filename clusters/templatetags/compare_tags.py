"""Template tags for comparing clusters: the comparison's charts, and picking clusters without JavaScript.

A comparison being built travels in the URL, never in a session: the list page and a cluster page read the
clusters picked so far from `?compare=a,b` (the compare page's links carry it), so every page stays the
same for everyone who opens the same link, and the public page cache can share it.
"""

from django import template

from clusters.compare import MAX_CLUSTERS, MIN_CLUSTERS, CompareError, compare_url, parse
from clusters.compare.charts import geometry

register = template.Library()


def carried(request):
    """The slugs picked so far (`?compare=`), or none when the parameter is absent or unreadable.

    Only parsed, never looked up: a page that carries a comparison costs no query; the compare page is
    where an unknown slug is named.
    """
    try:
        return list(parse(request.GET.getlist("compare")).slugs)
    except CompareError:
        return []


@register.inclusion_tag("clusters/includes/compare_chart.html")
def compare_chart(chart, citations):
    return geometry(chart, citations)


@register.simple_tag(takes_context=True)
def compare_selection(context):
    """For the list page: the clusters picked so far. The compare form sends them first, as hidden fields, so
    they keep the order they were picked in; their rows show a ticked, disabled box (移除 is on /compare/)."""
    slugs = carried(context["request"])
    return {"slugs": slugs, "url": compare_url(slugs), "min": MIN_CLUSTERS, "max": MAX_CLUSTERS}


@register.inclusion_tag("clusters/includes/compare_add.html", takes_context=True)
def compare_add(context, cluster):
    """A cluster page's 加入比较: this cluster added to the comparison the reader came from, if any."""
    slugs = carried(context["request"])
    if cluster.slug in slugs:
        return {"in_comparison": True, "url": compare_url(slugs), "others": len(slugs) - 1}
    full = len(slugs) >= MAX_CLUSTERS
    return {
        "in_comparison": False,
        "full": full,
        "url": compare_url(slugs if full else [*slugs, cluster.slug]),
        "others": len(slugs),
        "max": MAX_CLUSTERS,
    }
