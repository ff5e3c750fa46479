"""Read shapes of the public API (PRODUCT.md, "Public contract").

Field objects are `{slug, name}`, provinces and cities `{code, name}`, clusters referenced from other
rows `{slug, name}`. Every serializer here reads rows that the selectors (or, for the cluster list,
`rows_with_cities`) have already joined or fetched, so no serializer runs a query of its own. Write shapes live in `write_serializers.py`.
Words for readers (“超过 90%”, “据2021年报道”) come from `clusters.formatting`, as on the pages.
"""

from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from clusters import formatting, selectors
from clusters.models import (
    Batch,
    Characteristic,
    City,
    Cluster,
    DimensionScore,
    EvaluationRecord,
    EvaluationScheme,
    Field,
    Indicator,
    IndicatorValue,
    LeadEnterprise,
    Measure,
    MeasureCategory,
    MeasureTopic,
    PromotionOrganization,
    Province,
    Source,
    Target,
)
from clusters.progress import Status, latest_by_indicator, target_progress
from clusters.tables import detail_url_maker, url_maker


# A read shape whose fields are built from the model once per class and language, then copied for each use,
# as DRF copies declared fields. Building them (field kwargs, validators, labels from verbose names) was most
# of a cluster's API detail: 17 serializers, 89 fields, on every request. No docstring: drf-spectacular
# describes a component by the nearest docstring among its classes.
class ModelSerializer(serializers.ModelSerializer):
    _built = {}

    def get_fields(self):
        key = (type(self), get_language())
        fields = self._built.get(key)
        if fields is None:
            fields = self._built[key] = super().get_fields()
        return {name: _unbound_copy(field) for name, field in fields.items()}


def _unbound_copy(field):
    """A fresh copy of a built, never-bound field to bind to one serializer, sharing its read-only arguments.

    DRF deep-copies fields, re-running every field's __init__ on deep copies of its arguments: a fifth of the
    API detail's time. Binding sets attributes on the copy only; a list's child is the one object a list
    binds, so it is copied too, unbound again (its first list bound it and set its source)."""
    copied = _shallow_copy(field)
    if isinstance(field, serializers.ListSerializer):
        copied.child = _shallow_copy(field.child)
        copied.child.source = field.child._kwargs.get("source")
        copied.child.bind(field_name="", parent=copied)
    return copied


def _shallow_copy(field):
    """``copy.copy(field)`` without its generic path (``__reduce_ex__``), a quarter of the cost: a cluster's API
    detail copies 118 fields (issue 14)."""
    copied = object.__new__(type(field))
    copied.__dict__.update(field.__dict__)
    return copied


class FieldSerializer(ModelSerializer):
    class Meta:
        model = Field
        fields = ["slug", "name"]


class ProvinceSerializer(ModelSerializer):
    class Meta:
        model = Province
        fields = ["code", "name"]


class CitySerializer(ModelSerializer):
    class Meta:
        model = City
        fields = ["code", "name"]


class CityWithProvinceSerializer(CitySerializer):
    province = ProvinceSerializer(read_only=True)

    class Meta(CitySerializer.Meta):
        fields = [*CitySerializer.Meta.fields, "province"]


class SourceSerializer(ModelSerializer):
    class Meta:
        model = Source
        fields = ["code", "kind", "publisher", "title", "published_on", "document_number", "url"]


class ClusterRefSerializer(ModelSerializer):
    class Meta:
        model = Cluster
        fields = ["slug", "name"]


