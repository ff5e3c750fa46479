from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from clusters.models import StaffScope


class StaffScopeInline(admin.StackedInline):
    """Assign provinces and clusters on the user's own page, where roles (groups) are chosen too."""

    model = StaffScope
    can_delete = False
    autocomplete_fields = ["provinces", "clusters"]
    fields = ["is_national", "provinces", "clusters"]
    verbose_name_plural = "职责范围（省级编辑、集群编辑、评审员）"


@admin.register(StaffScope)
class StaffScopeAdmin(admin.ModelAdmin):
    list_display = ["user", "is_national", "province_names", "cluster_names"]
    list_filter = ["is_national"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user", "provinces", "clusters"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").prefetch_related("provinces", "clusters")

    @admin.display(description="负责省份")
    def province_names(self, obj):
        return "、".join(p.name for p in obj.provinces.all())

    @admin.display(description="负责集群")
    def cluster_names(self, obj):
        return "、".join(c.display_name for c in obj.clusters.all())


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, StaffScopeInline]
