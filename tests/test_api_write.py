"""The staff write API: who may write, and the model's own validation answering as field-level 400s."""

import pytest
from rest_framework.test import APIClient

from clusters.choices import EvaluationState
from clusters.models import Cluster, EvaluationRecord, IndicatorValue, Measure, Target
from tests.api_support import make_evaluation, make_user, token_for

pytestmark = pytest.mark.django_db

NEW_CLUSTER = {
    "name": "测试省测试市新材料集群",
    "short_name": "测试新材料集群",
    "field": "new-materials",
    "tier": "provincial",
    "status": "cultivating",
    "cities": ["440300", "440600"],
    "sources": ["seed-004"],
}


@pytest.fixture
def api():
    return APIClient()


def as_token(api, user):
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return api


# Who may write -----------------------------------------------------------------------------------


WRITES = [
    ("post", "/api/clusters/", NEW_CLUSTER),
    ("patch", "/api/clusters/shanghai-ic/", {"status": "warning"}),
    ("delete", "/api/clusters/shanghai-ic/", None),
    ("post", "/api/measures/", {"title": "x", "category": "platforms", "source": "seed-000"}),
    ("post", "/api/targets/", {}),
    ("post", "/api/indicator-values/", {}),
    ("post", "/api/evaluations/", {}),
]


