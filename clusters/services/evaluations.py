"""The rules of dynamic evaluation (动态评估): scoring, grading and the review workflow.

Scoring
-------
A scheme has dimensions, each with a weight ``w`` and a maximum score ``m``; a record has one score ``s``
per dimension (0 ≤ s ≤ m). The total is the weighted mean of the normalised scores, on a 0–100 scale::

    total = 100 × Σ(wᵢ × sᵢ / mᵢ) / Σ wᵢ        (rounded half-up to 2 decimals)

so weights need not add up to 1 and maxima may differ by dimension. A dimension without a score counts
as 0 in the total; submitting requires every dimension to be scored. The grade follows from the scheme's
thresholds: total ≥ excellent_min → 优秀, ≥ good_min → 良好, ≥ pass_min → 合格, otherwise 不合格. A record
without a scheme (e.g. a competition result stated only as a conclusion) has no computed total.

Workflow
--------
::

    draft ──submit──▶ submitted ──approve──▶ approved ──publish──▶ published
      ▲                  │                      │                      │
      └──── returned ◀───┴──────return──────────┘                      └─revise─▶ new draft (revision n+1)

Each transition checks the actor's permission (submit: ``clusters.submit_evaluationrecord``;
approve/return: ``clusters.review_evaluationrecord``; publish: ``clusters.publish_evaluationrecord``;
revise: ``clusters.add_evaluationrecord``) and the record's state, runs in one transaction with the
record row locked, and writes an EvaluationTransition (who, when, note). Wrong role raises
``PermissionDenied``; wrong state raises ``InvalidTransition``. A published record is never changed
again: a correction is a new revision that supersedes it, and both are kept.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from clusters import scoping
from clusters.choices import EvaluationState, Grade
from clusters.models import DimensionScore, EvaluationRecord, EvaluationTransition
from clusters.models.evaluations import EDITABLE_STATES, RecordLocked

__all__ = [
    "TRANSITIONS",
    "InvalidTransition",
    "RecordLocked",
    "allowed_transitions",
    "approve",
    "compute_total",
    "create_revision",
    "grade_for",
    "new_scheme_version",
    "publish",
    "recompute",
    "return_record",
    "set_scores",
    "submit",
    "validate_scores",
]

HUNDRED = Decimal("100")
CENT = Decimal("0.01")


class InvalidTransition(ValidationError):
    """The record is not in a state the requested transition starts from."""


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    permission: str
    note_required: bool = False


TRANSITIONS = {
    t.name: t
    for t in [
        Transition(
            "submit", "提交审核", EDITABLE_STATES, EvaluationState.SUBMITTED, "clusters.submit_evaluationrecord"
        ),
        Transition(
            "approve",
            "审核通过",
            (EvaluationState.SUBMITTED,),
            EvaluationState.APPROVED,
            "clusters.review_evaluationrecord",
        ),
        Transition(
            "return",
            "退回修改",
            (EvaluationState.SUBMITTED, EvaluationState.APPROVED),
            EvaluationState.RETURNED,
            "clusters.review_evaluationrecord",
            note_required=True,
        ),
        Transition(
            "publish",
            "发布",
            (EvaluationState.APPROVED,),
            EvaluationState.PUBLISHED,
            "clusters.publish_evaluationrecord",
        ),
    ]
}
REVISE_PERMISSION = "clusters.add_evaluationrecord"


# ---------------------------------------------------------------------------------------------- scoring


def compute_total(pairs):
    """Total on 0–100 from ``(dimension, score)`` pairs; see the module docstring for the formula.

    ``pairs`` holds every dimension of the scheme, with ``None`` for a missing score.
    Returns None when the weights sum to zero (nothing to average).
    """
    weight_sum = Decimal(0)
    weighted = Decimal(0)
    for dimension, score in pairs:
        weight = Decimal(dimension.weight)
        weight_sum += weight
        if score is not None:
            weighted += weight * Decimal(score) / Decimal(dimension.max_score)
    if weight_sum <= 0:
        return None
    return (HUNDRED * weighted / weight_sum).quantize(CENT, rounding=ROUND_HALF_UP)


def grade_for(scheme, total):
    """The grade a total earns under a scheme's thresholds (inclusive lower bounds)."""
    if total is None:
        return ""
    if total >= scheme.excellent_min:
        return Grade.EXCELLENT
    if total >= scheme.good_min:
        return Grade.GOOD
    if total >= scheme.pass_min:
        return Grade.PASS
    return Grade.FAIL


