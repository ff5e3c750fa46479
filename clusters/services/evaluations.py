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

Each transition (the ``TRANSITIONS`` table) checks the actor's permission (submit:
``clusters.submit_evaluationrecord``; approve/return: ``clusters.review_evaluationrecord``; publish:
``clusters.publish_evaluationrecord``; revise: ``clusters.add_evaluationrecord``), the role scope
(``clusters.scoping.check_write``) and the record's state, runs in one transaction with the record row
locked, and writes an EvaluationTransition (who, when, note). Separation of duties: whoever submitted a
record may not approve or publish it (``EVALUATION_SEPARATION_OF_DUTIES``, on by default, relaxes this for
a one-person office). Wrong role or scope raises ``PermissionDenied``; wrong state raises
``InvalidTransition``. A published record is never changed again: a correction is a new revision that
supersedes it, and both are kept.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from clusters import scoping
from clusters.choices import EvaluationState, Grade
from clusters.models import DimensionScore, EvaluationRecord, EvaluationTransition
from clusters.models.evaluations import EDITABLE_STATES, WORKFLOW_FIELDS, RecordLocked

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
    """One step of the workflow. The admin's buttons, confirm pages and bulk actions are built from these."""

    name: str
    label: str  # Chinese, as history records it; marked for the catalogue, the admin shows it translated
    sources: tuple[str, ...]
    target: str
    permission: str
    note_required: bool = False
    # Separation of duties: the one who submitted may not take this step (unless the setting relaxes it).
    not_by_submitter: bool = False
    # Offered as a change-list action on many records at once.
    bulk: bool = True


TRANSITIONS = {
    t.name: t
    for t in [
        Transition(
            "submit",
            gettext_noop("提交审核"),
            EDITABLE_STATES,
            EvaluationState.SUBMITTED,
            "clusters.submit_evaluationrecord",
        ),
        Transition(
            "approve",
            gettext_noop("审核通过"),
            (EvaluationState.SUBMITTED,),
            EvaluationState.APPROVED,
            "clusters.review_evaluationrecord",
            not_by_submitter=True,
        ),
        Transition(
            "return",
            gettext_noop("退回修改"),
            (EvaluationState.SUBMITTED, EvaluationState.APPROVED),
            EvaluationState.RETURNED,
            "clusters.review_evaluationrecord",
            note_required=True,
            bulk=False,
        ),
        Transition(
            "publish",
            gettext_noop("发布"),
            (EvaluationState.APPROVED,),
            EvaluationState.PUBLISHED,
            "clusters.publish_evaluationrecord",
            not_by_submitter=True,
        ),
        # A correction: a new draft that supersedes the published record (see create_revision).
        Transition(
            "revise",
            gettext_noop("新建修订版（更正）"),
            (EvaluationState.PUBLISHED,),
            EvaluationState.DRAFT,
            "clusters.add_evaluationrecord",
            bulk=False,
        ),
    ]
}
REVISE_PERMISSION = TRANSITIONS["revise"].permission
SEPARATION_MESSAGE = "职责分离：提交人不能审核通过或发布自己提交的记录，须由另一位审核人或发布人操作。"


def separation_of_duties():
    """Whether approver and publisher must differ from the submitter (the default; a setting relaxes it)."""
    return getattr(settings, "EVALUATION_SEPARATION_OF_DUTIES", True)


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
    scoping.check_write(user, DimensionScore, "change", current=record.cluster_id)
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
    return [name for name in TRANSITIONS if _refusal(TRANSITIONS[name], record, user) is None]


def can_revise(record, user):
    return "revise" in allowed_transitions(record, user)


def submitter_id(record):
    """Who last handed the record to the reviewers (the actor of its latest move to 待审核)."""
    return (
        record.transitions.filter(to_state=EvaluationState.SUBMITTED)
        .order_by("-at", "-id")
        .values_list("actor_id", flat=True)
        .first()
    )