@pytest.mark.parametrize(("method", "url", "body"), WRITES)
def test_anonymous_writes_are_401(api, method, url, body):
    response = getattr(api, method)(url, body, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert Cluster.objects.get(slug="shanghai-ic").status == "key_support"


@pytest.mark.parametrize(("method", "url", "body"), WRITES)
def test_non_staff_writes_are_403_even_with_permissions(api, method, url, body):
    user = make_user(
        "outsider",
        "add_cluster",
        "change_cluster",
        "delete_cluster",
        "add_measure",
        "add_target",
        "add_indicatorvalue",
        "add_evaluationrecord",
        staff=False,
    )
    assert getattr(as_token(api, user), method)(url, body, format="json").status_code == 403


@pytest.mark.parametrize(("method", "url", "body"), WRITES)
def test_staff_without_the_model_permission_are_403(api, method, url, body):
    user = make_user("viewer", "view_cluster", "view_measure", "view_target", "view_evaluationrecord")
    assert getattr(as_token(api, user), method)(url, body, format="json").status_code == 403


def test_change_permission_does_not_allow_delete(api):
    as_token(api, make_user("editor", "view_cluster", "change_cluster"))
    assert api.delete("/api/clusters/shanghai-ic/").status_code == 403
    assert api.patch("/api/clusters/shanghai-ic/", {"status": "warning"}, format="json").status_code == 200


# Clusters ---------------------------------------------------------------------------------------


def test_staff_creates_updates_and_deletes_a_cluster(api):
    as_token(api, make_user("editor", "view_cluster", "add_cluster", "change_cluster", "delete_cluster"))
    response = api.post("/api/clusters/", NEW_CLUSTER, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["slug"] == "ce-shi-xin-cai-liao-ji-qun"  # from the short name's pinyin
    assert data["field"] == {"slug": "new-materials", "name": "新材料"}
    assert [c["code"] for c in data["cities"]] == ["440300", "440600"]
    assert data["provinces"] == [{"code": "440000", "name": "广东省"}]
    assert [s["code"] for s in data["sources"]] == ["seed-004"]
    assert data["targets"] == [] and data["evaluations"] == []

    url = f"/api/clusters/{data['slug']}/"
    response = api.patch(url, {"status": "warning", "cities": ["510100"]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "warning"
    assert response.json()["provinces"] == [{"code": "510000", "name": "四川省"}]

    full = {**NEW_CLUSTER, "slug": data["slug"], "summary": "全量修改"}
    assert api.put(url, full, format="json").json()["summary"] == "全量修改"

    assert api.delete(url).status_code == 204
    assert not Cluster.objects.filter(slug=data["slug"]).exists()
    assert api.get(url).status_code == 404


def test_writes_are_recorded_in_history_with_the_user(api):
    user = make_user("editor", "view_cluster", "change_cluster")
    as_token(api, user)
    api.patch("/api/clusters/shanghai-ic/", {"summary": "更新"}, format="json")
    assert Cluster.objects.get(slug="shanghai-ic").history.first().summary == "更新"


def test_session_auth_works_too(api):
    api.force_login(make_user("editor", "view_cluster", "change_cluster"))
    assert api.patch("/api/clusters/shanghai-ic/", {"summary": "会话"}, format="json").status_code == 200


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"field": "no-such-field"}, {"field"}),
        ({"cities": []}, {"cities"}),
        ({"cities": ["999999"]}, {"cities"}),
        ({"tier": "galactic"}, {"tier"}),
        ({"name": "上海市集成电路集群"}, {"name"}),  # the full name is unique
        ({"slug": "shanghai-ic"}, {"slug"}),
        ({"origin_year": 1700}, {"origin_year"}),
        ({"website": "not a url"}, {"website"}),
        ({"name": ""}, {"name"}),
    ],
)
def test_cluster_validation_errors_are_field_level_400s(api, change, errors):
    as_token(api, make_user("editor", "add_cluster"))
    response = api.post("/api/clusters/", {**NEW_CLUSTER, **change}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == errors
    assert not Cluster.objects.filter(short_name=NEW_CLUSTER["short_name"]).exists()


def test_rank_in_batch_is_unique_like_in_the_admin(api):
    """A model constraint over two fields, checked by full_clean (not re-implemented in the serializer)."""
    Cluster.objects.filter(slug="shanghai-ic").update(rank_in_batch=1)
    batch = Cluster.objects.get(slug="shanghai-ic").batch.slug
    as_token(api, make_user("editor", "add_cluster"))
    response = api.post("/api/clusters/", {**NEW_CLUSTER, "batch": batch, "rank_in_batch": 1}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]


# Measures, targets, indicator values ---------------------------------------------------------------


def test_measures_crud(api):
    as_token(api, make_user("editor", "add_measure", "change_measure", "delete_measure"))
    body = {
        "cluster": "shanghai-ic",
        "category": "open-cooperation",
        "topics": ["talent", "funding"],
        "title": "测试人才举措",
        "issued_on": "2022-05-01",
        "source": "seed-000",
    }
    response = api.post("/api/measures/", body, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["cluster"]["slug"] == "shanghai-ic" and created["category"]["slug"] == "open-cooperation"
    assert [t["slug"] for t in created["topics"]] == ["funding", "talent"]
    assert api.post("/api/measures/", body, format="json").status_code == 400  # same cluster and title
    url = f"/api/measures/{created['id']}/"
    assert api.patch(url, {"cluster": None}, format="json").json()["cluster"] is None
    # A source that files the measure under no category: category null, topics kept.
    patched = api.patch(url, {"category": None}, format="json").json()
    assert patched["category"] is None and len(patched["topics"]) == 2
    assert api.delete(url).status_code == 204
    assert not Measure.objects.filter(pk=created["id"]).exists()


def test_duplicate_measure_title_is_a_400(api):
    as_token(api, make_user("editor", "add_measure"))
    existing = (
        Measure.objects.exclude(cluster=None)
        .exclude(category=None)
        .select_related("cluster", "category", "source")
        .first()
    )
    body = {
        "cluster": existing.cluster.slug,
        "category": existing.category.slug,
        "title": existing.title,
        "source": existing.source.code,
    }
    response = api.post("/api/measures/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]


TARGET = {
    "cluster": "nanjing-power-equipment",
    "indicator": "enterprise-count",
    "value": "500",
    "qualifier": "at_least",
    "year": 2030,
    "baseline_value": "300",
    "baseline_year": 2020,
    "source": "seed-000",
}


def test_targets_crud_with_read_shape_answers(api):
    as_token(api, make_user("editor", "add_target", "change_target", "delete_target"))
    response = api.post("/api/targets/", TARGET, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["value"], data["year"], data["unit"]) == (500, 2030, "家")
    assert data["progress"]["status"] in {"no_data", "on_track", "behind", "achieved", "unjudged"}
    url = f"/api/targets/{data['id']}/"
    assert api.patch(url, {"value": "600"}, format="json").json()["value"] == 600
    assert api.delete(url).status_code == 204


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"baseline_year": 2030}, {"non_field_errors": ["目标年份必须晚于基期年份。"]}),
        ({"baseline_year": None}, {"non_field_errors": ["填写基期值时必须同时填写基期年份。"]}),
        ({"year": 3000}, "year"),
        ({"indicator": "nope"}, "indicator"),
        ({"value": "lots"}, "value"),
        ({"cluster": None}, "cluster"),
    ],
)
def test_target_rules_are_the_models(api, change, errors):
    as_token(api, make_user("editor", "add_target"))
    response = api.post("/api/targets/", {**TARGET, **change}, format="json")
    assert response.status_code == 400
    if isinstance(errors, dict):
        assert response.json() == errors
    else:
        assert list(response.json()) == [errors]
    assert not Target.objects.filter(indicator__code=TARGET["indicator"]).exists()