class IndicatorRefSerializer(ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["code", "name", "unit"]


class CategorySerializer(ModelSerializer):
    class Meta:
        model = MeasureCategory
        fields = ["slug", "name"]


class TopicSerializer(ModelSerializer):
    class Meta:
        model = MeasureTopic
        fields = ["slug", "name"]


class BatchSerializer(ModelSerializer):
    class Meta:
        model = Batch
        fields = ["slug", "name", "year"]


class PromotionOrganizationSerializer(ModelSerializer):
    class Meta:
        model = PromotionOrganization
        fields = ["name", "website"]


class LeadEnterpriseSerializer(ModelSerializer):
    name = serializers.CharField(source="enterprise.name", read_only=True)
    source = SourceSerializer(read_only=True, allow_null=True)

    class Meta:
        model = LeadEnterprise
        fields = ["name", "note", "source"]


class CharacteristicSerializer(ModelSerializer):
    source = SourceSerializer(read_only=True)

    class Meta:
        model = Characteristic
        fields = ["category", "text", "source"]


# Clusters ---------------------------------------------------------------------------------------


class ClusterListSerializer(ModelSerializer):
    field = FieldSerializer(read_only=True)
    provinces = serializers.SerializerMethodField(help_text="省级行政区，由所在城市推出")
    cities = CitySerializer(many=True, read_only=True)
    url = serializers.HyperlinkedIdentityField(
        view_name="api:cluster-detail", lookup_field="slug", help_text="本集群的 API 详情地址"
    )
    html_url = serializers.SerializerMethodField(help_text="本集群的公开网页地址")

    class Meta:
        model = Cluster
        fields = [
            "slug",
            "name",
            "short_name",
            "field",
            "tier",
            "status",
            "provinces",
            "cities",
            "is_synthetic",
            "url",
            "html_url",
        ]

    # What a list row reads: a ``values()`` row plus "cities", [City with its province] by city code
    # (``rows_with_cities``). The list answers from these plain rows: a nested serializer and a
    # ``reverse()`` per row cost 14 times as much as the dicts below (issue 14).
    ROW = ("id", "slug", "name", "short_name", "field__slug", "field__name", "tier", "status", "is_synthetic")

    def to_representation(self, instance):
        if not isinstance(instance, dict):
            return super().to_representation(instance)
        row, slug = instance, instance["slug"]
        api_url, html_url = self._url_templates()
        field = None if row["field__slug"] is None else {"slug": row["field__slug"], "name": row["field__name"]}
        return {
            "slug": slug,
            "name": row["name"],
            "short_name": row["short_name"],
            "field": field,
            "tier": row["tier"],
            "status": row["status"],
            "provinces": [{"code": p.code, "name": p.name} for p in Cluster.provinces_in(row["cities"])],
            "cities": [{"code": city.code, "name": city.name} for city in row["cities"]],
            "is_synthetic": row["is_synthetic"],
            "url": api_url(slug),
            "html_url": html_url(slug),
        }

    def _url_templates(self):
        """slug -> each of the two URLs (``tables.url_maker``): reversed once per request."""
        templates = getattr(self, "_templates", None)
        if templates is None:
            request, url_format = self.context["request"], self.context.get("format")

            def api(slug):  # what `url`'s HyperlinkedIdentityField reverses, without building this serializer's fields
                return reverse("api:cluster-detail", kwargs={"slug": slug}, request=request, format=url_format)

            templates = self._templates = (url_maker(api), detail_url_maker(request))
        return templates

    @extend_schema_field(ProvinceSerializer(many=True))
    def get_provinces(self, obj):
        return ProvinceSerializer(obj.provinces, many=True).data

    @extend_schema_field(OpenApiTypes.URI)
    def get_html_url(self, obj):
        request = self.context.get("request")
        url = obj.get_absolute_url()
        return request.build_absolute_uri(url) if request else url


def rows_with_cities(rows):
    """List rows (``ClusterListSerializer.ROW`` dicts) with their "cities" (``selectors.cities_of``)."""
    rows = list(rows)
    cities = selectors.cities_of([row["id"] for row in rows])
    for row in rows:
        row["cities"] = cities[row["id"]]
    return rows


# Targets, measures, indicator values, evaluations -----------------------------------------------


class ProgressSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[(s.value, s.label) for s in Status])
    label = serializers.CharField()
    percent = serializers.FloatField(allow_null=True, help_text="最新值占目标的百分比（0–100）")
    expected_percent = serializers.FloatField(
        allow_null=True, help_text="按基期到目标的直线，此时应达到的百分比；无基期时为 null"
    )
    value = serializers.DecimalField(max_digits=18, decimal_places=4, allow_null=True, help_text="比较所用的最新值")
    period = serializers.CharField(allow_null=True, help_text="最新值所属期间")
    value_is_bound = serializers.BooleanField(help_text="最新值是“超过/不足”一类的界值")


