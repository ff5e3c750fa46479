"""Write shapes of the staff API. Related rows are named by their keys (slug, code, name).

Every write runs the model's own `full_clean()` (field validators, uniqueness and the Meta constraints),
so the API refuses exactly what the admin's forms and the spreadsheet import refuse. The response to a
write is the read shape (see `serializers.py`).
"""

import copy

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, serializers
from rest_framework.settings import api_settings

from clusters import scoping
from clusters.choices import EvaluationState
from clusters.models import (
    Batch,
    City,
    Cluster,
    EvaluationRecord,
    EvaluationScheme,
    Field,
    Indicator,
    IndicatorValue,
    Measure,
    MeasureCategory,
    MeasureTopic,
    PromotionOrganization,
    Source,
    Target,
)


def _key(model, key, **kwargs):
    return serializers.SlugRelatedField(slug_field=key, queryset=model.objects.all(), **kwargs)


# Validates by building the would-be row and calling its `full_clean()`. Uniqueness and constraints are the
# model's business: DRF's own unique-together validators are switched off (`validators = []`) so each rule is
# checked once, by the model, with its own message. (A comment: the API schema would show a docstring here as
# the description of every write shape without its own.)
class ModelCleanSerializer(serializers.ModelSerializer):
    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        many_to_many = {f.name for f in model._meta.many_to_many}
        values = {name: value for name, value in attrs.items() if name not in many_to_many}
        if self.instance is None:
            candidate = model(**values)
        else:
            candidate = copy.copy(self.instance)
            for name, value in values.items():
                setattr(candidate, name, value)
        try:
            candidate.full_clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(self._field_errors(exc)) from exc
        return attrs

    def save(self, **kwargs):
        """Every API write passes the role scope here (`clusters.scoping.check_write`), whatever the view does."""
        request = self.context["request"]
        model = self.Meta.model
        data = {**self.validated_data, **kwargs}
        scope = {} if self.instance is None else {"current": scoping.cluster_id_of(self.instance)}
        if model is Cluster:
            if "cities" in data:
                scope["cities"] = data["cities"]
        elif "cluster" in data or self.instance is None:
            scope["cluster"] = data.get("cluster")
        try:
            scoping.check_write(request.user, model, "add" if self.instance is None else "change", **scope)
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc) or None) from exc
        except DjangoValidationError as exc:
            raise serializers.ValidationError(self._field_errors(exc)) from exc
        return super().save(**kwargs)

    def _field_errors(self, exc):
        """Model field names -> this serializer's field names (`target_year` is `year` here)."""
        by_source = {field.source: name for name, field in self.fields.items() if not field.read_only}
        errors = {}
        for name, messages in exc.message_dict.items():
            key = api_settings.NON_FIELD_ERRORS_KEY if name == NON_FIELD_ERRORS else by_source.get(name, name)
            errors.setdefault(key, []).extend(messages)
        return errors


class ClusterWriteSerializer(ModelCleanSerializer):
    field = _key(Field, "slug", help_text="领域代码，例如 information-technology")
    batch = _key(Batch, "slug", required=False, allow_null=True)
    cities = _key(City, "code", many=True, allow_empty=False, help_text="地级行政区代码（GB/T 2260），至少一个")
    promotion_organization = _key(PromotionOrganization, "name", required=False, allow_null=True)
    sources = _key(Source, "code", many=True, required=False)

    class Meta:
        model = Cluster
        fields = [
            "name",
            "short_name",
            "slug",
            "field",
            "tier",
            "batch",
            "rank_in_batch",
            "status",
            "cities",
            "area_note",
            "summary",
            "origin_year",
            "origin_note",
            "promotion_organization",
            "website",
            "sources",
            "published",
            "is_synthetic",
        ]
        validators = []
        extra_kwargs = {"slug": {"help_text": "留空则按简称的拼音自动生成"}}


class MeasureWriteSerializer(ModelCleanSerializer):
    cluster = _key(Cluster, "slug", required=False, allow_null=True, help_text="集群网址标识；null 表示面向全部集群")
    category = _key(
        MeasureCategory, "slug", required=False, allow_null=True, help_text="出处给出的类别代码；出处没有归类时为 null"
    )
    topics = _key(MeasureTopic, "slug", many=True, required=False, help_text="主题代码，例如 funding、talent")
    source = _key(Source, "code")

    class Meta:
        model = Measure
        fields = [
            "cluster",
            "category",
            "topics",
            "title",
            "description",
            "issuing_body",
            "document_title",
            "issued_on",
            "source",
        ]
        validators = []


class TargetWriteSerializer(ModelCleanSerializer):
    cluster = _key(Cluster, "slug")
    indicator = _key(Indicator, "code")
    value = serializers.DecimalField(source="target_value", max_digits=18, decimal_places=4)
    year = serializers.IntegerField(source="target_year", min_value=1949, max_value=2100)
    source = _key(Source, "code")

    class Meta:
        model = Target
        fields = [
            "cluster",
            "indicator",
            "value",
            "qualifier",
            "year",
            "baseline_value",
            "baseline_year",
            "original_text",
            "source",
        ]
        validators = []


class IndicatorValueWriteSerializer(ModelCleanSerializer):
    cluster = _key(Cluster, "slug")
    indicator = _key(Indicator, "code")
    source = _key(Source, "code")

    class Meta:
        model = IndicatorValue
        fields = [
            "cluster",
            "indicator",
            "period",
            "period_is_report_year",
            "scope",
            "value",
            "qualifier",
            "original_text",
            "note",
            "source",
            "is_synthetic",
        ]
        validators = []


class EvaluationWriteSerializer(ModelCleanSerializer):
    """A record is written as a draft; review and publication go through the workflow, not this API."""

    cluster = _key(Cluster, "slug")
    scheme = _key(EvaluationScheme, "code", required=False, allow_null=True)
    source = _key(Source, "code", required=False, allow_null=True)

    class Meta:
        model = EvaluationRecord
        fields = [
            "cluster",
            "scheme",
            "period",
            "evaluation_type",
            "evaluating_body",
            "evaluated_on",
            "grade",
            "conclusion",
            "valid_until",
            "narrative",
            "source",
            "is_synthetic",
        ]
        validators = []

    def validate(self, attrs):
        # The model refuses these in save() too; saying so here gives a 400 with a message, not a 500.
        if self.instance is not None and not self.instance.is_editable:
            state = EvaluationState(self.instance.state).label
            raise serializers.ValidationError(
                {
                    api_settings.NON_FIELD_ERRORS_KEY: [
                        f"评估记录处于“{state}”状态，不能修改；已发布的记录请新建修订版。"
                    ]
                }
            )
        scheme = attrs.get("scheme", getattr(self.instance, "scheme", None))
        if scheme is not None and attrs.get("grade"):
            # With a scheme the grade follows from the scored total; only scheme-less records type one.
            raise serializers.ValidationError({"grade": ["按评估方案评分的记录，等级由总分推出，不能直接填写。"]})
        return super().validate(attrs)
