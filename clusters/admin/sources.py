from django.contrib import admin

from clusters.models import Source

from .base import HistoryAdmin


@admin.register(Source)
class SourceAdmin(HistoryAdmin):
    list_display = ["code", "publisher", "title", "published_on", "document_number", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "publisher", "title", "document_number"]
    date_hierarchy = "published_on"
