"""Export and template rows for the evaluations sheet: one column per dimension, as the import reads them."""

from functools import partial

from django.db.models import Prefetch
from import_export import fields

from clusters.models import DimensionScore, EvaluationRecord

from .evaluation_handler import SCORE_PREFIX, EvaluationHandler
from .resources import SheetResource, _column, number_cell

FIXED_BEFORE = ("cluster", "period", "scheme")
FIXED_AFTER = ("evaluating_body", "conclusion", "narrative", "evaluation_type", "evaluated_on")


class EvaluationResource(SheetResource):
    kind = "evaluations"
    cluster = _column("cluster__name", "集群名称")
    period = _column("period", "评估期")
    scheme = _column("scheme__code", "评估方案")
    evaluating_body = _column("evaluating_body", "评估机构")
    conclusion = fields.Field(column_name="结论", readonly=True)
    narrative = _column("narrative", "说明")
    evaluation_type = fields.Field(column_name="评估类型", readonly=True)
    evaluated_on = _column("evaluated_on", "评估日期")

    class Meta:
        model = EvaluationRecord
        fields = FIXED_BEFORE + FIXED_AFTER

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dimension_keys = []
        for column in EvaluationHandler.columns:
            if column.name.startswith(SCORE_PREFIX):
                name = column.header
                self.fields[column.name] = fields.Field(
                    column_name=name, readonly=True, dehydrate_method=partial(self._score, name)
                )
                self.dimension_keys.append(column.name)

    def get_export_order(self):
        return [*FIXED_BEFORE, *self.dimension_keys, *FIXED_AFTER]

    @staticmethod
    def _score(name, obj):
        score = next((s.score for s in obj.scores.all() if s.dimension.name == name), None)
        return number_cell(score)

    def dehydrate_conclusion(self, obj):
        return obj.get_conclusion_display() if obj.conclusion else ""

    def dehydrate_evaluation_type(self, obj):
        return obj.get_evaluation_type_display()

    @staticmethod
    def queryset(queryset=None):
        queryset = EvaluationRecord.objects.all() if queryset is None else queryset
        return (
            queryset.filter(scheme__isnull=False)
            .select_related("cluster", "scheme")
            .prefetch_related(Prefetch("scores", queryset=DimensionScore.objects.select_related("dimension")))
            .order_by("cluster__name", "period", "revision")
        )
