"""clusters.tables: the list and ranking rows say what the template loops said, computed once per row."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from clusters.models import Cluster
from clusters.tables import detail_url_maker
from tests import page_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_detail_url_from_its_pattern_is_get_absolute_url(language):
    with translation.override(language):
        url = detail_url_maker()
        for cluster in Cluster.objects.all():
            assert url(cluster.slug) == cluster.get_absolute_url()


def test_list_rows_name_places_and_leads_as_the_page_did(client):
    response = client.get(reverse("clusters:list"), {"q": "南京"})
    html = response.content.decode()
    for cluster in page_data.listed_clusters(response):
        assert f'<a href="{cluster.get_absolute_url()}">' in html
        provinces = "、".join(p.short_name for p in cluster.provinces)
        cities = "、".join(c.name for c in cluster.cities.all())
        assert f'<span>{provinces}<span class="meta">{cities}</span></span>' in html
        leads = [lead.enterprise.name for lead in cluster.lead_enterprises.all()[:4]]
        assert ("、".join(leads) if leads else '<span class="muted">—</span>') in html


def test_english_rows_join_names_the_english_way(client):
    response = client.get(f"/en{reverse('clusters:list')}", {"q": "成都"})
    html = response.content.decode()
    two_cities = next(c for c in page_data.listed_clusters(response) if c.cities.count() > 1)
    assert ", ".join(c.name_en for c in two_cities.cities.all()) in html


def test_fill_escapes_as_format_html_does():
    from django.utils.html import format_html
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext_lazy

    from clusters.tables import fill

    values = {"a": "<b>\"甲\" & '乙'</b>", "b": mark_safe("<i>safe</i>"), "c": 5025, "d": gettext_lazy("比较")}
    template = '<td title="{a}">{b}{c}{d}</td>'
    assert fill(template, **values) == format_html(template, **values)
    assert "&lt;b&gt;&quot;甲&quot; &amp; &#x27;乙&#x27;&lt;/b&gt;" in fill(template, **values)


def _pager(query, number, rows=325, per_page=20, language="zh-hans"):
    from django.core.paginator import Paginator
    from django.http import QueryDict

    from clusters.tables import pager

    page = Paginator(range(rows), per_page).get_page(number)
    page_range = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    with translation.override(language):
        return pager(QueryDict(query), page, list(page_range))


def test_the_pager_keeps_the_other_parameters_and_marks_gaps():
    html = _pager("field=information-technology&q=<软件>&page=9", 9)
    assert re.findall(r">(\d+|…)</(?:a|span)>", html) == ["1", "…", "7", "8", "9", "10", "11", "…", "17"]
    # Each link replaces `page` where the query had it and keeps the rest, escaped for the attribute.
    assert '<a href="?field=information-technology&amp;q=%3C%E8%BD%AF%E4%BB%B6%3E&amp;page=8" rel="prev">' in html
    assert (
        'href="?field=information-technology&amp;q=%3C%E8%BD%AF%E4%BB%B6%3E&amp;page=17" aria-label="第 17 页"' in html
    )
    assert '<span aria-current="page">9</span>' in html
    assert '<span class="pagination-gap" aria-hidden="true">…</span>' in html


def test_the_pager_in_english_and_at_the_ends():
    first = _pager("", 1, language="en")
    assert first.startswith('<nav class="pagination" aria-label="Pagination">')
    assert 'rel="prev"' not in first and '<a href="?page=2" rel="next">Next ›</a>' in first
    assert 'aria-label="page 17"' in first
    last = _pager("", 17, language="en")
    assert '<a href="?page=16" rel="prev">‹ Previous</a>' in last and 'rel="next"' not in last


def test_one_page_has_no_pager():
    assert _pager("", 1, rows=20) == ""


@pytest.mark.parametrize(("language", "label"), [("zh-hans", "名称（降序）"), ("en", "Name (descending)")])
def test_the_sort_options_mark_the_choice_in_each_language(client, language, label):
    prefix = "/en" if language == "en" else ""
    html = client.get(f"{prefix}{reverse('clusters:list')}", {"ordering": "-name"}).content.decode()
    select = re.search(r'<select id="id_ordering".*?</select>', html, re.S).group()
    assert f'<option value="-name" selected>{label}</option>' in select
    assert select.count("<option") == 11  # the default and five sorts, each both ways
    assert select.count(" selected") == 1
