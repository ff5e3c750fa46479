"""The review workflow through the real admin: editors draft and submit, reviewers approve, publishers publish."""

from decimal import Decimal

import pytest
from django.urls import reverse

from clusters.choices import EvaluationState
from clusters.models import Cluster, EvaluationRecord
from clusters.services import evaluations as service

from .evaluation_helpers import colleague, make_record, make_scheme, make_user

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:clusters_evaluationrecord_changelist"


def change_url(record):
    return reverse("admin:clusters_evaluationrecord_change", args=[record.pk])


def workflow_url(record, action):
    return reverse("admin:clusters_evaluationrecord_workflow", args=[record.pk, action])


@pytest.fixture
def scheme():
    return make_scheme()


@pytest.fixture
def editor():
    return make_user("editor")


@pytest.fixture
def reviewer():
    user = make_user("reviewer")
    user.user_permissions.add(*make_user("publisher", username="tmp").user_permissions.all())
    return type(user).objects.get(pk=user.pk)  # a reviewer who may also publish


@pytest.fixture
def draft(scheme, editor):
    cluster = Cluster.objects.real().order_by("name").first()
    return make_record(cluster, scheme, scores=[90, 80, 70, 60, 100], user=editor)


def test_editor_adds_a_record_with_scores_and_the_total_is_computed(client, editor, scheme):
    client.force_login(editor)
    cluster = Cluster.objects.real().order_by("name").first()
    dimensions = list(scheme.dimensions.order_by("order"))
    data = {
        "cluster": cluster.pk,
        "scheme": scheme.pk,
        "period": "2024",
        "evaluation_type": "annual_monitoring",
        "evaluating_body": "工业和信息化部",
        "grade": "excellent",  # ignored: the grade follows from the total
        "scores-TOTAL_FORMS": "5",
        "scores-INITIAL_FORMS": "0",
        "transitions-TOTAL_FORMS": "0",
        "transitions-INITIAL_FORMS": "0",
    }
    for i, (dimension, score) in enumerate(zip(dimensions, [80, 80, 80, 80, 40], strict=True)):
        data[f"scores-{i}-dimension"] = dimension.pk
        data[f"scores-{i}-score"] = score
    response = client.post(reverse("admin:clusters_evaluationrecord_add"), data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    record = EvaluationRecord.objects.get(cluster=cluster, period="2024")
    assert record.total == Decimal("72.00") and record.grade == "good"
    assert record.created_by == editor and record.state == EvaluationState.DRAFT


def test_score_above_maximum_is_refused_in_the_form(client, editor, draft):
    client.force_login(editor)
    score = draft.scores.order_by("dimension__order").first()
    response = client.get(change_url(draft))
    assert response.status_code == 200
    data = {
        "cluster": draft.cluster_id,
        "scheme": draft.scheme_id,
        "period": draft.period,
        "evaluation_type": draft.evaluation_type,
        "evaluating_body": draft.evaluating_body,
        "scores-TOTAL_FORMS": "1",
        "scores-INITIAL_FORMS": "1",
        "scores-0-id": score.pk,
        "scores-0-record": draft.pk,
        "scores-0-dimension": score.dimension_id,
        "scores-0-score": "101",
        "transitions-TOTAL_FORMS": "0",
        "transitions-INITIAL_FORMS": "0",
    }
    response = client.post(change_url(draft), data)
    assert response.status_code == 200
    assert "满分" in response.content.decode()
    assert EvaluationRecord.objects.get(pk=draft.pk).scores.get(pk=score.pk).score == Decimal("90")


def test_reviewer_takes_a_draft_to_publication_through_the_admin(client, editor, reviewer, draft):
    # the editor submits from the change page
    client.force_login(editor)
    page = client.get(change_url(draft)).content.decode()
    assert workflow_url(draft, "submit") in page and workflow_url(draft, "approve") not in page
    assert client.get(workflow_url(draft, "submit")).status_code == 200
    assert client.post(workflow_url(draft, "submit"), {"note": ""}).status_code == 302
    client.logout()

    # the reviewer logs in and finds it in the queue
    assert (
        client.post(reverse("admin:login"), {"username": "reviewer-user", "password": "pw-for-tests-123"}).status_code
        == 302
    )
    queue = client.get(reverse(CHANGELIST), {"queue": "review"})
    assert queue.status_code == 200
    assert "待审核" in queue.content.decode()
    assert [r.pk for r in queue.context["cl"].result_list] == [draft.pk]

    page = client.get(change_url(draft)).content.decode()
    assert workflow_url(draft, "approve") in page and workflow_url(draft, "return") in page
    response = client.post(workflow_url(draft, "approve"), {"note": "材料齐全"}, follow=True)
    assert response.status_code == 200 and "已审核" in response.content.decode()
    response = client.post(workflow_url(draft, "publish"), {"note": ""}, follow=True)
    assert response.status_code == 200

    draft.refresh_from_db()
    assert draft.state == EvaluationState.PUBLISHED and draft.published_by.username == "reviewer-user"
    page = client.get(change_url(draft)).content.decode()
    # the transitions are shown on the record, with who did them
    for text in ("editor-user", "reviewer-user", "材料齐全", "已发布"):
        assert text in page


def test_return_needs_a_reason_and_shows_it(client, editor, reviewer, draft):
    service.submit(draft, editor)
    client.force_login(reviewer)
    response = client.post(workflow_url(draft, "return"), {"note": ""})
    assert response.status_code == 200  # the form asks for the reason
    assert EvaluationRecord.objects.get(pk=draft.pk).state == EvaluationState.SUBMITTED
    client.post(workflow_url(draft, "return"), {"note": "请补充佐证材料"})
    assert EvaluationRecord.objects.get(pk=draft.pk).state == EvaluationState.RETURNED
    client.force_login(editor)
    assert "请补充佐证材料" in client.get(change_url(draft)).content.decode()
    queue = client.get(reverse(CHANGELIST), {"queue": "mine"})
    assert [r.pk for r in queue.context["cl"].result_list] == [draft.pk]


@pytest.mark.parametrize(("role", "action"), [("editor", "approve"), ("editor", "publish"), ("reviewer", "submit")])
def test_wrong_role_gets_403(client, editor, draft, role, action):
    user = editor if role == "editor" else make_user("reviewer")
    client.force_login(user)
    assert client.post(workflow_url(draft, action), {"note": "x"}).status_code == 403
    assert EvaluationRecord.objects.get(pk=draft.pk).state == EvaluationState.DRAFT


def test_wrong_state_is_reported_not_applied(client, admin_user, draft):
    client.force_login(admin_user)
    response = client.post(workflow_url(draft, "publish"), {"note": ""}, follow=True)
    assert "不能执行" in response.content.decode()
    assert EvaluationRecord.objects.get(pk=draft.pk).state == EvaluationState.DRAFT


def test_published_record_is_read_only_in_the_admin(client, admin_user, draft):
    service.transition("submit", draft, admin_user)
    for step in ("approve", "publish"):
        service.transition(step, draft, colleague(admin_user))
    client.force_login(admin_user)
    page = client.get(change_url(draft)).content.decode()
    assert 'name="_save"' not in page and "新建修订版" in page
    assert client.post(change_url(draft), {"narrative": "改"}).status_code == 403
    delete = reverse("admin:clusters_evaluationrecord_delete", args=[draft.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert EvaluationRecord.objects.filter(pk=draft.pk).exists()

    # history revert is refused as well
    version = draft.history.earliest("history_date")
    revert = reverse("admin:clusters_evaluationrecord_simple_history", args=[draft.pk, version.history_id])
    assert client.post(revert, {"narrative": "旧版本"}).status_code == 403

    # a correction opens a new draft revision
    response = client.post(workflow_url(draft, "revise"), {"note": "更正"})
    revision = EvaluationRecord.objects.get(supersedes=draft)
    assert response.status_code == 302 and response["Location"] == change_url(revision)
    assert revision.state == EvaluationState.DRAFT and revision.revision == 2


def test_bulk_actions_apply_the_same_rules(client, admin_user, editor, draft, scheme):
    other = make_record(Cluster.objects.real().order_by("name")[1], scheme, user=editor)  # unscored: cannot submit
    client.force_login(admin_user)
    response = client.post(
        reverse(CHANGELIST), {"action": "submit_selected", "_selected_action": [draft.pk, other.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "尚未打分" in response.content.decode()
    assert EvaluationRecord.objects.get(pk=draft.pk).state == EvaluationState.SUBMITTED
    assert EvaluationRecord.objects.get(pk=other.pk).state == EvaluationState.DRAFT


def test_reviewer_without_review_permission_sees_no_review_queue(client, editor):
    client.force_login(editor)
    response = client.get(reverse(CHANGELIST))
    assert "待我审核" not in response.content.decode()
    assert "我的草稿" in response.content.decode()


def test_frozen_scheme_is_read_only_in_the_admin(client, admin_user, draft, scheme):
    service.submit(draft, admin_user)
    client.force_login(admin_user)
    page = client.get(reverse("admin:clusters_evaluationscheme_change", args=[scheme.pk])).content.decode()
    assert 'name="excellent_min"' not in page
    response = client.post(
        reverse("admin:clusters_evaluationscheme_changelist"),
        {"action": "copy_as_new_version", "_selected_action": [scheme.pk]},
    )
    assert response.status_code == 302
    assert scheme.__class__.objects.filter(name=scheme.name, version=2).exists()


def test_target_list_shows_progress_as_pages_and_api_judge_it(admin_client, django_assert_max_num_queries):
    from clusters.models import Target
    from clusters.progress import latest_by_indicator, target_progress

    with django_assert_max_num_queries(15):
        response = admin_client.get(reverse("admin:clusters_target_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "进度" in page
    expected = set()
    for target in Target.objects.select_related("cluster"):
        latest = latest_by_indicator(target.cluster.indicator_values.all()).get(target.indicator_id)
        expected.add(str(target_progress(target, latest).label))
    assert expected and all(label in page for label in expected)


def test_the_shipped_roles_run_the_workflow(client, draft, django_user_model):
    """setup_roles' 集群编辑 submits and 评审员 approves and publishes, each within their own scope."""
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from clusters.models.roles import StaffScope

    call_command("setup_roles", verbosity=0)
    editor = django_user_model.objects.create_user("cluster-editor", password="pw-for-tests-123", is_staff=True)
    editor.groups.add(Group.objects.get(name="集群编辑"))
    StaffScope.objects.create(user=editor).clusters.add(draft.cluster)
    reviewer = django_user_model.objects.create_user("province-reviewer", password="pw-for-tests-123", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="评审员"))
    StaffScope.objects.create(user=reviewer).provinces.add(*draft.cluster.provinces)

    client.force_login(editor)
    assert client.post(workflow_url(draft, "approve"), {"note": ""}).status_code == 403
    assert client.post(workflow_url(draft, "submit"), {"note": ""}).status_code == 302
    client.force_login(reviewer)
    queue = client.get(reverse(CHANGELIST), {"queue": "review"}).context["cl"].result_list
    assert [r.pk for r in queue] == [draft.pk]
    assert "协同创新" in client.get(change_url(draft)).content.decode()  # reviewers see the scores
    for action in ("approve", "publish"):
        assert client.post(workflow_url(draft, action), {"note": ""}).status_code == 302
    assert EvaluationRecord.objects.get(pk=draft.pk).state == EvaluationState.PUBLISHED


def test_bulk_delete_of_locked_records_is_refused_not_a_500(client, admin_user, draft):
    service.submit(draft, admin_user)
    client.force_login(admin_user)
    data = {"action": "delete_selected", "_selected_action": [draft.pk]}
    confirm = client.post(reverse(CHANGELIST), data)
    assert confirm.status_code == 200 and confirm.context["perms_lacking"]
    response = client.post(reverse(CHANGELIST), {**data, "post": "yes"})
    assert response.status_code == 403
    assert EvaluationRecord.objects.filter(pk=draft.pk).exists()
    # nor can a cluster holding a locked record be deleted with it
    cluster_delete = reverse("admin:clusters_cluster_delete", args=[draft.cluster_id])
    assert client.post(cluster_delete, {"post": "yes"}).status_code == 403
    assert EvaluationRecord.objects.filter(pk=draft.pk).exists()
