"""The 赛马 view: clusters ranked by total score for one period under one evaluation scheme.

Only published records that have not been corrected by a published revision count
(`EvaluationRecord.objects.current()`), of public clusters, with a computed total. When a cluster has
more than one such record for the period and scheme, its latest one counts. Ties share a rank and the
next rank skips (standard competition ranking: 1, 2, 2, 4). A field or province filter ranks within
the filtered set, in both periods, so rank changes compare like with like.

The previous period is the latest earlier period ranked under the same scheme family (schemes share a
name across versions), so a cluster's rank change survives a new version of the scheme. A cluster not
ranked in the previous period has no change (shown as 新).

The database ranks (ROW_NUMBER() picks each cluster's latest record, RANK() OVER (ORDER BY total DESC)
numbers them), so a page of the ranking reads only its own rows and ranks stay global across pages.
A previous rank is 1 + the number of clusters with a higher previous total, counted for the page's
clusters in one aggregate. At 5,025 clusters the unpaginated page took 5.7 s and 2.4 MB; see
tests/test_rankings.py for the query bound.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Window
from django.db.models.functions import Rank, RowNumber

from clusters.models import City, EvaluationRecord, EvaluationScheme
from clusters.progress import period_position

# A cluster's record that counts: the most recently evaluated, then the most recently published.
LATEST_FIRST = (F("evaluated_on").desc(nulls_last=True), F("published_at").desc(nulls_last=True), F("pk").desc())
# What a ranking row shows.
ROW_COLUMNS = (
    "cluster_id",
    "total",
    "grade",
    "conclusion",
    "is_synthetic",
    "cluster__name",
    "cluster__short_name",
    "cluster__name_en",
    "cluster__slug",
    "cluster__is_synthetic",
    "cluster__field__name",
    "cluster__field__name_en",
)


@dataclass
class RankingRow:
    rank: int
    record: EvaluationRecord
    previous_rank: int | None = None

    @property
    def cluster(self):
        return self.record.cluster

    @property
    def total(self) -> Decimal:
        return self.record.total

    @property
    def change(self):
        """Places gained since the previous period (positive = up), or None when not ranked then."""
        return None if self.previous_rank is None else self.previous_rank - self.rank

    @property
    def places(self):
        return abs(self.change) if self.change else 0

    @property
    def is_synthetic(self):
        return self.record.is_synthetic or self.record.cluster.is_synthetic


def ranked_records():
    """Records that may appear in a ranking: current published results of public clusters, with a total."""
    return EvaluationRecord.objects.current().filter(cluster__published=True, total__isnull=False)


def schemes_with_rankings():
    """Schemes that have at least one rankable record, newest first."""
    rankable = ranked_records().filter(scheme=OuterRef("pk"))
    return EvaluationScheme.objects.filter(Exists(rankable)).order_by("-year", "name", "-version")


def _family_periods(scheme):
    """{(scheme id, period)} ranked under any version of `scheme`; read once per scheme object."""
    if not hasattr(scheme, "_family_periods"):
        # order_by(): the records' default ordering would join clusters and defeat DISTINCT.
        ranked = ranked_records().filter(scheme__name=scheme.name).order_by()
        scheme._family_periods = set(ranked.values_list("scheme_id", "period").distinct())
    return scheme._family_periods


def periods_for(scheme):
    """Periods ranked under a scheme, latest first."""
    periods = {period for scheme_id, period in _family_periods(scheme) if scheme_id == scheme.pk}
    return sorted(periods, key=period_position, reverse=True)


def previous_period(scheme, period):
    """The latest period before `period` ranked under any version of the scheme."""
    earlier = [p for _, p in _family_periods(scheme) if period_position(p) < period_position(period)]
    return max(earlier, key=period_position, default=None)


def _latest(records):
    """The record that counts for each cluster among `records` (a window over each cluster's records)."""
    numbered = records.annotate(nth=Window(RowNumber(), partition_by=F("cluster_id"), order_by=LATEST_FIRST))
    return EvaluationRecord.objects.filter(pk__in=numbered.filter(nth=1).values("pk"))


def candidates(period, clusters=None, **scheme):
    """Rankable records for `period` under the `scheme=…` lookup, of `clusters` if given (several per cluster)."""
    records = ranked_records().filter(period=period, **scheme)
    return records if clusters is None else records.filter(cluster__in=clusters.values("pk"))


def previous_ranks(records, cluster_ids):
    """{cluster id: rank} among `records` (candidates of the previous period) for the given clusters only.

    One query reads those clusters' totals, one counts the higher totals for each of them.
    """
    totals = dict(_latest(records.filter(cluster_id__in=cluster_ids)).values_list("cluster_id", "total"))
    distinct = sorted(set(totals.values()))
    if not distinct:
        return {}
    higher = _latest(records).aggregate(
        **{f"t{i}": Count("pk", filter=Q(total__gt=total)) for i, total in enumerate(distinct)}
    )
    rank = {total: higher[f"t{i}"] + 1 for i, total in enumerate(distinct)}
    return {cluster_id: rank[total] for cluster_id, total in totals.items()}


@dataclass
class Ranking:
    scheme: EvaluationScheme | None
    period: str | None
    previous_period: str | None = None
    # Every ranked record, best first, each with `.rank`; slice it (paginate) before reading.
    records: QuerySet | None = None
    clusters: QuerySet | None = None

    def rows(self, records=None):
        """RankingRows for `records` (a page of `self.records`; all of them by default), with previous ranks."""
        records = list(self.records if records is None else records)
        previous = {}
        if records and self.previous_period is not None:
            earlier = candidates(self.previous_period, self.clusters, scheme__name=self.scheme.name)
            previous = previous_ranks(earlier, [record.cluster_id for record in records])
        return [RankingRow(record.rank, record, previous.get(record.cluster_id)) for record in records]


def ranking(scheme, period, clusters=None):
    """The ranking for one scheme and period, optionally within `clusters` (a Cluster queryset)."""
    if scheme is None or period is None:
        return Ranking(scheme=scheme, period=period, records=EvaluationRecord.objects.none())
    records = (
        _latest(candidates(period, clusters, scheme=scheme))
        .annotate(rank=Window(Rank(), order_by=F("total").desc()))
        .select_related("cluster__field")
        .only(*ROW_COLUMNS)  # every ranked row is sorted: keep the rows narrow (no summaries, no narratives)
        .prefetch_related(Prefetch("cluster__cities", queryset=City.objects.select_related("province")))
        .order_by("-total", "cluster__name", "pk")
    )
    return Ranking(scheme, period, previous_period(scheme, period), records, clusters)
