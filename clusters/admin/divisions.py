from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from clusters.models import City, Province

from .base import HistoryAdmin


class CityInline(admin.TabularInline):
    model = City
    fields = ["code", "name", "short_name", "name_en", "kind"]
    extra = 0
    show_change_link = True
    can_delete = False


@admin.register(Province)
class ProvinceAdmin(HistoryAdmin):
    list_display = ["code", "name", "short_name", "name_en", "kind", "region", "city_count"]
    list_filter = ["kind", "region"]
    search_fields = ["code", "name", "short_name", "name_en"]
    autocomplete_fields = ["source"]
    inlines = [CityInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(city_count=Count("cities"))

    @admin.display(description=_("地级行政区数"), ordering="city_count")
    def city_count(self, obj):
        return obj.city_count


@admin.register(City)
class CityAdmin(HistoryAdmin):
    list_display = ["code", "name", "short_name", "name_en", "province", "kind"]
    list_filter = ["kind", "province"]
    list_select_related = ["province"]
    search_fields = ["code", "name", "short_name", "name_en", "province__name"]
    autocomplete_fields = ["province", "source"]
