from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper


class ReadableHistoryHelper(HistoricalRecordContextHelper):
    """Diffs in the user's words: choice labels (草稿 → 待审核) instead of stored codes."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if field.choices and not field.many_to_many:
            return dict(field.flatchoices).get(value, value) if value not in (None, "") else "—"
        return super().prepare_delta_change_value(change, value)


class HistoryAdmin(SimpleHistoryAdmin):
    """Every editable record keeps its history (who, when, what) and shows it in the admin.

    The history page lists each version with who changed it, when, and a field-by-field diff against
    the version before. Deleted records keep their history: the change list links to 已删除记录, which
    lists them and opens their history. Reverting to an old version needs the change permission on
    the record as it is now (a published evaluation, for instance, cannot be reverted).
    """

    list_per_page = 50
    show_full_result_count = False
    history_deleted_template = "admin/history_deleted.html"

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableHistoryHelper(self.model, historical_record)

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        deleted = path(
            "deleted/",
            self.admin_site.admin_view(self.deleted_history_view),
            name="{}_{}_deleted_history".format(*info),
        )
        return [deleted, *super().get_urls()]

    def _ids_or_404(self, object_id, version_id=None):
        """simple-history looks ids up unchecked: `abc/history/` raised ValueError, a 500, not a 404."""
        try:
            self.model._meta.pk.to_python(unquote(object_id))
            if version_id is not None:
                self.model.history.model._meta.pk.to_python(version_id)
        except ValidationError:
            raise Http404 from None

    def history_view(self, request, object_id, extra_context=None):
        self._ids_or_404(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._ids_or_404(object_id, version_id)
        if request.method == "POST":
            current = self.get_object(request, unquote(object_id))
            if current is None or not self.has_change_permission(request, current):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        if obj is not None and obj.pk is not None:
            current = self.model._default_manager.filter(pk=obj.pk).first()
            if current is None or not self.has_change_permission(request, current):
                return True
        return super().revert_disabled(request, obj)

    def scoped_history(self, request, queryset):
        """Historical rows this user may see; ScopedAdminMixin narrows them to the role scope."""
        return queryset

    def deleted_history_view(self, request):
        """Records deleted from this table, newest deletion first, each linking to its kept history."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        deletions = self.scoped_history(request, self.model.history.filter(history_type="-"))
        deletions = deletions.select_related("history_user").order_by("-history_date")
        page = Paginator(deletions, self.list_per_page).get_page(request.GET.get("p"))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("已删除的%(name)s") % {"name": opts.verbose_name},
            "opts": opts,
            "page_obj": page,
        }
        return TemplateResponse(request, self.history_deleted_template, context)


class ReadOnlyAdminMixin:
    """For audit logs (workflow transitions, import records): viewable, never added, changed or deleted."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