def test_one_target_per_cluster_indicator_and_year(api):
    as_token(api, make_user("editor", "add_target", "change_target"))
    assert api.post("/api/targets/", TARGET, format="json").status_code == 201
    response = api.post("/api/targets/", TARGET, format="json")
    assert response.status_code == 400 and "non_field_errors" in response.json()


def test_indicator_values(api):
    as_token(api, make_user("editor", "add_indicatorvalue", "change_indicatorvalue"))
    body = {"cluster": "shanghai-ic", "indicator": "patents", "period": "2022-Q3", "value": "123", "source": "seed-004"}
    response = api.post("/api/indicator-values/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["unit"] == IndicatorValue.objects.get(pk=response.json()["id"]).indicator.unit
    bad = api.post("/api/indicator-values/", {**body, "period": "2022-Q5"}, format="json")
    assert bad.status_code == 400 and list(bad.json()) == ["period"]
    duplicate = api.post("/api/indicator-values/", body, format="json")
    assert duplicate.status_code == 400 and list(duplicate.json()) == ["non_field_errors"]


def test_an_indicator_value_for_another_scope_is_another_figure(api):
    as_token(api, make_user("editor", "add_indicatorvalue"))
    body = {
        "cluster": "nanjing-power-equipment",
        "indicator": "domestic-market-share",
        "period": "2021",
        "period_is_report_year": True,
        "scope": "配电自动化设备",
        "value": "30",
        "qualifier": "at_least",
        "note": "测试说明",
        "source": "seed-004",
    }
    response = api.post("/api/indicator-values/", body, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert (created["scope"], created["period_label"], created["value_display"], created["note"]) == (
        "配电自动化设备",
        "据2021年报道",
        "超过 30%",
        "测试说明",
    )
    # The same scope again is the same figure: refused, with the model's own message.
    duplicate = api.post("/api/indicator-values/", body, format="json")
    assert duplicate.status_code == 400
    assert duplicate.json()["non_field_errors"] == ["该集群这一指标在这一期、这一口径下已有数值。"]


# Evaluations ------------------------------------------------------------------------------------

EVALUATION = {
    "cluster": "shenzhen-ict",
    "period": "2024",
    "evaluation_type": "annual_monitoring",
    "evaluating_body": "工业和信息化部",
    "evaluated_on": "2024-12-01",
    "grade": "good",
}


def test_evaluations_are_written_as_drafts(api):
    user = make_user("evaluator", "add_evaluationrecord", "change_evaluationrecord", "delete_evaluationrecord")
    as_token(api, user)
    response = api.post("/api/evaluations/", {**EVALUATION, "state": "published"}, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["state"] == "draft"  # `state` is not writable: publication goes through the review workflow
    record = EvaluationRecord.objects.get(pk=data["id"])
    assert record.created_by == user
    url = f"/api/evaluations/{record.pk}/"
    # The evaluator lacks view permission, so the draft is not visible to them for editing: 404.
    assert api.patch(url, {"narrative": "补充"}, format="json").status_code == 404


def test_evaluation_validation_and_locked_states(api):
    user = make_user(
        "evaluator",
        "view_evaluationrecord",
        "add_evaluationrecord",
        "change_evaluationrecord",
        "delete_evaluationrecord",
    )
    as_token(api, user)
    bad = api.post("/api/evaluations/", {**EVALUATION, "valid_until": "2020-01-01"}, format="json")
    assert bad.status_code == 400 and bad.json() == {"non_field_errors": ["有效期不能早于评估日期。"]}
    assert api.post("/api/evaluations/", {**EVALUATION, "period": "24"}, format="json").status_code == 400

    draft = make_evaluation(Cluster.objects.get(slug="shenzhen-ict"), EvaluationState.DRAFT)
    assert api.patch(f"/api/evaluations/{draft.pk}/", {"narrative": "补充"}, format="json").status_code == 200

    published = make_evaluation(Cluster.objects.get(slug="shenzhen-ict"), EvaluationState.PUBLISHED)
    response = api.patch(f"/api/evaluations/{published.pk}/", {"narrative": "改写"}, format="json")
    assert response.status_code == 400 and "non_field_errors" in response.json()
    response = api.delete(f"/api/evaluations/{published.pk}/")
    assert response.status_code == 409 and response.json()["detail"]
    assert EvaluationRecord.objects.filter(pk=published.pk).exists()
    assert api.delete(f"/api/evaluations/{draft.pk}/").status_code == 204
