"""Reads shared by the pages, the API, the exports and the admin: one query fix lands everywhere."""

import functools

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery

from clusters.choices import Region
from clusters.models import (
    Batch,
    Characteristic,
    City,
    Cluster,
    DimensionScore,
    Enterprise,
    EvaluationRecord,
    EvaluationScheme,
    Field,
    Indicator,
    IndicatorValue,
    LeadEnterprise,
    Measure,
    MeasureCategory,
    MeasureTopic,
    PromotionOrganization,
    Province,
    SchemeDimension,
    Source,
    Target,
)
from clusters.prepared import Prepared, run_together
from portal.caching import memoised


def cities_with_province():
    return City.objects.select_related("province").order_by("code")


def cities_of(cluster_ids, links=None):
    """{cluster id: [City, with its province] by city code} for these clusters: the codes from ``links``
    ({cluster id: codes}; by default every cluster's, memoised: ``city_links``), the cities from
    ``reference_tables``. What the list page and the API list show of their rows' cities, with no query per
    page (issue 14)."""
    links = city_links() if links is None else links
    codes = [code for cluster_id in cluster_ids for code in links.get(cluster_id, ())]
    cities = _with_missing(reference_tables()["cities"], codes, cities_with_province())
    return {cluster_id: [cities[code] for code in links.get(cluster_id, ())] for cluster_id in cluster_ids}


def city_links():
    """{cluster id: (city code, …) by code} of every cluster, memoised under the data version: at 5,025
    clusters one query of 8,000 pairs (7 ms) after each change, instead of one query per page (0.27 ms)."""

    def build():
        links = {}
        for cluster_id, code in Cluster.cities.through.objects.order_by("cluster_id", "city_id").values_list(
            "cluster_id", "city_id"
        ):
            links.setdefault(cluster_id, []).append(code)
        return {cluster_id: tuple(codes) for cluster_id, codes in links.items()}

    return memoised("city-links", build)


def lead_names():
    """{cluster id: [enterprise name, …] in the source's order} of every cluster with lead enterprises,
    memoised under the data version: the list page names a few per row."""

    def build():
        names = {}
        for cluster_id, name in LeadEnterprise.objects.order_by("cluster_id", *IN_CLUSTER["lead"]).values_list(
            "cluster_id", "enterprise__name"
        ):
            names.setdefault(cluster_id, []).append(name)
        return names

    return memoised("lead-names", build)


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


# How a cluster's rows are ordered on its page and API detail. Their models' Meta orderings start with
# "cluster", which sorts by the cluster's own ordering: a join to the cluster and its field for rows that all
# share one cluster. Rows ordered by what they point to are sorted in Python once those are attached
# (``read_detail``): compiling an ORDER BY across a join cost more than the few rows it sorted.
IN_CLUSTER = {
    "lead": ("order", "id"),
    "characteristic": ("category", "id"),
}
BY_REFERENCE = {
    "targets": lambda t: (t.target_year, t.indicator.order, t.pk),
    # Uncategorised and undated measures last.
    "measures": lambda m: (
        m.category is None,
        m.category.order if m.category else 0,
        m.issued_on is None,
        m.issued_on or 0,
        m.pk,
    ),
    "indicator_values": lambda v: (v.indicator.order, v.period, v.pk),
}


def cluster_list(queryset=None):
    """Public clusters (or ``queryset``'s) with everything a list row shows, in a fixed number of queries."""
    if queryset is None:
        # Built once per process and cloned per call, as a view's class-level queryset is: building it
        # (a filter, two joins, two prefetches with their own querysets) took 0.2 ms of each filtered page.
        return _public_cluster_list().all()
    return _with_list_rows(queryset)


def _with_list_rows(queryset):
    return queryset.select_related("field", "batch").prefetch_related(
        Prefetch("cities", queryset=cities_with_province()),
        Prefetch(
            "lead_enterprises",
            queryset=LeadEnterprise.objects.select_related("enterprise", "source").order_by(*IN_CLUSTER["lead"]),
        ),
    )


@functools.cache
def _public_cluster_list():
    return _with_list_rows(Cluster.objects.public())


# What a detail shows of its cluster's own row besides its columns: each relation, and the reference table
# (``reference_tables``) that holds its rows.
DETAIL_CLUSTER_RELATIONS = {"field": "fields", "batch": "batches", "promotion_organization": "promotion_organizations"}


def cluster_detail_queryset(queryset=None):
    """Clusters (public ones unless ``queryset`` says otherwise) with what a detail shows of their own row;
    ``read_detail`` adds the related rows to the one fetched."""
    queryset = Cluster.objects.public() if queryset is None else queryset
    return queryset.select_related(*DETAIL_CLUSTER_RELATIONS)