def validate_scores(scheme, scores, *, complete=False):
    """Check ``{dimension: score}`` against the scheme; raise ValidationError listing every problem.

    ``complete`` also requires a score for every dimension (needed to submit).
    """
    errors = []
    dimensions = list(scheme.dimensions.all())
    known = {d.pk for d in dimensions}
    for dimension, score in scores.items():
        if dimension.pk not in known:
            errors.append(f"维度“{dimension.name}”不属于评估方案“{scheme}”。")
        elif score is None:
            continue
        elif Decimal(score) < 0 or Decimal(score) > dimension.max_score:
            errors.append(f"维度“{dimension.name}”的得分 {score} 超出范围（0–{dimension.max_score}）。")
    if complete:
        scored = {d.pk for d, s in scores.items() if s is not None}
        missing = [d.name for d in dimensions if d.pk not in scored]
        if missing:
            errors.append("以下维度尚未打分：" + "、".join(missing) + "。")
    if errors:
        raise ValidationError(errors)


def _scores_of(record):
    return {score.dimension: score.score for score in record.scores.select_related("dimension")}


def recompute(record, *, save=True):
    """Set total and grade from the record's stored scores (only while the record is editable)."""
    if not record.is_editable:
        raise RecordLocked("只有草稿或已退回的评估记录可以重新计算总分。")
    if record.scheme_id is None:
        record.total = None
    else:
        scores = _scores_of(record)
        dimensions = list(record.scheme.dimensions.all())
        record.total = compute_total((d, scores.get(d)) for d in dimensions)
        record.grade = grade_for(record.scheme, record.total)
    if save:
        record.save(update_fields=["total", "grade", "updated_at"])
    return record


@transaction.atomic
def set_scores(record, scores, user=None):
    """Replace some or all dimension scores of an editable record, then recompute total and grade.

    ``scores`` maps SchemeDimension → score (None deletes that score).
    """
    if not record.is_editable:
        raise RecordLocked("只有草稿或已退回的评估记录可以修改得分。")
    if record.scheme_id is None:
        raise ValidationError("评估记录未指定评估方案，不能打分。")
    validate_scores(record.scheme, scores)
    for dimension, score in scores.items():
        if score is None:
            DimensionScore.objects.filter(record=record, dimension=dimension).delete()
        else:
            DimensionScore.objects.update_or_create(record=record, dimension=dimension, defaults={"score": score})
    if user is not None:
        record._history_user = user
    return recompute(record)


# -------------------------------------------------------------------------------------------- workflow


def allowed_transitions(record, user):
    """The transitions ``user`` may apply to ``record`` now (for buttons and queues)."""
    names = [t.name for t in TRANSITIONS.values() if record.state in t.sources and user.has_perm(t.permission)]
    if can_revise(record, user):
        names.append("revise")
    return names


def can_revise(record, user):
    return (
        record.state == EvaluationState.PUBLISHED
        and user.has_perm(REVISE_PERMISSION)
        and not EvaluationRecord.objects.filter(supersedes=record).exists()
    )


def _apply(name, record, user, note=""):
    transition = TRANSITIONS[name]
    if not (user and user.is_active and user.has_perm(transition.permission)):
        raise PermissionDenied(f"您没有“{transition.label}”评估记录的权限。")
    if not scoping.cluster_in_scope(user, record.cluster):
        raise PermissionDenied(scoping.OUT_OF_SCOPE)
    note = (note or "").strip()
    if transition.note_required and not note:
        raise ValidationError({"note": f"“{transition.label}”须填写原因。"})
    with transaction.atomic():
        locked = EvaluationRecord.objects.select_for_update(of=("self",)).select_related("scheme").get(pk=record.pk)
        if locked.state not in transition.sources:
            raise InvalidTransition(
                f"评估记录当前为“{locked.get_state_display()}”，不能执行“{transition.label}”。", code="invalid_state"
            )
        if name == "submit":
            _check_complete(locked)
        before = locked.state
        locked.state = transition.target
        if name == "return":
            locked.return_reason = note
        elif name == "submit":
            locked.return_reason = ""
        elif name == "publish":
            locked.published_at = timezone.now()
            locked.published_by = user
        locked._workflow_save = True
        locked._history_user = user
        locked._change_reason = f"{transition.label}" + (f"：{note}" if note else "")
        try:
            locked.save()
        finally:
            locked._workflow_save = False
        EvaluationTransition.objects.create(
            record=locked, from_state=before, to_state=locked.state, actor=user, note=note
        )
    # Keep the caller's instance in step with the database.
    for field in ("state", "return_reason", "published_at", "published_by_id", "updated_at"):
        setattr(record, field, getattr(locked, field))
    return record


