"""Public pages: thin views over the shared selectors and the one cluster FilterSet."""

from itertools import groupby

from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from clusters import exports, selectors
from clusters.choices import ClusterStatus, Tier
from clusters.filtersets import ClusterFilterSet
from clusters.formatting import loc
from clusters.maps.context import china_map
from clusters.models import Cluster
from clusters.progress import latest_by_indicator, period_position, target_progress
from clusters.templatetags.portal import choice

PAGE_SIZE = 20
FILTER_NAMES = ("q", "field", "province", "city", "tier", "status")
MAP_SELECTS = ("field", "tier", "status")  # the map's form; q, province and city pass through unchanged


@require_safe
def home(request):
    stats = selectors.stats()
    clusters = stats["clusters"]
    return render(
        request,
        "clusters/home.html",
        {
            "stats": stats,
            "eastern_percent": round(stats["eastern_clusters"] / clusters * 100) if clusters else 0,
            "max_field": max((f.count for f in stats["by_field"]), default=0),
            "max_province": max((p.count for p in stats["by_province"]), default=0),
            "region_sources": selectors.region_sources(),
            "map": china_map(Cluster.objects.public()),
        },
    )


def filter_clusters(request):
    """The FilterSet bound to the query string (unbound without one), over the public cluster list."""
    return ClusterFilterSet(request.GET or None, queryset=selectors.cluster_list())


def _querystring(params, **changes):
    query = params.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value is not None:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


def _active_filters(request, filterset):
    """The filters that apply, each with a label, a readable value and a link that removes it."""
    cleaned = getattr(filterset.form, "cleaned_data", {})
    readable = {
        "tier": lambda v: choice(Tier(v).label),
        "status": lambda v: choice(ClusterStatus(v).label),
        "q": str,
    }
    active = []
    for name in FILTER_NAMES:
        value = cleaned.get(name)
        if value in (None, ""):
            continue
        active.append(
            {
                "name": name,
                "label": filterset.form[name].label,
                "value": readable[name](value) if name in readable else loc(value),
                "remove_url": _querystring(request.GET, **{name: None, "page": None}),
            }
        )
    return active


def _options(objects, key, label, selected):
    """(value, label) pairs for a select, keeping a valid selection even if it holds no public cluster."""
    options = [(str(getattr(o, key)), label(o)) for o in objects]
    if selected is not None and str(getattr(selected, key)) not in {value for value, _ in options}:
        options.append((str(getattr(selected, key)), label(selected)))
    return options


def _selects(request, filterset):
    """The filter form's selects, with options in the page's language."""
    choices = selectors.filter_options()
    form = filterset.form
    cleaned = getattr(form, "cleaned_data", {})

    def city_label(city):
        return f"{loc(city)}（{loc(city.province, 'short_name')}）"

    options = {
        "field": _options(choices["fields"], "slug", loc, cleaned.get("field")),
        "province": _options(choices["provinces"], "code", loc, cleaned.get("province")),
        "city": _options(choices["cities"], "code", city_label, cleaned.get("city")),
        "tier": [(value, choice(label)) for value, label in Tier.choices],
        "status": [(value, choice(label)) for value, label in ClusterStatus.choices],
    }
    return [
        {
            "name": name,
            "label": form[name].label,
            "empty_label": form.fields[name].empty_label,
            "options": opts,
            "selected": request.GET.get(name, ""),
            "errors": form.errors.get(name, []) if filterset.is_bound else [],
        }
        for name, opts in options.items()
    ]


@require_safe
def cluster_list(request):
    filterset = filter_clusters(request)
    valid = not filterset.is_bound or filterset.is_valid()
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    form = filterset.form
    querystring = _querystring(request.GET, page=None)
    context = {
        "filterset": filterset,
        "form": form,
        "selects": _selects(request, filterset),
        "ordering_options": [(value, str(label)) for value, label in form.fields["ordering"].choices if value],
        "selected_ordering": request.GET.get("ordering", ""),
        "error_list": _error_list(filterset),
        "active_filters": _active_filters(request, filterset),
        "canonical": request.build_absolute_uri(request.path + (querystring if valid and querystring != "?" else "")),
        "page_obj": page,
        "clusters": page.object_list,
        "valid": valid,
        "querystring": querystring,
        "page_links": [
            {"number": n, "url": _querystring(request.GET, page=str(n))}
            for n in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
            if n != page.paginator.ELLIPSIS
        ]
        if page.paginator.num_pages > 1
        else [],
        "prev_url": _querystring(request.GET, page=str(page.previous_page_number())) if page.has_previous() else "",
        "next_url": _querystring(request.GET, page=str(page.next_page_number())) if page.has_next() else "",
    }
    # A bad filter value is the client's mistake: say so (400) on a normal page that shows the error.
    return render(request, "clusters/cluster_list.html", context, status=200 if valid else 400)


