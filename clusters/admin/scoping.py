"""Role scope in the admin: lists, change pages, forms and exports see only the user's clusters."""

from django.core.exceptions import PermissionDenied

from clusters import scoping
from clusters.models import Cluster, EvaluationRecord


class ScopedAdminMixin:
    """For ModelAdmins of records that hang off a cluster at `scope_cluster_path` ("" for Cluster itself)."""

    scope_cluster_path = "cluster"

    def get_queryset(self, request):
        return scoping.limit_to_scope(super().get_queryset(request), request.user, self.scope_cluster_path)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None and self._exists_outside_scope(object_id, from_field):
            # The record exists but is not this user's: say so rather than pretend it is missing.
            raise PermissionDenied
        return obj

    def _exists_outside_scope(self, object_id, from_field):
        field = self.model._meta.get_field(from_field) if from_field else self.model._meta.pk
        try:
            value = field.to_python(object_id)
        except Exception:  # a malformed id is simply "not found"
            return False
        return self.model._default_manager.filter(**{field.attname: value}).exists()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Cluster:
            kwargs["queryset"] = scoping.limit_to_scope(Cluster.objects.all(), request.user, "")
        elif db_field.related_model is EvaluationRecord:
            kwargs["queryset"] = scoping.limit_to_scope(EvaluationRecord.objects.all(), request.user, "cluster")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return scoped_form(form, request.user, self.scope_cluster_path)


def scoped_form(form_class, user, cluster_path):
    """A subclass of the admin's form that refuses to place a record outside the user's scope."""

    class ScopedForm(form_class):
        def clean(self):
            cleaned = super().clean()
            if scoping.is_national(user):
                return cleaned
            if cluster_path == "":
                cities = cleaned.get("cities")
                if cities is not None and not scoping.cities_in_scope(user, cities, self.instance):
                    self.add_error("cities", "至少保留一个您负责省份内的城市。")
            elif cluster_path == "cluster" and "cluster" in self.fields and cleaned.get("cluster") is None:
                self.add_error("cluster", "面向全部集群的记录只能由国家管理员维护。")
            return cleaned

    ScopedForm.__name__ = form_class.__name__
    return ScopedForm
