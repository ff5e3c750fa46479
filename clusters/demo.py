"""Synthetic demo data (演示数据): clusters, indicator values, targets and published evaluations.

For demos and load tests only. Everything created here is marked synthetic (`is_synthetic`, or belongs
to a synthetic cluster or the demo scheme/source), carries names starting with 演示, and is shown as
演示数据 wherever it appears. Generation is deterministic for a seed, replaces any earlier demo data,
writes with bulk inserts (history rows included) and never reads or writes a real record except the
shared reference tables it points to (fields, cities, indicators).
"""

import random
from datetime import UTC, date, datetime
from decimal import Decimal

from django.db import transaction

from clusters.bulk import create_with_history
from clusters.choices import (
    ClusterStatus,
    Conclusion,
    EvaluationState,
    EvaluationType,
    Grade,
    Qualifier,
    SourceKind,
    Tier,
)
from clusters.models import (
    City,
    Cluster,
    DimensionScore,
    EvaluationRecord,
    EvaluationScheme,
    EvaluationTransition,
    Field,
    Indicator,
    IndicatorValue,
    SchemeDimension,
    Source,
    Target,
)
from clusters.services.evaluations import compute_total, grade_for
from portal.caching import bump_data_version

PREFIX = "演示"
SOURCE_CODE = "demo-synthetic"
SCHEME_CODE = "demo-scheme"
SLUG_PREFIX = "demo-"
NARRATIVE = "演示数据：由 generate_demo_data 程序生成，并非真实评估结果。"
BATCH = 2000

# The five areas of the 2024 competition notice, as the demo scheme's dimensions.
DIMENSIONS = [
    ("innovation", "协同创新", Decimal("0.25")),
    ("manufacturing", "先进制造能力", Decimal("0.25")),
    ("enterprises", "优质企业", Decimal("0.20")),
    ("ecosystem", "产业生态", Decimal("0.15")),
    ("governance", "治理体系", Decimal("0.15")),
]
# (indicator code, typical first-year value range, yearly growth range)
INDICATORS = [
    ("output-value", (80, 3000), (0.03, 0.15)),
    ("enterprise-count", (50, 2000), (0.00, 0.08)),
    ("invention-patents", (20, 1500), (0.05, 0.20)),
]
TIERS = [Tier.NATIONAL, Tier.PROVINCIAL, Tier.PROVINCIAL, Tier.MUNICIPAL, Tier.MUNICIPAL, Tier.MUNICIPAL]
STATUSES = [ClusterStatus.CULTIVATING] * 6 + [ClusterStatus.KEY_SUPPORT] * 3 + [ClusterStatus.WARNING]


def _money(value, places="0.01"):
    return Decimal(str(value)).quantize(Decimal(places))


def _demo_source():
    source, _ = Source.objects.update_or_create(
        code=SOURCE_CODE,
        defaults={
            "kind": SourceKind.OTHER,
            "publisher": "演示数据生成程序",
            "title": "演示数据（程序生成，非真实数据）",
            "note": "由 manage.py generate_demo_data 生成，仅供演示和压力测试。",
        },
    )
    return source


def _demo_scheme(source):
    scheme = EvaluationScheme.objects.create(
        code=SCHEME_CODE,
        name=f"{PREFIX}评估方案",
        year=2024,
        version=1,
        description="演示用评估方案，维度取自2024年集群竞赛通知的五个方面；并非真实方案。",
        excellent_min=85,
        good_min=75,
        pass_min=60,
        source=source,
        is_synthetic=True,
    )
    dimensions = [
        SchemeDimension(scheme=scheme, code=code, name=name, weight=weight, max_score=100, order=order)
        for order, (code, name, weight) in enumerate(DIMENSIONS)
    ]
    create_with_history(SchemeDimension, dimensions, reason="演示数据生成")
    return scheme, list(scheme.dimensions.order_by("order"))


