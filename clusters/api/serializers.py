"""Read shapes of the public API (PRODUCT.md, "Public contract").

Field objects are `{slug, name}`, provinces and cities `{code, name}`, clusters referenced from other
rows `{slug, name}`. Every serializer here reads rows that the selectors (or, for the cluster list,
`rows_with_cities`) have already joined or fetched, so no serializer runs a query of its own. Write shapes live in `write_serializers.py`.
Words for readers (“超过 90%”, “据2021年报道”) come from `clusters.formatting`, as on the pages.
"""

from collections.abc import Mapping

from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.utils.functional import cached_property
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.reverse import reverse
from rest_framework.utils.serializer_helpers import BindingDict

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

# Fields that render a value from the value alone (no parent, context or request): a serializer's readers
# share the one bound per class instead of a copy each.
_VALUE_ONLY = (
    serializers.BooleanField,
    serializers.CharField,  # with SlugField, URLField
    serializers.ChoiceField,
    serializers.DateField,
    serializers.DateTimeField,
    serializers.DecimalField,
    serializers.FloatField,
    serializers.IntegerField,  # with BigIntegerField
)


# A read shape whose fields are built and bound once per class and language, then copied for each serializer
# with only their parent set. Building them (field kwargs, validators, labels from verbose names), then DRF's
# deep copy and bind of each, were most of a cluster's API detail: 17 serializers, 118 fields, on every request
# (issue 14). A read shape's fields are the same for every instance of its class: one that adds or drops fields
# per instance must not build on this class. No docstring: drf-spectacular describes a component by the nearest
# docstring among its classes.
class ModelSerializer(serializers.ModelSerializer):
    _built = {}  # (class, language) -> ({name: field bound to no serializer}, [(name, field, attribute read)])

    @cached_property
    def fields(self):
        fields = BindingDict(self)
        fields.fields.update((name, _bound_copy(field, self)) for name, field in self._bound_once()[0].items())
        return fields

    def _bound_once(self):
        key = (type(self), get_language())
        built = self._built.get(key)
        if built is None:
            fields = self.get_fields()
            for name, field in fields.items():
                field.bind(field_name=name, parent=None)  # what BindingDict sets, less the parent
            model = self.Meta.model
            reads = [(name, f, _model_attribute(model, f)) for name, f in fields.items() if not f.write_only]
            built = self._built[key] = (fields, reads)
        return built

    def to_representation(self, instance):
        """DRF's ``Serializer.to_representation`` with each field's reader chosen once per class (a list's
        child is one serializer for all its rows): a field that shows one of the model's own fields or
        relations reads it with ``getattr`` and, where it renders the value alone, is the one bound per class;
        every other field is this serializer's own copy and reads through DRF's ``get_attribute`` (dotted
        sources, methods, related fields). Serializing a cluster's API detail took 0.68 ms with DRF's generic
        lookup and a copy of every field for each of its 17 serializers, 0.36 ms this way (issue 14)."""
        if isinstance(instance, Mapping):
            return super().to_representation(instance)
        readers = self.__dict__.get("_readers")
        if readers is None:
            readers = self._readers = [
                (name, field if attribute and isinstance(field, _VALUE_ONLY) else _bound_copy(field, self), attribute)
                for name, field, attribute in self._bound_once()[1]
            ]
        ret = {}
        for name, field, attribute_name in readers:
            if attribute_name is None:
                try:
                    attribute = field.get_attribute(instance)
                except SkipField:
                    continue
                if isinstance(attribute, PKOnlyObject) and attribute.pk is None:
                    attribute = None
            elif attribute_name:
                try:
                    attribute = getattr(instance, attribute_name)
                except ObjectDoesNotExist:  # as DRF's get_attribute answers an unset relation
                    attribute = None
            else:  # source="*"
                attribute = instance
            ret[name] = None if attribute is None else field.to_representation(attribute)
        return ret


def _model_attribute(model, field):
    """The attribute ``field`` reads from ``model``'s instances when plain ``getattr`` reads it as DRF would:
    "" for the instance itself, else the name of a model field or of a relation's manager; None otherwise."""
    if type(field).get_attribute is not serializers.Field.get_attribute:
        return None  # related fields read pk-only objects, and others read their own way
    if field.source_attrs == []:
        return ""
    if len(field.source_attrs) != 1:
        return None
    name = field.source_attrs[0]
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None  # a property or method: DRF calls what is callable
    if model_field.concrete or (model_field.many_to_many and not model_field.auto_created):
        return name
    if model_field.one_to_many or model_field.many_to_many:  # a reverse relation, by its manager's name
        return name if model_field.get_accessor_name() == name else None
    return None  # a reverse one-to-one: its absence is answered by DRF's get_attribute


def _bound_copy(field, parent):
    """A copy of a field bound once (``ModelSerializer._bound_once``) for ``parent``, sharing its read-only
    arguments: what DRF's deep copy (re-running every field's __init__ on copies of its arguments) and bind
    give. A list's child is copied too, as its parent is the list."""
    copied = _shallow_copy(field)
    copied.parent = parent
    if isinstance(field, serializers.ListSerializer):
        copied.child = _shallow_copy(field.child)
        copied.child.parent = copied
    return copied


def _shallow_copy(field):
    """``copy.copy(field)`` without its generic path (``__reduce_ex__``), a quarter of the cost."""
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
