"""Each role does exactly its job, on exactly its clusters: a role × action × scope matrix."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from clusters import scoping
from clusters.models import City, Cluster, Measure, MeasureCategory, Source, Target
from tests.role_helpers import role_user

pytestmark = pytest.mark.django_db

GUANGDONG, JIANGSU = "440000", "320000"
SHENZHEN_ICT = "广东省深圳市新一代信息通信集群"
SHANGHAI_IC = "上海市集成电路集群"
NANJING_POWER = "江苏省南京市新型电力（智能电网）装备集群"


@pytest.fixture
def users():
    call_command("setup_roles", verbosity=0)

    return {
        "national": role_user("national", scoping.NATIONAL_ADMIN_GROUP),
        "province": role_user("province", scoping.PROVINCE_EDITOR_GROUP, provinces=[GUANGDONG]),
        "cluster": role_user("cluster", scoping.CLUSTER_EDITOR_GROUP, clusters=[SHANGHAI_IC]),
        "reviewer": role_user("reviewer", scoping.REVIEWER_GROUP, provinces=[JIANGSU]),
        "readonly": role_user("readonly", scoping.READ_ONLY_GROUP),
        "unassigned": role_user("unassigned", scoping.PROVINCE_EDITOR_GROUP),
    }


def login(client, user):
    client.force_login(user)
    return client


def changelist(client, model="cluster"):
    response = client.get(reverse(f"admin:clusters_{model}_changelist"), {"all": ""})
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_setup_roles_is_idempotent():
    call_command("setup_roles", verbosity=0)
    counts = {g.name: g.permissions.count() for g in Group.objects.all()}
    call_command("setup_roles", verbosity=0)
    assert {g.name: g.permissions.count() for g in Group.objects.all()} == counts
    assert set(counts) == {"国家管理员", "省级编辑", "集群编辑", "评审员", "只读"}


@pytest.mark.parametrize(
    ("role", "visible"),
    [("national", 25), ("province", 6), ("cluster", 1), ("reviewer", 6), ("readonly", 25), ("unassigned", 0)],
)
def test_cluster_list_shows_only_the_scope(client, users, role, visible):
    assert len(changelist(login(client, users[role]))) == visible


def test_province_editor_sees_only_guangdong_records(client, users):
    login(client, users["province"])
    assert {c.name for c in changelist(client)} >= {SHENZHEN_ICT, "广东省深广高端医疗器械集群"}
    targets = changelist(client, "target")
    assert {t.cluster.name for t in targets} == {"广东省广深佛莞智能装备集群"}
    assert all(m.cluster is not None for m in changelist(client, "measure"))


@pytest.mark.parametrize(
    ("role", "cluster", "status"),
    [
        ("province", SHENZHEN_ICT, 200),
        ("province", SHANGHAI_IC, 403),
        ("cluster", SHANGHAI_IC, 200),
        ("cluster", SHENZHEN_ICT, 403),
        ("reviewer", NANJING_POWER, 200),
        ("reviewer", SHENZHEN_ICT, 403),
        ("national", SHANGHAI_IC, 200),
    ],
)
def test_change_page_of_out_of_scope_cluster_is_forbidden(client, users, role, cluster, status):
    obj = Cluster.objects.get(name=cluster)
    response = login(client, users[role]).get(reverse("admin:clusters_cluster_change", args=[obj.pk]))
    assert response.status_code == status


def cluster_post_data(cluster, **changes):
    data = {
        "name": cluster.name,
        "short_name": cluster.short_name,
        "slug": cluster.slug,
        "field": cluster.field_id,
        "tier": cluster.tier,
        "status": cluster.status,
        "cities": [c.pk for c in cluster.cities.all()],
        "published": "on",
    }
    for prefix in ["lead_enterprises", "characteristics", "targets", "measures", "indicator_values"]:
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    data.update(changes)
    return data


def test_province_editor_cannot_move_a_cluster_out_of_their_provinces(client, users):
    cluster = Cluster.objects.get(name=SHENZHEN_ICT)
    url = reverse("admin:clusters_cluster_change", args=[cluster.pk])
    login(client, users["province"])

    response = client.post(url, cluster_post_data(cluster, cities=["320100"], summary="搬到南京"))
    assert response.status_code == 200
    assert "至少保留一个您负责省份内的城市" in response.content.decode()
    assert list(cluster.cities.values_list("code", flat=True)) == ["440300"]

    response = client.post(url, cluster_post_data(cluster, cities=["440300", "320100"], summary="扩展"))
    assert response.status_code == 302
    cluster.refresh_from_db()
    assert cluster.summary == "扩展"


def test_editor_cannot_change_an_out_of_scope_cluster_by_posting(client, users):
    cluster = Cluster.objects.get(name=SHANGHAI_IC)
    response = login(client, users["province"]).post(
        reverse("admin:clusters_cluster_change", args=[cluster.pk]), cluster_post_data(cluster, summary="越权")
    )
    assert response.status_code == 403
    cluster.refresh_from_db()
    assert cluster.summary != "越权"


def measure_data(cluster, title):
    return {
        "cluster": cluster.pk if cluster else "",
        "category": MeasureCategory.objects.first().pk,
        "title": title,
        "source": Source.objects.get(code="seed-004").pk,
    }


def test_editor_cannot_attach_a_measure_to_an_out_of_scope_cluster(client, users):
    login(client, users["cluster"])
    url = reverse("admin:clusters_measure_add")
    response = client.post(url, measure_data(Cluster.objects.get(name=SHENZHEN_ICT), "越权举措"))
    assert response.status_code == 200
    assert not Measure.objects.filter(title="越权举措").exists()

    response = client.post(url, measure_data(None, "全国举措"))
    assert response.status_code == 200
    assert "只能由国家管理员维护" in response.content.decode()

    response = client.post(url, measure_data(Cluster.objects.get(name=SHANGHAI_IC), "本集群举措"))
    assert response.status_code == 302
    assert Measure.objects.get(title="本集群举措").cluster.name == SHANGHAI_IC


def test_cluster_editor_cannot_add_clusters_but_province_editor_can(client, users):
    assert login(client, users["cluster"]).get(reverse("admin:clusters_cluster_add")).status_code == 403
    assert login(client, users["province"]).get(reverse("admin:clusters_cluster_add")).status_code == 200


def test_read_only_role_views_but_cannot_change(client, users):
    target = Target.objects.first()
    login(client, users["readonly"])
    url = reverse("admin:clusters_target_change", args=[target.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert 'name="target_value"' not in response.content.decode()
    response = client.post(url, {"target_value": "1"})
    assert response.status_code == 403
    assert client.get(reverse("admin:clusters_target_add")).status_code == 403


def test_reviewer_cannot_edit_records(client, users):
    cluster = Cluster.objects.get(name=NANJING_POWER)
    response = login(client, users["reviewer"]).post(
        reverse("admin:clusters_cluster_change", args=[cluster.pk]), cluster_post_data(cluster, summary="评审员改")
    )
    assert response.status_code == 403


def test_scope_follows_the_cities_of_a_cluster(users):
    # A new Guangdong cluster joins the province editor's scope without any assignment.
    cluster = Cluster.objects.create(
        name="广东省测试集群", field_id=Cluster.objects.first().field_id, tier="provincial"
    )
    cluster.cities.add(City.objects.get(code="440600"))
    assert scoping.can_write(users["province"], cluster)
    assert not scoping.can_write(users["cluster"], cluster)


def upload(client, model, data, name="报送.csv"):
    from .job_helpers import upload_to

    return upload_to(client, model, data, name)


def test_import_rows_outside_the_scope_are_errors_and_nothing_is_written(client, users):
    from .import_helpers import VALUE_HEADER, counts, csv_bytes

    rows = [
        VALUE_HEADER,
        [SHENZHEN_ICT, "企业数", "2030", "12家", "", "seed-004"],
        [SHANGHAI_IC, "企业数", "2030", "15家", "", "seed-004"],
    ]
    before = counts()
    response = upload(login(client, users["province"]), "indicatorvalue", csv_bytes(rows))
    errors = [(e.row, e.column, e.message) for e in response.context["result"].errors]
    assert errors == [(3, "集群名称", "该集群不在您的职责范围内。")]
    assert "confirm_url" not in response.context
    assert counts() == before

    page = upload(client, "indicatorvalue", csv_bytes(rows[:2])).content.decode()
    assert "新增 1 行" in page


def test_import_of_a_cluster_sheet_respects_the_scope(client, users):
    from .import_helpers import csv_bytes

    header = ["集群名称", "领域", "层级", "城市"]
    rows = [header, ["江苏省测试集群", "新材料", "省级", "南京"], [SHANGHAI_IC, "信息技术", "国家级", "上海"]]
    page = upload(login(client, users["province"]), "cluster", csv_bytes(rows)).content.decode()
    assert "至少保留一个您负责省份内的城市" in page
    assert "该集群不在您的职责范围内" in page
    assert not Cluster.objects.filter(name="江苏省测试集群").exists()

    # A cluster editor may not create clusters, so the clusters import is closed to them.
    assert upload(login(client, users["cluster"]), "cluster", csv_bytes([header, rows[1]])).status_code == 403


def test_admin_export_contains_only_the_scope(client, users):
    response = login(client, users["province"]).get(reverse("admin:clusters_target_sheet_export"), {"_format": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # exports stream
    assert "广东省广深佛莞智能装备集群" in body
    assert "江苏省南京市新型电力" not in body and "上海市集成电路集群" not in body


@pytest.fixture
def api(users):
    from django.core.cache import cache
    from rest_framework.test import APIClient

    cache.clear()  # the API's throttle counts live in the cache
    return APIClient()


def value_body(cluster_slug, period="2031"):
    return {
        "cluster": cluster_slug,
        "indicator": "enterprise-count",
        "period": period,
        "value": 12,
        "source": "seed-004",
    }


@pytest.mark.parametrize(
    ("role", "slug", "status"),
    [
        ("province", "shenzhen-ict", 201),
        ("province", "shanghai-ic", 400),
        ("cluster", "shanghai-ic", 201),
        ("cluster", "shenzhen-ict", 400),
        ("national", "shanghai-ic", 201),
        ("readonly", "shanghai-ic", 403),
        ("reviewer", "nanjing-power-equipment", 403),
    ],
)
def test_write_api_creates_only_in_scope(api, users, role, slug, status):
    api.force_authenticate(users[role])
    response = api.post("/api/indicator-values/", value_body(slug), format="json")
    assert response.status_code == status, response.content
    if status == 400:
        assert response.json() == {"cluster": [scoping.OUT_OF_SCOPE]}


def test_write_api_cannot_touch_or_move_out_of_scope_records(api, users):
    shanghai = Target.objects.get(cluster__name=SHANGHAI_IC)
    guangdong = Target.objects.get(cluster__name="广东省广深佛莞智能装备集群")
    api.force_authenticate(users["province"])

    assert api.patch(f"/api/targets/{shanghai.pk}/", {"target_value": 1}, format="json").status_code == 403
    assert api.delete(f"/api/targets/{shanghai.pk}/").status_code == 403
    response = api.patch(f"/api/targets/{guangdong.pk}/", {"cluster": "shanghai-ic"}, format="json")
    assert response.status_code == 400
    assert api.patch(f"/api/targets/{guangdong.pk}/", {"original_text": "更正"}, format="json").status_code == 200

    shanghai.refresh_from_db()
    guangdong.refresh_from_db()
    assert shanghai.target_value != 1 and guangdong.cluster.name != SHANGHAI_IC


def test_write_api_keeps_a_province_editors_cluster_in_their_provinces(api, users):
    api.force_authenticate(users["province"])
    response = api.patch("/api/clusters/shenzhen-ict/", {"cities": ["320100"]}, format="json")
    assert response.status_code == 400 and "cities" in response.json()
    response = api.patch("/api/clusters/shenzhen-ict/", {"cities": ["440300", "320100"]}, format="json")
    assert response.status_code == 200
    assert api.patch("/api/clusters/shanghai-ic/", {"summary": "越权"}, format="json").status_code == 403


def test_write_api_programme_wide_measures_are_national_only(api, users):
    body = {"cluster": None, "category": "top-level-design", "title": "全国性测试举措", "source": "seed-000"}
    api.force_authenticate(users["province"])
    assert api.post("/api/measures/", body, format="json").status_code == 400
    api.force_authenticate(users["national"])
    assert api.post("/api/measures/", body, format="json").status_code == 201


def test_reviewer_acts_only_on_evaluations_in_scope(users):
    from django.core.exceptions import PermissionDenied

    from clusters.models import EvaluationRecord
    from clusters.services import evaluations as workflow

    def submitted(name):
        record = EvaluationRecord.objects.create(
            cluster=Cluster.objects.get(name=name),
            period="2024",
            evaluation_type="review",
            evaluating_body="测试机构",
            conclusion="retain",
        )
        workflow.submit(record, users["national"])
        return record

    outside, inside = submitted(SHENZHEN_ICT), submitted(NANJING_POWER)
    with pytest.raises(PermissionDenied):
        workflow.approve(outside, users["reviewer"])
    workflow.approve(inside, users["reviewer"])
    inside.refresh_from_db()
    outside.refresh_from_db()
    assert (inside.state, outside.state) == ("approved", "submitted")


def test_write_api_refuses_a_typed_grade_on_a_scored_record(api, users):
    from clusters.models import EvaluationScheme

    EvaluationScheme.objects.create(
        code="api-scheme", name="接口方案", year=2024, excellent_min=90, good_min=75, pass_min=60
    )
    body = {
        "cluster": "shanghai-ic",
        "scheme": "api-scheme",
        "period": "2024",
        "evaluation_type": "review",
        "evaluating_body": "测试机构",
        "grade": "excellent",
    }
    api.force_authenticate(users["national"])
    response = api.post("/api/evaluations/", body, format="json")
    assert response.status_code == 400 and "grade" in response.json()
    body.pop("grade")
    assert api.post("/api/evaluations/", body, format="json").status_code == 201
