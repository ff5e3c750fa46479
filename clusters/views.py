"""Public pages: thin views over the shared selectors, the one cluster FilterSet, clusters.rankings,
clusters.compare and clusters.opendata."""

from itertools import groupby
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from clusters import compare, exports, opendata, selectors
from clusters.choices import ClusterStatus, Tier
from clusters.compare import downloads
from clusters.filtersets import ClusterFilterSet, names_a_filter
from clusters.formatting import loc
from clusters.maps.context import china_map, public_map
from clusters.models import Cluster
from clusters.progress import latest_by_indicator, period_position, target_progress
from clusters.rankings import periods_for, ranked_schemes, ranking
from clusters.selects import all_options, ordering_option_tags, selects
from clusters.tables import LIST_ROW_FIELDS, list_rows, ranking_table_body
from portal.caching import memoised

PAGE_SIZE = 20
RANKING_PAGE_SIZE = 50
FILTER_NAMES = ("q", "field", "province", "city", "tier", "status")
RANKING_FILTERS = ("field", "province")
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
            "bars": _home_bars(),
            "region_sources": selectors.region_sources(),
            "map": public_map(),
        },
    )


def _home_bars():
    """The home page's bars by field and by province, rendered once per data version and language."""

    def bars(rows, param, key, label):
        items = [{"href": f"{list_url}?{param}={getattr(r, key)}", "label": label(r), "count": r.count} for r in rows]
        context = {"bars": items, "max": max((r.count for r in rows), default=0)}
        return render_to_string("clusters/includes/bars.html", context)

    def build():
        stats = selectors.stats()
        return {
            "fields": bars(stats["by_field"], "field", "slug", loc),
            "provinces": bars(stats["by_province"], "province", "code", lambda p: loc(p, "short_name")),
        }

    list_url = reverse("clusters:list")
    return memoised(f"home-bars:{get_language()}", build)


def filter_clusters(request):
    """The FilterSet bound to the query string (unbound without one), over the public cluster list."""
    return ClusterFilterSet(request.GET or None, queryset=selectors.cluster_list())


def filter_errors(filterset):
    """“省份（province）：没有代码为“abc”的省份。” per bad parameter: the pages and the downloads say the same."""
    if not filterset.is_bound or filterset.is_valid():
        return []
    form = filterset.form
    return [
        _("%(label)s（%(name)s）：%(message)s")
        % {"label": form[name].label if name in form.fields else name, "name": name, "message": " ".join(errors)}
        for name, errors in filterset.errors.items()
    ]


def paginate(request, object_list, per_page, count=None):
    """The requested page (the last one past the end) and the pager's page numbers, with gaps (…). ``count``:
    how many rows there are, where counting ``object_list`` itself would cost more."""
    paginator = Paginator(object_list, per_page)
    if count is not None:
        paginator.count = count  # Paginator.count is a cached_property: this is its cached value
    page = paginator.get_page(request.GET.get("page"))
    return page, list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))


def _active_filters(filterset):
    """The filters that apply, each with a label and a readable value (the template links to its removal)."""
    cleaned = getattr(filterset.form, "cleaned_data", {})
    readable = {
        "tier": lambda v: Tier(v).label,
        "status": lambda v: ClusterStatus(v).label,
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
            }
        )
    return active


@require_safe
def cluster_list(request):
    filterset = filter_clusters(request)
    form = filterset.form
    errors = filter_errors(filterset)
    context = {
        "form": form,
        "selects": selects(request, filterset),
        "ordering_option_tags": ordering_option_tags(form, request.GET.get("ordering", "")),
        "active_filters": _active_filters(filterset),
        "errors": errors,
    }
    if errors:
        # A bad filter value is the client's mistake: say which (400), and list nothing rather than everything.
        return render(request, "clusters/cluster_list.html", context, status=400)
    if names_a_filter(ClusterFilterSet, request.GET):
        rows = filterset.qs.prefetch_related(None).values(*LIST_ROW_FIELDS)
        # Counted without the joins the rows' values need: 0.31 ms against 0.52 at 5,025 clusters.
        count = filterset.qs.count()
    else:  # every public cluster in the default order: a slice of the memoised order
        rows = selectors.OrderedRows(selectors.public_cluster_ids(), Cluster.objects.values(*LIST_ROW_FIELDS))
        count = None
    page, page_range = paginate(request, rows, PAGE_SIZE, count)
    context.update(page_obj=page, page_range=page_range, clusters=list_rows(page.object_list))
    return render(request, "clusters/cluster_list.html", context)


