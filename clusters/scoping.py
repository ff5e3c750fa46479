"""Who may write which records: the one rule that every surface calls.

The admin (forms, inlines, actions, history), the write API, every import kind and the review workflow
all ask ``check_write``; nothing else decides. A record belongs to the scope of its cluster; a
programme-wide record (a measure with no cluster) belongs to national staff only; a cluster belongs to
the scope of a province editor while one of its cities is in their provinces, and to a cluster editor
when it is assigned to them by name. The command line (``user=None``) runs with the operator's rights.

``check_write`` raises Django's ``PermissionDenied`` when the user may not touch the record at all (no
permission, or the stored record is out of scope) and a field-keyed ``ValidationError`` when the new
values would put the record out of scope (``{"cluster": …}``, ``{"cities": …}``), so each surface shows
the message where it belongs: a form field, a 400 body, an import row's cell.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clusters.models import Cluster

NATIONAL_ADMIN_GROUP = "国家管理员"
PROVINCE_EDITOR_GROUP = "省级编辑"
CLUSTER_EDITOR_GROUP = "集群编辑"
REVIEWER_GROUP = "评审员"
READ_ONLY_GROUP = "只读"

OUT_OF_SCOPE = _("该集群不在您的职责范围内。")
NATIONAL_ONLY = _("面向全部集群的记录只能由国家管理员维护。")
KEEP_A_CITY = _("至少保留一个您负责省份内的城市。")
NEEDS_A_CITY = _("集群至少要有一个所在城市。")
NO_PERMISSION = _("您没有这项操作的权限。")

# Where each record's cluster is, by model name ("" for a cluster itself). Models not listed here are
# reference data (divisions, fields, indicators, sources …): no scope, model permissions only.
CLUSTER_PATHS = {
    "cluster": "",
    "leadenterprise": "cluster",
    "characteristic": "cluster",
    "measure": "cluster",
    "target": "cluster",
    "indicatorvalue": "cluster",
    "evaluationrecord": "cluster",
    "dimensionscore": "record__cluster",
    "evaluationtransition": "record__cluster",
}

# The field a record's cluster is chosen in, for field-keyed errors.
CLUSTER_FIELDS = {"dimensionscore": "record", "evaluationtransition": "record"}

UNSET = object()


def cluster_path(model):
    """Where `model`'s cluster is ("" for clusters), or None for reference data without a scope."""
    return CLUSTER_PATHS.get(model._meta.model_name)


class Scope:
    """What one user may reach, read once and then answered from memory (cached on the user object)."""

    def __init__(self, user):
        self.user = user
        self.national = _is_national(user)
        record = _scope_row(user) if not self.national else None
        self.province_codes = frozenset(record.provinces.values_list("code", flat=True)) if record else frozenset()
        self.assigned_ids = frozenset(record.clusters.values_list("pk", flat=True)) if record else frozenset()
        self._cluster_ids = None

    @classmethod
    def of(cls, user):
        if user is None:
            return None
        scope = getattr(user, "_portal_scope", None)
        if scope is None:
            scope = cls(user)
            user._portal_scope = scope
        return scope

    def cluster_query(self):
        """A subquery of the cluster ids in scope (for querysets), or None when not limited."""
        if self.national:
            return None
        if not (self.province_codes or self.assigned_ids):
            return Cluster.objects.none().values("pk")
        in_provinces = Cluster.objects.in_provinces(*self.province_codes).values("pk")
        return Cluster.objects.filter(Q(pk__in=self.assigned_ids) | Q(pk__in=in_provinces)).values("pk")

    @property
    def cluster_ids(self):
        """The ids of the clusters in scope, as a set (one query, once), or None when not limited."""
        if self.national:
            return None
        if self._cluster_ids is None:
            self._cluster_ids = frozenset(
                Cluster.objects.filter(pk__in=self.cluster_query()).values_list("pk", flat=True)
            )
        return self._cluster_ids

    def allows(self, cluster_id):
        """Whether records of this cluster are the user's (None, programme-wide: national staff only)."""
        if self.national:
            return True
        return cluster_id is not None and cluster_id in self.cluster_ids

    def keeps_a_city(self, cities, cluster_id=None):
        """A cluster placed in `cities` stays in scope: a province editor keeps one city in their provinces.

        A cluster editor's assigned cluster stays theirs wherever it moves.
        """
        if self.national or (cluster_id is not None and cluster_id in self.assigned_ids):
            return True
        return any(_province_of(city) in self.province_codes for city in cities)


