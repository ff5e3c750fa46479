"""django-import-export Resources: the four sheets' columns for export (xlsx, csv, json) and templates.

Each exported row is exactly what the import reads back unchanged (round trip): names rather than ids,
numbers in the indicator's unit, a qualifier written into the number ('2000以上', '约300'), sources by code.
Imports do not go through these Resources' row-by-row ``import_data``; see ``services.run_import``.
"""

from django.db.models import Prefetch
from import_export import fields, resources

from clusters.choices import Qualifier
from clusters.models import City, Cluster, IndicatorValue, LeadEnterprise, Measure, Target

from .handlers import get_handler
from .parsing import format_quantity

SEPARATOR = "、"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe (the import strips it again)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def number_cell(value, qualifier=Qualifier.EXACT, default=Qualifier.EXACT):
    """A plain number stays a number (a numeric cell in xlsx); a qualified one becomes text like '2000以上'."""
    if value is None:
        return None
    if qualifier != default:
        return format_quantity(value, qualifier, default)
    if value == value.to_integral_value():
        return int(value)
    if len(value.normalize().as_tuple().digits) <= 15:
        return float(value)
    return format_quantity(value, qualifier, default)


class SheetResource(resources.ModelResource):
    """Columns named by the Chinese template headers, in the handler's order."""

    kind = ""

    @classmethod
    def headers(cls):
        return [column.header for column in get_handler(cls.kind).columns]

    def export_field(self, field, instance, **kwargs):
        return neutralise(super().export_field(field, instance, **kwargs))

    def get_export_headers(self, selected_fields=None):
        return [str(field.column_name) for field in self.get_export_fields(selected_fields)]


def _column(attribute, header):
    return fields.Field(attribute=attribute, column_name=header, readonly=True)


class IndicatorValueResource(SheetResource):
    kind = "indicator-values"
    cluster = _column("cluster__name", "集群名称")
    indicator = _column("indicator__name", "指标")
    period = _column("period", "期间")
    value = fields.Field(column_name="数值", readonly=True)
    unit = _column("indicator__unit", "单位")
    source = _column("source__code", "来源")
    original_text = _column("original_text", "原文")

    class Meta:
        model = IndicatorValue
        fields = ("cluster", "indicator", "period", "value", "unit", "source", "original_text")
        export_order = fields

    def dehydrate_value(self, obj):
        return number_cell(obj.value, obj.qualifier)

    @staticmethod
    def queryset(queryset=None):
        queryset = IndicatorValue.objects.all() if queryset is None else queryset
        return queryset.select_related("cluster", "indicator", "source").order_by(
            "cluster__name", "indicator__order", "period"
        )


class TargetResource(SheetResource):
    kind = "targets"
    cluster = _column("cluster__name", "集群名称")
    indicator = _column("indicator__name", "指标")
    target_value = fields.Field(column_name="目标值", readonly=True)
    unit = _column("indicator__unit", "单位")
    target_year = _column("target_year", "目标年份")
    baseline_value = fields.Field(column_name="基期值", readonly=True)
    baseline_year = _column("baseline_year", "基期年份")
    original_text = _column("original_text", "原文")
    source = _column("source__code", "来源")

    class Meta:
        model = Target
        fields = (
            "cluster",
            "indicator",
            "target_value",
            "unit",
            "target_year",
            "baseline_value",
            "baseline_year",
            "original_text",
            "source",
        )
        export_order = fields

    def dehydrate_target_value(self, obj):
        return number_cell(obj.target_value, obj.qualifier, Qualifier.AT_LEAST)

    def dehydrate_baseline_value(self, obj):
        return number_cell(obj.baseline_value)

    @staticmethod
    def queryset(queryset=None):
        queryset = Target.objects.all() if queryset is None else queryset
        return queryset.select_related("cluster", "indicator", "source").order_by(
            "cluster__name", "target_year", "indicator__order"
        )


class MeasureResource(SheetResource):
    kind = "measures"
    cluster = _column("cluster__name", "集群名称")
    category = _column("category__name", "类别")
    title = _column("title", "标题")
    description = _column("description", "内容")
    issuing_body = _column("issuing_body", "发布机构")
    issued_on = fields.Field(column_name="发布日期", readonly=True)
    document_title = _column("document_title", "政策文件")
    source = _column("source__code", "来源")

    class Meta:
        model = Measure
        fields = (
            "cluster",
            "category",
            "title",
            "description",
            "issuing_body",
            "issued_on",
            "document_title",
            "source",
        )
        export_order = fields

    def dehydrate_issued_on(self, obj):
        return obj.issued_on.isoformat() if obj.issued_on else ""

    @staticmethod
    def queryset(queryset=None):
        queryset = Measure.objects.all() if queryset is None else queryset
        return queryset.select_related("cluster", "category", "source").order_by(
            "cluster__name", "category__order", "id"
        )


class ClusterResource(SheetResource):
    kind = "clusters"
    name = _column("name", "集群名称")
    short_name = _column("short_name", "简称")
    field = _column("field__name", "领域")
    tier = fields.Field(column_name="层级", readonly=True)
    batch = _column("batch__name", "批次")
    status = fields.Field(column_name="状态", readonly=True)
    cities = fields.Field(column_name="城市", readonly=True)
    summary = _column("summary", "简介")
    origin_year = _column("origin_year", "起步年份")
    promotion_organization = _column("promotion_organization__name", "促进机构")
    lead_enterprises = fields.Field(column_name="链主企业", readonly=True)
    website = _column("website", "网址")

    class Meta:
        model = Cluster
        fields = (
            "name",
            "short_name",
            "field",
            "tier",
            "batch",
            "status",
            "cities",
            "summary",
            "origin_year",
            "promotion_organization",
            "lead_enterprises",
            "website",
        )
        export_order = fields

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        names = list(City.objects.values_list("name", flat=True))
        self.ambiguous = {name for name in names if names.count(name) > 1}

    def dehydrate_tier(self, obj):
        return obj.get_tier_display()

    def dehydrate_status(self, obj):
        return obj.get_status_display()

    def dehydrate_cities(self, obj):
        return SEPARATOR.join(c.code if c.name in self.ambiguous else c.name for c in obj.cities.all())

    def dehydrate_lead_enterprises(self, obj):
        return SEPARATOR.join(lead.enterprise.name for lead in obj.lead_enterprises.all())

    @staticmethod
    def queryset(queryset=None):
        queryset = Cluster.objects.all() if queryset is None else queryset.prefetch_related(None)
        return queryset.select_related("field", "batch", "promotion_organization").prefetch_related(
            Prefetch("cities", queryset=City.objects.order_by("code")),
            Prefetch("lead_enterprises", queryset=LeadEnterprise.objects.select_related("enterprise")),
        )


RESOURCES = {r.kind: r for r in (ClusterResource, MeasureResource, TargetResource, IndicatorValueResource)}

# The evaluations sheet's resource lives with its handler; it builds on SheetResource above.
from .evaluation_resource import EvaluationResource  # noqa: E402

RESOURCES[EvaluationResource.kind] = EvaluationResource
