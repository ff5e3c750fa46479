"""The cluster FilterSet's filters are copied cheaply per use (filtersets.CopiedCheaply, issue 14): each use
still owns what it sets or changes, and its method filters call its own FilterSet."""

import pytest

from clusters import selectors
from clusters.filtersets import ClusterAPIFilterSet, ClusterFilterSet

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("filterset_class", [ClusterFilterSet, ClusterAPIFilterSet])
def test_each_use_owns_its_filters(filterset_class):
    shenzhen, hangzhou = (
        filterset_class({"q": place, "province": province}, queryset=selectors.cluster_list())
        for place, province in (("深圳", "440000"), ("杭州", "330000"))
    )
    for use in (shenzhen, hangzhou):
        for name, filter_ in use.filters.items():
            assert filter_.parent is use and filter_ is not filterset_class.base_filters[name], name
            method = filter_.__dict__.get("filter")
            assert method is None or method.f is filter_, name  # a method filter asks its own FilterSet
    for name in shenzhen.filters:
        assert shenzhen.filters[name].extra is not hangzhou.filters[name].extra, name
    assert shenzhen.is_valid() and hangzhou.is_valid()
    names = {use: set(use.qs.values_list("slug", flat=True)) for use in (shenzhen, hangzhou)}
    assert names[shenzhen] and names[hangzhou] and not names[shenzhen] & names[hangzhou]
    assert "shenzhen-ict" in names[shenzhen] and "hangzhou-digital-security" in names[hangzhou]