def generate(clusters=50, years=3, seed=1, end_year=2024, history=True):
    """Create `clusters` synthetic clusters with `years` years of data ending in `end_year`. Returns counts.

    `history=False` skips the creation entries in the history tables (about twice as fast, for load tests).
    """
    rng = random.Random(seed)
    fields = list(Field.objects.order_by("order", "slug"))
    cities = list(City.objects.order_by("code"))
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=[code for code, *_ in INDICATORS])}
    if not fields or not cities:
        raise ValueError("请先载入随项目发布的数据（领域和行政区划）：manage.py load_portal_data")
    first_year = end_year - years + 1
    reason = "演示数据生成"

    def save_new(model, objs):
        if history:
            return create_with_history(model, objs, reason=reason)
        return model.objects.bulk_create(objs, batch_size=BATCH)

    with transaction.atomic():
        delete()
        source = _demo_source()
        scheme, dimensions = _demo_scheme(source)

        cluster_objs, city_links, abilities = [], [], []
        for n in range(1, clusters + 1):
            field = rng.choice(fields)
            home = rng.choice(cities)
            cluster_objs.append(
                Cluster(
                    name=f"{PREFIX}·{home.name}{field.name}集群{n:05d}",
                    short_name=f"{PREFIX}{home.name[:4]}{field.name[:2]}{n:05d}",
                    slug=f"{SLUG_PREFIX}{n:05d}",
                    field=field,
                    tier=rng.choice(TIERS),
                    status=rng.choice(STATUSES),
                    summary="演示数据：程序生成的示例集群，并非真实集群。",
                    origin_year=rng.randint(1980, 2018),
                    is_synthetic=True,
                )
            )
            extra = rng.sample(cities, k=rng.choice([0, 0, 0, 1, 2]))
            city_links.append([home, *[c for c in extra if c.pk != home.pk]])
            abilities.append(rng.gauss(72, 9))
        cluster_objs = save_new(Cluster, cluster_objs)
        Through = Cluster.cities.through
        Through.objects.bulk_create(
            [
                Through(cluster_id=c.pk, city_id=city.pk)
                for c, links in zip(cluster_objs, city_links, strict=True)
                for city in links
            ],
            batch_size=BATCH,
        )

        values, targets = [], []
        for cluster in cluster_objs:
            for code, (low, high), (g_low, g_high) in INDICATORS:
                indicator = indicators.get(code)
                if indicator is None:
                    continue
                value = rng.uniform(low, high)
                growth = rng.uniform(g_low, g_high)
                start = value
                for year in range(first_year, end_year + 1):
                    values.append(
                        IndicatorValue(
                            cluster=cluster,
                            indicator=indicator,
                            period=str(year),
                            value=_money(value, "0.0001" if code == "output-value" else "1"),
                            qualifier=Qualifier.EXACT,
                            source=source,
                            is_synthetic=True,
                        )
                    )
                    value *= 1 + growth + rng.uniform(-0.03, 0.03)
                if code == "output-value":
                    targets.append(
                        Target(
                            cluster=cluster,
                            indicator=indicator,
                            target_value=_money(start * (1 + g_high) ** (years + 2), "1"),
                            target_year=end_year + 2,
                            baseline_value=_money(start, "0.0001"),
                            baseline_year=first_year,
                            original_text="演示数据：程序生成的目标。",
                            source=source,
                        )
                    )
        save_new(IndicatorValue, values)
        save_new(Target, targets)

        records, score_rows = [], []
        for cluster, ability in zip(cluster_objs, abilities, strict=True):
            for year in range(first_year, end_year + 1):
                ability += rng.gauss(0.5, 3)
                scores = [min(100, max(0, rng.gauss(ability, 8))) for _ in dimensions]
                scores = [_money(s, "0.1") for s in scores]
                total = compute_total(zip(dimensions, scores, strict=True))
                grade = grade_for(scheme, total)
                published = datetime(year, 12, 20, 8, 0, tzinfo=UTC)
                records.append(
                    EvaluationRecord(
                        cluster=cluster,
                        scheme=scheme,
                        period=str(year),
                        evaluation_type=EvaluationType.ANNUAL_MONITORING,
                        evaluating_body=f"{PREFIX}评估机构",
                        evaluated_on=date(year, 12, 15),
                        total=total,
                        grade=grade,
                        conclusion=Conclusion.WARNING if grade == Grade.FAIL else Conclusion.RETAIN,
                        narrative=NARRATIVE,
                        state=EvaluationState.PUBLISHED,
                        source=source,
                        is_synthetic=True,
                        published_at=published,
                    )
                )
                score_rows.append(scores)
        # bulk_create skips save(): demo records are born published, which the workflow never allows
        # for real ones. Each gets one transition saying so.
        records = save_new(EvaluationRecord, records)
        scores = [
            DimensionScore(record=record, dimension=dimension, score=score)
            for record, row in zip(records, score_rows, strict=True)
            for dimension, score in zip(dimensions, row, strict=True)
        ]
        save_new(DimensionScore, scores)
        EvaluationTransition.objects.bulk_create(
            [
                EvaluationTransition(
                    record=record, from_state="", to_state=EvaluationState.PUBLISHED, note="演示数据直接生成为已发布"
                )
                for record in records
            ],
            batch_size=BATCH,
        )
    transaction.on_commit(bump_data_version)  # bulk inserts send no signals
    return {
        "clusters": len(cluster_objs),
        "indicator_values": len(values),
        "targets": len(targets),
        "evaluations": len(records),
        "scores": len(scores),
    }


