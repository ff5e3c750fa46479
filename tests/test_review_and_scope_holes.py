"""The holes the attack report found in the role scope and the review, each proven closed.

(The full role × surface table is tests/test_write_surfaces.py; these are the report's own cases.)
"""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from clusters import scoping
from clusters.choices import EvaluationState
from clusters.models import (
    Cluster,
    EvaluationRecord,
    EvaluationTransition,
    IndicatorValue,
    Measure,
    Province,
    StaffScope,
)
from clusters.services import evaluations as workflow
from clusters.sheets.services import run_import

from .evaluation_helpers import make_record, make_scheme, make_user
from .import_helpers import csv_bytes
from .role_helpers import role_user

pytestmark = pytest.mark.django_db

SHANGHAI_IC = "上海市集成电路集群"
SHENZHEN_ICT = "广东省深圳市新一代信息通信集群"


@pytest.fixture
def province_editor():
    call_command("setup_roles", verbosity=0)
    return role_user("gd-editor", scoping.PROVINCE_EDITOR_GROUP, provinces=["440000"])


# 1. The evaluation API honours the scope (it answered 201 for another province's cluster) ---------------


def test_province_editor_cannot_create_an_evaluation_for_another_provinces_cluster(province_editor):
    cache.clear()
    api = APIClient()
    api.force_authenticate(province_editor)
    body = {"period": "2024", "evaluation_type": "review", "evaluating_body": "测试机构", "conclusion": "retain"}
    response = api.post("/api/evaluations/", {**body, "cluster": "shanghai-ic"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"cluster": [str(scoping.OUT_OF_SCOPE)]}
    assert not EvaluationRecord.objects.exists()
    assert api.post("/api/evaluations/", {**body, "cluster": "shenzhen-ict"}, format="json").status_code == 201


def test_an_unpublished_cluster_is_as_unknown_as_a_slug_that_never_existed():
    Cluster.objects.filter(slug="shanghai-ic").update(published=False)
    cache.clear()
    api = APIClient()
    for endpoint in ("targets", "measures", "indicator-values", "evaluations"):
        hidden = api.get(f"/api/{endpoint}/", {"cluster": "shanghai-ic"})
        unknown = api.get(f"/api/{endpoint}/", {"cluster": "no-such-cluster"})
        assert hidden.status_code == unknown.status_code == 400, endpoint
        assert hidden.json() == unknown.json(), endpoint


def test_staff_who_may_view_clusters_can_filter_by_an_unpublished_one(admin_user):
    Cluster.objects.filter(slug="shanghai-ic").update(published=False)
    cache.clear()
    api = APIClient()
    api.force_authenticate(admin_user)
    response = api.get("/api/targets/", {"cluster": "shanghai-ic"})
    assert response.status_code == 200 and response.json()["count"] == 1


# 2. A clusters sheet cannot leave a cluster without a city (城市 “、” made one outside every scope) --------


@pytest.mark.parametrize("cities", ["、", "，；", " "])
def test_clusters_sheet_with_no_real_city_is_refused(province_editor, cities):
    header = ["集群名称", "领域", "层级", "城市"]
    new = run_import(
        "clusters", csv_bytes([header, ["广东省测试集群", "新材料", "省级", cities]]), user=province_editor
    )
    assert [(e.row, e.column, e.message) for e in new.errors] == [(2, "城市", str(scoping.NEEDS_A_CITY))]
    assert not Cluster.objects.filter(name="广东省测试集群").exists()

    existing = run_import("clusters", csv_bytes([header, [SHENZHEN_ICT, "信息技术", "国家级", cities]]), user=None)
    assert [(e.row, e.column) for e in existing.errors] == [(2, "城市")]
    assert Cluster.objects.get(name=SHENZHEN_ICT).cities.count() == 1


# 3. The admin: evaluations cannot rely on other provinces' figures; history and deletions stay in scope --


def test_admin_refuses_attaching_another_provinces_indicator_values(client, province_editor):
    record = EvaluationRecord.objects.create(
        cluster=Cluster.objects.get(name=SHENZHEN_ICT),
        period="2024",
        evaluation_type="review",
        evaluating_body="测试机构",
    )
    theirs = IndicatorValue.objects.filter(cluster__name=SHANGHAI_IC).first()
    client.force_login(province_editor)
    url = reverse("admin:clusters_evaluationrecord_change", args=[record.pk])
    response = client.post(
        url,
        {
            "cluster": record.cluster_id,
            "period": "2024",
            "evaluation_type": "review",
            "evaluating_body": "测试机构",
            "indicator_values": [theirs.pk],
            "scores-TOTAL_FORMS": 0,
            "scores-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "indicator_values" in response.context["adminform"].form.errors
    assert not record.indicator_values.exists()
    # and the autocomplete offers only the editor's own figures
    search = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "clusters", "model_name": "evaluationrecord", "field_name": "indicator_values", "term": ""},
    )
    offered = {int(item["id"]) for item in search.json()["results"]}
    assert theirs.pk not in offered and offered


def test_deleted_records_and_history_of_other_provinces_are_not_shown(client, province_editor):
    theirs = Measure.objects.filter(cluster__name=SHANGHAI_IC).first()
    mine = Measure.objects.filter(cluster__name=SHENZHEN_ICT).first()
    theirs_id, mine_id = theirs.pk, mine.pk
    for measure in (theirs, mine):
        measure.delete()  # history keeps a '-' row for each
    client.force_login(province_editor)
    page = client.get(reverse("admin:clusters_measure_deleted_history")).content.decode()
    assert mine.title in page and theirs.title not in page
    assert client.get(reverse("admin:clusters_measure_history", args=[theirs_id])).status_code == 404
    assert client.get(reverse("admin:clusters_measure_history", args=[mine_id])).status_code == 200
    shanghai = Cluster.objects.get(name=SHANGHAI_IC)
    assert client.get(reverse("admin:clusters_cluster_history", args=[shanghai.pk])).status_code == 403


@pytest.mark.parametrize(
    ("group", "status"),
    [
        (scoping.PROVINCE_EDITOR_GROUP, 403),
        (scoping.CLUSTER_EDITOR_GROUP, 403),
        (scoping.REVIEWER_GROUP, 403),
        (scoping.READ_ONLY_GROUP, 403),
        (scoping.NATIONAL_ADMIN_GROUP, 200),
    ],
)
def test_who_is_responsible_for_what_is_shown_only_to_user_managers(client, django_user_model, group, status):
    call_command("setup_roles", verbosity=0)
    client.force_login(role_user("someone", group))
    assert client.get(reverse("admin:clusters_staffscope_changelist")).status_code == status
    index = client.get(reverse("admin:index")).content.decode()
    assert ("人员职责范围" in index) == (status == 200)


# 4. Separation of duties in review ------------------------------------------------------------------------


@pytest.fixture
def scheme():
    return make_scheme()


@pytest.fixture
def submitted(scheme, django_user_model):
    editor = make_user("editor")
    record = make_record(Cluster.objects.get(name=SHENZHEN_ICT), scheme, scores=[80, 80, 80, 80, 80], user=editor)
    return workflow.submit(record, editor), editor


@pytest.mark.parametrize("kind", ["superuser", "national administrator"])
def test_whoever_submitted_may_not_approve_or_publish(submitted, django_user_model, kind):
    record, _editor = submitted
    if kind == "superuser":
        boss = django_user_model.objects.create_superuser("boss", password="pw-for-tests-only-1")
    else:
        call_command("setup_roles", verbosity=0)
        boss = role_user("boss", scoping.NATIONAL_ADMIN_GROUP)
    record = workflow.return_record(record, make_user("reviewer"), "重交")
    workflow.submit(record, boss)  # the boss submits this time
    with pytest.raises(workflow.PermissionDenied, match="职责分离"):
        workflow.approve(record, boss)
    assert "approve" not in workflow.allowed_transitions(record, boss)
    other = make_user("reviewer", username="second-reviewer")
    workflow.approve(record, other)
    with pytest.raises(workflow.PermissionDenied, match="职责分离"):
        workflow.publish(record, boss)
    workflow.publish(record, make_user("publisher"))
    log = [(t.to_state, t.actor.username) for t in EvaluationTransition.objects.filter(record=record)]
    assert log == [
        (EvaluationState.SUBMITTED, "editor-user"),
        (EvaluationState.RETURNED, "reviewer-user"),
        (EvaluationState.SUBMITTED, "boss"),
        (EvaluationState.APPROVED, "second-reviewer"),
        (EvaluationState.PUBLISHED, "publisher-user"),
    ]


def test_the_submitter_sees_no_approve_button_and_the_admin_refuses(client, submitted, django_user_model):
    record, _editor = submitted
    boss = django_user_model.objects.create_superuser("boss", password="pw-for-tests-only-1")
    record = workflow.return_record(record, make_user("reviewer"), "重交")
    workflow.submit(record, boss)
    client.force_login(boss)
    change = client.get(reverse("admin:clusters_evaluationrecord_change", args=[record.pk])).content.decode()
    assert "workflow-approve" not in change and "workflow-return" in change
    response = client.post(
        reverse("admin:clusters_evaluationrecord_workflow", args=[record.pk, "approve"]), {"note": ""}
    )
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.state == EvaluationState.SUBMITTED


def test_a_one_person_office_may_relax_it_and_the_admin_says_so(client, submitted, settings, django_user_model):
    settings.EVALUATION_SEPARATION_OF_DUTIES = False
    record, _editor = submitted
    boss = django_user_model.objects.create_superuser("boss", password="pw-for-tests-only-1")
    record = workflow.return_record(record, make_user("reviewer"), "重交")
    for step in ("submit", "approve", "publish"):
        workflow.transition(step, record, boss)
    assert record.state == EvaluationState.PUBLISHED
    client.force_login(boss)
    for url in (
        reverse("admin:clusters_evaluationrecord_changelist"),
        reverse("admin:clusters_evaluationrecord_change", args=[record.pk]),
    ):
        assert "职责分离已关闭" in client.get(url).content.decode()
    settings.EVALUATION_SEPARATION_OF_DUTIES = True
    assert "职责分离已关闭" not in client.get(reverse("admin:clusters_evaluationrecord_changelist")).content.decode()


# 5. The transition table drives the admin; copies take every field ---------------------------------------


def test_the_admin_offers_exactly_the_tables_steps(rf, admin_user):
    from django.contrib import admin

    request = rf.get("/")
    request.user = admin_user
    actions = admin.site._registry[EvaluationRecord].get_actions(request)
    bulk = {f"{t.name}_selected" for t in workflow.TRANSITIONS.values() if t.bulk}
    assert bulk <= set(actions)
    assert {name for name in actions if name.endswith("_selected")} - {"delete_selected"} == bulk


def test_a_step_that_needs_a_note_asks_for_one(client, submitted, admin_user):
    record, _editor = submitted
    client.force_login(admin_user)
    for name, step in workflow.TRANSITIONS.items():
        if record.state not in step.sources:
            continue
        url = reverse("admin:clusters_evaluationrecord_workflow", args=[record.pk, name])
        form = client.get(url).context["form"]
        assert form.fields["note"].required == step.note_required, name


def test_a_revision_copies_every_field_but_the_workflows_own(scheme, django_user_model):
    editor = make_user("editor")
    record = make_record(
        Cluster.objects.get(name=SHENZHEN_ICT),
        scheme,
        scores=[80, 70, 60, 50, 40],
        user=editor,
        narrative="原说明",
        conclusion="warning",
    )
    record.indicator_values.set(IndicatorValue.objects.filter(cluster=record.cluster)[:1])
    workflow.submit(record, editor)
    workflow.approve(record, make_user("reviewer"))
    workflow.publish(record, make_user("publisher"))
    revision = workflow.create_revision(record, editor, "更正")
    for field in EvaluationRecord._meta.concrete_fields:
        if field.name not in workflow.REVISION_RESETS:
            assert getattr(revision, field.attname) == getattr(record, field.attname), field.name
    assert list(revision.indicator_values.all()) == list(record.indicator_values.all())
    assert sorted(revision.scores.values_list("dimension_id", "score")) == sorted(
        record.scores.values_list("dimension_id", "score")
    )


def test_a_new_scheme_version_copies_every_field(scheme):
    scheme.description = "说明文字"
    scheme.is_synthetic = True
    scheme.save()
    copy = workflow.new_scheme_version(scheme)
    for field in type(scheme)._meta.concrete_fields:
        if field.name not in {"id", "code", "version", "created_at", "updated_at"}:
            assert getattr(copy, field.attname) == getattr(scheme, field.attname), field.name
    assert list(copy.dimensions.values_list("code", "name", "weight", "max_score", "order")) == list(
        scheme.dimensions.values_list("code", "name", "weight", "max_score", "order")
    )


# 6. The admin home groups models by task and says what waits -------------------------------------------


def test_admin_home_is_grouped_by_task_with_clusters_first(admin_client):
    response = admin_client.get(reverse("admin:index"))
    groups = [(str(app["name"]), [m["object_name"] for m in app["models"]]) for app in response.context["app_list"]]
    assert [name for name, _models in groups] == ["集群与数据", "评估", "参考数据", "人员"]
    assert groups[0][1][0] == "Cluster"
    assert groups[1][1][0] == "EvaluationRecord"
    everything = [model for _name, models in groups for model in models]
    assert len(everything) == len(set(everything))


def test_admin_home_counts_what_waits_for_the_reviewer_in_scope(client, submitted, django_user_model):
    record, _editor = submitted  # 深圳, submitted
    call_command("setup_roles", verbosity=0)
    reviewer = role_user("gd-reviewer", scoping.REVIEWER_GROUP)
    StaffScope.objects.create(user=reviewer).provinces.add(Province.objects.get(code="440000"))
    other = role_user("js-reviewer", scoping.REVIEWER_GROUP)
    StaffScope.objects.create(user=other).provinces.add(Province.objects.get(code="320000"))
    client.force_login(reviewer)
    assert "动态评估记录（待审核 1）" in client.get(reverse("admin:index")).content.decode()
    client.force_login(other)
    page = client.get(reverse("admin:index")).content.decode()
    assert "动态评估记录" in page and "待审核" not in page
