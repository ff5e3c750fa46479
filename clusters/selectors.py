"""Reads shared by the pages, the API, the exports and the admin: one query fix lands everywhere."""

from django.db.models import Count, F, Prefetch, Q

from clusters.choices import Region
from clusters.models import City, Cluster, Field, LeadEnterprise, Province
from portal.caching import memoised


def cities_with_province():
    return City.objects.select_related("province").order_by("code")


def cities_of(cluster_ids, *fields):
    """{cluster id: [(``fields`` of each city…)] by city code} for these clusters, in one query of tuples: what
    the list page and the API list show of a page's cities, without a model instance (issue 14)."""
    cities = {cluster_id: [] for cluster_id in cluster_ids}
    links = (
        Cluster.cities.through.objects.filter(cluster_id__in=list(cities))
        .order_by("city_id")
        .values_list("cluster_id", *(f"city__{field}" for field in fields))
    )
    for cluster_id, *city in links:
        cities[cluster_id].append(tuple(city))
    return cities


def public_cluster_ids():
    """The public clusters' ids in the model's order (field, then name), memoised under the data version.

    A page of the unfiltered list is a slice of it (``OrderedRows``): sorting every public cluster across the
    join to its field, and counting them with that join, for each page of 20 was most of the list's SQL at
    5,025 clusters (2.2 of 2.3 ms; issue 14)."""
    return memoised("public-cluster-ids", lambda: list(Cluster.objects.public().values_list("pk", flat=True)))


class OrderedRows:
    """The ``values()`` rows of ``queryset`` in the order of ``ids``, read one slice at a time: a list a
    Paginator pages through (its length is the count) without the database sorting or counting anything."""

    def __init__(self, ids, queryset):
        self.ids, self.queryset = ids, queryset.order_by()

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        ids = self.ids[index]
        rows = {row["id"]: row for row in self.queryset.filter(pk__in=ids)}
        return [rows[pk] for pk in ids if pk in rows]  # one deleted since the ids were read is left out


# The models' orderings within one cluster. Their Meta orderings start with "cluster", which sorts by the
# cluster's own ordering: a join to the cluster and its field in every prefetch, where all rows share one cluster.
IN_CLUSTER = {
    "lead": ("order", "id"),
    "characteristic": ("category", "id"),
    "target": ("target_year", "indicator__order", "id"),
}


def cluster_list(queryset=None):
    """Public clusters with everything a list row shows, in a fixed number of queries."""
    queryset = Cluster.objects.public() if queryset is None else queryset
    return queryset.select_related("field", "batch").prefetch_related(
        Prefetch("cities", queryset=cities_with_province()),
        Prefetch(
            "lead_enterprises",
            queryset=LeadEnterprise.objects.select_related("enterprise", "source").order_by(*IN_CLUSTER["lead"]),
        ),
    )


def published_evaluations():
    """Published evaluation records with their scheme, source and dimension scores, newest period first."""
    return evaluation_records().order_by("-period", "-revision")


def cluster_detail_queryset(queryset=None):
    """Public clusters with the related rows a cluster page or API detail needs.

    `cluster.published_evaluations` holds the published evaluation records only (a list).
    """
    from clusters.models import Characteristic, EvaluationRecord, IndicatorValue, Measure, Target

    return (
        cluster_list(queryset)
        .select_related("promotion_organization")
        .prefetch_related(
            "sources",
            Prefetch(
                "characteristics",
                queryset=Characteristic.objects.select_related("source").order_by(*IN_CLUSTER["characteristic"]),
            ),
            Prefetch(
                "targets", queryset=Target.objects.select_related("indicator", "source").order_by(*IN_CLUSTER["target"])
            ),
            Prefetch(
                "measures",
                # Uncategorised and undated measures last on every database (SQLite and PostgreSQL disagree on NULLs).
                queryset=Measure.objects.select_related("category", "source")
                .prefetch_related("topics")
                .order_by(F("category__order").asc(nulls_last=True), F("issued_on").asc(nulls_last=True), "id"),
            ),
            Prefetch(
                "indicator_values",
                queryset=IndicatorValue.objects.select_related("indicator", "source").order_by(
                    "indicator__order", "period"
                ),
            ),
            Prefetch(
                "evaluations",
                queryset=evaluation_records(EvaluationRecord.objects.published_by_cluster()).order_by(
                    "-period", "-revision"
                ),
                to_attr="published_evaluations",
            ),
        )
    )


def filter_options():
    """Choices for the list page's filter form: every field, and the provinces and cities holding a public cluster.

    Memoised under the data version: at 5,025 clusters rebuilding them (5 fields, 33 provinces, 339 cities)
    took 38 ms of the list page's 89. Callers only read the objects."""
    return memoised("filter-options", _filter_options)


