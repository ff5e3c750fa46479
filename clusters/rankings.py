"""The 赛马 view: clusters ranked by total score for one period under one evaluation scheme.

Only published records that have not been corrected by a published revision count
(`EvaluationRecord.objects.current()`), of public clusters, with a computed total. When a cluster has
more than one such record for the period and scheme, its latest one counts. Ties share a rank and the
next rank skips (standard competition ranking: 1, 2, 2, 4). A field or province filter ranks within
the filtered set, in both periods, so rank changes compare like with like.

The previous period is the latest earlier period ranked under the same scheme family (schemes share a
name across versions), so a cluster's rank change survives a new version of the scheme. A cluster not
ranked in the previous period has no change (shown as 新).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch

from clusters.models import City, Cluster, EvaluationRecord, EvaluationScheme
from clusters.progress import period_position


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


@dataclass
class Ranking:
    scheme: EvaluationScheme | None
    period: str | None
    previous_period: str | None = None
    rows: list[RankingRow] = field(default_factory=list)


def ranked_records():
    """Records that may appear in a ranking: current published results of public clusters, with a total."""
    return EvaluationRecord.objects.current().filter(cluster__published=True, total__isnull=False)


def schemes_with_rankings():
    """Schemes that have at least one rankable record, newest first."""
    return EvaluationScheme.objects.filter(pk__in=ranked_records().values("scheme")).order_by(
        "-year", "name", "-version"
    )


def periods_for(scheme):
    """Periods ranked under a scheme, latest first."""
    periods = set(ranked_records().filter(scheme=scheme).values_list("period", flat=True).distinct())
    return sorted(periods, key=period_position, reverse=True)


def previous_period(scheme, period):
    """The latest period before `period` ranked under any version of the scheme."""
    family = EvaluationScheme.objects.filter(name=scheme.name)
    periods = set(ranked_records().filter(scheme__in=family).values_list("period", flat=True).distinct())
    earlier = [p for p in periods if period_position(p) < period_position(period)]
    return max(earlier, key=period_position, default=None)


def _filtered(records, field_slug=None, province_code=None):
    if field_slug:
        records = records.filter(cluster__field__slug=field_slug)
    if province_code:
        records = records.filter(
            cluster__in=Cluster.cities.through.objects.filter(city__province__code=province_code).values("cluster")
        )
    return records


def _latest_per_cluster(records):
    """One record per cluster: the most recently evaluated (then published) one."""
    chosen = {}
    for record in records:
        key = (
            record.evaluated_on or date.min,
            record.published_at.timestamp() if record.published_at else 0.0,
            record.pk,
        )
        current = chosen.get(record.cluster_id)
        if current is None or key > current[0]:
            chosen[record.cluster_id] = (key, record)
    return [record for _, record in chosen.values()]


def assign_ranks(records):
    """Sort by total (desc, then cluster name) and give ties the same rank: 1, 2, 2, 4."""
    ordered = sorted(records, key=lambda r: (-r.total, r.cluster.name))
    rows = []
    for position, record in enumerate(ordered, start=1):
        rank = rows[-1].rank if rows and record.total == rows[-1].record.total else position
        rows.append(RankingRow(rank=rank, record=record))
    return rows


def ranking(scheme, period, *, field_slug=None, province_code=None):
    """The ranking for one scheme and period, optionally within one field and/or province."""
    if scheme is None or period is None:
        return Ranking(scheme=scheme, period=period)
    records = (
        _filtered(ranked_records().filter(scheme=scheme, period=period), field_slug, province_code)
        .select_related("cluster__field", "scheme")
        .prefetch_related(Prefetch("cluster__cities", queryset=City.objects.select_related("province")))
    )
    rows = assign_ranks(_latest_per_cluster(records))

    before = previous_period(scheme, period)
    if before is not None:
        family = EvaluationScheme.objects.filter(name=scheme.name)
        earlier = _filtered(
            ranked_records().filter(scheme__in=family, period=before), field_slug, province_code
        ).select_related("cluster")
        previous_ranks = {row.record.cluster_id: row.rank for row in assign_ranks(_latest_per_cluster(earlier))}
        for row in rows:
            row.previous_rank = previous_ranks.get(row.record.cluster_id)
    return Ranking(scheme=scheme, period=period, previous_period=before, rows=rows)
