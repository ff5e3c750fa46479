"""The evaluations sheet (动态评估): one row per cluster, period and scheme, one column per scheme dimension.

Headers: 集群名称, 评估期, 评估方案, then one column per dimension named as the scheme names it (协同创新,
先进制造能力 …), 评估机构, 结论, 说明 (and optionally 评估类型, 评估日期). A row's key is (cluster, scheme,
period). Imported records start as drafts, with total and grade computed by the evaluation service
from the scores, and go through the review workflow like any other. A row that would change a record
already submitted, approved or published is an error: correct a published record with a revision.
Two imports of one file at once cannot both create a record: the database's one-record-per-(cluster,
scheme, period, revision) constraint fails the second, which reports it like any collision.
"""

from decimal import Decimal

from django.db.models import Prefetch
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clusters.bulk import BATCH_SIZE, create_with_history
from clusters.choices import Conclusion, EvaluationState, EvaluationType
from clusters.formatting import plain
from clusters.models import DimensionScore, EvaluationRecord, EvaluationTransition, SchemeDimension
from clusters.models.evaluations import EDITABLE_STATES
from clusters.services import evaluations as service

from ..base import EXPORT_CHUNK, Sheet
from ..columns import Column, label_of, number_cell
from ..dates import parse_date, parse_period
from ..parsing import ParseError, parse_choice, parse_quantity
from ..results import NEW, UNCHANGED, UPDATED
from .common import CLUSTER

SCORE_PREFIX = "score:"
_DIMENSION_MEANING = gettext_lazy("“{name}”维度的得分；满分和权重由评估方案规定")
TEXT_FIELDS = ("evaluating_body", "conclusion", "narrative", "evaluation_type", "evaluated_on")


def _conclusion(value):
    return parse_choice(value, Conclusion)


def _evaluation_type(value):
    return parse_choice(value, EvaluationType)


def parse_score(value):
    quantity = parse_quantity(value)
    if quantity.unit is not None and quantity.unit.base not in ("分", ""):
        raise ParseError(_("得分不应带单位“%(unit)s”") % {"unit": quantity.unit.base})
    if quantity.explicit_qualifier:
        raise ParseError(_("得分须是确切的数字"))
    return quantity.amount


BEFORE = tuple(
    column.bound(EvaluationRecord)
    for column in (
        CLUSTER,
        Column(
            "period",
            "评估期",
            "Evaluation period",
            required=True,
            aliases=("期间", "年度"),
            help=gettext_lazy("2024、2024-H1、2024-Q2"),
            example="2024",
            parser=parse_period,
            export="period",
            meaning=gettext_lazy("评估针对的期间：年、季度或半年"),
            unit="YYYY、YYYY-Qn、YYYY-Hn",
        ),
        Column(
            "scheme",
            "评估方案",
            "Evaluation scheme",
            required=True,
            aliases=("方案", "scheme_code"),
            help=gettext_lazy("评估方案的代码或名称（名称指最新版本）"),
            parser="scheme",
            export="scheme__code",
            meaning=gettext_lazy("所用评估方案的代码；方案规定维度、权重、满分和等级下限"),
        ),
    )
)
AFTER = tuple(
    column.bound(EvaluationRecord)
    for column in (
        Column(
            "evaluating_body",
            "评估机构",
            "Evaluating body",
            required=True,
            aliases=("评估单位",),
            attribute="evaluating_body",
            export="evaluating_body",
            meaning=gettext_lazy("进行评估的机构"),
        ),
        Column(
            "conclusion",
            "结论",
            "Conclusion",
            help=gettext_lazy("保留、警示或退出；可留空"),
            example="保留",
            parser=_conclusion,
            export=label_of("conclusion", Conclusion),
            meaning=gettext_lazy("评估结论：保留、警示或退出（动态调整）"),
        ),
        Column(
            "narrative",
            "说明",
            "Narrative",
            aliases=("评估说明", "评语"),
            attribute="narrative",
            export="narrative",
            meaning=gettext_lazy("评估说明"),
        ),
        Column(
            "evaluation_type",
            "评估类型",
            "Evaluation type",
            aliases=("类型",),
            help=gettext_lazy("竞赛决赛、验收、年度监测或复核；留空为年度监测"),
            example="年度监测",
            parser=_evaluation_type,
            export=label_of("evaluation_type", EvaluationType),
            meaning=gettext_lazy("评估类型：竞赛决赛、验收、年度监测或复核"),
        ),
        Column(
            "evaluated_on",
            "评估日期",
            "Evaluation date",
            aliases=("日期",),
            help=gettext_lazy("2024-12-15"),
            parser=parse_date,
            export="evaluated_on",
            meaning=gettext_lazy("作出评估的日期"),
            unit="YYYY-MM-DD",
        ),
    )
)