def by_cluster(build):
    """``build(cluster_id)``'s rows for one cluster at a time (``Prepared``), the cluster named by its slug: its id
    is a subquery, so the reads need not wait for the cluster's own lookup and go in one round trip with it
    (``read_cluster``)."""
    return Prepared(lambda slug: build(_id_of(slug)), placeholder="\x00")


def _id_of(slug):
    # Unordered: the model's order would join each read's subquery to the field table and sort its one row.
    return Subquery(Cluster.objects.filter(slug=slug).order_by().values("pk"))


NEWEST_RECORD_FIRST = ("-period", "-revision", "-id")
SCHEME_ORDER = ("dimension__order", "dimension_id")  # a record's scores

# Each kind a cluster's page and API detail show, read by the cluster's id (``read_detail``).
_DETAIL_READS = {
    "sources": by_cluster(lambda pk: Source.objects.filter(clusters=pk)),
    "lead_enterprises": by_cluster(
        lambda pk: (
            LeadEnterprise.objects.filter(cluster_id=pk)
            .annotate(enterprise_name=F("enterprise__name"))
            .order_by(*IN_CLUSTER["lead"])
        )
    ),
    "characteristics": by_cluster(
        lambda pk: Characteristic.objects.filter(cluster_id=pk).order_by(*IN_CLUSTER["characteristic"])
    ),
    # Sorted by BY_REFERENCE once what they point to is attached.
    "targets": by_cluster(lambda pk: Target.objects.filter(cluster_id=pk).order_by()),
    "measures": by_cluster(lambda pk: Measure.objects.filter(cluster_id=pk).order_by()),
    "indicator_values": by_cluster(lambda pk: IndicatorValue.objects.filter(cluster_id=pk).order_by()),
    # Its own links, not the memo's: a write's response reads the cluster back before the version moves on.
    "city_links": by_cluster(lambda pk: Cluster.cities.through.objects.filter(cluster_id=pk).order_by("city_id")),
    # One topic per (measure, topic) link, in the topics' order, as prefetch_related("topics") reads them.
    "topics": by_cluster(
        lambda pk: MeasureTopic.objects.filter(measures__cluster_id=pk).annotate(measure_id=F("measures"))
    ),
    # Every record's, in the scheme's order; those of records the reader may not see are dropped.
    "scores": by_cluster(lambda pk: DimensionScore.objects.filter(record__cluster_id=pk).order_by(*SCHEME_ORDER)),
}
_PUBLISHED_RECORDS = by_cluster(
    lambda pk: EvaluationRecord.objects.published_by_cluster().filter(cluster_id=pk).order_by(*NEWEST_RECORD_FIRST)
)


# The cluster a page or an API detail names, by whether its reader sees unpublished clusters (``read_cluster``).
_CLUSTER_BY_SLUG = {  # no slug holds a NUL
    sees: Prepared(lambda slug, sees=sees: _visible_clusters(sees).filter(slug=slug), placeholder="\x00")
    for sees in (False, True)
}


def read_cluster(slug, user=None, evaluations=None):
    """The cluster with this slug that ``user`` may see (``clusters_visible_to``), or None, with what
    ``cluster_detail_queryset`` joins (``DETAIL_CLUSTER_RELATIONS``) from ``reference_tables`` and
    ``read_detail``'s rows.

    The lookup and the reads go to the database together (one round trip on PostgreSQL), the reads naming the
    cluster by its slug; what they read of a cluster ``user`` may not see is dropped unseen. The ORM's lookup
    with select_related took 0.5 ms of the cluster page at 5,025 clusters, DRF's get_object 0.9 ms of the API
    detail; as a compiled read 0.18, and in the reads' round trip the API detail took 3.90 ms of wall time
    instead of 4.21 (issue 14)."""
    reads = _detail_reads(evaluations)
    found, *rows = run_together([_CLUSTER_BY_SLUG[sees_unpublished_clusters(user)], *reads.values()], slug)
    cluster = _with_relations(found)
    if cluster is not None:
        _hold_detail(cluster, dict(zip(reads, rows, strict=True)), evaluations)
    return cluster


def _with_relations(found):
    references = reference_tables()
    for relation, table in DETAIL_CLUSTER_RELATIONS.items():
        related = Cluster._meta.get_field(relation).related_model
        _attach(found, relation, references[table], related.objects)
    return found[0] if found else None


def read_detail(cluster, evaluations=None):
    """Hold on ``cluster`` every related row its page and API detail show, as prefetch_related would have:
    ``cluster.measures.all()`` and the others answer without a query. ``cluster.shown_evaluations`` lists
    ``evaluations`` (default: the published records) with their scores, newest period first.

    One query per kind, by the cluster's slug, compiled once per process and sent together (``clusters.prepared``);
    the indicators, categories, cities, schemes and dimensions the rows point to come from ``reference_tables()``.
    At 5,025 clusters prefetch_related with select_related took 5.7 ms for this, half of the cluster page
    (issue 14)."""
    reads = _detail_reads(evaluations)
    _hold_detail(cluster, dict(zip(reads, run_together(list(reads.values()), cluster.slug), strict=True)), evaluations)
    return cluster