@require_safe
def cluster_map(request):
    """The map, redrawn by the list's filters in the query string; links from it keep the valid ones."""
    filterset = filter_clusters(request)
    errors = filter_errors(filterset)
    bad = set(filterset.errors) if errors else set()
    query = QueryDict(mutable=True)
    for name in FILTER_NAMES:
        if request.GET.get(name) and name not in bad:
            query[name] = request.GET[name]
    context = {
        "selects": selects(request, filterset, MAP_SELECTS),
        "passthrough": [(name, value) for name, value in query.items() if name not in MAP_SELECTS],
        "active_filters": _active_filters(filterset),
        "errors": errors,
    }
    if errors:
        # As on the list page: a bad filter value is a 400 that names it, and no misleading map.
        return render(request, "clusters/map.html", context, status=400)
    # Unfiltered (the link from the home page and the menu), it is the home page's map, memoised.
    context["map"] = china_map(filterset.qs, query) if query else public_map()
    return render(request, "clusters/map.html", context)


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
    cluster = selectors.read_cluster(slug)
    if cluster is None:
        raise Http404("No public cluster has this slug.")
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
    evaluations = cluster.shown_evaluations
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


@require_safe
def rankings(request):
    """GET `scheme` (code), `period`, `field` (slug), `province` (GB/T 2260 code), `page`; the latest ranking first."""
    schemes = ranked_schemes()
    code = request.GET.get("scheme")
    scheme = next((s for s in schemes if s.code == code), None) if code else next(iter(schemes), None)
    if code and scheme is None:
        raise Http404(_("没有这个评估方案的已发布排名。"))
    periods = periods_for(scheme) if scheme else []
    period = request.GET.get("period") or next(iter(periods), None)
    if period is not None and period not in periods:
        raise Http404(_("该评估方案在这一期没有已发布的排名。"))

    # The list's FilterSet, limited to the filters this page offers: the same rule and the same messages.
    data = {name: request.GET[name] for name in RANKING_FILTERS if request.GET.get(name)}
    filterset = ClusterFilterSet(data or None, queryset=Cluster.objects.public())
    options = selectors.filter_options()
    select_options = all_options()
    context = {
        "schemes": schemes,
        "periods": periods,
        "fields": options["fields"],
        "provinces": options["provinces"],
        "selected_field": data.get("field", ""),
        "selected_province": data.get("province", ""),
        # The list page's options, written once per data version (clusters.selects).
        "field_options": select_options["field"].html(data.get("field", "")),
        "province_options": select_options["province"].html(data.get("province", "")),
        "errors": filter_errors(filterset),
    }
    if context["errors"]:
        context["ranking"] = ranking(scheme, None)
        return render(request, "clusters/rankings.html", context, status=400)
    result = ranking(scheme, period, filterset.qs if data else None)
    page, page_range = paginate(request, result.standings, RANKING_PAGE_SIZE)
    rows = result.rows(page.object_list)
    context.update(
        ranking=result,
        page_obj=page,
        page_range=page_range,
        rows=rows,
        table_body=ranking_table_body(rows),
        has_synthetic=bool(scheme and scheme.is_synthetic) or any(row.is_synthetic for row in rows),
    )
    return render(request, "clusters/rankings.html", context)


