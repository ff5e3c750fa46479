"""The one cluster FilterSet: the list page, the downloads and the API all filter through it."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clusters.choices import ClusterStatus, Tier
from clusters.models import City, Cluster, Field, LeadEnterprise, Province


class ClusterFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label=_("关键词"))
    field = django_filters.ModelChoiceFilter(
        queryset=Field.objects.all(), to_field_name="slug", label=_("领域"), empty_label=_("全部领域")
    )
    province = django_filters.ModelChoiceFilter(
        queryset=Province.objects.all(),
        to_field_name="code",
        method="filter_province",
        label=_("省份"),
        empty_label=_("全部省份"),
    )
    city = django_filters.ModelChoiceFilter(
        queryset=City.objects.all(),
        to_field_name="code",
        method="filter_city",
        label=_("城市"),
        empty_label=_("全部城市"),
    )
    tier = django_filters.ChoiceFilter(choices=Tier.choices, label=_("层级"), empty_label=_("全部层级"))
    status = django_filters.ChoiceFilter(choices=ClusterStatus.choices, label=_("状态"), empty_label=_("全部状态"))
    ordering = django_filters.OrderingFilter(
        fields=(
            ("name", "name"),
            ("field__order", "field"),
            ("tier", "tier"),
            ("status", "status"),
            ("origin_year", "origin_year"),
        ),
        field_labels={
            "name": _("名称"),
            "field__order": _("领域"),
            "tier": _("层级"),
            "status": _("状态"),
            "origin_year": _("起步年份"),
        },
        label=_("排序"),
    )

    class Meta:
        model = Cluster
        fields = ["q", "field", "province", "city", "tier", "status"]

    # Subqueries instead of joins: a cluster with several matching cities or enterprises stays one row.
    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        through = Cluster.cities.through.objects
        return queryset.filter(
            Q(name__icontains=value)
            | Q(short_name__icontains=value)
            | Q(pk__in=LeadEnterprise.objects.filter(enterprise__name__icontains=value).values("cluster"))
            | Q(
                pk__in=through.filter(Q(city__name__icontains=value) | Q(city__name_en__icontains=value)).values(
                    "cluster"
                )
            )
        )

    def filter_province(self, queryset, name, value):
        return queryset.filter(pk__in=Cluster.cities.through.objects.filter(city__province=value).values("cluster"))

    def filter_city(self, queryset, name, value):
        return queryset.filter(pk__in=Cluster.cities.through.objects.filter(city=value).values("cluster"))