def _error_list(filterset):
    form = filterset.form
    if not filterset.is_bound:
        return []
    return [(form[name].label if name in form.fields else name, errors) for name, errors in form.errors.items()]


@require_safe
def cluster_map(request):
    """The map, redrawn by the list's filters in the query string; links from it keep the valid ones."""
    filterset = filter_clusters(request)
    valid = not filterset.is_bound or filterset.is_valid()
    errors = filterset.errors if filterset.is_bound else {}
    query = QueryDict(mutable=True)
    for name in FILTER_NAMES:
        if request.GET.get(name) and name not in errors:
            query[name] = request.GET[name]
    context = {
        "map": china_map(filterset.qs, query),
        "selects": [s for s in _selects(request, filterset) if s["name"] in MAP_SELECTS],
        "passthrough": [(name, value) for name, value in query.items() if name not in MAP_SELECTS],
        "active_filters": _active_filters(request, filterset),
        "error_list": _error_list(filterset),
        "valid": valid,
    }
    # As on the list page: a bad filter value is a 400 on a normal page that names it; the rest still apply.
    return render(request, "clusters/map.html", context, status=200 if valid else 400)


def _citations(cluster, *groups):
    """Number every source the page cites, in order of first appearance."""
    numbers = {}
    sources = []
    for source in [*cluster.sources.all(), *(getattr(row, "source", None) for group in groups for row in group)]:
        if source is not None and source.pk not in numbers:
            numbers[source.pk] = len(numbers) + 1
            sources.append(source)
    return numbers, sources


def _indicator_series(indicator, values):
    """One indicator's values for the table, and a chart per scope that has more than one period.

    Figures of different scopes (高压继电保护设备 80%, 省级电网调度自动化系统 超90%) are different things:
    they share a table but never a line.
    """
    by_scope = {}
    for value in values:
        by_scope.setdefault(value.scope, []).append(value)
    return {
        "indicator": indicator,
        "values": values,
        "has_scope": any(value.scope for value in values),
        "charts": [
            {"label": "·".join(filter(None, [loc(indicator), scope])), "values": rows}
            for scope, rows in by_scope.items()
            if len({v.period for v in rows}) > 1
        ],
    }


@require_safe
def cluster_detail(request, slug):
    cluster = get_object_or_404(selectors.cluster_detail_queryset(), slug=slug)
    values = list(cluster.indicator_values.all())
    # Whole-cluster figures first, then each scope in the order it was recorded (the source's order).
    first_recorded = {}
    for value in sorted(values, key=lambda v: v.pk):
        first_recorded.setdefault((value.indicator_id, value.scope), value.pk)
    values.sort(
        key=lambda v: (
            v.indicator.order,
            v.indicator_id,
            v.scope != "",
            first_recorded[(v.indicator_id, v.scope)],
            period_position(v.period),
        )
    )
    latest = latest_by_indicator(values)
    targets = [
        {"target": t, "progress": target_progress(t, latest.get(t.indicator_id)), "latest": latest.get(t.indicator_id)}
        for t in cluster.targets.all()
    ]
    series = [
        _indicator_series(indicator, list(rows)) for indicator, rows in groupby(values, key=lambda v: v.indicator)
    ]
    lead_enterprises = list(cluster.lead_enterprises.all())
    characteristics = list(cluster.characteristics.all())
    measures = list(cluster.measures.all())
    evaluations = cluster.published_evaluations
    citations, sources = _citations(
        cluster,
        lead_enterprises,
        characteristics,
        [t["target"] for t in targets],
        values,
        measures,
        evaluations,
    )
    return render(
        request,
        "clusters/cluster_detail.html",
        {
            "cluster": cluster,
            "provinces": cluster.provinces,
            "cities": list(cluster.cities.all()),
            "lead_enterprises": lead_enterprises,
            "characteristics": characteristics,
            "targets": targets,
            "series": series,
            "measures": measures,
            "evaluations": evaluations,
            "citations": citations,
            "sources": sources,
        },
    )


def _export(request, writer):
    filterset = filter_clusters(request)
    if filterset.is_bound and not filterset.is_valid():
        lines = [f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items()]
        return HttpResponseBadRequest(
            "\n".join([_("筛选条件无效："), *lines]), content_type="text/plain; charset=utf-8"
        )
    return writer(request, filterset.qs.select_related("promotion_organization"))


@require_safe
def export_csv(request):
    return _export(request, exports.csv_response)


@require_safe
def export_xlsx(request):
    return _export(request, exports.xlsx_response)