def _bad_filters(errors):
    """A download asked for with a bad filter value: a plain-text 400 naming each bad parameter."""
    return HttpResponseBadRequest("\n".join([_("筛选条件无效："), *errors]), content_type="text/plain; charset=utf-8")


def _export(request, writer):
    filterset = filter_clusters(request)
    if errors := filter_errors(filterset):
        return _bad_filters(errors)
    return writer(request, filterset.qs.select_related("promotion_organization"))


@require_safe
def export_csv(request):
    return _export(request, exports.csv_response)


@require_safe
def export_xlsx(request):
    return _export(request, exports.xlsx_response)


# Comparing clusters ------------------------------------------------------------------------------

COMPARE_LIMITS = {"min_clusters": compare.MIN_CLUSTERS, "max_clusters": compare.MAX_CLUSTERS}


def _comparison(request):
    return compare.compare(compare.parse(request.GET.getlist("clusters")), request.user)


@require_safe
def compare_clusters(request):
    values = [value for value in request.GET.getlist("clusters") if value]
    if len(values) > 1:
        # Checkboxes send clusters=a&clusters=b; the link people share is the one-parameter comma form.
        query = urlencode({"clusters": ",".join(values)}, safe=",")
        return redirect(f"{reverse('clusters:compare')}?{query}")
    try:
        comparison = _comparison(request)
    except compare.CompareError as error:
        return render(request, "clusters/compare.html", {"error": str(error), **COMPARE_LIMITS}, status=400)
    return render(
        request,
        "clusters/compare.html",
        {"comparison": comparison, "citations": comparison.citations, **COMPARE_LIMITS},
    )


def _compare_download(request, writer):
    try:
        comparison = _comparison(request)
    except compare.CompareError as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    if not comparison.is_complete:
        return HttpResponseBadRequest(compare.too_few_message(), content_type="text/plain; charset=utf-8")
    return writer(comparison)


@require_safe
def compare_csv(request):
    return _compare_download(request, downloads.csv_response)


@require_safe
def compare_xlsx(request):
    return _compare_download(request, downloads.xlsx_response)


# Open data ---------------------------------------------------------------------------------------


def _selection(filterset):
    """The clusters the list page's filters pick, for every kind of record (clusters.opendata)."""
    active = _active_filters(filterset)
    return opendata.Selection(
        clusters=filterset.qs,
        filtered=bool(active),
        filters=[_("%(label)s：%(value)s") % {"label": f["label"], "value": f["value"]} for f in active],
    )


@require_safe
def open_data(request):
    """Every kind of public record to download, its data dictionary, sources and terms; the list's filters apply."""
    filterset = filter_clusters(request)
    errors = filter_errors(filterset)
    context = {"active_filters": _active_filters(filterset), "errors": errors, "terms": opendata.TERMS}
    if errors:
        return render(request, "clusters/data.html", context, status=400)
    selection = _selection(filterset)
    kinds = [opendata.summary(kind, selection) for kind in opendata.KINDS]
    context.update(
        kinds=kinds,
        synthetic=sum(kind.synthetic for kind in kinds),
        sources=opendata.cited_sources(selection),
        demo_source=opendata.DEMO_SOURCE,
        licence=opendata.LICENCE,
        licence_url=opendata.LICENCE_URL,
        query=_download_query(request),
    )
    return render(request, "clusters/data.html", context)


def _download_query(request):
    """The page's query string (its filters) for the download links; the page number is not a filter."""
    params = request.GET.copy()
    params.pop("page", None)
    return f"?{params.urlencode()}" if params else ""


def _data_download(request, kind, file_format):
    if kind not in opendata.KINDS:
        raise Http404(_("没有这类数据。"))
    filterset = filter_clusters(request)
    if errors := filter_errors(filterset):
        return _bad_filters(errors)
    return opendata.download(kind, file_format, _selection(filterset), request.build_absolute_uri())


@require_safe
def data_csv(request, kind):
    return _data_download(request, kind, "csv")


@require_safe
def data_xlsx(request, kind):
    return _data_download(request, kind, "xlsx")
