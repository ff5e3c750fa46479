"""Labels in both languages: the sort menu (one definition in the FilterSet, on the page and in the API
schema) and the closed vocabularies of clusters.choices, which translate by themselves."""

import inspect
import re

import pytest
from django.db import models
from django.utils import translation

from clusters import choices
from clusters.choices import ClusterStatus, Tier
from clusters.filtersets import ClusterFilterSet
from clusters.models import Cluster
from tests import page_data

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def sort_menu(html):
    select = re.search(r'<select id="id_ordering".*?</select>', html, re.S).group(0)
    return [(value, label) for value, label in re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)<', select)]


@pytest.mark.parametrize(("path", "language"), [("/clusters/", "zh-hans"), ("/en/clusters/", "en")])
def test_every_sort_option_has_its_own_label_in_the_pages_language(client, path, language):
    menu = sort_menu(client.get(path).content.decode())
    with translation.override(language):
        defined = [(value, str(label)) for value, label in ClusterFilterSet().filters["ordering"].extra["choices"]]
    assert menu == defined
    params = [value for value, _label in menu]
    assert params == ["name", "-name", "field", "-field", "tier", "-tier", "status", "-status"] + [
        "origin_year",
        "-origin_year",
    ]
    labels = [label for _value, label in menu]
    assert len(set(labels)) == len(labels)  # ascending and descending never read alike
    if language == "en":
        assert not [label for label in labels if HAN.search(label)]
    else:
        assert all(HAN.search(label) for label in labels) and not any("descending" in label for label in labels)


@pytest.mark.parametrize(
    ("language", "name", "reverse"),
    [("zh-hans", "名称（升序）", "名称（降序）"), ("en", "Name (ascending)", "Name (descending)")],
)
def test_the_api_schema_describes_each_sort_option(client, language, name, reverse):
    schema = client.get("/api/schema/", {"format": "json"}, HTTP_ACCEPT_LANGUAGE=language).json()
    ordering = next(p for p in schema["paths"]["/api/clusters/"]["get"]["parameters"] if p["name"] == "ordering")
    assert f"* `name` - {name}" in ordering["description"]
    assert f"* `-name` - {reverse}" in ordering["description"]
    assert set(ordering["schema"]["items"]["enum"]) == {
        value for value, _ in sort_menu(client.get("/clusters/").content.decode())
    }


def test_tier_and_status_sort_in_the_order_of_their_choices_and_ties_never_straddle_pages(client):
    page_data.many_clusters(30)
    Cluster.objects.filter(slug__startswith="test-").update(tier=Tier.MUNICIPAL, status=ClusterStatus.EXITED)
    for param, attr, order in [("tier", "tier", Tier.values), ("status", "status", ClusterStatus.values)]:
        for direction in ("", "-"):
            seen = []
            for page in (1, 2, 3):
                response = client.get("/clusters/", {"ordering": f"{direction}{param}", "page": page})
                seen += [(order.index(getattr(c, attr)), c.name) for c in response.context["clusters"]]
            ranks = [rank for rank, _name in seen]
            assert ranks == sorted(ranks, reverse=direction == "-"), (param, direction)
            assert len({name for _rank, name in seen}) == len(seen) == Cluster.objects.public().count()


def test_clusters_without_a_start_year_come_last_either_way(client):
    for ordering in ("origin_year", "-origin_year"):
        years = [c.origin_year for c in page_data.listed_clusters(client.get("/clusters/", {"ordering": ordering}))]
        known = [year for year in years if year is not None]
        assert years[: len(known)] == sorted(known, reverse=ordering.startswith("-")) and known


def every_choice_class():
    return [cls for _name, cls in inspect.getmembers(choices, inspect.isclass) if issubclass(cls, models.Choices)]


def test_every_choice_label_translates_by_itself():
    """No table of labels to keep in step: the lazy labels of clusters.choices are in the English catalogue."""
    classes = every_choice_class()
    assert len(classes) >= 12
    untranslated = []
    for cls in classes:
        for _value, label in cls.choices:
            with translation.override("en"):
                english = str(label)
            if HAN.search(english):
                untranslated.append((cls.__name__, english))
    assert untranslated == []


def test_choice_labels_on_the_english_list_page(client):
    html = client.get("/en/clusters/", {"tier": "national"}).content.decode()
    assert ">National<" in html and "Tier: National" in html
    for _value, label in ClusterStatus.choices:
        with translation.override("en"):
            assert f">{label}</option>" in html
