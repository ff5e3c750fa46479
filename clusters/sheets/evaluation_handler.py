"""The evaluations sheet (动态评估): one row per cluster, period and scheme, one column per scheme dimension.

Headers: 集群名称, 评估期, 评估方案, then one column per dimension named as the scheme names it (协同创新,
先进制造能力 …), 评估机构, 结论, 说明 (and optionally 评估类型, 评估日期). A row's key is (cluster, scheme,
period). Imported records start as drafts, with total and grade computed by the evaluation service
from the scores, and go through the review workflow like any other. A row that would change a record
already submitted, approved or published is an error: correct a published record with a revision.
"""

from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clusters.bulk import BATCH_SIZE, create_with_history
from clusters.choices import Conclusion, EvaluationState, EvaluationType
from clusters.models import DimensionScore, EvaluationRecord, EvaluationScheme, EvaluationTransition, SchemeDimension
from clusters.models.evaluations import EDITABLE_STATES
from clusters.services import evaluations as service

from .handlers import check_scope
from .parsing import ParseError, format_decimal, lookup_key, parse_choice, parse_date, parse_period, parse_quantity
from .results import NEW, UNCHANGED, UPDATED, Column, RowOutcome

SCORE_PREFIX = "score:"
TEXT_FIELDS = ("evaluating_body", "conclusion", "narrative", "evaluation_type", "evaluated_on")

FIXED_COLUMNS = (
    Column(
        "cluster",
        "集群名称",
        True,
        ("集群", "cluster_name"),
        gettext_lazy("集群全称、简称或网址标识"),
        header_en="Cluster",
    ),
    Column(
        "period",
        "评估期",
        True,
        ("期间", "年度"),
        gettext_lazy("2024、2024-H1、2024-Q2"),
        example="2024",
        header_en="Period",
    ),
    Column(
        "scheme",
        "评估方案",
        True,
        ("方案", "scheme_code"),
        gettext_lazy("评估方案的代码或名称（名称指最新版本）"),
        header_en="Scheme",
    ),
    Column("evaluating_body", "评估机构", True, ("评估单位",), "", header_en="Evaluating body"),
    Column(
        "conclusion",
        "结论",
        False,
        (),
        gettext_lazy("保留、警示或退出；可留空"),
        example="保留",
        header_en="Conclusion",
    ),
    Column("narrative", "说明", False, ("评估说明", "评语"), "", header_en="Narrative"),
    Column(
        "evaluation_type",
        "评估类型",
        False,
        ("类型",),
        gettext_lazy("竞赛决赛、验收、年度监测或复核；留空为年度监测"),
        example="年度监测",
        header_en="Type",
    ),
    Column("evaluated_on", "评估日期", False, ("日期",), gettext_lazy("2024-12-15"), header_en="Evaluated on"),
)


class _Columns:
    """Fixed columns plus one per dimension name found in any scheme, read from the database when asked."""

    def __get__(self, instance, owner):
        if instance is not None and "_columns" in instance.__dict__:
            return instance.__dict__["_columns"]
        names = SchemeDimension.objects.order_by("scheme__year", "order", "name").values_list("name", "code").distinct()
        seen, dimension_columns = set(), []
        for name, code in names:
            if name in seen:
                continue
            seen.add(name)
            dimension_columns.append(
                Column(
                    f"{SCORE_PREFIX}{name}",
                    name,
                    False,
                    (code,),
                    gettext_lazy("该维度得分，不超过满分"),
                    header_en=code,
                )
            )
        columns = FIXED_COLUMNS[:3] + tuple(dimension_columns) + FIXED_COLUMNS[3:]
        if instance is not None:
            instance.__dict__["_columns"] = columns
        return columns


def parse_score(value):
    quantity = parse_quantity(value)
    if quantity.unit is not None and quantity.unit.base not in ("分", ""):
        raise ParseError(_("得分不应带单位“%(unit)s”") % {"unit": quantity.unit.base})
    if quantity.explicit_qualifier:
        raise ParseError(_("得分须是确切的数字"))
    return quantity.amount


