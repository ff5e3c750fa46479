"""The role scope in the admin: every list, page, form, inline, action and history asks `clusters.scoping`.

Reads are narrowed with `scoping.limit_to_scope`; writes (forms, inline rows, buttons) go through
`scoping.check_write`, the same rule the API, the import and the workflow call.
"""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError

from clusters import scoping
from clusters.models import Cluster, EvaluationRecord, IndicatorValue

# Choice lists that must offer only the user's records.
SCOPED_CHOICES = (Cluster, EvaluationRecord, IndicatorValue)


def _limit_choices(db_field, request, kwargs):
    if db_field.related_model in SCOPED_CHOICES:
        kwargs["queryset"] = scoping.limit_to_scope(db_field.related_model._default_manager.all(), request.user)
    return kwargs


class ScopedAdminMixin:
    """For ModelAdmins of records that hang off a cluster (`scoping.CLUSTER_PATHS` says where)."""

    def get_queryset(self, request):
        return scoping.limit_to_scope(super().get_queryset(request), request.user)

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
        except ValidationError:  # a malformed id is simply "not found"
            return False
        return self.model._default_manager.filter(**{field.attname: value}).exists()

    def has_change_permission(self, request, obj=None):
        if obj is not None and not scoping.can_write(request.user, obj, "change"):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not scoping.can_write(request.user, obj, "delete"):
            return False
        return super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(db_field, request, **_limit_choices(db_field, request, kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return super().formfield_for_manytomany(db_field, request, **_limit_choices(db_field, request, kwargs))

    def get_form(self, request, obj=None, change=False, **kwargs):
        return scoped_form(super().get_form(request, obj, change, **kwargs), request.user)

    # History: a record's versions, and deleted records, only within the scope.
    def history_view(self, request, object_id, extra_context=None):
        self.get_object(request, object_id)  # PermissionDenied for a live record out of scope
        return super().history_view(request, object_id, extra_context)

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        return self.scoped_history(request, super().get_history_queryset(request, history_manager, pk_name, object_id))

    def scoped_history(self, request, queryset):
        path = scoping.cluster_path(self.model)
        return scoping.limit_to_scope(queryset, request.user, "id" if path == "" else path)


class ScopedInlineMixin:
    """Inline rows are written through the same rule as their parent's form."""

    def has_add_permission(self, request, obj=None):
        return _parent_writable(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return _parent_writable(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _parent_writable(request, obj) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(db_field, request, **_limit_choices(db_field, request, kwargs))

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = scoped_form(formset.form, request.user)
        return formset


def _parent_writable(request, parent):
    return parent is None or scoping.can_write(request.user, parent, "change")


def scoped_form(form_class, user):
    """A subclass of an admin form whose clean() asks `scoping.check_write` about the record it would save."""
    model = form_class._meta.model

    class ScopedForm(form_class):
        def clean(self):
            cleaned = super().clean()
            # construct_instance() runs after clean(): the instance still holds the stored values here.
            stored = self.instance
            adding = stored._state.adding
            kwargs = {} if adding else {"current": scoping.cluster_id_of(stored)}
            if model is Cluster:
                if "cities" in self.fields:
                    kwargs["cities"] = cleaned.get("cities") or []
            else:
                kwargs["cluster"] = self._new_cluster(cleaned, stored)
            try:
                scoping.check_write(user, model, "add" if adding else "change", **kwargs)
                for value in cleaned.get("indicator_values") or ():
                    scoping.check_write(user, IndicatorValue, "view", cluster=value.cluster_id)
            except ValidationError as error:
                self._add_scope_error(error)
            return cleaned

        def _new_cluster(self, cleaned, stored):
            field = scoping.CLUSTER_FIELDS.get(model._meta.model_name, "cluster")
            if field not in self.fields:  # an inline row: its cluster is its parent's
                cluster_id = scoping.cluster_id_of(stored)
                # A row of a parent being added: the parent's own form decides.
                return scoping.UNSET if cluster_id is None else cluster_id
            chosen = cleaned.get(field)
            if chosen is None:
                return None if field not in self.errors else scoping.UNSET
            return chosen.pk if field == "cluster" else chosen.cluster_id

        def _add_scope_error(self, error):
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else NON_FIELD_ERRORS, messages)

    ScopedForm.__name__ = form_class.__name__
    return ScopedForm
