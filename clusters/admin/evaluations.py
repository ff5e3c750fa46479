from django.contrib import admin

from clusters.models import DimensionScore, EvaluationRecord, EvaluationScheme, EvaluationTransition, SchemeDimension

from .base import HistoryAdmin


class SchemeDimensionInline(admin.TabularInline):
    model = SchemeDimension
    fields = ["order", "code", "name", "weight", "max_score"]
    extra = 0


@admin.register(EvaluationScheme)
class EvaluationSchemeAdmin(HistoryAdmin):
    list_display = ["name", "version", "year", "excellent_min", "good_min", "pass_min"]
    list_filter = ["year"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["source"]
    inlines = [SchemeDimensionInline]


@admin.register(SchemeDimension)
class SchemeDimensionAdmin(HistoryAdmin):
    list_display = ["name", "scheme", "weight", "max_score", "order"]
    list_select_related = ["scheme"]
    search_fields = ["name", "code", "scheme__name"]
    autocomplete_fields = ["scheme"]


class DimensionScoreInline(admin.TabularInline):
    model = DimensionScore
    autocomplete_fields = ["dimension"]
    extra = 0


class EvaluationTransitionInline(admin.TabularInline):
    model = EvaluationTransition
    fields = ["at", "from_state", "to_state", "actor", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(EvaluationRecord)
class EvaluationRecordAdmin(HistoryAdmin):
    list_display = ["cluster", "period", "evaluation_type", "scheme", "total", "grade", "conclusion", "state"]
    list_filter = ["state", "evaluation_type", "grade", "conclusion", "period", "is_synthetic"]
    list_select_related = ["cluster", "scheme"]
    search_fields = ["cluster__name", "cluster__short_name", "evaluating_body", "narrative"]
    autocomplete_fields = ["cluster", "scheme", "source", "supersedes", "indicator_values"]
    readonly_fields = ["total", "created_by", "published_at", "created_at", "updated_at"]
    inlines = [DimensionScoreInline, EvaluationTransitionInline]


@admin.register(DimensionScore)
class DimensionScoreAdmin(HistoryAdmin):
    list_display = ["record", "dimension", "score"]
    list_select_related = ["record__cluster", "dimension"]
    autocomplete_fields = ["record", "dimension"]
    search_fields = ["record__cluster__name", "dimension__name"]


@admin.register(EvaluationTransition)
class EvaluationTransitionAdmin(admin.ModelAdmin):
    """The audit trail of the review workflow: read-only."""

    list_display = ["record", "from_state", "to_state", "actor", "at"]
    list_filter = ["to_state"]
    list_select_related = ["record__cluster", "actor"]
    search_fields = ["record__cluster__name", "note"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
