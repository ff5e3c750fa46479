from django.contrib import admin
from django.db.models import Count, Prefetch
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from clusters.models import (
    Batch,
    Characteristic,
    Cluster,
    Enterprise,
    Field,
    IndicatorValue,
    LeadEnterprise,
    Measure,
    PromotionOrganization,
    Province,
    Target,
)
from clusters.selectors import cities_with_province
from clusters.sheets.admin import SheetImportExportMixin

from .base import HistoryAdmin
from .inlines import BoundedInline, BoundedStackedInline
from .scoping import ScopedAdminMixin


@admin.register(Field)
class FieldAdmin(HistoryAdmin):
    list_display = ["name", "name_en", "slug", "order", "cluster_count"]
    search_fields = ["name", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(cluster_count=Count("clusters"))

    @admin.display(description=_("集群数"), ordering="cluster_count")
    def cluster_count(self, obj):
        return obj.cluster_count


@admin.register(Batch)
class BatchAdmin(HistoryAdmin):
    list_display = ["name", "year", "tier", "announced_on", "source"]
    list_filter = ["tier", "year"]
    list_select_related = ["source"]
    search_fields = ["name", "slug"]
    autocomplete_fields = ["source"]


@admin.register(PromotionOrganization)
class PromotionOrganizationAdmin(HistoryAdmin):
    list_display = ["name", "website"]
    search_fields = ["name"]
    autocomplete_fields = ["source"]


@admin.register(Enterprise)
class EnterpriseAdmin(HistoryAdmin):
    list_display = ["name", "cluster_names"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("clusters")

    @admin.display(description=_("所在集群"))
    def cluster_names(self, obj):
        return "、".join(cluster.display_name for cluster in obj.clusters.all())


class ProvinceListFilter(admin.SimpleListFilter):
    """Province follows from the cities, so filter through them (only provinces that hold a cluster)."""

    title = _("省份")
    parameter_name = "province"

    def lookups(self, request, model_admin):
        holding = Province.objects.holding(Cluster.objects.all())
        return list(holding.order_by("code").values_list("code", "name"))

    def queryset(self, request, queryset):
        return queryset.in_province(self.value()) if self.value() else queryset


class LeadEnterpriseInline(BoundedInline):
    model = LeadEnterprise
    autocomplete_fields = ["enterprise", "source"]
    fields = ["enterprise", "note", "order", "source"]
    extra = 0


class CharacteristicInline(BoundedStackedInline):
    model = Characteristic
    fields = [("category", "source"), "text"]
    extra = 0


class TargetInline(BoundedInline):
    model = Target
    autocomplete_fields = ["indicator", "source"]
    fields = [
        "indicator",
        "qualifier",
        "target_value",
        "target_year",
        "baseline_value",
        "baseline_year",
        "original_text",
        "source",
    ]
    extra = 0


class MeasureInline(BoundedStackedInline):
    model = Measure
    # Topics are edited on the measure's own page: a many-to-many field here would cost a query per row.
    fields = [("category", "title"), ("issuing_body", "issued_on"), "document_title", "description", "source"]
    extra = 0


class IndicatorValueInline(BoundedInline):
    model = IndicatorValue
    autocomplete_fields = ["indicator", "source"]
    fields = [
        "indicator",
        "period",
        "period_is_report_year",
        "scope",
        "qualifier",
        "value",
        "original_text",
        "note",
        "source",
        "is_synthetic",
    ]
    extra = 0


@admin.register(Cluster)
class ClusterAdmin(ScopedAdminMixin, SheetImportExportMixin, HistoryAdmin):
    list_display = ["name", "field", "tier", "status", "province_names", "city_names", "batch", "published"]
    list_filter = ["field", ProvinceListFilter, "tier", "status", "batch", "published", "is_synthetic"]
    list_select_related = ["field", "batch"]
    search_fields = ["name", "short_name", "name_en", "slug", "lead_enterprises__enterprise__name", "cities__name"]
    autocomplete_fields = ["cities", "promotion_organization", "batch", "sources"]
    readonly_fields = ["province_names", "created_at", "updated_at"]
    fieldsets = [
        (
            None,
            {"fields": ["name", "short_name", "name_en", "slug", "field", "tier", "batch", "rank_in_batch", "status"]},
        ),
        (_("地域"), {"fields": ["cities", "province_names", "area_note"]}),
        (_("概况"), {"fields": ["summary", "origin_year", "origin_note", "promotion_organization", "website"]}),
        (_("出处与发布"), {"fields": ["sources", "published", "is_synthetic", "created_at", "updated_at"]}),
    ]
    inlines = [LeadEnterpriseInline, CharacteristicInline, TargetInline, MeasureInline, IndicatorValueInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(Prefetch("cities", queryset=cities_with_province()))

    @admin.display(description=_("省份"))
    def province_names(self, obj):
        if obj.pk is None:
            return _("保存后由所在城市推出")
        return "、".join(province.name for province in obj.provinces)

    @admin.display(description=_("城市"))
    def city_names(self, obj):
        return format_html_join("、", "{}", ((city.name,) for city in obj.cities.all()))


@admin.register(LeadEnterprise)
class LeadEnterpriseAdmin(ScopedAdminMixin, HistoryAdmin):
    list_display = ["enterprise", "cluster", "source"]
    list_select_related = ["enterprise", "cluster", "source"]
    search_fields = ["enterprise__name", "cluster__name", "cluster__short_name"]
    autocomplete_fields = ["cluster", "enterprise", "source"]


@admin.register(Characteristic)
class CharacteristicAdmin(ScopedAdminMixin, HistoryAdmin):
    list_display = ["cluster", "category", "text", "source"]
    list_filter = ["category"]
    list_select_related = ["cluster", "source"]
    search_fields = ["cluster__name", "cluster__short_name", "text"]
    autocomplete_fields = ["cluster", "source"]