def _check_complete(record):
    if record.scheme_id is None:
        if not record.grade and not record.conclusion:
            raise ValidationError("未指定评估方案的记录须至少填写等级或结论才能提交。")
        return
    validate_scores(record.scheme, _scores_of(record), complete=True)
    recompute(record, save=False)


def submit(record, user, note=""):
    """Editor hands a draft (or a returned record) to the reviewers; all scores must be present and valid."""
    return _apply("submit", record, user, note)


def approve(record, user, note=""):
    return _apply("approve", record, user, note)


def return_record(record, user, reason):
    """Reviewer sends a submitted or approved record back to the editors, with a reason (required)."""
    return _apply("return", record, user, reason)


def publish(record, user, note=""):
    """Make an approved record public. From now on it never changes."""
    return _apply("publish", record, user, note)


def transition(name, record, user, note=""):
    """Apply a transition by name ("submit", "approve", "return", "publish")."""
    if name not in TRANSITIONS:
        raise InvalidTransition(f"未知的操作：{name}")
    return _apply(name, record, user, note)


@transaction.atomic
def create_revision(record, user, note=""):
    """Start a correction of a published record: a new draft (revision + 1) that supersedes it.

    The published record stays as it is (and stays public) until the revision is itself published;
    after that, `EvaluationRecord.objects.current()` returns the revision instead.
    """
    if not (user and user.is_active and user.has_perm(REVISE_PERMISSION)):
        raise PermissionDenied("您没有新建评估记录修订版的权限。")
    if not scoping.cluster_in_scope(user, record.cluster):
        raise PermissionDenied(scoping.OUT_OF_SCOPE)
    original = EvaluationRecord.objects.select_for_update().get(pk=record.pk)
    if original.state != EvaluationState.PUBLISHED:
        raise InvalidTransition("只有已发布的评估记录可以新建修订版；未发布的记录直接修改即可。")
    if EvaluationRecord.objects.filter(supersedes=original).exists():
        raise InvalidTransition("该记录已有修订版，请在修订版上继续修改。")
    revision = EvaluationRecord(
        cluster_id=original.cluster_id,
        scheme_id=original.scheme_id,
        period=original.period,
        evaluation_type=original.evaluation_type,
        evaluating_body=original.evaluating_body,
        evaluated_on=original.evaluated_on,
        total=original.total,
        grade=original.grade,
        conclusion=original.conclusion,
        valid_until=original.valid_until,
        narrative=original.narrative,
        revision=original.revision + 1,
        supersedes=original,
        source_id=original.source_id,
        is_synthetic=original.is_synthetic,
        created_by=user,
    )
    revision._history_user = user
    revision._change_reason = f"修订第{original.revision}版" + (f"：{note}" if note else "")
    revision.save()
    for score in original.scores.all():
        DimensionScore.objects.create(record=revision, dimension_id=score.dimension_id, score=score.score)
    revision.indicator_values.set(original.indicator_values.all())
    EvaluationTransition.objects.create(
        record=revision,
        from_state="",
        to_state=EvaluationState.DRAFT,
        actor=user,
        note=note or f"更正已发布的第{original.revision}版",
    )
    return revision


# --------------------------------------------------------------------------------------------- schemes


@transaction.atomic
def new_scheme_version(scheme):
    """Copy a scheme (thresholds and dimensions) as the next version, to change without touching past results."""
    from clusters.models import EvaluationScheme, SchemeDimension

    version = (
        EvaluationScheme.objects.filter(name=scheme.name).order_by("-version").values_list("version", flat=True).first()
        or 0
    ) + 1
    base_code = scheme.code.rsplit("-v", 1)[0] if scheme.version > 1 else scheme.code
    copy = EvaluationScheme.objects.create(
        code=f"{base_code}-v{version}"[:60],
        name=scheme.name,
        year=scheme.year,
        version=version,
        description=scheme.description,
        excellent_min=scheme.excellent_min,
        good_min=scheme.good_min,
        pass_min=scheme.pass_min,
        source_id=scheme.source_id,
        is_synthetic=scheme.is_synthetic,
    )
    for dimension in scheme.dimensions.all():
        SchemeDimension.objects.create(
            scheme=copy,
            code=dimension.code,
            name=dimension.name,
            weight=dimension.weight,
            max_score=dimension.max_score,
            order=dimension.order,
        )
    return copy
