"""Staff who choose English get an English admin: every page's chrome, from the registry, in English.

Signed in with the language cookie that the admin's own switch sets, the test walks the admin home, every
registered model's change list and add page, the spreadsheet import pages and the deleted-records pages,
and finds no Chinese in headings, breadcrumbs, buttons, column headers, filter titles, labels, help texts,
actions or messages. Data cells (cluster names, sources …) may be Chinese: they are left out.
"""

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from tests.chrome import chinese_chrome, within

pytestmark = pytest.mark.django_db

CHROME_TAGS = {"title", "h1", "h2", "h3", "label", "legend", "button", "thead", "caption", "summary"}
CHROME_CLASSES = {"breadcrumbs", "object-tools", "help", "paginator", "submit-row", "errornote", "messagelist"}
CHROME_IDS = {"user-tools", "site-name", "workflow-state"}


def admin_chrome(element):
    tags = {node.tag for node in element.ancestors()}
    if tags & {"script", "style", "textarea"} or within(element, lambda n: "actionlist" in n.classes):
        return False  # recent actions name records: data
    if "option" in tags:  # choices are data, except the change list's actions
        return within(element, lambda n: n.tag == "select" and n.attrs.get("name") == "action")
    if within(element, lambda n: "module" in n.classes and any(c.startswith("app-") for c in n.classes)):
        return True  # the home page's and the sidebar's groups and models
    if within(element, lambda n: n.attrs.get("id") == "changelist-filter"):
        return within(element, lambda n: n.tag in ("h2", "h3", "summary"))  # titles yes, choices (data) no
    if "tbody" in tags:
        return False  # result rows
    return within(
        element,
        lambda n: (
            n.tag in CHROME_TAGS or n.classes & (CHROME_CLASSES | {"readonly"}) or n.attrs.get("id") in CHROME_IDS
        ),
    )


ATTRIBUTES = [
    (lambda e: e.tag == "input" and e.attrs.get("type") in ("submit", "button"), "value"),
    (lambda e: True, "placeholder"),
    (lambda e: e.tag in ("a", "button"), "title"),
]


@pytest.fixture
def english_admin(admin_client):
    response = admin_client.post(reverse("set_language"), {"language": "en", "next": "/admin/"})
    assert response.status_code == 302
    return admin_client


def admin_pages():
    pages = ["admin:index"]
    for model, model_admin in admin.site._registry.items():
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pages.append(f"{info}_changelist")
        pages.append(f"{info}_add")
        if hasattr(model_admin, "sheet_kind"):
            pages.append(f"{info}_sheet_import")
        if getattr(model_admin, "history_deleted_template", None):
            pages.append(f"{info}_deleted_history")
    return pages


def test_the_registry_is_walked_whole():
    pages = admin_pages()
    assert len(pages) > 60
    assert "admin:clusters_indicatorvalue_sheet_import" in pages and "admin:auth_user_add" in pages


@pytest.mark.parametrize("name", admin_pages())
def test_an_english_admin_page_has_no_chinese_chrome(english_admin, name):
    try:
        url = reverse(name)
    except NoReverseMatch:
        pytest.skip(f"{name} has no URL")
    response = english_admin.get(url)
    if response.status_code == 403:  # read-only logs have no add page
        assert name.endswith("_add")
        return
    assert response.status_code == 200, url
    assert response["Content-Language"] == "en"
    html = response.content.decode()
    assert chinese_chrome(html, admin_chrome, ATTRIBUTES) == []


def test_the_words_the_issue_quoted(english_admin):
    html = english_admin.get(reverse("admin:clusters_indicatorvalue_sheet_import")).content.decode()
    assert "Import indicator values" in html and "Import 指标值" not in html
    html = english_admin.get(reverse("admin:clusters_cluster_changelist")).content.decode()
    assert "Advanced manufacturing clusters</a>" in html and "先进制造业集群</a>" not in html
    assert ">Select cluster to change<" in html
    home = english_admin.get(reverse("admin:index")).content.decode()
    for group in ("Clusters and data", "Evaluation", "Reference data", "People"):
        assert group in home
    # “View site” opens the public site in the admin's language.
    assert 'href="/en/">View site</a>' in home


def test_chinese_stays_the_default_and_the_switch_goes_back(admin_client):
    html = admin_client.get(reverse("admin:clusters_cluster_changelist")).content.decode()
    assert "先进制造业集群</a>" in html and '<a href="/">' in html
    admin_client.post(reverse("set_language"), {"language": "en", "next": "/admin/"})
    html = admin_client.get(reverse("admin:clusters_cluster_changelist")).content.decode()
    assert "Advanced manufacturing clusters</a>" in html
    admin_client.post(reverse("set_language"), {"language": "zh-hans", "next": "/admin/"})
    assert "集群与数据" in admin_client.get(reverse("admin:index")).content.decode()


def test_an_english_name_given_in_the_admin_shows_on_english_pages(admin_client, client):
    from clusters.choices import ClusterStatus, Tier
    from clusters.models import City, Cluster, Field

    data = {
        "name": "广东省深莞测试集群",
        "short_name": "深莞测试集群",
        "name_en": "Shenzhen–Dongguan Test Cluster",
        "field": Field.objects.get(slug="new-materials").pk,
        "tier": Tier.PROVINCIAL,
        "status": ClusterStatus.CULTIVATING,
        "cities": [City.objects.get(code="440300").pk],
        "published": "on",
    }
    for prefix in ["lead_enterprises", "characteristics", "targets", "measures", "indicator_values"]:
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    assert 'name="name_en"' in admin_client.get(reverse("admin:clusters_cluster_add")).content.decode()
    assert admin_client.post(reverse("admin:clusters_cluster_add"), data).status_code == 302
    cluster = Cluster.objects.get(name="广东省深莞测试集群")
    assert cluster.name_en == "Shenzhen–Dongguan Test Cluster"

    path = f"/clusters/{cluster.slug}/"
    english = client.get(f"/en{path}").content.decode()
    assert "<h1>Shenzhen–Dongguan Test Cluster</h1>" in english
    assert '<p class="original-name" lang="zh-Hans">广东省深莞测试集群</p>' in english
    assert "<title>Shenzhen–Dongguan Test Cluster · New materials" in english
    listed = client.get("/en/clusters/", {"q": "深莞测试"}).content.decode()
    assert ">Shenzhen–Dongguan Test Cluster</a>" in listed and 'lang="zh-Hans">广东省深莞测试集群<' in listed
    chinese = client.get(path).content.decode()
    assert "<h1>广东省深莞测试集群</h1>" in chinese and "original-name" not in chinese
