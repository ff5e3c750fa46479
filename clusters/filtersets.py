"""The one cluster FilterSet: the list page, the downloads and the API all filter through it.

The API's FilterSets for measures, targets, indicator values and evaluations live here too."""

import copy
from typing import NamedTuple

import django_filters
from django import forms
from django.db.models import Case, F, Q, Value, When
from django.db.models.expressions import BaseExpression
from django.utils.translation import gettext_lazy as _
from django_filters.filters import FilterMethod

from clusters import search
from clusters.choices import ClusterStatus, Conclusion, EvaluationState, EvaluationType, Grade, Tier
from clusters.models import (
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
    Province,
    Target,
)
from clusters.periods import validate_period
from clusters.selectors import clusters_visible_to, reference_tables
from portal.caching import memoised


class Sort(NamedTuple):
    """A sort option: its parameter, what it sorts by (a field name or an expression) and a label per direction."""

    param: str
    by: str | BaseExpression
    ascending: str
    descending: str


def in_choice_order(field_name, choices):
    """Sort a choice field in its choices' order (国家级, 省级, 市级), not by its stored codes."""
    return Case(*(When(**{field_name: value}, then=Value(i)) for i, value in enumerate(choices.values)))


class CopiedCheaply:
    """A filter that a FilterSet copies cheaply. django-filter deep-copies every filter for every FilterSet,
    and so for every request: the labels, choices, querysets and messages too, 0.3 ms of the list page. A
    filter never changes them after its __init__, so the copy shares them. The FilterSet then sets the copy's
    own `parent` and `model`; `extra` (the form field's arguments, where a request's queryset is put) is the
    copy's own dict; a `method` filter's proxy points back at its filter, so the copy gets its own."""

    def __deepcopy__(self, memo):
        clone = copy.copy(self)
        memo[id(self)] = clone
        clone.extra = dict(self.extra)
        if isinstance(self.__dict__.get("filter"), FilterMethod):
            clone.filter = FilterMethod(clone)
        return clone


class SharedOnCopy:
    """A form field that a filter form shares instead of deep-copying. Django deep-copies every field (its
    widget, choices and queryset) for every form, so for every request with a filter: 0.4 ms for the cluster
    filters' seven fields. These fields never change once the form class is built: a request's values and
    errors belong to its form, and the choices, querysets and labels are fixed (the blank form, built once,
    already shares them). The copy is shallow, so the form still has its own field objects."""

    def __deepcopy__(self, memo):
        clone = copy.copy(self)
        memo[id(self)] = clone
        return clone


class CharField(SharedOnCopy, forms.CharField):
    pass


class ChoiceField(SharedOnCopy, django_filters.fields.ChoiceField):
    pass


class CharFilter(CopiedCheaply, django_filters.CharFilter):
    field_class = CharField


class ChoiceFilter(CopiedCheaply, django_filters.ChoiceFilter):
    field_class = ChoiceField


class ModelChoiceFilter(CopiedCheaply, django_filters.ModelChoiceFilter):
    pass


class ReferenceChoiceField(SharedOnCopy, django_filters.fields.ModelChoiceField):
    """A choice among the rows of one of ``selectors.reference_tables()`` (``table``), found in that memo by
    the value instead of by a query for each request (0.15 ms at 5,025 clusters). A value the memo lacks
    (a row newer than it, or none at all) is looked up as Django does, and said to be invalid as Django says."""

    def __init__(self, *args, table, **kwargs):
        self.table = table
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if isinstance(value, str) and value not in self.empty_values:
            key = self.to_field_name or "pk"
            rows = memoised(
                f"reference-{self.table}-by-{key}",
                lambda: {str(getattr(row, key)): row for row in reference_tables()[self.table].values()},
            )
            if value in rows:
                return rows[value]
        return super().to_python(value)


class ReferenceChoiceFilter(ModelChoiceFilter):
    field_class = ReferenceChoiceField


class SortFilter(CopiedCheaply, django_filters.OrderingFilter):
    """`ordering=` with every option, ascending and descending, labelled in both languages: the list page's
    sort menu and the API schema (drf-spectacular lists the choices) show these labels. django-filter's own
    “%s (descending)” is formatted once, at import, in whichever language was active then. Empty values sort
    last either way, and `tiebreak` keeps rows that sort alike in a fixed order, so pages never overlap."""

    field_class = ChoiceField

    def __init__(self, *, sorts, tiebreak=("pk",), **kwargs):
        self.sorts = {sort.param: F(sort.by) if isinstance(sort.by, str) else sort.by for sort in sorts}
        self.tiebreak = tiebreak
        choices = []
        for sort in sorts:
            choices += [(sort.param, sort.ascending), (f"-{sort.param}", sort.descending)]
        kwargs.setdefault("label", _("排序"))
        kwargs.setdefault("error_messages", {"invalid_choice": _("不能按“%(value)s”排序。")})
        super().__init__(choices=choices, **kwargs)

    def get_ordering_value(self, param):
        expression = self.sorts[param.removeprefix("-")]
        return expression.desc(nulls_last=True) if param.startswith("-") else expression.asc(nulls_last=True)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.order_by(*(self.get_ordering_value(param) for param in value if param), *self.tiebreak)


