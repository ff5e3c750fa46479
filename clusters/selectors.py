"""Reads shared by the pages, the API, the exports and the admin: one query fix lands everywhere."""

from django.db.models import Count, Prefetch, Q

from clusters.choices import Region
from clusters.models import City, Cluster, Field, LeadEnterprise, Province


def cities_with_province():
    return City.objects.select_related("province").order_by("code")


def cluster_list(queryset=None):
    """Public clusters with everything a list row shows, in a fixed number of queries."""
    queryset = Cluster.objects.public() if queryset is None else queryset
    return queryset.select_related("field", "batch").prefetch_related(
        Prefetch("cities", queryset=cities_with_province()),
        Prefetch("lead_enterprises", queryset=LeadEnterprise.objects.select_related("enterprise")),
    )


def cluster_detail_queryset():
    """Public clusters with the related rows a cluster page or API detail needs."""
    from clusters.models import Characteristic, IndicatorValue, Measure, Target

    return (
        cluster_list()
        .select_related("promotion_organization")
        .prefetch_related(
            "sources",
            Prefetch("characteristics", queryset=Characteristic.objects.select_related("source")),
            Prefetch("targets", queryset=Target.objects.select_related("indicator", "source")),
            Prefetch(
                "measures",
                queryset=Measure.objects.select_related("category", "source").order_by(
                    "category__order", "issued_on", "id"
                ),
            ),
            Prefetch(
                "indicator_values",
                queryset=IndicatorValue.objects.select_related("indicator", "source").order_by(
                    "indicator__order", "period"
                ),
            ),
        )
    )


def _clusters_in(prefix):
    return Q(**{f"{prefix}published": True})


def stats():
    """Headline counts: provinces and cities count only those holding at least one public cluster."""
    public = Cluster.objects.public()
    provinces = (
        Province.objects.annotate(
            count=Count("cities__clusters", filter=_clusters_in("cities__clusters__"), distinct=True)
        )
        .filter(count__gt=0)
        .order_by("-count", "code")
    )
    cities = City.objects.filter(clusters__published=True).distinct()
    fields = (
        Field.objects.annotate(count=Count("clusters", filter=_clusters_in("clusters__")))
        .filter(count__gt=0)
        .order_by("order", "slug")
    )
    by_province = list(provinces)
    return {
        "clusters": public.count(),
        "provinces": len(by_province),
        "cities": cities.count(),
        "by_field": list(fields),
        "by_province": by_province,
        "eastern_clusters": public.filter(cities__province__region=Region.EAST).distinct().count(),
    }