def _score_of(name):
    def score(record):
        return number_cell(next((s.score for s in record.scores.all() if s.dimension.name == name), None))

    return score


class _Columns:
    """The fixed columns plus one per dimension name found in any scheme, read from the database when asked
    (once per sheet instance)."""

    def __get__(self, instance, owner):
        if instance is not None and "_all_columns" in instance.__dict__:
            return instance.__dict__["_all_columns"]
        names = SchemeDimension.objects.order_by("scheme__year", "order", "name").values_list("name", "code").distinct()
        seen, dimensions = set(), []
        for name, code in names:
            if name not in seen:
                seen.add(name)
                dimensions.append(
                    Column(
                        f"{SCORE_PREFIX}{name}",
                        name,
                        aliases=(code,),
                        help=gettext_lazy("该维度得分，不超过满分"),
                        parser=parse_score,
                        export=_score_of(name),
                        meaning=format_lazy(_DIMENSION_MEANING, name=name),
                        unit=gettext_lazy("分"),
                    )
                )
        columns = (*BEFORE, *dimensions, *AFTER)
        if instance is not None:
            instance.__dict__["_all_columns"] = columns
        return columns


class EvaluationSheet(Sheet):
    kind = "evaluations"
    title = "动态评估"
    sheet_names = ("评估", "evaluations")
    model = EvaluationRecord
    key_label = gettext_lazy("集群、评估方案、评估期")
    columns = _Columns()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._existing = {}

    def parse(self, row):
        cluster_id = row.get("cluster")
        if cluster_id is not None:
            self.check_scope(row, cluster=cluster_id)
        period = row.get("period")
        scheme = row.get("scheme")
        body = row.get("evaluating_body")
        conclusion = row.get("conclusion")
        evaluation_type = row.get("evaluation_type")
        evaluated_on = row.get("evaluated_on")
        if scheme is None:
            return None
        scores = {}
        dimension_names = {d.name for d in scheme.dimensions.all()}
        for dimension in scheme.dimensions.all():
            column = f"{SCORE_PREFIX}{dimension.name}"
            if not row.has(column):
                row.error("scheme", _("缺少维度“%(name)s”这一列") % {"name": dimension.name})
                continue
            if row.raw(column) is None:
                row.error(column, _("不能为空"))
                continue
            score = row.get(column)
            if score is not None and not 0 <= score <= dimension.max_score:
                row.error(column, _("得分应在 0 到 %(max)s 之间") % {"max": plain(dimension.max_score)})
            scores[dimension] = score
        for name in self.mapping:
            if name.startswith(SCORE_PREFIX) and name[len(SCORE_PREFIX) :] not in dimension_names and row.raw(name):
                row.error(name, _("评估方案“%(scheme)s”没有这一维度") % {"scheme": scheme})
        if row.errors:
            return None
        total = service.compute_total(scores.items())
        fields = {
            "evaluating_body": body,
            "total": total,
            "grade": service.grade_for(scheme, total),
            "scores": {d.pk: Decimal(s) for d, s in scores.items()},
        }
        # An optional column the file leaves out leaves the field alone.
        if row.has("conclusion"):
            fields["conclusion"] = conclusion or ""
        if row.has("narrative"):
            fields["narrative"] = row.get("narrative")
        if row.has("evaluation_type"):
            fields["evaluation_type"] = evaluation_type or EvaluationType.ANNUAL_MONITORING
        if row.has("evaluated_on"):
            fields["evaluated_on"] = evaluated_on
        record = self.existing(scheme.pk).get((cluster_id, period))
        if record is not None and record.state not in EDITABLE_STATES and self._changes(record, fields):
            row.error(
                "period",
                _("该集群这一期已有“%(state)s”的评估记录，导入不能修改它；请在后台新建修订版")
                % {"state": record.get_state_display()},
            )
            return None
        return (cluster_id, scheme.pk, period), fields

    def existing(self, scheme_id):
        """{(cluster id, period): record} for one scheme, the latest revision of each, loaded once per file."""
        if scheme_id not in self._existing:
            records = (
                EvaluationRecord.objects.filter(scheme_id=scheme_id, superseded_by__isnull=True)
                .select_related("scheme")
                .prefetch_related("scores")
            )
            self._existing[scheme_id] = {(r.cluster_id, r.period): r for r in records}
        return self._existing[scheme_id]

    def compare(self):
        for number, key, fields in self.items:
            cluster_id, scheme_id, period = key
            record = self.existing(scheme_id).get((cluster_id, period))
            if record is None:
                self.to_create.append((key, fields))
                yield number, NEW, key, ()
                continue
            changes = self._changes(record, fields)
            if changes:
                self.to_update.append((record, fields))
                yield number, UPDATED, key, changes
            else:
                yield number, UNCHANGED, key, ()

    def _changes(self, record, fields):
        changes = []
        for name in TEXT_FIELDS:
            if name in fields and getattr(record, name) != fields[name]:
                changes.append(
                    (
                        self.header(name),
                        self._show(record, name, getattr(record, name)),
                        self._show(record, name, fields[name]),
                    )
                )
        old = {s.dimension_id: s.score for s in record.scores.all()}
        if old != fields["scores"]:
            before = plain(record.total) if record.total is not None else ""
            changes.append((_("维度得分（总分）"), before, plain(fields["total"])))
        return changes

    @staticmethod
    def _show(record, name, value):
        if value in (None, ""):
            return ""
        if name in ("conclusion", "evaluation_type"):
            return str(dict(record._meta.get_field(name).choices)[value])
        return str(value)

    def label(self, key):
        cluster_id, scheme_id, period = key
        return f"{self.lookups.clusters.labels[cluster_id]} · {self.lookups.scheme_labels[scheme_id]} · {period}"

    def write(self):
        user = self.user if getattr(self.user, "is_authenticated", False) else None
        records, score_rows = [], []
        for (cluster_id, scheme_id, period), fields in self.to_create:
            scores = fields.pop("scores")
            fields.setdefault("evaluation_type", EvaluationType.ANNUAL_MONITORING)
            records.append(
                EvaluationRecord(
                    cluster_id=cluster_id,
                    scheme_id=scheme_id,
                    period=period,
                    state=EvaluationState.DRAFT,
                    created_by=user,
                    **fields,
                )
            )
            score_rows.append(scores)
        if records:
            records = create_with_history(EvaluationRecord, records, user=user, reason=self.reason)
            scores = [
                DimensionScore(record=record, dimension_id=dimension_id, score=score)
                for record, row in zip(records, score_rows, strict=True)
                for dimension_id, score in row.items()
            ]
            create_with_history(DimensionScore, scores, user=user, reason=self.reason)
            EvaluationTransition.objects.bulk_create(
                [
                    EvaluationTransition(
                        record=r, from_state="", to_state=EvaluationState.DRAFT, actor=user, note=self.reason
                    )
                    for r in records
                ],
                batch_size=BATCH_SIZE,
            )
        for record, fields in self.to_update:  # drafts only; usually few, so through the service
            scores = fields.pop("scores")
            for name in TEXT_FIELDS:
                if name in fields:
                    setattr(record, name, fields[name])
            record._history_user = user
            record._change_reason = self.reason
            record.save()
            dimensions = {d.pk: d for d in record.scheme.dimensions.all()}
            service.set_scores(record, {dimensions[pk]: score for pk, score in scores.items()})

    # ------------------------------------------------------------------------------------------ export

    @classmethod
    def export_queryset(cls, queryset=None):
        queryset = EvaluationRecord.objects.all() if queryset is None else queryset
        return (
            queryset.filter(scheme__isnull=False)
            .select_related("cluster", "scheme")
            .prefetch_related(Prefetch("scores", queryset=DimensionScore.objects.select_related("dimension")))
            .order_by("cluster__name", "period", "revision")
        )

    @classmethod
    def export_records(cls, queryset, columns):
        return queryset.iterator(chunk_size=EXPORT_CHUNK)