def names_a_filter(filterset_class, query):
    """Whether ``query`` (request.GET) gives any of the FilterSet's filters a value. Without one the FilterSet
    changes nothing (every filter skips an empty value), so the pages and the API need not build it (copying its
    filters and its form cost several times a do-nothing view) and may read what is memoised for no filter."""
    return any(query.get(name) for name in filterset_class.base_filters)


class ClusterFilterSet(django_filters.FilterSet):
    q = CharFilter(method="filter_text", label=_("关键词"))
    # Each “no such value” message repeats the value, so a bad link says what was wrong with it.
    field = ReferenceChoiceFilter(
        queryset=Field.objects.all(),
        table="fields",
        to_field_name="slug",
        label=_("领域"),
        empty_label=_("全部领域"),
        error_messages={"invalid_choice": _("没有代码为“%(value)s”的领域。")},
    )
    province = ReferenceChoiceFilter(
        queryset=Province.objects.all(),
        table="provinces",
        field_name="cities__province",  # documents the type in the API schema; filter_province does the work
        to_field_name="code",
        method="filter_province",
        label=_("省份"),
        empty_label=_("全部省份"),
        error_messages={"invalid_choice": _("没有代码为“%(value)s”的省份。")},
    )
    city = ReferenceChoiceFilter(
        queryset=City.objects.all(),
        table="cities",
        field_name="cities",
        to_field_name="code",
        method="filter_city",
        label=_("城市"),
        empty_label=_("全部城市"),
        error_messages={"invalid_choice": _("没有代码为“%(value)s”的城市。")},
    )
    tier = ChoiceFilter(
        choices=Tier.choices,
        label=_("层级"),
        empty_label=_("全部层级"),
        error_messages={"invalid_choice": _("没有“%(value)s”这一层级。")},
    )
    status = ChoiceFilter(
        choices=ClusterStatus.choices,
        label=_("状态"),
        empty_label=_("全部状态"),
        error_messages={"invalid_choice": _("没有“%(value)s”这一状态。")},
    )
    ordering = SortFilter(
        sorts=[
            Sort("name", "name", _("名称（升序）"), _("名称（降序）")),
            Sort("field", "field__order", _("领域（默认顺序）"), _("领域（倒序）")),
            Sort("tier", in_choice_order("tier", Tier), _("层级（国家级在前）"), _("层级（市级在前）")),
            Sort("status", in_choice_order("status", ClusterStatus), _("状态（培育中在前）"), _("状态（退出在前）")),
            Sort("origin_year", "origin_year", _("起步年份（从早到晚）"), _("起步年份（从晚到早）")),
        ],
        tiebreak=("name",),
    )

    class Meta:
        model = Cluster
        fields = ["q", "field", "province", "city", "tier", "status"]

    def get_form_class(self):
        """The form class, built once per FilterSet class: django-filter builds a new class (and a new form field
        per filter) for every request, 4 ms of the list page. Its fields depend only on the class (the choice
        querysets are fixed, the labels lazy), and each form instance copies them as any Django form does."""
        cls = type(self)
        if "_form_class" not in cls.__dict__:
            cls._form_class = super().get_form_class()
        return cls._form_class

    @property
    def form(self):
        """Without data the form is the same blank form for every request, built once per class: copying its
        fields (and the three choice querysets) was 0.17 ms of the unfiltered list page. Nothing changes a
        blank form: no data to clean, no errors, labels translated when they render."""
        cls = type(self)
        if self.is_bound or self.form_prefix is not None:
            return super().form
        if "_blank_form" not in cls.__dict__:
            cls._blank_form = super().form
        return cls._blank_form

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.form.cleaned_data.get("field") and not queryset.query.order_by:
            # Within one field the model's order (the field's, then the unique name) is the order by name, which
            # the (field, name) index holds: a page is read off it instead of sorting the field's every cluster
            # across the join. PostgreSQL, 5,025 clusters: the API list filtered by field 5.5 -> 4.5 ms of wall
            # time (SQLite's planner found this order by itself; issue 14).
            queryset = queryset.order_by("name")
        return queryset

    def filter_text(self, queryset, name, value):
        return search.search(queryset, value)

    def filter_province(self, queryset, name, value):
        return queryset.in_province(value)

    def filter_city(self, queryset, name, value):
        return queryset.in_city(value)


