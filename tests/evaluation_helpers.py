"""Builders shared by the evaluation, ranking and history tests (real database, real services)."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from clusters.choices import EvaluationType
from clusters.models import EvaluationRecord, EvaluationScheme, SchemeDimension
from clusters.models.roles import StaffScope
from clusters.services import evaluations as service

FIVE_AREAS = [
    ("innovation", "协同创新"),
    ("manufacturing", "先进制造能力"),
    ("enterprises", "优质企业"),
    ("ecosystem", "产业生态"),
    ("governance", "治理体系"),
]

ROLE_PERMISSIONS = {
    "editor": [
        "view_evaluationrecord",
        "add_evaluationrecord",
        "change_evaluationrecord",
        "submit_evaluationrecord",
        "view_dimensionscore",
        "add_dimensionscore",
        "change_dimensionscore",
        "delete_dimensionscore",
    ],
    "reviewer": ["view_evaluationrecord", "review_evaluationrecord"],
    "publisher": ["view_evaluationrecord", "publish_evaluationrecord"],
}


def make_user(role, username=None, **extra):
    user = get_user_model().objects.create_user(
        username=username or f"{role}-user", password="pw-for-tests-123", is_staff=True, **extra
    )
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="clusters", codename__in=ROLE_PERMISSIONS[role])
    )
    StaffScope.objects.create(user=user, is_national=True)  # the workflow, not the regional scope, is tested here
    return get_user_model().objects.get(pk=user.pk)  # fresh permission cache


def make_scheme(code="test-scheme", name="测试方案", version=1, weights=None, maxima=None, thresholds=(85, 70, 60)):
    weights = weights or [1] * len(FIVE_AREAS)
    maxima = maxima or [100] * len(weights)
    excellent, good, passing = thresholds
    scheme = EvaluationScheme.objects.create(
        code=code, name=name, year=2024, version=version, excellent_min=excellent, good_min=good, pass_min=passing
    )
    for order, ((dim_code, dim_name), weight, maximum) in enumerate(zip(FIVE_AREAS, weights, maxima, strict=False)):
        SchemeDimension.objects.create(
            scheme=scheme, code=dim_code, name=dim_name, weight=Decimal(str(weight)), max_score=maximum, order=order
        )
    return scheme


def make_record(cluster, scheme, period="2024", scores=None, user=None, **fields):
    record = EvaluationRecord.objects.create(
        cluster=cluster,
        scheme=scheme,
        period=period,
        evaluation_type=fields.pop("evaluation_type", EvaluationType.ANNUAL_MONITORING),
        evaluating_body=fields.pop("evaluating_body", "测试评估机构"),
        created_by=user,
        **fields,
    )
    if scores is not None:
        dimensions = list(scheme.dimensions.order_by("order"))
        service.set_scores(record, dict(zip(dimensions, [Decimal(str(s)) for s in scores], strict=True)))
    return record


def publish_through_workflow(record, editor, reviewer, publisher):
    service.submit(record, editor)
    service.approve(record, reviewer)
    service.publish(record, publisher)
    record.refresh_from_db()
    return record


def colleague(user):
    """A second holder of every permission: separation of duties needs someone else to approve and publish."""
    other, _ = get_user_model().objects.get_or_create(
        username=f"{user.username}-colleague", defaults={"is_staff": True, "is_superuser": True}
    )
    return other


def published_record(cluster, scheme, period, scores, user, **fields):
    """A record `user` submits and a colleague approves and publishes (both hold every permission)."""
    record = make_record(cluster, scheme, period, scores=scores, user=user, **fields)
    service.transition("submit", record, user)
    for step in ("approve", "publish"):
        service.transition(step, record, colleague(user))
    record.refresh_from_db()
    return record
