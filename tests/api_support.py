"""Helpers for the API tests: users with exact permissions, evaluation records, synthetic clusters in bulk."""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from rest_framework.authtoken.models import Token

from clusters.choices import ClusterStatus, EvaluationState, EvaluationType, Grade, Qualifier, Tier
from clusters.models import (
    City,
    Cluster,
    DimensionScore,
    EvaluationRecord,
    EvaluationScheme,
    Field,
    Indicator,
    IndicatorValue,
    Measure,
    MeasureCategory,
    MeasureTopic,
    SchemeDimension,
    Source,
    StaffScope,
    Target,
)


def make_user(username, *codenames, staff=True):
    """A user holding exactly the given `clusters` permissions (codenames such as "add_cluster").

    Staff get a nationwide scope: these tests are about model permissions; the role scope has its
    own matrix in test_roles.py (a staff member with no scope reaches no records).
    """
    user = get_user_model().objects.create_user(username, password="x-Secret-123", is_staff=staff)
    if staff:
        StaffScope.objects.create(user=user, is_national=True)
    if codenames:
        user.user_permissions.set(Permission.objects.filter(content_type__app_label="clusters", codename__in=codenames))
    return get_user_model().objects.get(pk=user.pk)  # fresh: no stale permission cache


def token_for(user):
    return Token.objects.get_or_create(user=user)[0].key


def make_evaluation(cluster, state=EvaluationState.PUBLISHED, period="2023", **fields):
    """A record in `state`. Records are born drafts (the model insists); the state is then set in bulk,
    as a fixture would, rather than walking the review workflow each time."""
    record = EvaluationRecord.objects.create(
        cluster=cluster,
        period=period,
        evaluation_type=fields.pop("evaluation_type", EvaluationType.ANNUAL_MONITORING),
        evaluating_body=fields.pop("evaluating_body", "测试评估机构"),
        grade=fields.pop("grade", Grade.GOOD),
        **fields,
    )
    if state != EvaluationState.DRAFT:
        EvaluationRecord.objects.filter(pk=record.pk).update(state=state)
        record.refresh_from_db()
    return record


def make_synthetic_clusters(n, *, per_cluster=2, start=0):
    """`n` public synthetic clusters, each with two cities and `per_cluster` measures, targets, indicator
    values and published evaluations (with dimension scores), all written with bulk_create."""
    field = Field.objects.order_by("order").first()
    cities = list(City.objects.order_by("code")[:40])
    source = Source.objects.get(code="seed-004")
    category = MeasureCategory.objects.order_by("order").first()
    indicators = list(Indicator.objects.order_by("order")[:per_cluster])
    assert len(indicators) == per_cluster
    scheme, _ = EvaluationScheme.objects.get_or_create(
        code="synthetic-test-scheme",
        defaults={
            "name": "测试方案（演示数据）",
            "year": 2024,
            "excellent_min": Decimal("85"),
            "good_min": Decimal("70"),
            "pass_min": Decimal("60"),
        },
    )
    dimensions = [
        SchemeDimension.objects.get_or_create(
            scheme=scheme, code=code, defaults={"name": name, "weight": Decimal("1"), "max_score": Decimal("100")}
        )[0]
        for code, name in (("innovation", "协同创新"), ("ecosystem", "产业生态"))
    ]

    clusters = Cluster.objects.bulk_create(
        Cluster(
            name=f"演示集群{i:05d}",
            short_name=f"演示{i:05d}",
            slug=f"synthetic-{i:05d}",
            field=field,
            tier=Tier.PROVINCIAL,
            status=ClusterStatus.CULTIVATING,
            is_synthetic=True,
        )
        for i in range(start, start + n)
    )
    through = Cluster.cities.through
    through.objects.bulk_create(
        through(cluster=cluster, city=cities[(i + k) % len(cities)])
        for i, cluster in enumerate(clusters)
        for k in range(2)
    )
    measures = Measure.objects.bulk_create(
        Measure(cluster=c, category=category, title=f"演示举措{k}", source=source, issued_on=datetime.date(2022, 1, 1))
        for c in clusters
        for k in range(per_cluster)
    )
    topic = MeasureTopic.objects.order_by("order").first()
    Measure.topics.through.objects.bulk_create(Measure.topics.through(measure=m, measuretopic=topic) for m in measures)
    Target.objects.bulk_create(
        Target(
            cluster=c,
            indicator=indicator,
            target_value=Decimal("1000"),
            qualifier=Qualifier.AT_LEAST,
            target_year=2025,
            baseline_value=Decimal("100"),
            baseline_year=2020,
            source=source,
        )
        for c in clusters
        for indicator in indicators
    )
    IndicatorValue.objects.bulk_create(
        IndicatorValue(cluster=c, indicator=indicator, period="2022", value=Decimal("500"), source=source)
        for c in clusters
        for indicator in indicators
    )
    records = EvaluationRecord.objects.bulk_create(
        EvaluationRecord(
            cluster=c,
            scheme=scheme,
            period=str(2020 + k),
            evaluation_type=EvaluationType.ANNUAL_MONITORING,
            evaluating_body="演示评估机构",
            total=Decimal("80"),
            grade=Grade.GOOD,
            state=EvaluationState.PUBLISHED,
            is_synthetic=True,
        )
        for c in clusters
        for k in range(per_cluster)
    )
    DimensionScore.objects.bulk_create(
        DimensionScore(record=r, dimension=d, score=Decimal("80")) for r in records for d in dimensions
    )
    return clusters