def _detail_reads(evaluations):
    return _DETAIL_READS | ({"records": _PUBLISHED_RECORDS} if evaluations is None else {})


def _hold_detail(cluster, rows, evaluations):
    if evaluations is None:
        records = rows.pop("records")
    else:
        records = list(evaluations.filter(cluster_id=cluster.pk).order_by(*NEWEST_RECORD_FIRST))
    codes = [link.city_id for link in rows.pop("city_links")]
    rows["cities"] = cities_of([cluster.pk], {cluster.pk: codes})[cluster.pk]
    for lead in rows["lead_enterprises"]:
        lead.enterprise = Enterprise.from_db(lead._state.db, ["id", "name"], [lead.enterprise_id, lead.enterprise_name])

    references = reference_tables()
    owned = [*rows["lead_enterprises"], *rows["characteristics"], *rows["targets"], *rows["measures"]]
    owned += [*rows["indicator_values"], *records]
    for row in owned:
        row.cluster = cluster
    _attach(owned, "source", references["sources"], Source.objects)
    _attach([*rows["targets"], *rows["indicator_values"]], "indicator", references["indicators"], Indicator.objects)
    _attach(rows["measures"], "category", references["categories"], MeasureCategory.objects)
    for name, key in BY_REFERENCE.items():
        rows[name].sort(key=key)
    _hold_by(rows.pop("topics"), "measure_id", rows["measures"], "topics")
    _hold_scores(records, rows.pop("scores"), references)
    for name, held in rows.items():
        _hold(cluster, name, held)
    cluster.shown_evaluations = records


def read_records(ids):
    """The evaluation records with these ids, in this order, with what ``evaluation_records`` joins and prefetches
    held on them: the cluster, and the scheme, the source and the scores' dimensions from ``reference_tables``.

    At 5,025 clusters the API's page of 50 records took 17.2 ms of CPU and 21 ms of wall time through select_related
    and prefetch_related, which built 700 model instances, 300 of them copies of a few schemes, sources and
    dimensions; read this way, 15.1 and 17.1 (issue 14)."""
    found = EvaluationRecord.objects.filter(pk__in=ids).order_by().in_bulk()
    records = [found[pk] for pk in ids if pk in found]
    clusters = clusters_by_id({record.cluster_id for record in records})
    for record in records:
        record.cluster = clusters[record.cluster_id]
    attach_reference(records, "source", "sources")
    scores = DimensionScore.objects.filter(record_id__in=ids).order_by(*SCHEME_ORDER) if records else []
    _hold_scores(records, scores, reference_tables())
    return records


def clusters_by_id(ids, columns=()):
    """{id: Cluster} for a page's rows' clusters (only ``columns``, if given), read by primary key.

    Joined to a page of 50 rows instead, PostgreSQL scanned every cluster (1-3 ms at 5,025 clusters, growing with
    them): at its default cost of a random read, 50 probes of the primary key looked dearer than the scan."""
    clusters = Cluster.objects.filter(pk__in=ids).order_by()
    return (clusters.only(*columns) if columns else clusters).in_bulk()


def _hold_scores(records, scores, references):
    """Attach each record's scheme and hold its ``scores`` (those of other records dropped), each with its
    dimension and record, as ``records[i].scores.all()``."""
    _attach(records, "scheme", references["schemes"], EvaluationScheme.objects)
    shown = {record.pk: record for record in records}
    scores = [score for score in scores if score.record_id in shown]
    _attach(scores, "dimension", references["dimensions"], SchemeDimension.objects)
    for score in scores:
        score.record = shown[score.record_id]
    _hold_by(scores, "record_id", records, "scores")


def _hold_by(rows, key, owners, name):
    """Hold ``rows`` as ``owner.<name>.all()`` of the owner whose id is each row's ``key``."""
    by_owner = {}
    for row in rows:
        by_owner.setdefault(getattr(row, key), []).append(row)
    for owner in owners:
        _hold(owner, name, by_owner.get(owner.pk, []))


def _hold(instance, name, rows):
    """Keep ``rows`` as ``instance.<name>.all()`` as Django's prefetch_one_level keeps what it fetched: the
    related manager's queryset with its result cache filled (a filter chained onto it queries this relation)."""
    queryset = getattr(instance, name).get_queryset()
    queryset._result_cache, queryset._prefetch_done = rows, True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset


