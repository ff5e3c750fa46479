"""The staff admin: every page renders, search and filters find the right clusters, queries stay bounded."""

from decimal import Decimal

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse
from rest_framework.authtoken.models import Token

from clusters.choices import ClusterStatus, EvaluationType, Tier
from clusters.models import (
    City,
    Cluster,
    DimensionScore,
    EvaluationRecord,
    EvaluationScheme,
    EvaluationTransition,
    Field,
    ImportRecord,
    Indicator,
    IndicatorValue,
    Measure,
    MeasureCategory,
    PromotionOrganization,
    SchemeDimension,
    Source,
    StaffScope,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluation(admin_user):
    """The shipped data holds no evaluations; make one so their change pages can render."""
    scheme = EvaluationScheme.objects.create(
        code="test-scheme", name="测试方案", year=2024, excellent_min=90, good_min=75, pass_min=60
    )
    dimension = SchemeDimension.objects.create(
        scheme=scheme, code="innovation", name="协同创新", weight=1, max_score=100
    )
    record = EvaluationRecord.objects.create(
        cluster=Cluster.objects.first(),
        scheme=scheme,
        period="2024",
        evaluation_type=EvaluationType.ANNUAL_MONITORING,
        evaluating_body="测试机构",
    )
    DimensionScore.objects.create(record=record, dimension=dimension, score=Decimal("80"))
    EvaluationTransition.objects.create(record=record, from_state="", to_state="draft", actor=admin_user)
    # Neither do they hold a promotion organisation, a group or an API token.
    PromotionOrganization.objects.create(name="测试促进机构")
    Group.objects.create(name="测试组")
    Token.objects.create(user=admin_user)
    StaffScope.objects.create(user=admin_user).provinces.add("440000")
    ImportRecord.objects.create(user=admin_user, file_name="values.xlsx", kind="indicator-values", new_count=3)
    # django-axes' login records.
    attempt = {"username": "clerk", "ip_address": "203.0.113.7", "user_agent": "test", "path_info": "/admin/login/"}
    AccessAttempt.objects.create(**attempt, get_data="", post_data="", failures_since_start=1)
    AccessFailureLog.objects.create(**attempt, locked_out=False)
    return record


def registered_models():
    return sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.mark.parametrize("model", registered_models(), ids=lambda m: m._meta.label)
def test_changelist_add_and_change_pages_render(admin_client, evaluation, model):
    opts = model._meta
    changelist = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert changelist.status_code == 200

    model_admin = admin.site._registry[model]
    add = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    assert add.status_code == (200 if model_admin.has_add_permission(add.wsgi_request) else 403)

    obj = model._default_manager.first()
    assert obj is not None, f"no {opts.label} row to open"
    change = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
    assert change.status_code == 200
    history = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk]))
    assert history.status_code == 200


def test_admin_speaks_chinese(admin_client):
    response = admin_client.get(reverse("admin:index"))
    content = response.content.decode()
    assert "先进制造业集群管理后台" in content
    assert "集群" in content and "指标值" in content and "动态评估记录" in content


def changelist_names(admin_client, **params):
    response = admin_client.get(reverse("admin:clusters_cluster_changelist"), params)
    assert response.status_code == 200
    return {cluster.name for cluster in response.context["cl"].result_list}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("海康威视", {"浙江省杭州市数字安防集群"}),  # lead enterprise
        ("德阳", {"四川省成都市、德阳市高端能源装备集群"}),  # second city of a two-city cluster
        ("集成电路", {"上海市集成电路集群"}),  # name
        ("中联", {"湖南省长沙市工程机械集群"}),
    ],
)
def test_admin_search_finds_by_name_enterprise_and_city(admin_client, query, expected):
    assert changelist_names(admin_client, q=query) == expected


def test_admin_search_by_city_finds_every_cluster_spanning_it(admin_client):
    names = changelist_names(admin_client, q="佛山")
    assert names == {"广东省广佛惠超高清视频和智能家电集群", "广东省广深佛莞智能装备集群"}


def test_admin_filters(admin_client):
    it = Field.objects.get(name="信息技术")
    assert len(changelist_names(admin_client, field__id__exact=it.pk)) == 10
    assert len(changelist_names(admin_client, province="320000")) == 6  # 江苏
    guangdong = changelist_names(admin_client, province="440000")
    assert "广东省深广高端医疗器械集群" in guangdong and len(guangdong) == 6
    assert len(changelist_names(admin_client, tier__exact=Tier.NATIONAL)) == 25
    assert changelist_names(admin_client, tier__exact=Tier.PROVINCIAL) == set()
    assert len(changelist_names(admin_client, status__exact=ClusterStatus.KEY_SUPPORT)) == 25