# A target inside a cluster's detail: its progress compares with the cluster's prefetched values.
class TargetSerializer(ModelSerializer):
    indicator = IndicatorRefSerializer(read_only=True)
    value = serializers.DecimalField(source="target_value", max_digits=18, decimal_places=4, read_only=True)
    unit = serializers.CharField(read_only=True, help_text="指标的单位")
    year = serializers.IntegerField(source="target_year", read_only=True)
    source = SourceSerializer(read_only=True)
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Target
        fields = [
            "id",
            "indicator",
            "value",
            "unit",
            "qualifier",
            "year",
            "baseline_value",
            "baseline_year",
            "original_text",
            "source",
            "progress",
        ]

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, obj):
        # Latest value per indicator, computed once per cluster and shared by all its targets.
        cluster = obj.cluster
        latest = getattr(cluster, "_latest_values", None)
        if latest is None:
            latest = cluster._latest_values = latest_by_indicator(cluster.indicator_values.all())
        progress = target_progress(obj, latest.get(obj.indicator_id))
        return {
            "status": progress.status.value,
            "label": str(progress.label),
            "percent": progress.percent,
            "expected_percent": progress.expected_percent,
            "value": progress.value,
            "period": progress.period,
            "value_is_bound": progress.value_is_bound,
        }


class TargetListSerializer(TargetSerializer):
    cluster = ClusterRefSerializer(read_only=True)

    class Meta(TargetSerializer.Meta):
        fields = ["id", "cluster", *TargetSerializer.Meta.fields[1:]]


class MeasureSerializer(ModelSerializer):
    category = CategorySerializer(
        read_only=True, allow_null=True, help_text="出处给出的类别；null 表示出处没有归类（页面上为“未分类”）"
    )
    topics = TopicSerializer(many=True, read_only=True, help_text="举措涉及的主题，例如资金支持、人才")
    source = SourceSerializer(read_only=True)

    class Meta:
        model = Measure
        fields = [
            "id",
            "category",
            "topics",
            "title",
            "description",
            "issuing_body",
            "document_title",
            "issued_on",
            "source",
        ]


class MeasureListSerializer(MeasureSerializer):
    cluster = ClusterRefSerializer(read_only=True, allow_null=True, help_text="null 表示面向全部集群的举措")

    class Meta(MeasureSerializer.Meta):
        fields = ["id", "cluster", *MeasureSerializer.Meta.fields[1:]]


class IndicatorValueSerializer(ModelSerializer):
    indicator = IndicatorRefSerializer(read_only=True)
    unit = serializers.CharField(read_only=True, help_text="指标的单位")
    value_display = serializers.SerializerMethodField(
        help_text="按出处的说法写出的数值，例如“超过 90%”“2.8 万亿元”（与网页相同）"
    )
    period_label = serializers.SerializerMethodField(
        help_text="供阅读的期间：出处未写明数据年份时为“据2021年报道”，否则同 period"
    )
    source = SourceSerializer(read_only=True)

    class Meta:
        model = IndicatorValue
        fields = [
            "id",
            "indicator",
            "period",
            "period_is_report_year",
            "period_label",
            "scope",
            "value",
            "unit",
            "qualifier",
            "value_display",
            "original_text",
            "note",
            "source",
            "is_synthetic",
        ]
        extra_kwargs = {
            "scope": {"help_text": "数值所指的产品、环节或地域，例如“高压继电保护设备”；空字符串表示整个集群"},
            "note": {"help_text": "读者需要知道的限定，例如“原文为深圳信息产业规模，非集群口径”"},
            "period_is_report_year": {"help_text": "true 表示出处没有写明数据年份，period 取报道或文件的年份"},
        }

    def get_value_display(self, obj) -> str:
        return formatting.value_figure(obj)

    def get_period_label(self, obj) -> str:
        return formatting.value_period(obj)


