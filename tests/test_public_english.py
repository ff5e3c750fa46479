"""The English site says everything in English except its data.

Every public page is fetched under /en/ and its text (and the attributes people read: title, aria-label,
placeholder, alt) is searched for Chinese once the data is taken out: the free text staff enter or the
sources give (cluster and enterprise names, summaries, measures, source titles, scopes, notes …). The
vocabularies that have English names (fields, provinces, cities, indicators, measure categories and
topics, choice labels) are not data here: they must show in English.
"""

import pytest
from django.core.management import call_command

from clusters.models import (
    Batch,
    Characteristic,
    Cluster,
    Enterprise,
    EvaluationRecord,
    EvaluationScheme,
    Field,
    Indicator,
    IndicatorValue,
    LeadEnterprise,
    Measure,
    MeasureCategory,
    MeasureTopic,
    PromotionOrganization,
    SchemeDimension,
    Source,
    Target,
)
from tests.chrome import chinese_chrome, within

pytestmark = pytest.mark.django_db

FREE_TEXT = {
    Cluster: ["name", "short_name", "summary", "origin_note", "area_note"],
    Batch: ["name"],
    Enterprise: ["name"],
    LeadEnterprise: ["note"],
    PromotionOrganization: ["name"],
    Characteristic: ["text"],
    Source: ["publisher", "title", "document_number", "note"],
    Measure: ["title", "description", "issuing_body", "document_title"],
    IndicatorValue: ["scope", "note", "original_text"],
    Target: ["original_text"],
    EvaluationRecord: ["evaluating_body", "narrative", "period"],
    EvaluationScheme: ["name"],
    SchemeDimension: ["name"],
    # English names are data too (one keeps its Chinese term: “… first-of-its-kind (首台套)”).
    Field: ["name_en"],
    Indicator: ["name_en"],
    MeasureCategory: ["name_en"],
    MeasureTopic: ["name_en"],
}
READ_ATTRIBUTES = [(lambda e: True, name) for name in ("title", "aria-label", "placeholder", "alt")]


def data_strings():
    strings = set()
    for model, fields in FREE_TEXT.items():
        for row in model.objects.values_list(*fields):
            strings.update(value for value in row if value)
    # What templates cut from data: the page description (150 characters) and the list's four enterprises.
    strings.update(s[:149] for s in Cluster.objects.exclude(summary="").values_list("summary", flat=True))
    return strings


def page_chrome(element):
    return not within(element, lambda n: n.tag in ("script", "style")) and within(
        element, lambda n: n.tag in ("body", "title")
    )


def chinese_on(client, path, data, status=200):
    response = client.get(f"/en{path}")
    data = {*data, *response.wsgi_request.GET.values()}  # what the visitor typed is theirs
    assert response.status_code == status, path
    assert response["Content-Language"] == "en"
    return chinese_chrome(response.content.decode(), page_chrome, READ_ATTRIBUTES, data)


@pytest.fixture
def demo_rankings():
    """A handful of demo clusters with published evaluations, so the rankings and evaluation history show."""
    call_command("generate_demo_data", clusters=60, years=3, seed=3, without_history=True, verbosity=0)


def public_paths():
    return [
        "/",
        "/clusters/",
        "/clusters/?field=information-technology&province=440000&tier=national&status=cultivating&ordering=-name",
        "/clusters/?q=不存在的集群",
        "/rankings/",
        "/map/",
        "/map/?field=new-materials",
    ]


def test_the_english_site_writes_no_chinese_of_its_own(client, demo_rankings):
    data = data_strings()
    paths = public_paths()
    paths += [c.get_absolute_url() for c in Cluster.objects.public().order_by("pk")]
    scheme = EvaluationScheme.objects.filter(records__state="published").first()
    paths.append(f"/rankings/?scheme={scheme.code}&page=2")
    found = {path: chinese_on(client, path, data) for path in paths}
    assert {path: hits for path, hits in found.items() if hits} == {}
    assert len(paths) > 40


@pytest.mark.parametrize(
    ("path", "status"),
    [("/clusters/no-such-cluster/", 404), ("/clusters/?province=abc", 400), ("/rankings/?field=nope", 400)],
)
def test_english_error_pages_write_no_chinese(client, path, status):
    assert chinese_on(client, path, data_strings(), status) == []


def test_the_scan_sees_chinese_chrome(client):
    """The scan is not blind: the same page in Chinese is full of it (once it no longer says it is Chinese)."""
    html = client.get("/clusters/").content.decode().replace('<html lang="zh-Hans">', "<html>")
    assert len(chinese_chrome(html, page_chrome, READ_ATTRIBUTES, data_strings())) > 20


def test_the_server_error_page_says_it_in_both_languages_without_an_inline_style(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/en/"))
    html = response.content.decode()
    assert response.status_code == 500 and "Server error" in html and "服务器出错了" in html
    assert "<style" not in html and 'href="/static/css/portal.css"' in html  # the CSP refuses inline styles
