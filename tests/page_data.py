"""Rows for the page and export tests, on top of the shipped data (25 real clusters)."""

import datetime
from decimal import Decimal

from clusters.choices import ClusterStatus, EvaluationState, EvaluationType, Qualifier, Tier
from clusters.models import (
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
    SchemeDimension,
    Source,
    Target,
)
from clusters.services.evaluations import recompute

# The small tables rows point to, read in one query each once per data version (selectors.reference_tables):
# the first read after a change pays them. tests/test_detail_reads.py checks the number.
REFERENCE_QUERIES = 10


def source():
    return Source.objects.get_or_create(
        code="test-pages", defaults={"publisher": "测试出版者", "title": "测试出处", "url": "https://example.org/src"}
    )[0]


def demo_cluster(name="演示生物医药集群", slug="demo-bio", **extra):
    """A synthetic cluster with a target on track, one behind, measures, values and evaluations."""
    src = source()
    cluster = Cluster.objects.create(
        name=name,
        short_name=extra.pop("short_name", "演示生物"),
        slug=slug,
        field=extra.pop("field", None) or Field.objects.get(slug="biotechnology"),
        tier=extra.pop("tier", Tier.PROVINCIAL),
        status=extra.pop("status", ClusterStatus.WARNING),
        origin_year=1999,
        summary="生成的演示集群，用于测试。",
        is_synthetic=True,
        **extra,
    )
    cluster.cities.set(City.objects.filter(code__in=["440300", "441900"]))  # 深圳、东莞
    cluster.sources.add(src)
    enterprise = Enterprise.objects.get_or_create(name=f"{name}链主甲")[0]
    LeadEnterprise.objects.create(cluster=cluster, enterprise=enterprise, source=src)

    output = Indicator.objects.get(code="output-value")
    share = Indicator.objects.get(code="national-share")
    Target.objects.create(
        cluster=cluster,
        indicator=output,
        target_value=Decimal("4000"),
        target_year=2025,
        baseline_value=Decimal("2000"),
        baseline_year=2020,
        original_text="产值突破4000亿元",
        source=src,
    )
    Target.objects.create(
        cluster=cluster,
        indicator=share,
        target_value=Decimal("50"),
        target_year=2025,
        baseline_value=Decimal("20"),
        baseline_year=2020,
        source=src,
    )
    for period, value in [("2020", "2000"), ("2021", "2500"), ("2022", "3000")]:  # line at 2800 in 2022: on track
        IndicatorValue.objects.create(
            cluster=cluster, indicator=output, period=period, value=Decimal(value), source=src, is_synthetic=True
        )
    IndicatorValue.objects.create(  # line at 32 in 2022: behind
        cluster=cluster,
        indicator=share,
        period="2022",
        value=Decimal("25"),
        qualifier=Qualifier.AT_LEAST,
        source=src,
        is_synthetic=True,
    )
    # Two measures the source files under 搭建平台, about funding; one it files nowhere, about talent.
    platforms = MeasureCategory.objects.get(slug="platforms")
    funding = MeasureTopic.objects.get(slug="funding")
    Measure.objects.create(
        cluster=cluster,
        category=platforms,
        title="演示专项资金",
        issued_on=datetime.date(2022, 5, 1),
        document_title="《演示资金管理办法》",
        issuing_body="演示市政府",
        source=src,
    ).topics.add(funding)
    Measure.objects.create(
        cluster=cluster, category=platforms, title="演示早期资金", issued_on=datetime.date(2021, 1, 1), source=src
    ).topics.add(funding)
    Measure.objects.create(cluster=cluster, title="演示人才计划", source=src).topics.add(
        MeasureTopic.objects.get(slug="talent")
    )

    scheme, _ = EvaluationScheme.objects.get_or_create(
        code="test-scheme",
        defaults={
            "name": "演示评估方案",
            "year": 2024,
            "excellent_min": Decimal("85"),
            "good_min": Decimal("70"),
            "pass_min": Decimal("60"),
        },
    )
    dimension, _ = SchemeDimension.objects.get_or_create(
        scheme=scheme, code="collab", defaults={"name": "协同创新", "weight": Decimal("1"), "max_score": Decimal("20")}
    )
    published = EvaluationRecord.objects.create(
        cluster=cluster,
        scheme=scheme,
        period="2024",
        evaluation_type=EvaluationType.ANNUAL_MONITORING,
        evaluating_body="演示评估机构",
        narrative="已发布的演示评估。",
        is_synthetic=True,
        source=src,
    )
    DimensionScore.objects.create(record=published, dimension=dimension, score=Decimal("17.5"))
    recompute(published)  # total and grade as the workflow computes them, never typed
    # Records are born drafts; the workflow service is tested elsewhere, so publish directly here.
    EvaluationRecord.objects.filter(pk=published.pk).update(state=EvaluationState.PUBLISHED)
    EvaluationRecord.objects.create(
        cluster=cluster,
        period="2025",
        evaluation_type=EvaluationType.REVIEW,
        evaluating_body="草稿评估机构",
        narrative="尚未发布的草稿。",
        state=EvaluationState.DRAFT,
    )
    return cluster