def _raw_delete(queryset):
    """Delete rows without per-object signals (fast); only ever called on synthetic rows."""
    return queryset._raw_delete(queryset.db)


def delete():
    """Remove every synthetic row this module creates, and their history. Real records are never touched."""
    clusters = Cluster.objects.filter(is_synthetic=True)
    records = EvaluationRecord.objects.filter(is_synthetic=True)
    schemes = EvaluationScheme.objects.filter(is_synthetic=True)
    with transaction.atomic():
        record_ids = records.values("pk")
        counts = {
            "scores": _raw_delete(DimensionScore.objects.filter(record__in=record_ids)),
            "transitions": _raw_delete(EvaluationTransition.objects.filter(record__in=record_ids)),
        }
        _raw_delete(DimensionScore.history.filter(record_id__in=record_ids))
        _raw_delete(EvaluationRecord.indicator_values.through.objects.filter(evaluationrecord__in=record_ids))
        counts["evaluations"] = _raw_delete(EvaluationRecord.objects.filter(is_synthetic=True))
        _raw_delete(EvaluationRecord.history.filter(is_synthetic=True))
        counts["indicator_values"] = _raw_delete(IndicatorValue.objects.filter(is_synthetic=True))
        _raw_delete(IndicatorValue.history.filter(is_synthetic=True))
        cluster_ids = clusters.values("pk")
        counts["targets"] = _raw_delete(Target.objects.filter(cluster__in=cluster_ids))
        _raw_delete(Target.history.filter(cluster_id__in=cluster_ids))
        _raw_delete(Cluster.cities.through.objects.filter(cluster__in=cluster_ids))
        counts["clusters"] = _raw_delete(Cluster.objects.filter(is_synthetic=True))
        _raw_delete(Cluster.history.filter(is_synthetic=True))
        scheme_ids = list(schemes.values_list("pk", flat=True))
        _raw_delete(SchemeDimension.objects.filter(scheme__in=scheme_ids))
        _raw_delete(SchemeDimension.history.filter(scheme_id__in=scheme_ids))
        _raw_delete(EvaluationScheme.objects.filter(pk__in=scheme_ids))
        _raw_delete(EvaluationScheme.history.filter(is_synthetic=True))
        Source.objects.filter(code=SOURCE_CODE).delete()
        transaction.on_commit(bump_data_version)  # raw deletes send no signals
    return counts
