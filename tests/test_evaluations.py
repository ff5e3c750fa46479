"""Scoring, grading and the review workflow through the services, on the real database."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from clusters.choices import EvaluationState, Grade
from clusters.models import Cluster, DimensionScore, EvaluationRecord, EvaluationTransition, SchemeDimension
from clusters.models.evaluations import RecordLocked
from clusters.services import evaluations as service

from .evaluation_helpers import make_record, make_scheme, make_user, publish_through_workflow

pytestmark = pytest.mark.django_db


class Dim:
    def __init__(self, weight, max_score):
        self.weight = Decimal(str(weight))
        self.max_score = Decimal(str(max_score))


@pytest.mark.parametrize(
    ("dimensions", "scores", "expected"),
    [
        # equal weights, common maximum: plain mean
        ([(1, 100)] * 5, [80, 90, 70, 60, 100], Decimal("80.00")),
        # weights need not sum to 1: 100 × (0.4×1 + 0.6×0.5) / 1.0
        ([(0.4, 100), (0.6, 100)], [100, 50], Decimal("70.00")),
        ([(2, 100), (3, 100)], [100, 50], Decimal("70.00")),
        # different maxima are normalised: 20/20 and 5/10 with equal weight → 75
        ([(1, 20), (1, 10)], [20, 5], Decimal("75.00")),
        # a missing score counts as zero
        ([(1, 100), (1, 100)], [100, None], Decimal("50.00")),
        # rounding half-up to cents: 100 × (1/3)
        ([(1, 3)], [1], Decimal("33.33")),
        ([(1, 8)], [5.5], Decimal("68.75")),
        # all-zero weights: no total
        ([(0, 100)], [50], None),
        ([(1, 100)] * 3, [0, 0, 0], Decimal("0.00")),
    ],
)
def test_total_is_the_weighted_mean_of_normalised_scores(dimensions, scores, expected):
    pairs = [(Dim(w, m), None if s is None else Decimal(str(s))) for (w, m), s in zip(dimensions, scores, strict=True)]
    assert service.compute_total(pairs) == expected


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        (Decimal("100"), Grade.EXCELLENT),
        (Decimal("85.00"), Grade.EXCELLENT),  # thresholds are inclusive
        (Decimal("84.99"), Grade.GOOD),
        (Decimal("70"), Grade.GOOD),
        (Decimal("69.99"), Grade.PASS),
        (Decimal("60"), Grade.PASS),
        (Decimal("59.99"), Grade.FAIL),
        (Decimal("0"), Grade.FAIL),
        (None, ""),
    ],
)
def test_grade_follows_the_scheme_thresholds(total, grade):
    scheme = make_scheme()
    assert service.grade_for(scheme, total) == grade


@pytest.fixture
def cluster():
    return Cluster.objects.real().order_by("name").first()


@pytest.fixture
def scheme():
    return make_scheme(weights=[0.3, 0.2, 0.2, 0.2, 0.1], maxima=[30, 20, 20, 20, 10])


@pytest.fixture
def editor():
    return make_user("editor")


@pytest.fixture
def reviewer():
    return make_user("reviewer")


@pytest.fixture
def publisher():
    return make_user("publisher")


def test_set_scores_computes_total_and_grade_and_never_takes_a_typed_total(cluster, scheme, editor):
    record = make_record(cluster, scheme, scores=[27, 18, 16, 14, 9], user=editor)
    # 100 × (0.3×0.9 + 0.2×0.9 + 0.2×0.8 + 0.2×0.7 + 0.1×0.9) / 1.0 = 84
    assert record.total == Decimal("84.00")
    assert record.grade == Grade.GOOD
    assert EvaluationRecord._meta.get_field("total").editable is False


def test_scores_above_the_maximum_or_from_another_scheme_are_refused(cluster, scheme, editor):
    record = make_record(cluster, scheme, user=editor)
    innovation = scheme.dimensions.get(code="innovation")
    with pytest.raises(ValidationError, match="超出范围"):
        service.set_scores(record, {innovation: Decimal("31")})
    other = make_scheme(code="other", name="另一方案")
    with pytest.raises(ValidationError, match="不属于"):
        service.set_scores(record, {other.dimensions.first(): Decimal("1")})
    # the model's own validation says the same for forms (the admin inline)
    score = DimensionScore(record=record, dimension=innovation, score=Decimal("40"))
    with pytest.raises(ValidationError):
        score.full_clean()
    assert not record.scores.exists()


def test_the_full_workflow_records_who_and_when(cluster, scheme, editor, reviewer, publisher):
    record = make_record(cluster, scheme, scores=[27, 18, 16, 14, 9], user=editor)
    service.submit(record, editor)
    assert record.state == EvaluationState.SUBMITTED
    service.approve(record, reviewer, "数据核对无误")
    assert record.state == EvaluationState.APPROVED
    service.publish(record, publisher)
    record.refresh_from_db()
    assert record.state == EvaluationState.PUBLISHED
    assert record.published_by == publisher and record.published_at is not None
    steps = list(record.transitions.values_list("from_state", "to_state", "actor__username", "note"))
    assert steps == [
        ("draft", "submitted", "editor-user", ""),
        ("submitted", "approved", "reviewer-user", "数据核对无误"),
        ("approved", "published", "publisher-user", ""),
    ]
    assert all(t.at is not None for t in record.transitions.all())
    assert EvaluationRecord.objects.published().filter(pk=record.pk).exists()


def test_return_needs_a_reason_and_the_editor_can_resubmit(cluster, scheme, editor, reviewer):
    record = make_record(cluster, scheme, scores=[27, 18, 16, 14, 9], user=editor)
    service.submit(record, editor)
    with pytest.raises(ValidationError, match="原因"):
        service.return_record(record, reviewer, "  ")
    service.return_record(record, reviewer, "第三维度缺少佐证材料")
    record.refresh_from_db()
    assert record.state == EvaluationState.RETURNED and record.return_reason == "第三维度缺少佐证材料"
    # a returned record is editable again, then goes back to the reviewers
    service.set_scores(record, {scheme.dimensions.get(code="enterprises"): Decimal("12")})
    service.submit(record, editor)
    record.refresh_from_db()
    assert record.state == EvaluationState.SUBMITTED and record.return_reason == ""
    assert record.total == Decimal("80.00")


@pytest.mark.parametrize(
    ("action", "role"),
    [
        ("submit", "reviewer"),
        ("submit", "publisher"),
        ("approve", "editor"),
        ("approve", "publisher"),
        ("return", "editor"),
        ("publish", "editor"),
        ("publish", "reviewer"),
    ],
)
def test_wrong_role_is_refused_and_nothing_changes(cluster, scheme, editor, reviewer, publisher, action, role):
    actors = {"editor": editor, "reviewer": reviewer, "publisher": publisher}
    record = make_record(cluster, scheme, scores=[27, 18, 16, 14, 9], user=editor)
    start = {"submit": [], "approve": ["submit"], "return": ["submit"], "publish": ["submit", "approve"]}[action]
    for step in start:
        service.transition(step, record, editor if step == "submit" else reviewer)
    before = record.state
    with pytest.raises(PermissionDenied):
        service.transition(action, record, actors[role], "原因")
    record.refresh_from_db()
    assert record.state == before
    assert record.transitions.count() == len(start)


@pytest.mark.parametrize(
    ("action", "state_path"),
    [
        ("approve", []),  # draft
        ("publish", []),
        ("return", []),
        ("publish", ["submit"]),  # submitted records are approved before publication
        ("submit", ["submit"]),
        ("approve", ["submit", "approve"]),
        ("submit", ["submit", "approve", "publish"]),
        ("return", ["submit", "approve", "publish"]),
        ("publish", ["submit", "approve", "publish"]),
    ],
)
def test_wrong_state_is_refused(cluster, scheme, admin_user, action, state_path, settings):
    settings.EVALUATION_SEPARATION_OF_DUTIES = False  # one actor walks the states; this is about the states
    record = make_record(cluster, scheme, scores=[27, 18, 16, 14, 9], user=admin_user)
    for step in state_path:
        service.transition(step, record, admin_user)
    with pytest.raises(service.InvalidTransition):
        service.transition(action, record, admin_user, "原因")


def test_submit_requires_every_dimension_scored(cluster, scheme, editor):
    record = make_record(cluster, scheme, user=editor)
    service.set_scores(record, {scheme.dimensions.get(code="innovation"): Decimal("20")})
    with pytest.raises(ValidationError, match="尚未打分"):
        service.submit(record, editor)
    assert EvaluationRecord.objects.get(pk=record.pk).state == EvaluationState.DRAFT


@pytest.fixture
def published(cluster, scheme, editor, reviewer, publisher):
    record = make_record(cluster, scheme, scores=[27, 18, 16, 14, 9], user=editor)
    return publish_through_workflow(record, editor, reviewer, publisher)


def test_published_record_is_immutable_at_model_level(published):
    published.narrative = "偷偷改"
    with pytest.raises(RecordLocked):
        published.save()
    with pytest.raises(RecordLocked):
        published.delete()
    with pytest.raises(RecordLocked):
        EvaluationRecord.objects.filter(pk=published.pk).update(narrative="批量改")
    with pytest.raises(RecordLocked):
        EvaluationRecord.objects.filter(pk=published.pk).delete()
    score = published.scores.first()
    score.score = Decimal("1")
    with pytest.raises(RecordLocked):
        score.save()
    with pytest.raises(RecordLocked):
        score.delete()
    with pytest.raises(RecordLocked):
        service.set_scores(published, {score.dimension: Decimal("1")})
    fresh = EvaluationRecord.objects.get(pk=published.pk)
    assert fresh.narrative == "" and fresh.total == Decimal("84.00")


def test_state_changes_only_through_the_workflow(cluster, scheme, editor):
    record = make_record(cluster, scheme, scores=[27, 18, 16, 14, 9], user=editor)
    record.state = EvaluationState.PUBLISHED
    with pytest.raises(RecordLocked):
        record.save()
    with pytest.raises(RecordLocked):
        make_record(cluster, scheme, period="2023", state=EvaluationState.PUBLISHED)


def test_a_correction_is_a_new_revision_and_both_are_kept(published, editor, reviewer, publisher, scheme):
    revision = service.create_revision(published, editor, "更正第二维度")
    assert revision.state == EvaluationState.DRAFT
    assert revision.revision == 2 and revision.supersedes == published
    assert revision.total == published.total and revision.scores.count() == 5
    with pytest.raises(service.InvalidTransition):
        service.create_revision(published, editor)  # one correction at a time
    # until the revision is published, the original is the current public result
    assert list(EvaluationRecord.objects.current().filter(cluster=published.cluster)) == [published]
    service.set_scores(revision, {scheme.dimensions.get(code="manufacturing"): Decimal("20")})
    publish_through_workflow(revision, editor, reviewer, publisher)
    both = EvaluationRecord.objects.published().filter(cluster=published.cluster)
    assert set(both) == {published, revision}
    assert list(EvaluationRecord.objects.current().filter(cluster=published.cluster)) == [revision]
    assert EvaluationRecord.objects.get(pk=published.pk).total == Decimal("84.00")
    assert EvaluationRecord.objects.get(pk=revision.pk).total == Decimal("86.00")


def test_revision_needs_a_published_record_and_the_add_permission(cluster, scheme, editor, reviewer, published):
    draft = make_record(cluster, scheme, period="2023", user=editor)
    with pytest.raises(service.InvalidTransition):
        service.create_revision(draft, editor)
    with pytest.raises(PermissionDenied):
        service.create_revision(published, reviewer)


def test_a_scheme_in_use_is_frozen_and_changes_as_a_new_version(published, scheme):
    scheme.refresh_from_db()
    assert scheme.is_frozen
    scheme.excellent_min = Decimal("95")
    with pytest.raises(RecordLocked):
        scheme.save()
    dimension = scheme.dimensions.get(code="innovation")
    dimension.weight = Decimal("0.9")
    with pytest.raises(RecordLocked):
        dimension.save()
    with pytest.raises(RecordLocked):
        SchemeDimension.objects.create(scheme=scheme, code="new", name="新维度", weight=1, max_score=10)
    scheme.refresh_from_db()
    copy = service.new_scheme_version(scheme)
    assert copy.version == 2 and copy.name == scheme.name and copy.dimensions.count() == 5
    copy.excellent_min = Decimal("95")
    copy.save()  # the new version is free to change
    assert EvaluationRecord.objects.get(pk=published.pk).grade == Grade.GOOD


def test_editable_fields_still_save_for_drafts(cluster, scheme, editor):
    record = make_record(cluster, scheme, scores=[27, 18, 16, 14, 9], user=editor)
    record.narrative = "补充说明"
    record.save()
    assert EvaluationTransition.objects.filter(record=record).count() == 0
    assert EvaluationRecord.objects.get(pk=record.pk).narrative == "补充说明"
