"""The 赛马 view: clusters ranked by total score for one period under one evaluation scheme.

Only published records that have not been corrected by a published revision count
(`EvaluationRecord.objects.current()`), of public clusters, with a computed total. When a cluster has
more than one such record for the period and scheme, its latest one counts. Ties share a rank and the
next rank skips (standard competition ranking: 1, 2, 2, 4). A field or province filter ranks within
the filtered set, in both periods, so rank changes compare like with like.

The previous period is the latest earlier period ranked under the same scheme family (schemes share a
name across versions), so a cluster's rank change survives a new version of the scheme. A cluster not
ranked in the previous period has no change (shown as 新).

The database picks each cluster's latest record (ROW_NUMBER() over its records); the standings — (rank,
record, cluster, total) for every ranked cluster, best first — are memoised per scheme and period under the
data version (portal.caching.memoised), and so are the previous period's totals. A field or province filter
keeps the standings of the filtered clusters and ranks them again in Python; a page reads only its own 50
records and their provinces. Ranking in the database on every request took 190 ms of SQL and 80 ms of
previous-rank counting at 5,025 clusters; the unpaginated page before that took 5.7 s and 2.4 MB. See
tests/test_rankings.py for the query bound.
"""

from bisect import bisect_right
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Exists, F, OuterRef, Window
from django.db.models.functions import RowNumber

from clusters import selectors
from clusters.models import Cluster, EvaluationRecord, EvaluationScheme
from clusters.progress import period_position
from portal.caching import memoised

# A cluster's record that counts: the most recently evaluated, then the most recently published.
LATEST_FIRST = (F("evaluated_on").desc(nulls_last=True), F("published_at").desc(nulls_last=True), F("pk").desc())
# What a ranking row shows of the record and of its cluster (and the cluster's field, from the reference tables).
RECORD_COLUMNS = ("cluster_id", "total", "grade", "conclusion", "is_synthetic")
CLUSTER_COLUMNS = ("name", "short_name", "name_en", "slug", "is_synthetic", "field_id")


class Standing(NamedTuple):
    """One ranked cluster: its rank, the record that counts and its total."""

    rank: int
    record_id: int
    cluster_id: int
    total: Decimal


@dataclass
class RankingRow:
    rank: int
    record: EvaluationRecord
    previous_rank: int | None = None
    provinces: list = field(default_factory=list)  # the cluster's provinces, by code

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


def ranked_schemes():
    """`schemes_with_rankings()` as a list, memoised under the data version (each scheme object also keeps its
    family's periods, read once). Callers only read them."""
    return memoised("ranked-schemes", lambda: list(schemes_with_rankings()))


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


def competition_ranks(entries):
    """Standings of (record id, cluster id, total) sorted best first: ties share a rank, the next skips."""
    standings, rank, last = [], 0, None
    for position, (record_id, cluster_id, total) in enumerate(entries, 1):
        if total != last:
            rank, last = position, total
        standings.append(Standing(rank, record_id, cluster_id, total))
    return standings


def standings(scheme, period):
    """Every public cluster's standing for one scheme and period, best first (memoised per data version)."""

    def build():
        latest = _latest(candidates(period, scheme=scheme)).order_by("-total", "cluster__name", "pk")
        return competition_ranks(latest.values_list("pk", "cluster_id", "total"))

    return memoised(f"ranking:{scheme.pk}:{period}", build)


def family_totals(scheme, period):
    """The totals of the records that count in `period` under any version of the scheme (memoised)."""

    def build():
        return Totals(dict(_latest(candidates(period, scheme__name=scheme.name)).values_list("cluster_id", "total")))

    return memoised(f"ranking-totals:{scheme.name}:{period}", build)


class Totals:
    """{cluster id: total} of one period, sorted once: ranking a page of clusters among 5,000 totals sorted
    them again for every request (1 of the rankings page's 7 ms; issue 14)."""

    def __init__(self, by_cluster):
        self.by_cluster = by_cluster
        self.ascending = sorted(by_cluster.values())

    def within(self, clusters):
        """The totals of these clusters only (a filtered ranking ranks among its own)."""
        return Totals({cluster_id: total for cluster_id, total in self.by_cluster.items() if cluster_id in clusters})

    def ranks(self, cluster_ids):
        """{cluster id: rank} for the given clusters: 1 + the number of strictly higher totals."""
        ascending, count = self.ascending, len(self.ascending)
        return {
            cluster_id: count - bisect_right(ascending, self.by_cluster[cluster_id]) + 1
            for cluster_id in cluster_ids
            if cluster_id in self.by_cluster
        }


def provinces_of(cluster_ids):
    """{cluster id: [Province]} by code, from the clusters' memoised cities (``selectors.cities_of``)."""
    return {cluster_id: Cluster.provinces_in(cities) for cluster_id, cities in selectors.cities_of(cluster_ids).items()}


@dataclass
class Ranking:
    scheme: EvaluationScheme | None
    period: str | None
    previous_period: str | None = None
    # Every ranked cluster's Standing, best first; slice it (paginate) before reading rows.
    standings: list = field(default_factory=list)
    # The ids of the clusters ranked (a filter's), or None for every public cluster.
    clusters: set | None = None

    def rows(self, standings=None):
        """RankingRows for `standings` (a page of `self.standings`; all of them by default), with previous ranks."""
        standings = list(self.standings if standings is None else standings)
        if not standings:
            return []
        cluster_ids = [s.cluster_id for s in standings]
        # Narrow rows (no summaries, no narratives), the records and their clusters each by primary key.
        records = EvaluationRecord.objects.filter(pk__in=[s.record_id for s in standings]).only(*RECORD_COLUMNS)
        records = records.order_by().in_bulk()
        clusters = selectors.clusters_by_id(cluster_ids, CLUSTER_COLUMNS)
        selectors.attach_reference(clusters.values(), "field", "fields")
        for record in records.values():
            record.cluster = clusters[record.cluster_id]
        previous = {}
        if self.previous_period is not None:
            totals = family_totals(self.scheme, self.previous_period)
            if self.clusters is not None:
                totals = totals.within(self.clusters)
            previous = totals.ranks(cluster_ids)
        provinces = provinces_of(cluster_ids)
        return [
            RankingRow(s.rank, records[s.record_id], previous.get(s.cluster_id), provinces.get(s.cluster_id, []))
            for s in standings
        ]


def ranking(scheme, period, clusters=None):
    """The ranking for one scheme and period, optionally within `clusters` (a Cluster queryset)."""
    if scheme is None or period is None:
        return Ranking(scheme=scheme, period=period)
    ranked = standings(scheme, period)
    allowed = None
    if clusters is not None:
        allowed = set(clusters.order_by().values_list("pk", flat=True))
        ranked = competition_ranks((s.record_id, s.cluster_id, s.total) for s in ranked if s.cluster_id in allowed)
    return Ranking(scheme, period, previous_period(scheme, period), ranked, allowed)