class ClusterAPIFilterSet(ClusterFilterSet):
    """The API's cluster filters: the list page's, plus `search` meaning exactly what `q` means."""

    search = CharFilter(method="filter_text", label=_("关键词（同 q）"))

    class Meta(ClusterFilterSet.Meta):
        fields = [*ClusterFilterSet.Meta.fields, "search"]


def visible_clusters(request):
    """The clusters a `?cluster=` may name: an unpublished one is as unknown as a slug that never existed."""
    return clusters_visible_to(getattr(request, "user", None))


def _cluster_filter():
    return django_filters.ModelChoiceFilter(
        queryset=visible_clusters, field_name="cluster", to_field_name="slug", label=_("集群（网址标识）")
    )


def _field_filter():
    return django_filters.ModelChoiceFilter(
        queryset=Field.objects.all(), field_name="cluster__field", to_field_name="slug", label=_("领域")
    )


def _province_filter():
    return django_filters.ModelChoiceFilter(
        queryset=Province.objects.all(),
        field_name="cluster__cities__province",
        to_field_name="code",
        method="filter_province",
        label=_("省份（集群所在）"),
    )


class ClusterScopedFilterSet(django_filters.FilterSet):
    """Filters shared by rows that belong to a cluster: the cluster itself, its field and its province."""

    cluster = _cluster_filter()
    field = _field_filter()
    province = _province_filter()

    def filter_province(self, queryset, name, value):
        return queryset.filter(cluster__in=Cluster.objects.in_province(value).values("pk"))


class StrictNullBooleanField(forms.NullBooleanField):
    """true/false (or 1/0); empty means "no filter"; anything else is an error, not silently ignored."""

    widget = forms.TextInput

    def to_python(self, value):
        if value in (None, ""):
            return None
        if str(value).lower() in {"true", "1"}:
            return True
        if str(value).lower() in {"false", "0"}:
            return False
        raise forms.ValidationError(_("请填写 true 或 false。"), code="invalid")

    def validate(self, value):
        pass


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictNullBooleanField


