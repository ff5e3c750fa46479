from django.contrib import admin
from django.db.models import Prefetch
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from clusters.models import Indicator, IndicatorValue, Measure, MeasureCategory, MeasureTopic, Target
from clusters.progress import latest_by_indicator, target_progress
from clusters.sheets.admin import SheetImportExportMixin

from .base import HistoryAdmin
from .scoping import ScopedAdminMixin


@admin.register(Indicator)
class IndicatorAdmin(HistoryAdmin):
    list_display = ["name", "code", "unit", "kind", "order"]
    list_filter = ["kind", "unit"]
    search_fields = ["name", "code", "name_en"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ScopedAdminMixin, SheetImportExportMixin, HistoryAdmin):
    list_display = ["cluster", "indicator", "period", "scope", "qualifier", "value", "unit", "source", "is_synthetic"]
    list_filter = ["indicator", "period", "period_is_report_year", "qualifier", "is_synthetic", "cluster__field"]
    list_select_related = ["cluster", "indicator", "source"]
    search_fields = ["cluster__name", "cluster__short_name", "indicator__name", "scope", "original_text", "note"]
    autocomplete_fields = ["cluster", "indicator", "source"]

    @admin.display(description=_("单位"))
    def unit(self, obj):
        return obj.indicator.unit


@admin.register(Target)
class TargetAdmin(ScopedAdminMixin, SheetImportExportMixin, HistoryAdmin):
    list_display = [
        "cluster",
        "indicator",
        "qualifier",
        "target_value",
        "unit",
        "target_year",
        "baseline_year",
        "progress",
        "source",
    ]
    list_filter = ["indicator", "target_year", "cluster__field"]
    list_select_related = ["cluster", "indicator", "source"]
    search_fields = ["cluster__name", "cluster__short_name", "indicator__name", "original_text"]
    autocomplete_fields = ["cluster", "indicator", "source"]

    def get_queryset(self, request):
        # The page's targets bring their clusters' values in one query, for the progress column.
        values = IndicatorValue.objects.only("cluster_id", "indicator_id", "period", "scope", "value", "qualifier")
        return super().get_queryset(request).prefetch_related(Prefetch("cluster__indicator_values", queryset=values))

    @admin.display(description=_("单位"))
    def unit(self, obj):
        return obj.indicator.unit

    @admin.display(description=_("进度"))
    def progress(self, obj):
        """The same judgement as the cluster pages and the API (clusters.progress)."""
        latest = latest_by_indicator(obj.cluster.indicator_values.all()).get(obj.indicator_id)
        result = target_progress(obj, latest)
        detail = f"（{latest.period}）" if latest is not None else ""
        # Colours live in static/css/admin.css: the Content-Security-Policy allows no inline styles.
        return format_html(
            '<span class="progress-label progress-{}">{}</span>{}', result.status.value, result.label, detail
        )


@admin.register(MeasureCategory)
class MeasureCategoryAdmin(HistoryAdmin):
    list_display = ["name", "name_en", "slug", "order"]
    search_fields = ["name", "name_en", "slug"]


@admin.register(MeasureTopic)
class MeasureTopicAdmin(HistoryAdmin):
    list_display = ["name", "name_en", "slug", "order"]
    search_fields = ["name", "name_en", "slug"]


@admin.register(Measure)
class MeasureAdmin(ScopedAdminMixin, SheetImportExportMixin, HistoryAdmin):
    list_display = ["title", "cluster", "category", "issuing_body", "document_title", "issued_on", "source"]
    list_filter = ["category", "topics", "cluster__field", ("cluster", admin.EmptyFieldListFilter)]
    list_select_related = ["cluster", "category", "source"]
    search_fields = ["title", "description", "document_title", "issuing_body", "cluster__name", "cluster__short_name"]
    autocomplete_fields = ["cluster", "category", "topics", "source"]
    date_hierarchy = "issued_on"
