"""Contract tests of the public read API (PRODUCT.md, "Public contract") against the shipped data."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import RequestFactory
from rest_framework.request import Request
from rest_framework.serializers import Serializer
from rest_framework.test import APIClient

from clusters import selectors
from clusters.api.serializers import ClusterDetailSerializer
from clusters.choices import EvaluationState
from clusters.models import City, Cluster, Field, Indicator, IndicatorValue, Measure, Province, Source, Target
from tests.api_support import make_evaluation, make_synthetic_clusters, make_user

pytestmark = pytest.mark.django_db

CLUSTER_ITEM_KEYS = {
    "slug",
    "name",
    "short_name",
    "field",
    "tier",
    "status",
    "provinces",
    "cities",
    "is_synthetic",
    "url",
    "html_url",
}


@pytest.fixture
def api():
    return APIClient()


def get(api, url, expect=200, **params):
    response = api.get(url, params)
    assert response.status_code == expect, (url, params, response.content[:500])
    return response.json() if response.content else None


def slugs(data):
    return [row["slug"] for row in data["results"]]


# Reference lists ---------------------------------------------------------------------------------


def test_fields_are_slug_and_name(api):
    data = get(api, "/api/fields/")
    assert set(data) == {"count", "next", "previous", "results"}
    assert data["count"] == 5
    assert data["results"][0] == {"slug": "information-technology", "name": "信息技术"}
    assert all(set(row) == {"slug", "name"} for row in data["results"])


def test_provinces_are_code_and_name_and_filter_by_holding_a_cluster(api):
    everything = get(api, "/api/provinces/")
    assert everything["count"] == Province.objects.count()
    assert all(set(row) == {"code", "name"} for row in everything["results"])
    holding = get(api, "/api/provinces/", has_clusters="true")
    assert holding["count"] == 9
    assert {"code": "440000", "name": "广东省"} in holding["results"]
    assert get(api, "/api/provinces/", has_clusters="false")["count"] == Province.objects.count() - 9


def test_cities_carry_their_province_and_filter(api):
    data = get(api, "/api/cities/", province="440000", has_clusters="true")
    assert [row["code"] for row in data["results"]] == ["440100", "440300", "440600", "441300", "441900"]
    assert data["results"][1] == {"code": "440300", "name": "深圳市", "province": {"code": "440000", "name": "广东省"}}
    assert get(api, "/api/cities/", has_clusters="true")["count"] == 21


def test_page_size_is_capped_and_pages_link(api):
    total = City.objects.count()
    assert total > 200
    data = get(api, "/api/cities/", page_size=1000)
    assert data["count"] == total
    assert len(data["results"]) == 200
    assert "page=2" in data["next"] and data["previous"] is None
    data = get(api, "/api/cities/", page_size=10, page=2)
    assert len(data["results"]) == 10
    assert "page_size=10" in data["next"] and data["previous"]
    get(api, "/api/cities/", expect=404, page=9999)


# Clusters ---------------------------------------------------------------------------------------


def test_cluster_list_items_have_the_contract_shape(api):
    data = get(api, "/api/clusters/")
    assert data["count"] == 25
    gfh = next(row for row in data["results"] if row["slug"] == "guangshenfoguan-intelligent-equipment")
    assert set(gfh) == CLUSTER_ITEM_KEYS
    assert gfh["field"] == {"slug": "high-end-equipment", "name": "高端装备制造"}
    assert gfh["tier"] == "national" and gfh["status"] == "key_support"
    assert gfh["provinces"] == [{"code": "440000", "name": "广东省"}]
    assert [c["code"] for c in gfh["cities"]] == ["440100", "440300", "440600", "441900"]
    assert gfh["url"] == "http://testserver/api/clusters/guangshenfoguan-intelligent-equipment/"
    assert gfh["html_url"] == "http://testserver/clusters/guangshenfoguan-intelligent-equipment/"
    cd = next(row for row in data["results"] if row["slug"] == "chengdu-deyang-energy-equipment")
    assert [c["name"] for c in cd["cities"]] == ["成都市", "德阳市"]


def test_cluster_list_rows_are_what_the_serializer_writes_for_instances(api):
    """The list answers from plain rows; every item is what the serializer writes for the model instance."""
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from clusters import selectors
    from clusters.api.serializers import ClusterListSerializer

    make_synthetic_clusters(3, per_cluster=2)  # several cities and provinces per cluster too
    listed = get(api, "/api/clusters/", page_size=100)["results"]
    request = Request(APIRequestFactory().get("/api/clusters/"))
    clusters = selectors.cluster_list().order_by("field__order", "name")
    expected = ClusterListSerializer(clusters, many=True, context={"request": request}).data
    assert len(listed) == 28
    assert listed == json.loads(json.dumps(expected))
    assert any(len(row["provinces"]) > 1 for row in listed)


@pytest.mark.parametrize(
    ("params", "count"),
    [
        ({"field": "information-technology"}, 10),
        ({"field": "high-end-equipment"}, 8),
        ({"field": "new-materials"}, 3),
        ({"province": "440000"}, 6),
        ({"province": "320000"}, 6),
        ({"city": "510600"}, 1),  # 德阳: only the 成都、德阳 cluster
        ({"tier": "national"}, 25),
        ({"tier": "provincial"}, 0),
        ({"status": "key_support"}, 25),
        ({"status": "warning"}, 0),
        ({"field": "information-technology", "province": "440000"}, 3),
    ],
)
def test_cluster_filters(api, params, count):
    assert get(api, "/api/clusters/", **params)["count"] == count


@pytest.mark.parametrize("term", ["深圳", "集成电路", "Chengdu", "海康威视", "zzz-nothing"])
def test_search_means_the_same_as_q(api, term):
    by_search = slugs(get(api, "/api/clusters/", search=term, page_size=100))
    assert by_search == slugs(get(api, "/api/clusters/", q=term, page_size=100))
    if term != "zzz-nothing":
        assert by_search


def test_cluster_ordering(api):
    names = [row["name"] for row in get(api, "/api/clusters/", ordering="-name", page_size=100)["results"]]
    assert names == sorted(names, reverse=True)


@pytest.mark.parametrize(
    ("url", "params", "parameter"),
    [
        ("/api/clusters/", {"field": "no-such-field"}, "field"),
        ("/api/clusters/", {"province": "999999"}, "province"),
        ("/api/clusters/", {"province": "abc"}, "province"),
        ("/api/clusters/", {"city": "440000x"}, "city"),
        ("/api/clusters/", {"tier": "galactic"}, "tier"),
        ("/api/clusters/", {"status": "sleeping"}, "status"),
        ("/api/clusters/", {"ordering": "password"}, "ordering"),
        ("/api/cities/", {"province": "12"}, "province"),
        ("/api/cities/", {"has_clusters": "perhaps"}, "has_clusters"),
        ("/api/measures/", {"cluster": "no-such-cluster"}, "cluster"),
        ("/api/measures/", {"category": "nope"}, "category"),
        ("/api/measures/", {"category": "funding"}, "category"),  # a topic, not a category
        ("/api/measures/", {"topic": "nope"}, "topic"),
        ("/api/measures/", {"issued_after": "2021-13-45"}, "issued_after"),
        ("/api/measures/", {"programme": "maybe"}, "programme"),
        ("/api/targets/", {"indicator": "nope"}, "indicator"),
        ("/api/targets/", {"year": "twenty"}, "year"),
        ("/api/targets/", {"year_min": "99999999999999999999"}, "year_min"),
        ("/api/indicator-values/", {"period": "2020-13"}, "period"),
        ("/api/indicator-values/", {"period_min": "last year"}, "period_min"),
        ("/api/evaluations/", {"grade": "A+"}, "grade"),
        ("/api/evaluations/", {"evaluated_before": "yesterday"}, "evaluated_before"),
        ("/api/evaluations/", {"state": "lost"}, "state"),
    ],
)
def test_an_invalid_filter_is_a_400_naming_the_parameter(api, url, params, parameter):
    data = get(api, url, expect=400, **params)
    assert list(data) == [parameter]
    assert isinstance(data[parameter], list) and data[parameter]


def test_cluster_detail_has_the_contract_shape(api):
    data = get(api, "/api/clusters/nanjing-power-equipment/")
    assert set(data) >= CLUSTER_ITEM_KEYS
    for key in ("lead_enterprises", "targets", "measures", "indicator_values", "evaluations", "sources"):
        assert isinstance(data[key], list), key
    target = next(t for t in data["targets"] if t["indicator"]["code"] == "output-value")
    assert target["value"] == 4000 and target["unit"] == "亿元" and target["year"] == 2025
    assert target["qualifier"] == "at_least"
    assert {"baseline_value", "baseline_year", "original_text", "source"} <= set(target)
    assert target["progress"]["status"] in {"achieved", "on_track", "behind", "unjudged", "no_data"}
    assert data["measures"] and {"category", "title", "issued_on", "source"} <= set(data["measures"][0])
    hangzhou = get(api, "/api/clusters/hangzhou-digital-security/")
    assert {"海康威视", "大华股份", "宇视科技"} <= {e["name"] for e in hangzhou["lead_enterprises"]}


def _bound_fields(serializer):
    """Every field a use of `serializer` binds, nested serializers' and list children's fields included."""
    for field in serializer.fields.values():
        yield field
        nested = getattr(field, "child", field)
        if isinstance(nested, Serializer):
            if nested is not field:
                yield nested
            yield from _bound_fields(nested)


def test_each_use_of_a_read_serializer_binds_fields_of_its_own():
    """Read serializers build their fields once per class and language and copy them for each use (issue 14):
    no bound field, nested serializer or list child may be shared between two uses, and each reaches the
    context (the request) of its own use."""
    cluster = selectors.read_detail(selectors.cluster_detail_queryset().get(slug="shanghai-ic"))
    requests = [Request(RequestFactory().get("/")) for _ in range(2)]
    uses = [ClusterDetailSerializer(cluster, context={"request": request}) for request in requests]
    fields = [list(_bound_fields(use)) for use in uses]
    assert len(fields[0]) > 80  # the detail's nested kinds are all walked
    for use, request, bound in zip(uses, requests, fields, strict=True):
        assert all(field.root is use and field.context["request"] is request for field in bound)
    assert not {id(field) for field in fields[0]} & {id(field) for field in fields[1]}
    assert uses[0].data == uses[1].data


def test_target_progress_follows_the_latest_value(api):
    cluster = Cluster.objects.get(slug="nanjing-power-equipment")
    target = cluster.targets.get(indicator__code="output-value")
    target.baseline_value, target.baseline_year = 2000, 2020
    target.save()
    cluster.indicator_values.filter(indicator__code="output-value").delete()
    cluster.indicator_values.create(indicator=target.indicator, period="2023", value=3500, source=target.source)
    data = get(api, "/api/targets/", cluster="nanjing-power-equipment", indicator="output-value")
    progress = data["results"][0]["progress"]
    # 2023 is 3/5 of the way from 2000 (2020) to 4000 (2025): the line stands at 3200, 3500 is above it.
    assert progress["status"] == "on_track" and progress["period"] == "2023" and progress["value"] == 3500


def test_unpublished_clusters_are_invisible_to_the_public(api):
    Cluster.objects.filter(slug="wuxi-iot").update(published=False)
    assert "wuxi-iot" not in slugs(get(api, "/api/clusters/", page_size=100))
    assert get(api, "/api/clusters/", page_size=100)["count"] == 24
    get(api, "/api/clusters/wuxi-iot/", expect=404)
    # Filtering by it answers as for a slug that never existed: the public learns nothing.
    hidden = get(api, "/api/indicator-values/", page_size=200, cluster="wuxi-iot", expect=400)
    assert hidden == get(api, "/api/indicator-values/", page_size=200, cluster="no-such-slug", expect=400)
    assert get(api, "/api/stats/")["clusters"] == 24
    viewer = make_user("viewer", "view_cluster")
    api.force_authenticate(viewer)
    assert get(api, "/api/clusters/wuxi-iot/")["published"] is False
    assert get(api, "/api/clusters/", page_size=100)["count"] == 25


def test_unknown_cluster_is_404_json(api):
    # The words every detail's 404 has (DRF's lookup): the cluster's own lookup says them too.
    assert get(api, "/api/clusters/no-such-cluster/", expect=404) == {"detail": "No Cluster matches the given query."}
    assert get(api, "/api/measures/999999/", expect=404) == {"detail": "No Measure matches the given query."}


def test_a_filter_narrows_the_detail_lookup_as_on_the_list(api):
    cluster = Cluster.objects.select_related("field").get(slug="shanghai-ic")
    other = Field.objects.exclude(pk=cluster.field_id).first()
    assert get(api, "/api/clusters/shanghai-ic/", field=cluster.field.slug)["slug"] == "shanghai-ic"
    get(api, "/api/clusters/shanghai-ic/", field=other.slug, expect=404)


# Measures, targets, indicator values --------------------------------------------------------------


def test_measures_filters(api):
    everything = get(api, "/api/measures/", page_size=200)
    assert everything["count"] == Measure.objects.count()
    row = everything["results"][0]
    assert set(row) == {
        "id",
        "cluster",
        "category",
        "topics",
        "title",
        "description",
        "issuing_body",
        "document_title",
        "issued_on",
        "source",
    }
    programme = get(api, "/api/measures/", programme="true", page_size=200)
    assert programme["count"] == Measure.objects.filter(cluster__isnull=True).count() > 0
    assert all(m["cluster"] is None for m in programme["results"])
    shanghai = get(api, "/api/measures/", cluster="shanghai-ic", page_size=200)
    assert shanghai["count"] and all(m["cluster"]["slug"] == "shanghai-ic" for m in shanghai["results"])
    platforms = get(api, "/api/measures/", category="platforms", page_size=200)
    assert platforms["count"] and all(m["category"]["slug"] == "platforms" for m in platforms["results"])
    funding = get(api, "/api/measures/", topic="funding", page_size=200)
    assert funding["count"] and all("funding" in {t["slug"] for t in m["topics"]} for m in funding["results"])
    assert get(api, "/api/measures/", search="3000亿元")["count"] >= 1
    dated = Measure.objects.exclude(issued_on=None).order_by("issued_on").first()
    if dated:
        day = dated.issued_on.isoformat()
        window = get(api, "/api/measures/", issued_after=day, issued_before=day, page_size=200)
        assert dated.pk in {m["id"] for m in window["results"]}
    assert get(api, "/api/measures/", province="440000")["count"] >= 1


def test_targets_and_indicator_values_filters(api):
    targets = get(api, "/api/targets/", indicator="output-value")
    assert targets["count"] >= 1 and all(t["indicator"]["code"] == "output-value" for t in targets["results"])
    assert (
        get(api, "/api/targets/", year=2025)["count"]
        == get(api, "/api/targets/", year_min=2025, year_max=2025)["count"]
    )
    assert get(api, "/api/targets/", year_max=2000)["count"] == 0
    values = get(api, "/api/indicator-values/", period="2020", page_size=200)
    assert values["count"] >= 1 and all(v["period"] == "2020" for v in values["results"])
    row = values["results"][0]
    assert set(row) == {
        "id",
        "cluster",
        "indicator",
        "period",
        "period_is_report_year",
        "period_label",
        "scope",
        "value",
        "unit",
        "qualifier",
        "value_display",
        "original_text",
        "note",
        "source",
        "is_synthetic",
    }
    assert get(api, "/api/indicator-values/", period_min="2100")["count"] == 0
    ordered = [v["value"] for v in get(api, "/api/indicator-values/", ordering="-value", page_size=200)["results"]]
    assert ordered == sorted(ordered, reverse=True)


def test_indicator_values_page_in_the_index_order(api):
    """By cluster, indicator, period and scope (the unique constraint's index), every value once across pages."""
    first = get(api, "/api/indicator-values/", page_size=10)
    rows = first["results"] + get(api, "/api/indicator-values/", page_size=10, page=2)["results"]
    keys = [
        (
            Cluster.objects.get(slug=row["cluster"]["slug"]).pk,
            Indicator.objects.get(code=row["indicator"]["code"]).pk,
            row["period"],
            row["scope"],
        )
        for row in rows
    ]
    assert keys == sorted(keys) and len(set(keys)) == 20 < first["count"]


def test_evaluations_page_by_cluster_then_newest_period(api):
    clusters = make_synthetic_clusters(3, per_cluster=2)
    first = get(api, "/api/evaluations/", page_size=4)
    rows = first["results"] + get(api, "/api/evaluations/", page_size=4, page=2)["results"]
    ids = {cluster.slug: cluster.pk for cluster in clusters}
    keys = [(ids[row["cluster"]["slug"]], -int(row["period"]), -row["revision"], -row["id"]) for row in rows]
    assert first["count"] == 6 and len(keys) == 6 and keys == sorted(keys)


def test_targets_page_by_cluster_then_year_then_indicator(api):
    """By cluster as stored, then the model's order within a cluster (year, the indicators' order), every target
    once across pages: the model's order by the clusters' field and name sorted every target for each page."""
    make_synthetic_clusters(4, per_cluster=3)
    first = get(api, "/api/targets/", page_size=5)
    rows = first["results"]
    for page in range(2, -(-first["count"] // 5) + 1):
        rows += get(api, "/api/targets/", page_size=5, page=page)["results"]
    order = dict(Indicator.objects.values_list("code", "order"))
    ids = dict(Cluster.objects.values_list("slug", "pk"))
    keys = [(ids[row["cluster"]["slug"]], row["year"], order[row["indicator"]["code"]], row["id"]) for row in rows]
    assert len(keys) == first["count"] == Target.objects.filter(cluster__published=True).count() > 10
    assert [key[:3] for key in keys] == sorted(key[:3] for key in keys) and len({key[3] for key in keys}) == len(keys)


def test_a_listed_targets_progress_reads_its_own_indicators_latest_whole_cluster_value(api):
    """The list holds only the values of a targeted indicator: a newer value of an indicator no target measures,
    or a newer scoped figure of the targeted one, never stands in for its latest whole-cluster value."""
    cluster = make_synthetic_clusters(1, per_cluster=1)[0]  # a target of 1000 on one indicator, 500 in 2022
    targeted = Target.objects.get(cluster=cluster).indicator
    other = Indicator.objects.exclude(pk=targeted.pk).order_by("order").first()
    source = Source.objects.get(code="seed-004")
    IndicatorValue.objects.create(cluster=cluster, indicator=targeted, period="2023", value=700, source=source)
    IndicatorValue.objects.create(
        cluster=cluster, indicator=targeted, period="2024", value=990, scope="某一环节", source=source
    )
    IndicatorValue.objects.create(cluster=cluster, indicator=other, period="2024", value=5, source=source)
    (row,) = get(api, "/api/targets/", cluster=cluster.slug)["results"]
    progress = row["progress"]
    assert (progress["value"], progress["period"], progress["percent"]) == (700.0, "2023", 70.0)


def test_an_anonymous_lists_count_is_memoised_until_a_committed_write(api, django_capture_on_commit_callbacks):
    """Counting every row is the part of a page that grows with the data: for anonymous readers without a
    filter it is counted once per data version; filtered and signed-in reads count anew."""
    cluster = Cluster.objects.get(slug="shenzhen-ict")
    indicator = Indicator.objects.order_by("order").first()
    total = get(api, "/api/indicator-values/")["count"]
    mine = get(api, "/api/indicator-values/", cluster="shenzhen-ict")["count"]

    def add(period):
        return IndicatorValue.objects.create(
            cluster=cluster, indicator=indicator, period=period, value=1, source=Source.objects.first()
        )

    add("1990")  # not committed (the test's transaction): nothing tells the memo
    assert get(api, "/api/indicator-values/")["count"] == total
    assert get(api, "/api/indicator-values/", cluster="shenzhen-ict")["count"] == mine + 1
    staff = APIClient()
    staff.force_login(make_user("staff", "view_cluster"))
    assert get(staff, "/api/indicator-values/")["count"] == total + 1

    with django_capture_on_commit_callbacks(execute=True):
        add("1991")
    assert get(api, "/api/indicator-values/")["count"] == total + 2


def test_filtering_by_open_cooperation_finds_suzhous_measures(api):
    data = get(api, "/api/measures/", category="open-cooperation", page_size=200)
    by_cluster = {}
    for row in data["results"]:
        by_cluster.setdefault(row["cluster"]["slug"], []).append(row)
    assert {slug: len(rows) for slug, rows in by_cluster.items()} == {
        "suzhou-nanomaterials": 4,
        "qingdao-smart-appliances": 2,
    }
    assert all(m["category"] == {"slug": "open-cooperation", "name": "开放合作"} for m in data["results"])
    suzhou_topics = {t["slug"] for m in by_cluster["suzhou-nanomaterials"] for t in m["topics"]}
    assert suzhou_topics == {"business-environment", "talent", "funding"}


def test_measures_the_source_files_nowhere_have_a_null_category(api):
    data = get(api, "/api/measures/", category="null", page_size=200)
    assert data["count"] == Measure.objects.filter(category=None).count() > 0
    assert all(m["category"] is None and m["source"]["code"] == "seed-000" for m in data["results"])
    local = get(api, "/api/measures/", programme="true", topic="tax", page_size=200)
    assert [m["title"] for m in local["results"]] == ["集群所在地围绕资金支持、个税减免、中小企业培育出台针对性举措"]
    assert [t["name"] for t in local["results"][0]["topics"]] == ["资金支持", "个税减免", "中小企业培育"]


def test_nanjing_shares_carry_their_scope_and_report_year(api):
    data = get(api, "/api/indicator-values/", cluster="nanjing-power-equipment", indicator="domestic-market-share")
    got = [
        (v["scope"], v["value"], v["qualifier"], v["value_display"], v["period"], v["period_label"])
        for v in data["results"]
    ]
    assert sorted(got) == [
        ("地级电网调度自动化系统及设备", 40, "at_least", "超过 40%", "2021", "据2021年报道"),
        ("省级电网调度自动化系统及设备", 90, "at_least", "超过 90%", "2021", "据2021年报道"),
        ("高压继电保护设备", 80, "exact", "80%", "2021", "据2021年报道"),
    ]
    assert all(v["period_is_report_year"] for v in data["results"])


def test_shenzhen_figure_in_the_api_keeps_its_note_and_the_sources_wan_yi(api):
    detail = get(api, "/api/clusters/shenzhen-ict/")
    scale = next(v for v in detail["indicator_values"] if v["indicator"]["code"] == "industry-scale")
    assert scale["value"] == 28000 and scale["unit"] == "亿元"  # the number stays a number in 亿元
    assert scale["value_display"] == "2.8 万亿元"
    assert scale["scope"] == "深圳信息产业"
    assert scale["note"] == "原文为深圳信息产业规模，非集群口径"
    assert scale["original_text"] == "2020年深圳信息产业规模达到2.8万亿元"
    assert (scale["period"], scale["period_label"], scale["period_is_report_year"]) == ("2020", "2020", False)
    english = APIClient().get("/api/indicator-values/", {"cluster": "shenzhen-ict"}, HTTP_ACCEPT_LANGUAGE="en")
    share = next(v for v in english.json()["results"] if v["indicator"]["code"] == "national-share")
    assert share["value_display"] == "about 16.67%"
    scale = next(v for v in english.json()["results"] if v["indicator"]["code"] == "industry-scale")
    assert scale["value_display"] == "2.8 trillion yuan" and scale["value"] == 28000  # formatting's one rule


def test_a_whole_cluster_figure_has_an_empty_scope(api):
    data = get(api, "/api/indicator-values/", cluster="shenguang-medical-devices", period="2019")
    assert {v["scope"] for v in data["results"]} == {""}
    assert {v["period_label"] for v in data["results"]} == {"2019"}


# Evaluations --------------------------------------------------------------------------------------


def test_evaluations_are_published_only_for_the_public(api):
    cluster = Cluster.objects.get(slug="shenzhen-ict")
    published = make_evaluation(cluster, EvaluationState.PUBLISHED, period="2023")
    draft = make_evaluation(cluster, EvaluationState.DRAFT, period="2024")
    submitted = make_evaluation(cluster, EvaluationState.SUBMITTED, period="2024-H1")

    data = get(api, "/api/evaluations/")
    assert [r["id"] for r in data["results"]] == [published.pk]
    assert data["results"][0]["cluster"] == {"slug": "shenzhen-ict", "name": cluster.name}
    assert get(api, "/api/evaluations/", state="draft")["count"] == 0
    get(api, f"/api/evaluations/{draft.pk}/", expect=404)
    detail = get(api, "/api/clusters/shenzhen-ict/")
    assert [r["id"] for r in detail["evaluations"]] == [published.pk]

    # Signed in without the view permission: still the public's view.
    api.force_authenticate(make_user("editor", "change_cluster"))
    assert get(api, "/api/evaluations/")["count"] == 1
    assert [r["id"] for r in get(api, "/api/clusters/shenzhen-ict/")["evaluations"]] == [published.pk]

    # Staff allowed to view evaluation records see every state.
    api.force_authenticate(make_user("reviewer", "view_evaluationrecord"))
    assert {r["id"] for r in get(api, "/api/evaluations/")["results"]} == {published.pk, draft.pk, submitted.pk}
    assert [r["id"] for r in get(api, "/api/evaluations/", state="draft")["results"]] == [draft.pk]
    detail = get(api, "/api/clusters/shenzhen-ict/")
    assert [r["period"] for r in detail["evaluations"]] == ["2024-H1", "2024", "2023"]


def test_evaluation_filters(api):
    cluster = Cluster.objects.get(slug="shenzhen-ict")
    make_evaluation(cluster, period="2022", grade="excellent", evaluated_on="2022-12-01")
    make_evaluation(cluster, period="2023", grade="good", evaluated_on="2023-12-01")
    assert get(api, "/api/evaluations/", grade="excellent")["count"] == 1
    assert get(api, "/api/evaluations/", period_min="2023")["count"] == 1
    assert get(api, "/api/evaluations/", evaluated_after="2023-01-01")["count"] == 1
    assert get(api, "/api/evaluations/", cluster="shenzhen-ict", field="information-technology")["count"] == 2
    assert get(api, "/api/evaluations/", province="320000")["count"] == 0
    periods = [r["period"] for r in get(api, "/api/evaluations/", ordering="period")["results"]]
    assert periods == ["2022", "2023"]


# Stats --------------------------------------------------------------------------------------------


def test_stats_match_the_seed(api):
    data = get(api, "/api/stats/")
    assert set(data) == {"clusters", "provinces", "cities", "by_field", "by_province"}
    assert (data["clusters"], data["provinces"], data["cities"]) == (25, 9, 21)
    assert {f["name"]: f["count"] for f in data["by_field"]} == {
        "信息技术": 10,
        "高端装备制造": 8,
        "新材料": 3,
        "生物": 2,
        "新能源": 2,
    }
    assert set(data["by_field"][0]) == {"slug", "name", "count"}
    assert set(data["by_province"][0]) == {"code", "name", "count"}
    assert sum(p["count"] for p in data["by_province"]) >= 25


def test_stats_count_only_provinces_and_cities_holding_a_public_cluster(api):
    # 西安 (陕西) holds one cluster only: unpublishing it removes a province and a city from the counts.
    Cluster.objects.filter(slug="xian-aviation").update(published=False)
    data = get(api, "/api/stats/")
    assert (data["clusters"], data["provinces"], data["cities"]) == (24, 8, 20)
    assert "610000" not in {p["code"] for p in data["by_province"]}


# HTTP caching and throttling ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/fields/",
        "/api/provinces/",
        "/api/cities/",
        "/api/clusters/",
        "/api/clusters/shanghai-ic/",
        "/api/measures/",
        "/api/targets/",
        "/api/indicator-values/",
        "/api/evaluations/",
        "/api/stats/",
    ],
)
def test_reads_carry_an_etag_and_answer_304_when_unchanged(api, url):
    first = api.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    cache_control = first["Cache-Control"]
    assert "public" in cache_control and "max-age=300" in cache_control
    assert "Cookie" in first["Vary"] and "Authorization" in first["Vary"]

    second = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert second.status_code == 304
    assert second.content == b""
    assert api.get(url, HTTP_IF_NONE_MATCH='"stale"').status_code == 200


def test_etag_changes_when_the_data_does(api):
    etag = api.get("/api/clusters/shanghai-ic/")["ETag"]
    Cluster.objects.filter(slug="shanghai-ic").update(summary="新的简介")
    response = api.get("/api/clusters/shanghai-ic/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] != etag


def test_signed_in_reads_are_private(api):
    api.force_authenticate(make_user("reader", "view_evaluationrecord"))
    response = api.get("/api/evaluations/")
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]


def test_anonymous_reads_are_throttled(api, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": "1000/minute"},
    }
    codes = [api.get("/api/fields/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert "detail" in api.get("/api/fields/").json()


def test_the_anonymous_rate_alone_limits_anonymous_readers(api, settings):
    """The user rate is for signed-in users: set below the anonymous one, it must not cap anonymous reads."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "6/minute", "user": "2/minute"},
    }
    assert [api.get("/api/fields/").status_code for _ in range(7)] == [200] * 6 + [429]


def test_signed_in_readers_are_limited_by_the_user_rate(api, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "4/minute"},
    }
    api.force_authenticate(make_user("reader"))
    assert [api.get("/api/fields/").status_code for _ in range(5)] == [200] * 4 + [429]


# Schema and docs ----------------------------------------------------------------------------------


def test_schema_lists_every_endpoint(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) >= {
        "/api/fields/",
        "/api/provinces/",
        "/api/cities/",
        "/api/clusters/",
        "/api/clusters/{slug}/",
        "/api/measures/",
        "/api/targets/",
        "/api/indicator-values/",
        "/api/evaluations/",
        "/api/stats/",
    }
    params = {p["name"] for p in schema["paths"]["/api/clusters/"]["get"]["parameters"]}
    assert params >= {"q", "search", "field", "province", "city", "tier", "status", "ordering", "page", "page_size"}
    stats = schema["components"]["schemas"]["Stats"]
    assert set(stats["properties"]) == {"clusters", "provinces", "cities", "by_field", "by_province"}
    progress = schema["components"]["schemas"]["Target"]["properties"]["progress"]
    assert {"$ref": "#/components/schemas/Progress"} in progress.get("allOf", [progress])


def test_docs_page_uses_only_local_static_files(api):
    response = api.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "the docs page must not load anything remote"
    assets = re.findall(r"""(?:src|href)="(/static/[^"]+)""", html)
    assert len(assets) >= 3
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not in the project's static files"
    # Swagger UI's start-up script is a file of its own (split view, for the Content-Security-Policy).
    script = api.get("/api/docs/?script=").content.decode()
    assert "/api/schema/" in script
    assert '"validatorUrl": null' in script