def reference_tables():
    """The small tables rows point to (sources, indicators, measure categories, provinces, cities with their
    province, evaluation schemes and their dimensions, fields, batches, promotion organizations), by primary
    key, memoised under the data version."""
    return memoised(
        "reference-tables",
        lambda: {
            "sources": Source.objects.in_bulk(),
            "indicators": Indicator.objects.in_bulk(),
            "categories": MeasureCategory.objects.in_bulk(),
            "provinces": Province.objects.in_bulk(),
            "cities": cities_with_province().in_bulk(),
            "schemes": EvaluationScheme.objects.in_bulk(),
            "dimensions": SchemeDimension.objects.in_bulk(),
            "fields": Field.objects.in_bulk(),
            "batches": Batch.objects.in_bulk(),
            "promotion_organizations": PromotionOrganization.objects.in_bulk(),
        },
    )


def attach_reference(rows, name, table):
    """Set each of ``rows``' foreign key ``name`` to its row of ``reference_tables()[table]``, as select_related
    would."""
    rows = list(rows)
    if rows:
        related = rows[0]._meta.get_field(name).related_model
        _attach(rows, name, reference_tables()[table], related.objects)


def _attach(rows, name, held, queryset):
    """Set each row's foreign key ``name`` to its object from ``held``, as select_related would (see
    ``_with_missing``)."""
    ids = [getattr(row, f"{name}_id") for row in rows]
    held = _with_missing(held, ids, queryset)
    for row, pk in zip(rows, ids, strict=True):
        setattr(row, name, held.get(pk))


def _with_missing(held, keys, queryset):
    """``held`` (a memo by primary key) with those of ``keys`` it lacks read from ``queryset``: a row written
    after the memo was built may be read before the data version moves on."""
    missing = set(keys) - held.keys() - {None}
    return {**held, **queryset.in_bulk(missing)} if missing else held


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


def sees_unpublished_clusters(user):
    """Active staff allowed to view clusters see unpublished ones too; everyone else only public ones."""
    return user is not None and user.is_active and user.is_staff and user.has_perm("clusters.view_cluster")


def clusters_visible_to(user):
    return _visible_clusters(sees_unpublished_clusters(user))


def _visible_clusters(sees_unpublished):
    return Cluster.objects.all() if sees_unpublished else Cluster.objects.public()


def evaluation_records(queryset=None):
    """Evaluation records (published ones unless given others) with their scheme, source and scores."""

    queryset = EvaluationRecord.objects.published() if queryset is None else queryset
    return queryset.select_related("cluster", "scheme", "source").prefetch_related(scores())


def scores():
    """An evaluation record's dimension scores, with their dimension, in the scheme's order (a Prefetch)."""
    return Prefetch("scores", queryset=DimensionScore.objects.select_related("dimension").order_by(*SCHEME_ORDER))


def evaluation_list(user=None):
    """The records `user` may see (published only for the public), of the clusters `user` may see."""

    visible = EvaluationRecord.objects.visible_to(user).filter(cluster__in=clusters_visible_to(user))
    return evaluation_records(visible)


def measure_list(clusters=None):
    """Measures of the given clusters (default: public ones), plus programme-wide measures (no cluster)."""

    clusters = Cluster.objects.public() if clusters is None else clusters
    return (
        Measure.objects.filter(Q(cluster__isnull=True) | Q(cluster__in=clusters))
        .select_related("cluster", "category", "source")
        .prefetch_related("topics")
    )


def target_list(clusters=None):
    """Targets of the given clusters (default: public ones), with the values of their cluster that progress reads."""

    clusters = Cluster.objects.public() if clusters is None else clusters
    # Only the values progress can read: those of an indicator one of the cluster's targets measures. At 5,025
    # clusters a page's 50 clusters held 450 values, 300 of them never read.
    targeted = Target.objects.filter(cluster_id=OuterRef("cluster_id"), indicator_id=OuterRef("indicator_id"))
    values = IndicatorValue.objects.filter(Exists(targeted)).order_by("indicator_id", "period")
    return (
        Target.objects.filter(cluster__in=clusters)
        .select_related("cluster", "indicator", "source")
        .prefetch_related(Prefetch("cluster__indicator_values", queryset=values))
    )


def indicator_value_list(clusters=None):
    """Indicator values of the given clusters (default: public ones)."""

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

    records = scoping.limit_to_scope(EvaluationRecord.objects.all(), user)
    counts = records.aggregate(
        review=Count("pk", filter=Q(state=EvaluationState.SUBMITTED)),
        publish=Count("pk", filter=Q(state=EvaluationState.APPROVED)),
    )
    return {
        "review": counts["review"] if user.has_perm("clusters.review_evaluationrecord") else 0,
        "publish": counts["publish"] if user.has_perm("clusters.publish_evaluationrecord") else 0,
    }