class EvaluationHandler:
    kind = "evaluations"
    model = EvaluationRecord
    sheet_names = ("动态评估", "评估", "evaluations")
    key_column = "cluster"
    key_label = gettext_lazy("集群、评估方案、评估期")
    columns = _Columns()

    def __init__(self, lookups, user=None, reason=""):
        self.lookups, self.user, self.reason = lookups, user, reason
        self.items = []
        self.to_create, self.to_update = [], []
        self._schemes = None
        self._existing = {}

    # -------------------------------------------------------------------------------- schemes
    def _load_schemes(self):
        by_key, latest = {}, {}
        schemes = EvaluationScheme.objects.prefetch_related(
            Prefetch("dimensions", queryset=SchemeDimension.objects.order_by("order", "id"))
        )
        for scheme in schemes:
            by_key.setdefault(lookup_key(scheme.code), scheme)
            by_key.setdefault(lookup_key(str(scheme)), scheme)
            if scheme.name not in latest or scheme.version > latest[scheme.name].version:
                latest[scheme.name] = scheme
        for name, scheme in latest.items():
            by_key.setdefault(lookup_key(name), scheme)
        self._schemes = by_key

    def scheme(self, text):
        if self._schemes is None:
            self._load_schemes()
        scheme = self._schemes.get(lookup_key(text))
        if scheme is None:
            raise ParseError(_("找不到评估方案“%(text)s”（按代码或名称查找）") % {"text": text})
        return scheme

    # -------------------------------------------------------------------------------- rows
    def parse(self, row):
        cluster_id = row.parse("cluster", self.lookups.cluster, required=True)
        if cluster_id is not None:
            check_scope(row, self.user, EvaluationRecord, cluster=cluster_id)
        period = row.parse("period", parse_period, required=True)
        scheme = row.parse("scheme", self.scheme, required=True)
        body = row.text("evaluating_body")
        if not body:
            row.error("evaluating_body", _("不能为空"))
        elif len(body) > 200:
            row.error("evaluating_body", _("不能超过 %(limit)s 字") % {"limit": 200}, value=body[:40] + "…")
        conclusion = row.parse("conclusion", parse_choice, Conclusion)
        evaluation_type = row.parse("evaluation_type", parse_choice, EvaluationType)
        evaluated_on = row.parse("evaluated_on", parse_date)
        if scheme is None:
            return None
        scores = {}
        dimension_names = {d.name for d in scheme.dimensions.all()}
        for dimension in scheme.dimensions.all():
            column = f"{SCORE_PREFIX}{dimension.name}"
            if not row.has(column):
                row.error("scheme", _("缺少维度“%(name)s”这一列") % {"name": dimension.name})
                continue
            score = row.parse(column, parse_score, required=True)
            if score is not None and not 0 <= score <= dimension.max_score:
                row.error(column, _("得分应在 0 到 %(max)s 之间") % {"max": format_decimal(dimension.max_score)})
            scores[dimension] = score
        for name in row.mapping:
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
            fields["narrative"] = row.text("narrative")
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

    def accept(self, number, key, fields):
        self.items.append((number, key, fields))

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
            label = self.label(key)
            if record is None:
                self.to_create.append((key, fields))
                yield RowOutcome(number, NEW, label)
                continue
            changes = self._changes(record, fields)
            if changes:
                self.to_update.append((record, fields))
                yield RowOutcome(number, UPDATED, label, changes)
            else:
                yield RowOutcome(number, UNCHANGED, label)

    def _changes(self, record, fields):
        changes = []
        for name in TEXT_FIELDS:
            if name in fields and getattr(record, name) != fields[name]:
                header = next(c.header for c in FIXED_COLUMNS if c.name == name)
                changes.append(
                    (header, self._show(record, name, getattr(record, name)), self._show(record, name, fields[name]))
                )
        old = {s.dimension_id: s.score for s in record.scores.all()}
        if old != fields["scores"]:
            before = format_decimal(record.total) if record.total is not None else ""
            changes.append((_("维度得分（总分）"), before, format_decimal(fields["total"])))
        return changes

    @staticmethod
    def _show(record, name, value):
        if value in (None, ""):
            return ""
        if name in ("conclusion", "evaluation_type"):
            return str(record._meta.get_field(name).choices and dict(record._meta.get_field(name).choices)[value])
        return str(value)

    def label(self, key):
        cluster_id, scheme_id, period = key
        scheme = next(s for s in self._schemes.values() if s.pk == scheme_id)
        return f"{self.lookups.clusters.labels[cluster_id]} · {scheme} · {period}"

    # -------------------------------------------------------------------------------- write
    def write(self):
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
                    created_by=self.user if getattr(self.user, "is_authenticated", False) else None,
                    **fields,
                )
            )
            score_rows.append(scores)
        if records:
            user = self.user if getattr(self.user, "is_authenticated", False) else None
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
            record._history_user = self.user if getattr(self.user, "is_authenticated", False) else None
            record._change_reason = self.reason
            record.save()
            dimensions = {d.pk: d for d in record.scheme.dimensions.all()}
            service.set_scores(record, {dimensions[pk]: score for pk, score in scores.items()})


__all__ = ["EvaluationHandler"]
