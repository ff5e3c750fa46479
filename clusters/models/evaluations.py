from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clusters.choices import Conclusion, EvaluationState, EvaluationType, Grade
from clusters.periods import validate_period

from .base import NaturalKeyModel, NaturalKeyQuerySet, TimeStampedModel

# Content (scores, narrative, conclusion …) can change only in these states; the rest belong to the workflow.
EDITABLE_STATES = (EvaluationState.DRAFT, EvaluationState.RETURNED)
LOCKED_STATES = (EvaluationState.SUBMITTED, EvaluationState.APPROVED, EvaluationState.PUBLISHED)
# Fields only the review workflow sets: read-only in the admin, and not carried into a correction.
WORKFLOW_FIELDS = (
    "state",
    "return_reason",
    "revision",
    "supersedes",
    "created_by",
    "published_at",
    "published_by",
    "created_at",
    "updated_at",
)
SCHEME_SCORING_FIELDS = ("excellent_min", "good_min", "pass_min")
DIMENSION_SCORING_FIELDS = ("scheme_id", "code", "weight", "max_score")


class RecordLocked(ValidationError):
    """A write that the evaluation rules forbid (a published record, a scheme in use)."""


class EvaluationScheme(NaturalKeyModel, TimeStampedModel):
    """A versioned scoring scheme (评估方案): dimensions with weights and maxima, and grade thresholds.

    Records keep their own dimension scores and computed total, so editing a scheme never
    rewrites past results; a changed scheme is published as a new version.
    """

    NATURAL_KEY = ("code",)

    code = models.SlugField(_("代码"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年份"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    description = models.TextField(_("说明"), blank=True)
    excellent_min = models.DecimalField(_("优秀下限"), max_digits=6, decimal_places=2)
    good_min = models.DecimalField(_("良好下限"), max_digits=6, decimal_places=2)
    pass_min = models.DecimalField(_("合格下限"), max_digits=6, decimal_places=2)
    source = models.ForeignKey(
        "clusters.Source", verbose_name=pgettext_lazy("field", "出处"), on_delete=models.PROTECT, null=True, blank=True
    )
    is_synthetic = models.BooleanField(_("演示数据"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = pgettext_lazy("model", "评估方案")
        verbose_name_plural = pgettext_lazy("models", "评估方案")
        ordering = ["-year", "name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="unique_scheme_version"),
            models.CheckConstraint(
                condition=models.Q(excellent_min__gt=models.F("good_min"))
                & models.Q(good_min__gt=models.F("pass_min"))
                & models.Q(pass_min__gte=0),
                name="scheme_grade_thresholds_ordered",
                violation_error_message=_("等级下限须满足：优秀 > 良好 > 合格 ≥ 0。"),
            ),
        ]

    def __str__(self):
        return f"{self.name}（第{self.version}版）"

    def save(self, *args, **kwargs):
        if self.pk and self.is_frozen:
            stored = EvaluationScheme.objects.filter(pk=self.pk).values(*SCHEME_SCORING_FIELDS).first() or {}
            if any(stored.get(name) != getattr(self, name) for name in SCHEME_SCORING_FIELDS):
                raise RecordLocked(gettext("该评估方案已有提交或发布的评估记录，不能再改等级下限；请另建新版本。"))
        super().save(*args, **kwargs)

    @property
    def is_frozen(self):
        """A scheme that a submitted or later record follows may no longer change: publish a new version."""
        return self.pk is not None and self.records.exclude(state__in=EDITABLE_STATES).exists()


class SchemeDimension(NaturalKeyModel):
    NATURAL_KEY = ("scheme__code", "code")

    scheme = models.ForeignKey(
        EvaluationScheme, verbose_name=_("评估方案"), on_delete=models.CASCADE, related_name="dimensions"
    )
    code = models.SlugField(_("代码"), max_length=60)
    name = models.CharField(_("维度"), max_length=100)
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=4, validators=[MinValueValidator(0)])
    max_score = models.DecimalField(_("满分"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0)])
    order = models.PositiveSmallIntegerField(pgettext_lazy("field", "排序"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = pgettext_lazy("model", "评估维度")
        verbose_name_plural = pgettext_lazy("models", "评估维度")
        ordering = ["scheme", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="unique_dimension_code"),
            models.UniqueConstraint(fields=["scheme", "name"], name="unique_dimension_name"),
            models.CheckConstraint(condition=models.Q(max_score__gt=0), name="dimension_max_positive"),
            models.CheckConstraint(condition=models.Q(weight__gte=0), name="dimension_weight_nonnegative"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.scheme.is_frozen:
            stored = SchemeDimension.objects.filter(pk=self.pk).values(*DIMENSION_SCORING_FIELDS).first()
            if stored is None or any(stored[name] != getattr(self, name) for name in DIMENSION_SCORING_FIELDS):
                raise RecordLocked(
                    gettext("该评估方案已有提交或发布的评估记录，不能再改维度、权重或满分；请另建新版本。")
                )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.scheme.is_frozen:
            raise RecordLocked(gettext("该评估方案已有提交或发布的评估记录，不能删除维度；请另建新版本。"))
        return super().delete(*args, **kwargs)


class EvaluationRecordQuerySet(NaturalKeyQuerySet):
    def published(self):
        return self.filter(state=EvaluationState.PUBLISHED)

    def published_by_cluster(self):
        """``published()``, asked so that the records are reached through a cluster index.

        SQLite without statistics (a fresh deployment, the benchmark) answers ``state = 'published'`` through
        the (state, period) index, walking every published record: 20 ms for one cluster's 3 of 15,000, and
        the API's list sorted all 15,000 for each page of 50. Excluding every other state means the same (state
        is never null) and no index serves it, so the cluster ones do (``evaluation_cluster_newest`` reads a
        page in the API's order and stops)."""
        return self.exclude(state__in=[state for state in EvaluationState.values if state != EvaluationState.PUBLISHED])

    def current(self):
        """Published records not yet corrected by a published revision: what rankings and charts use."""
        return self.published().exclude(superseded_by__state=EvaluationState.PUBLISHED)

    def update(self, **kwargs):
        if self.filter(state__in=LOCKED_STATES).exists():
            raise RecordLocked(gettext("已提交、已审核或已发布的评估记录不能批量修改。"))
        return super().update(**kwargs)

    def delete(self):
        if self.filter(state__in=LOCKED_STATES).exists():
            raise RecordLocked(gettext("已提交、已审核或已发布的评估记录不能删除。"))
        return super().delete()

    def visible_to(self, user):
        """Published records for everyone; the rest only for staff allowed to view them."""
        if user is not None and user.is_active and user.is_staff and user.has_perm("clusters.view_evaluationrecord"):
            return self
        return self.published_by_cluster()


class EvaluationRecord(TimeStampedModel):
    """A dated assessment of one cluster for one period (动态评估记录), with its workflow state."""

    cluster = models.ForeignKey(
        "clusters.Cluster",
        verbose_name=pgettext_lazy("field", "集群"),
        on_delete=models.CASCADE,
        related_name="evaluations",
    )
    scheme = models.ForeignKey(
        EvaluationScheme,
        verbose_name=_("评估方案"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="records",
    )
    period = models.CharField(_("评估期"), max_length=7, validators=[validate_period])
    evaluation_type = models.CharField(_("评估类型"), max_length=30, choices=EvaluationType.choices)
    evaluating_body = models.CharField(_("评估机构"), max_length=200)
    evaluated_on = models.DateField(_("评估日期"), null=True, blank=True)
    total = models.DecimalField(_("总分"), max_digits=7, decimal_places=2, null=True, blank=True, editable=False)
    grade = models.CharField(_("等级"), max_length=20, choices=Grade.choices, blank=True)
    conclusion = models.CharField(_("结论"), max_length=20, choices=Conclusion.choices, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    narrative = models.TextField(_("说明"), blank=True)
    state = models.CharField(
        _("状态"), max_length=20, choices=EvaluationState.choices, default=EvaluationState.DRAFT, db_index=True
    )
    return_reason = models.TextField(_("退回原因"), blank=True)
    revision = models.PositiveSmallIntegerField(_("修订号"), default=1)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("取代的记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    indicator_values = models.ManyToManyField(
        "clusters.IndicatorValue", verbose_name=_("依据的指标值"), related_name="evaluations", blank=True
    )
    source = models.ForeignKey(
        "clusters.Source", verbose_name=pgettext_lazy("field", "出处"), on_delete=models.PROTECT, null=True, blank=True
    )
    is_synthetic = models.BooleanField(_("演示数据"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = EvaluationRecordQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = pgettext_lazy("model", "动态评估记录")
        verbose_name_plural = pgettext_lazy("models", "动态评估记录")
        ordering = ["cluster", "-period", "-revision"]
        permissions = [
            ("submit_evaluationrecord", _("可提交评估记录")),
            ("review_evaluationrecord", _("可审核（通过或退回）评估记录")),
            ("publish_evaluationrecord", _("可发布评估记录")),
        ]
        constraints = [
            # Two imports of one sheet at once must not both create the same record: the second fails.
            models.UniqueConstraint(
                fields=["cluster", "scheme", "period", "revision"],
                condition=models.Q(scheme__isnull=False),
                name="one_record_per_scheme_period_revision",
                violation_error_message=_("该集群在这一评估方案、这一评估期已有同一修订号的评估记录。"),
            ),
            models.CheckConstraint(
                condition=models.Q(total__isnull=True) | models.Q(total__gte=0), name="total_nonnegative"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(evaluated_on__isnull=True)
                | models.Q(valid_until__gte=models.F("evaluated_on")),
                name="valid_until_after_evaluation",
                violation_error_message=_("有效期不能早于评估日期。"),
            ),
        ]
        indexes = [
            models.Index(fields=["state", "period"], name="evaluation_state_period"),
            # the API list's order: a page of 50 is read off this index instead of sorting every record
            models.Index(fields=["cluster", "-period", "-revision", "-id"], name="evaluation_cluster_newest"),
        ]

    def __str__(self):
        return f"{self.cluster.display_name} {self.period} {self.get_evaluation_type_display()}"

    def save(self, *args, **kwargs):
        """Content changes only in draft or returned; the state changes only through clusters.services.evaluations.

        The service sets `_workflow_save` for the single save that records a transition.
        """
        if not getattr(self, "_workflow_save", False):
            stored = self.stored_state()
            if stored is None:
                if self.state != EvaluationState.DRAFT:
                    raise RecordLocked(gettext("新建的评估记录只能是草稿；请通过提交、审核、发布流程改变状态。"))
            elif stored not in EDITABLE_STATES:
                raise RecordLocked(
                    gettext("评估记录处于“%(state)s”状态，不能修改；已发布的记录请新建修订版。")
                    % {"state": EvaluationState(stored).label}
                )
            elif self.state != stored:
                raise RecordLocked(gettext("评估记录的状态只能通过提交、审核、发布流程改变。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.stored_state() in LOCKED_STATES:
            raise RecordLocked(gettext("已提交、已审核或已发布的评估记录不能删除。"))
        return super().delete(*args, **kwargs)

    @property
    def is_editable(self):
        return self.state in EDITABLE_STATES

    def stored_state(self):
        if self.pk is None:
            return None
        return EvaluationRecord.objects.filter(pk=self.pk).values_list("state", flat=True).first()


class DimensionScore(models.Model):
    record = models.ForeignKey(
        EvaluationRecord, verbose_name=_("评估记录"), on_delete=models.CASCADE, related_name="scores"
    )
    dimension = models.ForeignKey(
        SchemeDimension, verbose_name=_("维度"), on_delete=models.PROTECT, related_name="scores"
    )
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0)])

    history = HistoricalRecords()

    class Meta:
        verbose_name = pgettext_lazy("model", "维度得分")
        verbose_name_plural = pgettext_lazy("models", "维度得分")
        ordering = ["record", "dimension__order"]
        constraints = [
            models.UniqueConstraint(fields=["record", "dimension"], name="one_score_per_dimension"),
            models.CheckConstraint(condition=models.Q(score__gte=0), name="score_nonnegative"),
        ]

    def __str__(self):
        return f"{self.dimension}: {self.score}"

    def save(self, *args, **kwargs):
        self._check_record_editable()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_record_editable()
        return super().delete(*args, **kwargs)

    def clean(self):
        record = self.record if self.record_id else self._meta.get_field("record").get_cached_value(self, None)
        if self.dimension_id and record is not None:
            if record.scheme_id != self.dimension.scheme_id:
                raise ValidationError({"dimension": gettext("该维度不属于评估记录所用的评估方案。")})
            if self.score is not None and self.score > self.dimension.max_score:
                raise ValidationError(
                    {"score": gettext("得分不能超过该维度满分 %(max)s。") % {"max": self.dimension.max_score}}
                )

    def _check_record_editable(self):
        state = EvaluationRecord.objects.filter(pk=self.record_id).values_list("state", flat=True).first()
        if state in LOCKED_STATES:
            raise RecordLocked(gettext("评估记录已提交、审核或发布，维度得分不能再改。"))


class EvaluationTransition(models.Model):
    """Who moved a record from one state to another, when, and why. Never edited."""

    record = models.ForeignKey(
        EvaluationRecord, verbose_name=_("评估记录"), on_delete=models.CASCADE, related_name="transitions"
    )
    from_state = models.CharField(_("原状态"), max_length=20, choices=EvaluationState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, choices=EvaluationState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "评估流转记录")
        verbose_name_plural = pgettext_lazy("models", "评估流转记录")
        ordering = ["record", "at", "id"]

    def __str__(self):
        return f"{self.get_from_state_display()} → {self.get_to_state_display()}"
