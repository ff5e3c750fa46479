from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin


class HistoryAdmin(SimpleHistoryAdmin):
    """Every editable record keeps its history (who, when, what) and shows it in the admin."""

    list_per_page = 50
    show_full_result_count = False


class SourcedInlineMixin:
    autocomplete_fields = ["source"]


admin.site.empty_value_display = "—"