class IndicatorValueListSerializer(IndicatorValueSerializer):
    cluster = ClusterRefSerializer(read_only=True)

    class Meta(IndicatorValueSerializer.Meta):
        fields = ["id", "cluster", *IndicatorValueSerializer.Meta.fields[1:]]


class SchemeRefSerializer(ModelSerializer):
    class Meta:
        model = EvaluationScheme
        fields = ["code", "name", "version"]


class DimensionScoreSerializer(ModelSerializer):
    dimension = serializers.CharField(source="dimension.code", read_only=True)
    name = serializers.CharField(source="dimension.name", read_only=True)
    max_score = serializers.DecimalField(source="dimension.max_score", max_digits=6, decimal_places=2, read_only=True)

    class Meta:
        model = DimensionScore
        fields = ["dimension", "name", "score", "max_score"]


class EvaluationSerializer(ModelSerializer):
    scheme = SchemeRefSerializer(read_only=True, allow_null=True)
    scores = DimensionScoreSerializer(many=True, read_only=True)
    source = SourceSerializer(read_only=True, allow_null=True)

    class Meta:
        model = EvaluationRecord
        fields = [
            "id",
            "period",
            "evaluation_type",
            "evaluating_body",
            "evaluated_on",
            "scheme",
            "scores",
            "total",
            "grade",
            "conclusion",
            "valid_until",
            "narrative",
            "state",
            "revision",
            "supersedes",
            "published_at",
            "source",
            "is_synthetic",
        ]


class EvaluationListSerializer(EvaluationSerializer):
    cluster = ClusterRefSerializer(read_only=True)

    class Meta(EvaluationSerializer.Meta):
        fields = ["id", "cluster", *EvaluationSerializer.Meta.fields[1:]]


# Cluster detail ---------------------------------------------------------------------------------


class ClusterDetailSerializer(ClusterListSerializer):
    batch = BatchSerializer(read_only=True, allow_null=True)
    promotion_organization = PromotionOrganizationSerializer(read_only=True, allow_null=True)
    lead_enterprises = LeadEnterpriseSerializer(many=True, read_only=True)
    characteristics = CharacteristicSerializer(many=True, read_only=True)
    targets = TargetSerializer(many=True, read_only=True)
    measures = MeasureSerializer(many=True, read_only=True)
    indicator_values = IndicatorValueSerializer(many=True, read_only=True)
    evaluations = serializers.SerializerMethodField(help_text="公众只看到已发布的评估记录；最新期间在前")
    sources = SourceSerializer(many=True, read_only=True)

    class Meta(ClusterListSerializer.Meta):
        fields = [
            *ClusterListSerializer.Meta.fields,
            "batch",
            "rank_in_batch",
            "area_note",
            "summary",
            "origin_year",
            "origin_note",
            "promotion_organization",
            "website",
            "published",
            "lead_enterprises",
            "characteristics",
            "targets",
            "measures",
            "indicator_values",
            "evaluations",
            "sources",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(EvaluationSerializer(many=True))
    def get_evaluations(self, obj):
        # `selectors.read_detail` holds the records this reader may see (the view says which).
        return EvaluationSerializer(obj.shown_evaluations, many=True, context=self.context).data


class StatsFieldSerializer(FieldSerializer):
    count = serializers.IntegerField(help_text="该领域的公开集群数")

    class Meta(FieldSerializer.Meta):
        fields = [*FieldSerializer.Meta.fields, "count"]


class StatsProvinceSerializer(ProvinceSerializer):
    count = serializers.IntegerField(help_text="该省份的公开集群数（跨省集群在每个省各计一次）")

    class Meta(ProvinceSerializer.Meta):
        fields = [*ProvinceSerializer.Meta.fields, "count"]


class StatsSerializer(serializers.Serializer):
    clusters = serializers.IntegerField(help_text="公开集群数")
    provinces = serializers.IntegerField(help_text="至少有一个公开集群的省级行政区数")
    cities = serializers.IntegerField(help_text="至少有一个公开集群的地级行政区数")
    by_field = StatsFieldSerializer(many=True)
    by_province = StatsProvinceSerializer(many=True)