class YearFilter(django_filters.NumberFilter):
    """A four-digit year: anything else is a 400 naming the parameter, not an empty list."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1949)
        kwargs.setdefault("max_value", 2100)
        super().__init__(*args, **kwargs)


def _period_filter(lookup, label):
    return django_filters.CharFilter(field_name="period", lookup_expr=lookup, validators=[validate_period], label=label)


class MeasureFilterSet(ClusterScopedFilterSet):
    # The source's own category; `null` picks the measures their source files under none.
    category = django_filters.ModelChoiceFilter(
        queryset=MeasureCategory.objects.all(),
        to_field_name="slug",
        null_label=_("未分类"),
        label=_("举措类别（代码；null 为出处未归类的举措）"),
    )
    topic = django_filters.ModelChoiceFilter(
        queryset=MeasureTopic.objects.all(), field_name="topics", to_field_name="slug", label=_("举措主题（代码）")
    )
    programme = StrictBooleanFilter(
        field_name="cluster", lookup_expr="isnull", label=_("仅面向全部集群的举措（true）或仅具体集群的（false）")
    )
    issued_after = django_filters.DateFilter(field_name="issued_on", lookup_expr="gte", label=_("发布日期不早于"))
    issued_before = django_filters.DateFilter(field_name="issued_on", lookup_expr="lte", label=_("发布日期不晚于"))
    search = django_filters.CharFilter(method="filter_text", label=_("关键词（标题、内容、发布机构、政策文件）"))
    ordering = SortFilter(
        sorts=[
            Sort("issued_on", "issued_on", _("发布日期（从早到晚）"), _("发布日期（从晚到早）")),
            Sort("title", "title", _("标题（升序）"), _("标题（降序）")),
            Sort("category", "category__order", _("类别（默认顺序）"), _("类别（倒序）")),
        ]
    )

    class Meta:
        model = Measure
        fields = ["cluster", "field", "province", "category", "topic", "programme", "issued_after", "issued_before"]

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(description__icontains=value)
            | Q(issuing_body__icontains=value)
            | Q(document_title__icontains=value)
        )


class TargetFilterSet(ClusterScopedFilterSet):
    indicator = django_filters.ModelChoiceFilter(
        queryset=Indicator.objects.all(), to_field_name="code", label=_("指标（代码）")
    )
    year = YearFilter(field_name="target_year", label=_("目标年份"))
    year_min = YearFilter(field_name="target_year", lookup_expr="gte", label=_("目标年份不早于"))
    year_max = YearFilter(field_name="target_year", lookup_expr="lte", label=_("目标年份不晚于"))
    ordering = SortFilter(
        sorts=[
            Sort("year", "target_year", _("目标年份（从早到晚）"), _("目标年份（从晚到早）")),
            Sort("indicator", "indicator__order", _("指标（默认顺序）"), _("指标（倒序）")),
            Sort("value", "target_value", _("目标值（从小到大）"), _("目标值（从大到小）")),
        ]
    )

    class Meta:
        model = Target
        fields = ["cluster", "field", "province", "indicator", "year", "year_min", "year_max"]


class IndicatorValueFilterSet(ClusterScopedFilterSet):
    indicator = django_filters.ModelChoiceFilter(
        queryset=Indicator.objects.all(), to_field_name="code", label=_("指标（代码）")
    )
    period = _period_filter("exact", _("期间，如 2020、2020-06、2020-Q2、2020-H1"))
    period_min = _period_filter("gte", _("期间不早于"))
    period_max = _period_filter("lte", _("期间不晚于"))
    ordering = SortFilter(
        sorts=[
            Sort("period", "period", _("期间（从早到晚）"), _("期间（从晚到早）")),
            Sort("indicator", "indicator__order", _("指标（默认顺序）"), _("指标（倒序）")),
            Sort("value", "value", _("数值（从小到大）"), _("数值（从大到小）")),
        ]
    )

    class Meta:
        model = IndicatorValue
        fields = ["cluster", "field", "province", "indicator", "period", "period_min", "period_max"]


class EvaluationFilterSet(ClusterScopedFilterSet):
    scheme = django_filters.ModelChoiceFilter(
        queryset=EvaluationScheme.objects.all(), to_field_name="code", label=_("评估方案（代码）")
    )
    evaluation_type = django_filters.ChoiceFilter(choices=EvaluationType.choices, label=_("评估类型"))
    grade = django_filters.ChoiceFilter(choices=Grade.choices, label=_("等级"))
    conclusion = django_filters.ChoiceFilter(choices=Conclusion.choices, label=_("结论"))
    state = django_filters.ChoiceFilter(choices=EvaluationState.choices, label=_("状态（公众只能看到已发布）"))
    period = _period_filter("exact", _("评估期"))
    period_min = _period_filter("gte", _("评估期不早于"))
    period_max = _period_filter("lte", _("评估期不晚于"))
    evaluated_after = django_filters.DateFilter(field_name="evaluated_on", lookup_expr="gte", label=_("评估日期不早于"))
    evaluated_before = django_filters.DateFilter(
        field_name="evaluated_on", lookup_expr="lte", label=_("评估日期不晚于")
    )
    ordering = SortFilter(
        sorts=[
            Sort("period", "period", _("评估期（从早到晚）"), _("评估期（从晚到早）")),
            Sort("evaluated_on", "evaluated_on", _("评估日期（从早到晚）"), _("评估日期（从晚到早）")),
            Sort("total", "total", _("总分（从低到高）"), _("总分（从高到低）")),
        ]
    )

    class Meta:
        model = EvaluationRecord
        fields = [
            "cluster",
            "field",
            "province",
            "scheme",
            "evaluation_type",
            "grade",
            "conclusion",
            "state",
            "period",
            "period_min",
            "period_max",
            "evaluated_after",
            "evaluated_before",
        ]


class ProvinceFilterSet(django_filters.FilterSet):
    has_clusters = StrictBooleanFilter(method="filter_has_clusters", label=_("是否有公开集群"))

    class Meta:
        model = Province
        fields = ["has_clusters"]

    def filter_has_clusters(self, queryset, name, value):
        holding = Province.objects.holding_public_clusters().values("code")
        return queryset.filter(code__in=holding) if value else queryset.exclude(code__in=holding)


class CityFilterSet(django_filters.FilterSet):
    province = django_filters.ModelChoiceFilter(queryset=Province.objects.all(), to_field_name="code", label=_("省份"))
    has_clusters = StrictBooleanFilter(method="filter_has_clusters", label=_("是否有公开集群"))

    class Meta:
        model = City
        fields = ["province", "has_clusters"]

    def filter_has_clusters(self, queryset, name, value):
        holding = City.objects.holding_public_clusters().values("code")
        return queryset.filter(code__in=holding) if value else queryset.exclude(code__in=holding)
