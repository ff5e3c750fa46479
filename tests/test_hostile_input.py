"""Hostile input gets a clear 400 or 404, never a 500, on SQLite and PostgreSQL alike."""

import pytest
from django.contrib.admin import site
from simple_history.admin import SimpleHistoryAdmin

from clusters.models import Cluster
from tests.api_support import make_user, token_for

pytestmark = pytest.mark.django_db

HISTORY_ADMINS = sorted(
    (model._meta.app_label, model._meta.model_name)
    for model, model_admin in site._registry.items()
    if isinstance(model_admin, SimpleHistoryAdmin)
)


@pytest.fixture
def staff_api(client):
    user = make_user("writer", "add_cluster", "change_cluster")
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token_for(user)}"
    return client


@pytest.mark.parametrize(("method", "url"), [("post", "/api/clusters/"), ("patch", "/api/clusters/shanghai-ic/")])
def test_json_nested_50000_deep_is_a_400_that_says_why(staff_api, method, url):
    response = getattr(staff_api, method)(url, "[" * 50_000, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "JSON 嵌套层数过多，无法解析。"}
    assert Cluster.objects.get(slug="shanghai-ic").status == "key_support"


def test_the_nesting_message_is_translated(staff_api):
    response = staff_api.post(
        "/api/clusters/", '{"a": ' * 50_000, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "JSON nested too deeply to parse."}


def test_ordinary_bad_json_is_still_drfs_parse_error(staff_api):
    response = staff_api.post("/api/clusters/", "[1,", content_type="application/json")
    assert response.status_code == 400 and "JSON parse error" in response.json()["detail"]


@pytest.mark.parametrize(("app_label", "model_name"), HISTORY_ADMINS)
def test_history_of_a_malformed_id_is_a_404(admin_client, app_label, model_name):
    base = f"/admin/{app_label}/{model_name}"
    assert admin_client.get(f"{base}/abc/history/").status_code == 404
    assert admin_client.get(f"{base}/abc/history/abc/").status_code == 404


def test_history_with_a_malformed_version_is_a_404_and_a_good_one_still_opens(admin_client):
    cluster = Cluster.objects.get(slug="shanghai-ic")
    cluster.save()  # gives it a history row
    base = f"/admin/clusters/cluster/{cluster.pk}/history"
    assert admin_client.get(f"{base}/").status_code == 200
    assert admin_client.get(f"{base}/abc/").status_code == 404
    assert admin_client.get(f"{base}/{cluster.history.latest().history_id}/").status_code == 200


def test_history_enabled_admins_were_found():
    assert ("clusters", "cluster") in HISTORY_ADMINS and ("clusters", "evaluationrecord") in HISTORY_ADMINS


NUL_QUERIES = [
    "/admin/clusters/cluster/?province=%00",
    "/admin/clusters/cluster/?q=%00",
    "/admin/clusters/cluster/?%00=1",
    "/clusters/?province=%00",
    "/clusters/?q=abc%00def",
    "/clusters/export.csv?city=%00",
    "/rankings/?scheme=%00",
]


@pytest.mark.parametrize("url", NUL_QUERIES)
def test_a_nul_byte_in_a_query_parameter_is_a_400(admin_client, client, url):
    for visitor in (admin_client, client):
        response = visitor.get(url)
        assert response.status_code == 400, url
        assert "请求无效" in response.content.decode()


@pytest.mark.parametrize("url", ["/admin/clusters/province/%00/change/", "/admin/clusters/province/%00/history/"])
def test_a_nul_byte_in_the_path_is_a_404(admin_client, url):
    assert admin_client.get(url).status_code == 404


def test_the_api_answers_nul_bytes_in_its_documented_json_shapes(client):
    response = client.get("/api/clusters/", {"province": "\x00", "q": "ok"})
    assert response.status_code == 400
    assert response.json() == {"province": ["不能含有 NUL 字符（%00）。"]}
    assert client.get("/api/cities/?search=%00", HTTP_ACCEPT_LANGUAGE="en").json() == {
        "search": ["must not contain a NUL character (%00)."]
    }
    response = client.get("/api/clusters/%00/")
    assert response.status_code == 404 and response.json() == {"detail": "未找到。"}


def test_the_400_page_survives_a_refused_host(client):
    response = client.get("/clusters/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "请求无效" in response.content.decode()