def test_cluster_change_page_shows_derived_provinces(admin_client):
    cluster = Cluster.objects.get(name="广东省广深佛莞智能装备集群")
    response = admin_client.get(reverse("admin:clusters_cluster_change", args=[cluster.pk]))
    content = response.content.decode()
    assert "广东省" in content
    # Provinces are shown, never typed: no input named provinces.
    assert 'name="provinces"' not in content


def test_admin_creates_cluster_with_automatic_slug(admin_client):
    shenzhen, dongguan = City.objects.get(code="440300"), City.objects.get(code="441900")
    data = {
        "name": "广东省深莞测试集群",
        "short_name": "深莞测试集群",
        "slug": "",
        "field": Field.objects.get(slug="new-materials").pk,
        "tier": Tier.PROVINCIAL,
        "status": ClusterStatus.CULTIVATING,
        "cities": [shenzhen.pk, dongguan.pk],
        "published": "on",
    }
    for prefix in ["lead_enterprises", "characteristics", "targets", "measures", "indicator_values"]:
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = admin_client.post(reverse("admin:clusters_cluster_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    cluster = Cluster.objects.get(name="广东省深莞测试集群")
    assert cluster.slug == "shen-guan-ce-shi-ji-qun"
    assert [p.code for p in cluster.provinces] == ["440000"]
    assert cluster.history.count() == 1


def test_admin_rejects_duplicate_cluster_name(admin_client):
    data = {
        "name": "上海市集成电路集群",
        "field": Field.objects.first().pk,
        "tier": Tier.NATIONAL,
        "status": "cultivating",
    }
    for prefix in ["lead_enterprises", "characteristics", "targets", "measures", "indicator_values"]:
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    before = Cluster.objects.count()
    response = admin_client.post(reverse("admin:clusters_cluster_add"), data)
    assert response.status_code == 200
    assert "已存在" in " ".join(response.context["adminform"].form.errors["name"])
    assert Cluster.objects.count() == before


def add_synthetic_clusters(count):
    field = Field.objects.first()
    cities = list(City.objects.order_by("code")[:50])
    clusters = Cluster.objects.bulk_create(
        Cluster(
            name=f"演示集群{i:04d}",
            slug=f"demo-{i:04d}",
            field=field,
            tier=Tier.MUNICIPAL,
            status=ClusterStatus.CULTIVATING,
            is_synthetic=True,
        )
        for i in range(count)
    )
    Cluster.cities.through.objects.bulk_create(
        Cluster.cities.through(cluster_id=cluster.pk, city_id=cities[i % len(cities)].pk)
        for i, cluster in enumerate(clusters)
    )


@pytest.mark.parametrize("extra", [0, 300])
def test_cluster_changelist_queries_do_not_grow_with_rows(admin_client, django_assert_max_num_queries, extra):
    add_synthetic_clusters(extra)
    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("admin:clusters_cluster_changelist"), {"all": ""})
    assert response.status_code == 200


@pytest.mark.parametrize("extra", [0, 40])
def test_cluster_change_page_queries_do_not_grow_with_inline_rows(admin_client, django_assert_max_num_queries, extra):
    """The workbench page costs the same whether a cluster has 5 measures and values or 45."""
    cluster = Cluster.objects.get(name="江苏省南京市新型电力（智能电网）装备集群")
    source, category = Source.objects.get(code="seed-004"), MeasureCategory.objects.first()
    indicator = Indicator.objects.get(code="output-value")
    Measure.objects.bulk_create(
        Measure(cluster=cluster, category=category, title=f"测试举措{i}", source=source) for i in range(extra)
    )
    IndicatorValue.objects.bulk_create(
        IndicatorValue(cluster=cluster, indicator=indicator, period=str(1950 + i), value=i, source=source)
        for i in range(extra)
    )
    with django_assert_max_num_queries(30):
        response = admin_client.get(reverse("admin:clusters_cluster_change", args=[cluster.pk]))
    assert response.status_code == 200
    assert response.content.decode().count('name="measures-') >= extra
