"""Every change to every editable record is kept: who, when, what — shown as a diff, kept after deletion."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from clusters.admin.base import HistoryAdmin
from clusters.models import Cluster, DimensionScore, EvaluationRecord, Measure, MeasureCategory, Source
from clusters.services import evaluations as service

from .evaluation_helpers import make_record, make_scheme

pytestmark = pytest.mark.django_db


def test_every_editable_clusters_model_keeps_history_and_its_admin_shows_it():
    untracked = {"EvaluationTransition", "ImportRecord", "ImportPreviewPage", "StaffScope"}  # logs, jobs, access
    for model in apps.get_app_config("clusters").get_models():
        if model.__name__.startswith("Historical") or model.__name__ in untracked:
            continue
        assert hasattr(model, "history"), f"{model.__name__} keeps no history"
        model_admin = admin.site._registry.get(model)
        if model_admin is not None:
            assert isinstance(model_admin, HistoryAdmin), f"{model.__name__} admin shows no history"


def test_create_update_delete_through_the_admin_are_recorded_with_who_and_what(admin_client, admin_user):
    source = Source.objects.first()
    category = MeasureCategory.objects.first()
    cluster = Cluster.objects.real().first()
    response = admin_client.post(
        reverse("admin:clusters_measure_add"),
        {
            "cluster": cluster.pk,
            "category": category.pk,
            "title": "历史测试举措",
            "description": "原文",
            "issuing_body": "测试机构",
            "source": source.pk,
        },
    )
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    measure = Measure.objects.get(title="历史测试举措")

    data = {
        "cluster": cluster.pk,
        "category": category.pk,
        "title": "历史测试举措（修订）",
        "description": "新文",
        "issuing_body": "测试机构",
        "source": source.pk,
    }
    assert admin_client.post(reverse("admin:clusters_measure_change", args=[measure.pk]), data).status_code == 302

    history = list(measure.history.order_by("history_date"))
    assert [h.history_type for h in history] == ["+", "~"]
    assert all(h.history_user == admin_user for h in history)
    delta = history[1].diff_against(history[0])
    assert {c.field for c in delta.changes} == {"title", "description"}

    page = admin_client.get(reverse("admin:clusters_measure_history", args=[measure.pk])).content.decode()
    for text in ("历史测试举措（修订）", "原文", "新文", "标题", admin_user.username):
        assert text in page  # the diff: field label, old → new, who

    assert (
        admin_client.post(reverse("admin:clusters_measure_delete", args=[measure.pk]), {"post": "yes"}).status_code
        == 302
    )
    assert not Measure.objects.filter(pk=measure.pk).exists()
    kept = Measure.history.filter(id=measure.pk).order_by("history_date")
    assert [h.history_type for h in kept] == ["+", "~", "-"]
    assert kept.last().history_user == admin_user

    # the deleted record is listed and its history still opens
    deleted = admin_client.get(reverse("admin:clusters_measure_deleted_history")).content.decode()
    assert "历史测试举措（修订）" in deleted
    page = admin_client.get(reverse("admin:clusters_measure_history", args=[measure.pk]))
    assert page.status_code == 200 and "新文" in page.content.decode()
    assert "已删除记录" in admin_client.get(reverse("admin:clusters_measure_changelist")).content.decode()


def test_history_of_a_cascade_delete_is_kept():
    scheme = make_scheme()
    cluster = Cluster.objects.real().first()
    record = make_record(cluster, scheme, scores=[80] * 5)
    score_ids = list(record.scores.values_list("pk", flat=True))
    record_id = record.pk
    record.delete()  # a draft may be deleted; its scores go with it
    assert EvaluationRecord.history.filter(id=record_id, history_type="-").exists()
    assert DimensionScore.history.filter(id__in=score_ids, history_type="-").count() == 5


def test_workflow_steps_show_in_the_record_history_in_words(admin_client, admin_user):
    scheme = make_scheme()
    record = make_record(Cluster.objects.real().first(), scheme, scores=[80] * 5, user=admin_user)
    service.submit(record, admin_user)
    service.return_record(record, admin_user, "缺材料")
    entries = record.history.order_by("history_date")
    assert entries.last().history_user == admin_user
    assert entries.last().history_change_reason == "退回修改：缺材料"
    page = admin_client.get(reverse("admin:clusters_evaluationrecord_history", args=[record.pk])).content.decode()
    assert "待审核" in page and "已退回" in page and "缺材料" in page


def test_view_only_staff_cannot_revert_through_history(client, django_user_model):
    from django.contrib.auth.models import Permission

    viewer = django_user_model.objects.create_user("viewer", password="pw-for-tests-123", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_source"))
    source = Source.objects.first()
    source.title = source.title + "（改）"
    source.save()
    version = source.history.order_by("history_date").first()
    client.force_login(viewer)
    url = reverse("admin:clusters_source_simple_history", args=[source.pk, version.history_id])
    assert client.get(url).status_code == 200
    assert client.post(url, {"code": source.code, "title": "被还原"}).status_code == 403
    assert Source.objects.get(pk=source.pk).title.endswith("（改）")
