"""Who may reach which records: the one place the role scope is decided.

Every surface that lists or changes records (admin, write API, import, exports) asks here, so a
scope rule changes once. A record belongs to the scope of its cluster; a programme-wide record
(a measure with no cluster) belongs to national staff only.
"""

from django.db.models import Q

from clusters.models import Cluster

NATIONAL_ADMIN_GROUP = "国家管理员"
PROVINCE_EDITOR_GROUP = "省级编辑"
CLUSTER_EDITOR_GROUP = "集群编辑"
REVIEWER_GROUP = "评审员"
READ_ONLY_GROUP = "只读"

OUT_OF_SCOPE = "该集群不在您的职责范围内。"


def is_national(user):
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_national_scope", None)
    if cached is None:
        # 只读 staff see the whole country; they hold no change permission, so nothing widens for writes.
        cached = user.groups.filter(name__in=[NATIONAL_ADMIN_GROUP, READ_ONLY_GROUP]).exists() or _scope_row(
            user, "is_national"
        )
        user._is_national_scope = cached
    return cached


def _scope_row(user, attribute):
    scope = getattr(user, "cluster_scope", None) if _has_scope(user) else None
    return bool(scope and getattr(scope, attribute))


def _has_scope(user):
    from clusters.models import StaffScope

    try:
        user.cluster_scope  # noqa: B018  (the related lookup is the test)
    except StaffScope.DoesNotExist:
        return False
    return True


def scoped_cluster_ids(user):
    """A subquery of the cluster ids the user may edit, or None when the user is not limited."""
    if is_national(user):
        return None
    if not (user and user.is_authenticated and _has_scope(user)):
        return Cluster.objects.none().values("pk")
    scope = user.cluster_scope
    through = Cluster.cities.through.objects
    return Cluster.objects.filter(
        Q(pk__in=scope.clusters.values("pk"))
        | Q(pk__in=through.filter(city__province__in=scope.provinces.values("pk")).values("cluster"))
    ).values("pk")


def limit_to_scope(queryset, user, cluster_path="cluster"):
    """Filter any queryset whose rows hang off a cluster at `cluster_path` ("" for clusters themselves)."""
    ids = scoped_cluster_ids(user)
    if ids is None:
        return queryset
    lookup = f"{cluster_path}__in" if cluster_path else "pk__in"
    return queryset.filter(**{lookup: ids})


def cluster_in_scope(user, cluster):
    """For a cluster about to be saved: programme-wide (None) needs national rights."""
    if is_national(user):
        return True
    if cluster is None or cluster.pk is None:
        return False
    return Cluster.objects.filter(pk=cluster.pk, pk__in=scoped_cluster_ids(user)).exists()


def cities_in_scope(user, cities, cluster=None):
    """Whether a cluster placed in `cities` stays in the user's scope.

    A cluster editor's assigned cluster stays theirs wherever it moves; a province editor must keep
    at least one city in their provinces.
    """
    if is_national(user):
        return True
    if not _has_scope(user):
        return False
    if cluster is not None and cluster.pk and is_assigned_cluster(user, cluster.pk):
        return True
    province_codes = scoped_province_codes(user)
    return any(city.province_id in province_codes for city in cities)


def scoped_id_set(user):
    """The ids of the user's clusters as a set (one query), or None when the user is not limited.

    For bulk work such as an import, which checks many rows against the scope at once.
    """
    if user is None:  # the command line runs with the server operator's rights
        return None
    ids = scoped_cluster_ids(user)
    return None if ids is None else set(Cluster.objects.filter(pk__in=ids).values_list("pk", flat=True))


def scoped_province_codes(user):
    if not _has_scope(user):
        return set()
    return set(user.cluster_scope.provinces.values_list("code", flat=True))


def is_assigned_cluster(user, cluster_id):
    """A cluster editor's own cluster (assigned by name, not through a province)."""
    return _has_scope(user) and user.cluster_scope.clusters.filter(pk=cluster_id).exists()
