"""Counts for the map, in a fixed number of queries whatever the number of clusters."""

from dataclasses import dataclass

from django.db.models import Count, Q

from clusters.models import City, Cluster, Province


@dataclass
class MapCounts:
    provinces: list  # every Province, with `.count` (0 for none)
    cities: list  # the Cities holding at least one of the clusters, with `.count`, by province then count
    clusters: int
    synthetic: int


def map_counts(clusters):
    """How many of `clusters` (a queryset, e.g. the ClusterFilterSet's over public clusters) each province and
    city holds. A cluster spanning two provinces counts in each; one spanning two cities of a province, once."""
    ids = clusters.order_by().values("pk")
    provinces = Province.objects.annotate(
        count=Count("cities__clusters", filter=Q(cities__clusters__in=ids), distinct=True)
    ).order_by("code")
    # The filter comes before the annotation, so only the matching clusters are counted.
    cities = (
        City.objects.filter(clusters__in=ids)
        .annotate(count=Count("clusters", distinct=True))
        .select_related("province")
        .order_by("province_id", "-count", "code")
    )
    totals = Cluster.objects.filter(pk__in=ids).aggregate(
        clusters=Count("pk"), synthetic=Count("pk", filter=Q(is_synthetic=True))
    )
    return MapCounts(list(provinces), list(cities), totals["clusters"], totals["synthetic"])