def _refusal(transition, record, user):
    """Why ``user`` may not apply ``transition`` to ``record`` now: an exception to raise, or None."""
    if not (user and user.is_active and user.has_perm(transition.permission)):
        return PermissionDenied(f"您没有“{transition.label}”评估记录的权限。")
    try:
        action = "add" if transition.name == "revise" else None
        scoping.check_write(
            user,
            EvaluationRecord,
            action or "change",
            perm=None if action else transition.permission,
            current=record.cluster_id,
        )
    except PermissionDenied as error:
        return error
    if record.state not in transition.sources:
        return InvalidTransition(
            f"评估记录当前为“{record.get_state_display()}”，不能执行“{transition.label}”。", code="invalid_state"
        )
    if transition.not_by_submitter and separation_of_duties() and submitter_id(record) == user.pk:
        return PermissionDenied(SEPARATION_MESSAGE)
    if transition.name == "revise" and EvaluationRecord.objects.filter(supersedes=record).exists():
        return InvalidTransition("该记录已有修订版，请在修订版上继续修改。")
    return None


def _apply(name, record, user, note=""):
    transition = TRANSITIONS[name]
    refusal = _refusal(transition, record, user)
    if isinstance(refusal, PermissionDenied):
        raise refusal
    note = (note or "").strip()
    if transition.note_required and not note:
        raise ValidationError({"note": f"“{transition.label}”须填写原因。"})
    with transaction.atomic():
        locked = EvaluationRecord.objects.select_for_update(of=("self",)).select_related("scheme").get(pk=record.pk)
        # Checked again under the row lock: the state (and who submitted) may have moved meanwhile.
        refusal = _refusal(transition, locked, user)
        if refusal is not None:
            raise refusal
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
    """Apply a workflow step by name ("submit", "approve", "return", "publish", "revise").

    Returns the record, or for "revise" the new draft revision.
    """
    if name not in TRANSITIONS:
        raise InvalidTransition(f"未知的操作：{name}")
    if name == "revise":
        return create_revision(record, user, note)
    return _apply(name, record, user, note)


# Fields a revision does not take over from the record it corrects; every other field is copied, so a
# field added to the model later is carried into corrections without anyone remembering to.
REVISION_RESETS = {"id", *WORKFLOW_FIELDS}


def copied_fields(obj, leave_out):
    """{attname: value} of ``obj``'s concrete fields except those named in ``leave_out``."""
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.name not in leave_out}


@transaction.atomic
def create_revision(record, user, note=""):
    """Start a correction of a published record: a new draft (revision + 1) that supersedes it.

    The published record stays as it is (and stays public) until the revision is itself published;
    after that, `EvaluationRecord.objects.current()` returns the revision instead.
    """
    original = EvaluationRecord.objects.select_for_update().get(pk=record.pk)
    refusal = _refusal(TRANSITIONS["revise"], original, user)
    if refusal is not None:
        raise refusal
    revision = EvaluationRecord(
        **copied_fields(original, REVISION_RESETS),
        revision=original.revision + 1,
        supersedes=original,
        created_by=user,
    )
    revision._history_user = user
    revision._change_reason = f"修订第{original.revision}版" + (f"：{note}" if note else "")
    revision.save()
    for score in original.scores.all():
        DimensionScore.objects.create(**copied_fields(score, {"id", "record"}), record=revision)
    for field in EvaluationRecord._meta.many_to_many:
        getattr(revision, field.name).set(getattr(original, field.name).all())
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
    """Copy a scheme (all its fields and dimensions) as the next version, to change without touching past results."""
    from clusters.models import EvaluationScheme, SchemeDimension

    version = (
        EvaluationScheme.objects.filter(name=scheme.name).order_by("-version").values_list("version", flat=True).first()
        or 0
    ) + 1
    base_code = scheme.code.rsplit("-v", 1)[0] if scheme.version > 1 else scheme.code
    copy = EvaluationScheme.objects.create(
        **copied_fields(scheme, {"id", "code", "version", "created_at", "updated_at"}),
        code=f"{base_code}-v{version}"[:60],
        version=version,
    )
    for dimension in scheme.dimensions.all():
        SchemeDimension.objects.create(**copied_fields(dimension, {"id", "scheme"}), scheme=copy)
    return copy
