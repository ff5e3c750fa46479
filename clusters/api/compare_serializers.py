"""The comparison table as JSON (`GET /api/compare/?clusters=a,b`): the `clusters.compare.Comparison` the page
and the downloads render, field for field.

Rows hold one cell per cluster, in the order of `clusters`, `null` where that cluster has nothing. A cell's
`sources` are numbers into `sources`; its `display` is the cell exactly as the CSV and xlsx downloads write it.
Nothing here queries: the comparison has read everything already.
"""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_array_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clusters import formatting
from clusters.choices import Qualifier

from .serializers import IndicatorRefSerializer, ProgressSerializer, SourceSerializer


class CompareClusterSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    short_name = serializers.CharField()
    is_synthetic = serializers.BooleanField()
    html_url = serializers.SerializerMethodField(help_text="本集群的公开网页地址")
    sources = serializers.SerializerMethodField(help_text="集群本身（名称、地区、批次等）所依据的出处编号")

    @extend_schema_field(OpenApiTypes.URI)
    def get_html_url(self, cluster):
        request = self.context.get("request")
        url = cluster.get_absolute_url()
        return request.build_absolute_uri(url) if request else url

    def get_sources(self, cluster) -> list[int]:
        return self.context["comparison"].numbers(cluster.sources.all())


class CompareCellSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="数值或事实，按出处的说法写出，例如“超过 90%”“≥ 4000 亿元”")
    detail = serializers.CharField(help_text="随文字一起读的限定：期间（“据2021年报道”）、基期、满分等")
    note = serializers.CharField(help_text="读者必须看到的说明，例如“原文为深圳信息产业规模，非集群口径”")
    progress = ProgressSerializer(
        allow_null=True, help_text="目标行：按最新值算出的进度，同 /api/targets/ 的 progress；其他行为 null"
    )
    progress_text = serializers.CharField(help_text="目标行：进度的文字，例如“进度落后 · 最新 … · 完成 50%”")
    value = serializers.DecimalField(
        max_digits=18, decimal_places=4, allow_null=True, help_text="存储的数值（指标值、目标值、得分）"
    )
    qualifier = serializers.ChoiceField(
        choices=Qualifier.choices, allow_null=True, help_text="出处对数值的限定（超过、约、不足）"
    )
    period = serializers.CharField(allow_null=True, help_text="指标值的期间，或目标年份")
    period_is_report_year = serializers.BooleanField(help_text="true 表示出处没有写明数据年份，期间取报道年份")
    is_synthetic = serializers.BooleanField(help_text="演示数据")
    sources = serializers.SerializerMethodField(help_text="出处编号，见 sources")
    display = serializers.SerializerMethodField(help_text="整格的一行文字，与 CSV、Excel 下载中的单元格相同")

    def get_sources(self, cell) -> list[int]:
        return self.context["comparison"].numbers(cell.sources)

    def get_display(self, cell) -> str:
        return self.context["comparison"].display(cell)


class CellsField(serializers.ListField):
    """One cell per cluster; DRF's ListField already writes a missing cell as null."""

    child = CompareCellSerializer()


class CellsFieldSchema(OpenApiSerializerFieldExtension):
    """drf-spectacular drops a nested child's `allow_null` inside a list: say here that a cell may be null."""

    target_class = CellsField

    def map_serializer_field(self, auto_schema, direction):
        component = auto_schema.resolve_serializer(CompareCellSerializer, direction)
        return build_array_type({"allOf": [component.ref], "nullable": True})


class CompareRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="行的稳定标识，例如 tier、indicator:output-value、target:output-value:2025")
    section = serializers.ChoiceField(choices=["overview", "indicators", "targets", "evaluation"])
    label = serializers.CharField()
    indicator = IndicatorRefSerializer(allow_null=True, help_text="指标行与目标行的指标")
    scope = serializers.CharField(help_text="口径：数值所指的产品、环节或地域；空字符串表示整个集群")
    cells = CellsField(help_text="每个集群一格，顺序同 clusters；null 表示该集群没有这一项")


class ComparePointSerializer(serializers.Serializer):
    period = serializers.CharField()
    period_label = serializers.SerializerMethodField(help_text="供阅读的期间（“据2021年报道”）")
    value = serializers.DecimalField(max_digits=18, decimal_places=4)
    text = serializers.SerializerMethodField(help_text="按出处的说法写出的数值")
    source = serializers.SerializerMethodField(help_text="出处编号")

    def get_period_label(self, value) -> str:
        return formatting.value_period(value)

    def get_text(self, value) -> str:
        return formatting.value_figure(value)

    def get_source(self, value) -> int:
        return self.context["comparison"].citations[value.source_id]


class CompareLineSerializer(serializers.Serializer):
    cluster = serializers.SlugField(source="cluster.slug", help_text="集群的网址标识")
    points = ComparePointSerializer(source="values", many=True)


class CompareChartSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    indicator = IndicatorRefSerializer()
    scope = serializers.CharField()
    lines = CompareLineSerializer(many=True)


class NumberedSourceSerializer(SourceSerializer):
    number = serializers.SerializerMethodField(help_text="表中引用的编号")

    class Meta(SourceSerializer.Meta):
        fields = ["number", *SourceSerializer.Meta.fields]

    def get_number(self, source) -> int:
        return self.context["comparison"].citations[source.pk]


class ComparisonSerializer(serializers.Serializer):
    clusters = CompareClusterSerializer(many=True)
    duplicates = serializers.ListField(
        child=serializers.CharField(), source="selection.duplicates", help_text="重复给出、只比较一次的网址标识"
    )
    rows = CompareRowSerializer(many=True, help_text="所有集群都为空的行不列出")
    charts = CompareChartSerializer(
        many=True, help_text="至少两个集群在同一指标、同一口径下各有两期以上数值时，各集群的历年数值"
    )
    sources = NumberedSourceSerializer(many=True)

    def __init__(self, comparison=None, **kwargs):
        if comparison is not None:  # the schema generator instantiates it without one
            kwargs.setdefault("context", {})["comparison"] = comparison
        super().__init__(comparison, **kwargs)
