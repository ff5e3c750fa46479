"""The cluster FilterSet's filters are copied cheaply per use (filtersets.CopiedCheaply, issue 14): each use
still owns what it sets or changes, and its method filters call its own FilterSet."""

import pytest

from clusters import selectors
from clusters.filtersets import ClusterAPIFilterSet, ClusterFilterSet
from clusters.models import City, Cluster, Field, Province

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


def test_field_province_and_city_are_found_in_the_reference_memo(django_assert_num_queries):
    query = {"field": "information-technology", "province": "310000", "city": "310000"}
    expected = (
        Field.objects.get(slug="information-technology"),
        Province.objects.get(code="310000"),
        City.objects.get(code="310000"),
    )
    ClusterFilterSet(query, queryset=Cluster.objects.all()).is_valid()  # builds the memos
    with django_assert_num_queries(0):
        filterset = ClusterFilterSet(query, queryset=Cluster.objects.all())
        assert filterset.is_valid(), filterset.errors
    cleaned = filterset.form.cleaned_data
    assert (cleaned["field"], cleaned["province"], cleaned["city"]) == expected


def test_a_field_newer_than_the_memo_is_found_and_an_unknown_one_is_refused():
    ClusterFilterSet({"field": "information-technology"}, queryset=Cluster.objects.all()).is_valid()
    newer = Field.objects.create(slug="newer-than-the-memo", name="备忘之后写入的领域", order=99)
    accepted = ClusterFilterSet({"field": newer.slug}, queryset=Cluster.objects.all())
    refused = ClusterFilterSet({"field": "no-such-field"}, queryset=Cluster.objects.all())
    assert accepted.is_valid() and accepted.form.cleaned_data["field"] == newer
    assert not refused.is_valid()
    assert refused.errors["field"] == ["没有代码为“no-such-field”的领域。"]


def test_a_blank_form_is_built_once_and_renders_in_each_language(client):
    blank = ClusterFilterSet(None, queryset=Cluster.objects.all()).form
    assert ClusterFilterSet(None, queryset=Cluster.objects.all()).form is blank
    assert ClusterFilterSet({}, queryset=Cluster.objects.all()).form is not blank  # data, even empty: its own
    assert ClusterAPIFilterSet(None, queryset=Cluster.objects.all()).form is not blank  # another class's form
    for _ in range(2):  # alternately, from the one blank form
        chinese, english = client.get("/clusters/").content.decode(), client.get("/en/clusters/").content.decode()
        assert ">关键词</label>" in chinese and "全部领域" in chinese and "All fields" not in chinese
        assert ">Keyword</label>" in english and "All fields" in english and "全部领域" not in english


@pytest.mark.parametrize("filterset_class", [ClusterFilterSet, ClusterAPIFilterSet])
def test_each_bound_form_owns_its_fields_values_and_errors(filterset_class):
    """The forms share their fields' choices and querysets (filtersets.SharedOnCopy), not the fields."""
    good = filterset_class({"field": "information-technology", "ordering": "-name"}, queryset=Cluster.objects.all())
    bad = filterset_class({"field": "nope", "ordering": "password"}, queryset=Cluster.objects.all())
    for name in good.form.fields:
        assert good.form.fields[name] is not bad.form.fields[name], name
        assert good.form.fields[name] is not type(good.form).base_fields[name], name
    bad.form.fields["field"].label = "只改这一张表单"
    assert good.form.fields["field"].label != "只改这一张表单"
    assert filterset_class(None, queryset=Cluster.objects.all()).form.fields["field"].label != "只改这一张表单"
    assert good.is_valid() and not bad.is_valid()
    assert good.form.cleaned_data["field"].slug == "information-technology"
    assert set(bad.errors) == {"field", "ordering"} and not good.errors
    assert set(good.qs.values_list("field__slug", flat=True)) == {"information-technology"}


def test_the_public_list_queryset_is_built_once_and_read_fresh_each_time():
    first = selectors.cluster_list()
    assert selectors.cluster_list() is not first  # each caller filters its own clone
    before = set(first.values_list("slug", flat=True))
    hidden = Cluster.objects.get(slug="shanghai-ic")
    hidden.published = False
    hidden.save()
    after = set(selectors.cluster_list().values_list("slug", flat=True))
    assert after == before - {"shanghai-ic"}
    rows = list(selectors.cluster_list().filter(slug="shenzhen-ict"))
    assert [city.province.code for city in rows[0].cities.all()] == ["440000"]  # the prefetches still apply


@pytest.mark.parametrize("url", ["/clusters/", "/api/clusters/"])
def test_a_fields_clusters_keep_the_whole_lists_order(client, url):
    """Filtered by one field, the list is ordered by name alone (the field's order is the same for every row, and
    the (field, name) index holds that order): the rows come in the order the unfiltered list gives them."""

    def slugs(**query):
        """Every page's rows, in order."""
        listed, page = [], 1
        while True:
            response = client.get(url, {**query, "page": page})
            assert response.status_code == 200
            if url.startswith("/api/"):
                listed += [row["slug"] for row in response.json()["results"]]
                more = response.json()["next"]
            else:
                listed += [row.slug for row in response.context["clusters"]]
                more = response.context["page_obj"].has_next()
            if not more:
                return listed
            page += 1

    everything = slugs()
    field_of = dict(Cluster.objects.values_list("slug", "field__slug"))
    fields = Field.objects.filter(slug__in=set(field_of.values())).values_list("slug", flat=True)
    assert len(everything) == len(field_of) and len(fields) > 1
    for field in fields:
        expected = [slug for slug in everything if field_of[slug] == field]
        assert len(expected) > 1 and slugs(field=field) == expected, field
