from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from clusters.models import StaffScope


class UserManagersOnlyMixin:
    """Who is responsible for what is staff data: only those who manage users (国家管理员) see or change it."""

    def _manages_users(self, request):
        return request.user.has_perm("auth.view_user")

    def has_module_permission(self, request):
        return self._manages_users(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._manages_users(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):  # ModelAdmin takes (request), an inline (request, obj)
        return self._manages_users(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._manages_users(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._manages_users(request) and super().has_delete_permission(request, obj)


class StaffScopeInline(UserManagersOnlyMixin, admin.StackedInline):
    """Assign provinces and clusters on the user's own page, where roles (groups) are chosen too."""

    model = StaffScope
    can_delete = False
    autocomplete_fields = ["provinces", "clusters"]
    fields = ["is_national", "provinces", "clusters"]
    verbose_name_plural = _("职责范围（省级编辑、集群编辑、评审员）")


@admin.register(StaffScope)
class StaffScopeAdmin(UserManagersOnlyMixin, admin.ModelAdmin):
    list_display = ["user", "is_national", "province_names", "cluster_names"]
    list_filter = ["is_national"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user", "provinces", "clusters"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").prefetch_related("provinces", "clusters")

    @admin.display(description=_("负责省份"))
    def province_names(self, obj):
        return "、".join(p.name for p in obj.provinces.all())

    @admin.display(description=_("负责集群"))
    def cluster_names(self, obj):
        return "、".join(c.display_name for c in obj.clusters.all())


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, StaffScopeInline]
