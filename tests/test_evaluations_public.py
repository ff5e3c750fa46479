"""Nobody outside the review sees an unpublished evaluation: pages, API, downloads and rankings, over HTTP."""

import pytest
from django.urls import reverse

from clusters.choices import EvaluationState
from clusters.models import Cluster
from clusters.services import evaluations as service

from .evaluation_helpers import colleague, make_record, make_scheme, published_record

pytestmark = pytest.mark.django_db

SECRET = "尚未发布的评估机构"


@pytest.fixture
def records(admin_user):
    scheme = make_scheme(code="public-scheme", name="公开测试方案")
    cluster = Cluster.objects.real().order_by("name").first()
    older = published_record(cluster, scheme, "2023", [70] * 5, admin_user, evaluating_body="已发布机构")
    latest = published_record(cluster, scheme, "2024", [80, 90, 70, 60, 100], admin_user, evaluating_body="已发布机构")
    hidden = {}
    for state, steps in [
        (EvaluationState.DRAFT, []),
        (EvaluationState.SUBMITTED, ["submit"]),
        (EvaluationState.APPROVED, ["submit", "approve"]),
        (EvaluationState.RETURNED, ["submit", "return"]),
    ]:
        record = make_record(
            cluster, scheme, f"20{15 + len(hidden)}", scores=[99] * 5, user=admin_user, evaluating_body=SECRET
        )
        for step in steps:  # a colleague reviews what admin_user submitted (separation of duties)
            actor = admin_user if step == "submit" else colleague(admin_user)
            service.transition(step, record, actor, "退回原因")
        hidden[state] = record
    correction = service.create_revision(latest, admin_user)  # a draft correction is not public either
    return {"cluster": cluster, "published": [older, latest], "hidden": [*hidden.values(), correction]}


@pytest.fixture(params=["anonymous", "signed-in member of the public"])
def public_client(request, client, django_user_model):
    if request.param != "anonymous":
        client.force_login(django_user_model.objects.create_user("reader", password="pw-for-tests-123"))
    return client


def test_cluster_page_shows_published_history_and_latest_scores_only(public_client, records):
    page = public_client.get(records["cluster"].get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "已发布机构" in html and SECRET not in html
    assert "评估历程" in html and "<svg" in html  # totals over time as a small chart
    assert "最新维度得分（2024）" in html and "先进制造能力" in html
    published_periods = {r.period for r in records["published"]}
    for record in records["hidden"]:
        if record.period not in published_periods:
            assert f">{record.period}<" not in html
    assert "（第2版）" not in html  # the draft correction of 2024


def test_api_lists_and_details_published_only(public_client, records):
    listing = public_client.get("/api/evaluations/", {"page_size": 100}).json()
    ids = {row["id"] for row in listing["results"]}
    assert ids == {r.pk for r in records["published"]}
    assert all(row["state"] == "published" for row in listing["results"])
    assert public_client.get("/api/evaluations/", {"state": "draft"}).json()["count"] == 0
    for record in records["hidden"]:
        assert public_client.get(f"/api/evaluations/{record.pk}/").status_code == 404
    detail = public_client.get(f"/api/clusters/{records['cluster'].slug}/").json()
    assert {e["id"] for e in detail["evaluations"]} == {r.pk for r in records["published"]}
    assert SECRET not in str(detail)
    latest = next(e for e in detail["evaluations"] if e["period"] == "2024")
    assert [s["name"] for s in latest["scores"]][:2] == ["协同创新", "先进制造能力"]


def test_downloads_and_rankings_hold_no_unpublished_record(public_client, records):
    for url in (reverse("clusters:export_csv"), reverse("clusters:export_xlsx"), reverse("clusters:rankings")):
        response = public_client.get(url)
        assert response.status_code == 200
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert SECRET.encode() not in body
    rows = public_client.get(reverse("clusters:rankings"), {"scheme": "public-scheme"}).context["rows"]
    assert [row.record for row in rows] == [records["published"][1]]
    for record in records["hidden"][:-1]:  # the last is the draft correction of the published 2024 record
        response = public_client.get(reverse("clusters:rankings"), {"scheme": "public-scheme", "period": record.period})
        assert response.status_code == 404


def test_admin_is_closed_to_the_public(public_client, records):
    for record in records["hidden"]:
        url = reverse("admin:clusters_evaluationrecord_change", args=[record.pk])
        response = public_client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
        workflow = reverse("admin:clusters_evaluationrecord_workflow", args=[record.pk, "publish"])
        assert public_client.post(workflow).status_code == 302
    assert all(
        r.state != EvaluationState.PUBLISHED
        for r in type(records["hidden"][0]).objects.filter(pk__in=[r.pk for r in records["hidden"]])
    )


def test_api_names_the_record_a_published_correction_supersedes(client, records, admin_user):
    correction = records["hidden"][-1]
    service.set_scores(correction, {correction.scheme.dimensions.get(code="innovation"): 100})
    for step in ("submit", "approve", "publish"):
        service.transition(step, correction, admin_user if step == "submit" else colleague(admin_user))
    rows = client.get("/api/evaluations/", {"page_size": 100}).json()["results"]
    by_id = {row["id"]: row for row in rows}
    assert by_id[correction.pk]["supersedes"] == records["published"][1].pk
    assert by_id[correction.pk]["revision"] == 2 and by_id[records["published"][1].pk]["supersedes"] is None


def test_cluster_page_marks_a_correction_and_what_it_corrects(client, records, admin_user):
    correction = records["hidden"][-1]
    for step in ("submit", "approve", "publish"):
        service.transition(step, correction, admin_user if step == "submit" else colleague(admin_user))
    html = client.get(records["cluster"].get_absolute_url()).content.decode()
    assert "已被第2版更正" in html and "第2版（更正）" in html
