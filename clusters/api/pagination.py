from django.conf import settings
from django.core.paginator import Paginator
from rest_framework import pagination

from portal.caching import memoised


class PageNumberPagination(pagination.PageNumberPagination):
    """`{count, next, previous, results}`; `?page=2&page_size=100`, capped at API_MAX_PAGE_SIZE.

    A view may name its count as a memo (``count_memo()``): counting every row is the one part of a page
    that grows with the data, and when every request of that list counts the same rows (anonymous, no
    filter) it only changes with the data."""

    page_size_query_param = "page_size"
    count_memo = None

    @property
    def max_page_size(self):
        return settings.API_MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        self.count_memo = getattr(view, "count_memo", lambda: None)()
        return super().paginate_queryset(queryset, request, view)

    def django_paginator_class(self, object_list, per_page):
        return MemoisedCountPaginator(object_list, per_page, memo=self.count_memo)


class MemoisedCountPaginator(Paginator):
    def __init__(self, *args, memo=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.memo = memo

    @property
    def count(self):
        counted = self.__dict__.get("_count")
        if counted is None:
            count = Paginator.count.func
            counted = self._count = count(self) if self.memo is None else memoised(self.memo, lambda: count(self))
        return counted