def _filter_options():
    return {
        "fields": list(Field.objects.all()),
        "provinces": list(Province.objects.holding_public_clusters().order_by("code")),
        "cities": list(cities_with_province().holding_public_clusters()),
    }


def clusters_visible_to(user):
    """Public clusters for everyone; unpublished ones too for active staff allowed to view clusters."""
    if user is not None and user.is_active and user.is_staff and user.has_perm("clusters.view_cluster"):
        return Cluster.objects.all()
    return Cluster.objects.public()


def evaluation_records(queryset=None):
    """Evaluation records (published ones unless given others) with their scheme, source and scores."""
    from clusters.models import DimensionScore, EvaluationRecord

    queryset = EvaluationRecord.objects.published() if queryset is None else queryset
    return queryset.select_related("cluster", "scheme", "source").prefetch_related(
        Prefetch("scores", queryset=DimensionScore.objects.select_related("dimension").order_by("dimension__order"))
    )


def evaluation_list(user=None):
    """The records `user` may see (published only for the public), of the clusters `user` may see."""
    from clusters.models import EvaluationRecord

    visible = EvaluationRecord.objects.visible_to(user).filter(cluster__in=clusters_visible_to(user))
    return evaluation_records(visible)


def measure_list(clusters=None):
    """Measures of the given clusters (default: public ones), plus programme-wide measures (no cluster)."""
    from clusters.models import Measure

    clusters = Cluster.objects.public() if clusters is None else clusters
    return (
        Measure.objects.filter(Q(cluster__isnull=True) | Q(cluster__in=clusters))
        .select_related("cluster", "category", "source")
        .prefetch_related("topics")
    )


def target_list(clusters=None):
    """Targets of the given clusters (default: public ones), with their cluster's values for progress."""
    from clusters.models import IndicatorValue, Target

    clusters = Cluster.objects.public() if clusters is None else clusters
    return (
        Target.objects.filter(cluster__in=clusters)
        .select_related("cluster", "indicator", "source")
        .prefetch_related(
            Prefetch("cluster__indicator_values", queryset=IndicatorValue.objects.order_by("indicator_id", "period"))
        )
    )


def indicator_value_list(clusters=None):
    """Indicator values of the given clusters (default: public ones)."""
    from clusters.models import IndicatorValue

    clusters = Cluster.objects.public() if clusters is None else clusters
    # Values of one period differ by scope only: the id keeps pages stable (the source's order, too).
    return (
        IndicatorValue.objects.filter(cluster__in=clusters)
        .select_related("cluster", "indicator", "source")
        .order_by(*IndicatorValue._meta.ordering, "id")
    )


def _clusters_in(prefix):
    return Q(**{f"{prefix}published": True})


def region_sources():
    """The sources the provinces' economic regions cite (国家统计局's four-region split), for pages that count by region."""
    from clusters.models import Source

    return memoised(
        "region-sources",
        lambda: list(Source.objects.filter(pk__in=Province.objects.exclude(region="").values("region_source"))),
    )


def stats():
    """Headline counts: provinces and cities count only those holding at least one public cluster.

    The home page and /api/stats/ read them; memoised under the data version (computed, they took 54 ms at
    5,025 clusters: five counting queries over every cluster). Callers only read the value."""
    return memoised("stats", _stats)


def _stats():
    public = Cluster.objects.public()
    provinces = (
        Province.objects.annotate(
            count=Count("cities__clusters", filter=_clusters_in("cities__clusters__"), distinct=True)
        )
        .filter(count__gt=0)
        .order_by("-count", "code")
    )
    cities = City.objects.filter(clusters__published=True).distinct()
    fields = (
        Field.objects.annotate(count=Count("clusters", filter=_clusters_in("clusters__")))
        .filter(count__gt=0)
        .order_by("order", "slug")
    )
    by_province = list(provinces)
    return {
        "clusters": public.count(),
        "provinces": len(by_province),
        "cities": cities.count(),
        "by_field": list(fields),
        "by_province": by_province,
        "eastern_clusters": public.filter(cities__province__region=Region.EAST).distinct().count(),
        "synthetic_clusters": public.filter(is_synthetic=True).count(),
    }


def evaluations_waiting(user):
    """How many evaluation records in `user`'s scope wait for the steps `user` may take: review, publication."""
    from clusters import scoping
    from clusters.choices import EvaluationState
    from clusters.models import EvaluationRecord

    records = scoping.limit_to_scope(EvaluationRecord.objects.all(), user)
    counts = records.aggregate(
        review=Count("pk", filter=Q(state=EvaluationState.SUBMITTED)),
        publish=Count("pk", filter=Q(state=EvaluationState.APPROVED)),
    )
    return {
        "review": counts["review"] if user.has_perm("clusters.review_evaluationrecord") else 0,
        "publish": counts["publish"] if user.has_perm("clusters.publish_evaluationrecord") else 0,
    }