def scope_of(user):
    return Scope.of(user)


def check_write(user, model, action="change", *, current=UNSET, cluster=UNSET, cities=None, perm=None):
    """Raise unless `user` may `action` ("add", "change", "delete") a record of `model`.

    current: the id of the cluster the stored record hangs off now (change, delete, workflow steps).
    cluster: the id (or Cluster) the record will hang off after the write; None means programme-wide.
    cities: for a cluster, the cities (City objects or codes) it will be in after the write.
    perm: the permission to hold instead of the model's own (a workflow step: "clusters.publish_…").

    PermissionDenied: no permission, or the stored record is out of scope. ValidationError keyed by field:
    the written values would leave the scope, or a cluster would have no city.
    """
    name = model._meta.model_name
    if cities is not None and name == "cluster" and not list(cities):
        raise ValidationError({"cities": NEEDS_A_CITY})
    if user is None:
        return
    codename = perm or f"{model._meta.app_label}.{action}_{name}"
    if not (user.is_active and user.is_staff and user.has_perm(codename)):
        raise PermissionDenied(NO_PERMISSION)
    path = CLUSTER_PATHS.get(name)
    scope = Scope.of(user)
    if path is None or scope.national:
        return
    if current is not UNSET and not scope.allows(current):
        raise PermissionDenied(OUT_OF_SCOPE)
    if name == "cluster":
        if cities is not None and not scope.keeps_a_city(cities, None if current is UNSET else current):
            raise ValidationError({"cities": KEEP_A_CITY})
        return
    if cluster is UNSET:
        return
    cluster_id = cluster.pk if isinstance(cluster, Cluster) else cluster
    field = CLUSTER_FIELDS.get(name, "cluster")
    if cluster_id is None:
        raise ValidationError({field: NATIONAL_ONLY})
    if not scope.allows(cluster_id):
        raise ValidationError({field: OUT_OF_SCOPE})


def can_write(user, obj, action="change"):
    """`check_write` as a yes/no for a stored record (admin buttons, `has_change_permission`)."""
    try:
        check_write(user, type(obj), action, current=cluster_id_of(obj))
    except (PermissionDenied, ValidationError):
        return False
    return True


def cluster_id_of(obj):
    """The id of the cluster a stored record hangs off (None: programme-wide); UNSET for reference data."""
    path = cluster_path(type(obj))
    if path is None:
        return UNSET
    if path == "":
        return obj.pk
    *hops, last = path.split("__")
    for hop in hops:
        if getattr(obj, f"{hop}_id") is None:  # an unsaved inline row of an unsaved parent
            return None
        obj = getattr(obj, hop)
    return getattr(obj, f"{last}_id")


def limit_to_scope(queryset, user, path=None):
    """The rows of `queryset` whose cluster is in `user`'s scope (reads: lists, exports, history)."""
    path = cluster_path(queryset.model) if path is None else path
    scope = Scope.of(user)
    if path is None or scope is None or scope.national:
        return queryset
    ids = scope.cluster_query()
    return queryset.filter(**{f"{path}__in" if path else "pk__in": ids})


def is_national(user):
    return user is not None and user.is_authenticated and Scope.of(user).national


def _is_national(user):
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    # 只读 staff see the whole country; they hold no change permission, so nothing widens for writes.
    if user.groups.filter(name__in=[NATIONAL_ADMIN_GROUP, READ_ONLY_GROUP]).exists():
        return True
    record = _scope_row(user)
    return bool(record and record.is_national)


def _scope_row(user):
    from clusters.models import StaffScope

    if not (user and user.is_authenticated):
        return None
    try:
        return user.cluster_scope
    except StaffScope.DoesNotExist:
        return None


def _province_of(city):
    code = city if isinstance(city, str) else city.pk
    return f"{code[:2]}0000"