def hidden_cluster():
    return Cluster.objects.create(
        name="未公开测试集群",
        short_name="未公开",
        slug="hidden-test",
        field=Field.objects.get(slug="information-technology"),
        tier=Tier.NATIONAL,
        published=False,
    )


def many_clusters(count, prefix="规模", tag="scale"):
    """`count` synthetic clusters made with bulk_create, each with two cities and a lead enterprise."""
    it = Field.objects.get(slug="information-technology")
    clusters = Cluster.objects.bulk_create(
        [
            Cluster(
                name=f"{prefix}测试集群{i:04d}",
                short_name=f"{prefix}{i:04d}",
                slug=f"{tag}-{i:04d}",
                field=it,
                tier=Tier.MUNICIPAL,
                status=ClusterStatus.CULTIVATING,
                is_synthetic=True,
            )
            for i in range(count)
        ]
    )
    clusters = list(Cluster.objects.filter(name__startswith=f"{prefix}测试集群"))
    cities = list(City.objects.order_by("code")[:50])
    through = Cluster.cities.through
    through.objects.bulk_create(
        [through(cluster_id=c.pk, city_id=cities[i % 50].pk) for i, c in enumerate(clusters)]
        + [through(cluster_id=c.pk, city_id=cities[(i + 7) % 50].pk) for i, c in enumerate(clusters)]
    )
    enterprises = Enterprise.objects.bulk_create([Enterprise(name=f"{prefix}企业{i:04d}") for i in range(count)])
    enterprises = list(Enterprise.objects.filter(name__startswith=f"{prefix}企业").order_by("name"))
    LeadEnterprise.objects.bulk_create(
        [LeadEnterprise(cluster=c, enterprise=e) for c, e in zip(clusters, enterprises, strict=True)]
    )
    return clusters


def grow(cluster, count):
    """Give one cluster `count` more measures, values and published evaluations (for detail-page bounds)."""
    src = source()
    platforms = MeasureCategory.objects.get(slug="platforms")
    topics = list(MeasureTopic.objects.all())
    indicators = list(Indicator.objects.all())
    measures = Measure.objects.bulk_create(
        [Measure(cluster=cluster, category=platforms, title=f"批量举措{i}", source=src) for i in range(count)]
    )
    through = Measure.topics.through
    through.objects.bulk_create(
        [through(measure_id=m.pk, measuretopic_id=topics[i % len(topics)].pk) for i, m in enumerate(measures)]
    )
    IndicatorValue.objects.bulk_create(
        [
            IndicatorValue(
                cluster=cluster,
                indicator=indicators[i % len(indicators)],
                period=str(1900 + i // len(indicators)),
                value=Decimal(i),
                source=src,
                is_synthetic=True,
            )
            for i in range(count)
        ]
    )
    EvaluationRecord.objects.bulk_create(
        [
            EvaluationRecord(
                cluster=cluster,
                period=str(1950 + i),
                evaluation_type=EvaluationType.ANNUAL_MONITORING,
                evaluating_body="批量评估",
                state=EvaluationState.PUBLISHED,
                is_synthetic=True,
            )
            for i in range(min(count, 60))
        ]
    )


def listed_clusters(response):
    """The clusters a list page shows, in its order, as model instances (the page itself holds plain rows)."""
    slugs = [row.slug for row in response.context["clusters"]]
    by_slug = Cluster.objects.in_bulk(slugs, field_name="slug")
    return [by_slug[slug] for slug in slugs]
