"""The database itself refuses inconsistent rows; slugs and provinces follow from what is entered."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from clusters.models import (
    Characteristic,
    City,
    Cluster,
    Field,
    Indicator,
    IndicatorValue,
    Measure,
    MeasureCategory,
    Source,
    Target,
)

pytestmark = pytest.mark.django_db

NANJING_POWER = "江苏省南京市新型电力（智能电网）装备集群"


@pytest.fixture
def cluster():
    return Cluster.objects.get(name=NANJING_POWER)


@pytest.fixture
def other_cluster():
    return Cluster.objects.get(name="湖南省株洲市先进轨道交通装备集群")


@pytest.fixture
def output_value():
    return Indicator.objects.get(code="output-value")


@pytest.fixture
def source():
    return Source.objects.get(code="seed-000")


@pytest.fixture
def category():
    return MeasureCategory.objects.get(slug="platforms")


@pytest.fixture
def field():
    return Field.objects.get(slug="information-technology")


def rejected(create):
    """True when the database refuses the row (the surrounding test transaction stays usable)."""
    try:
        with transaction.atomic():
            create()
    except IntegrityError:
        return True
    return False


# ---------------------------------------------------------------- targets


def make_target(cluster, indicator, source, **kwargs):
    fields = {"target_value": Decimal("5000"), "target_year": 2030} | kwargs
    return Target.objects.create(cluster=cluster, indicator=indicator, source=source, **fields)


@pytest.mark.parametrize("baseline_year", [2030, 2031])
def test_target_year_must_be_after_its_baseline_year(cluster, output_value, source, baseline_year):
    assert rejected(
        lambda: make_target(cluster, output_value, source, baseline_value=Decimal("3000"), baseline_year=baseline_year)
    )


def test_target_with_an_earlier_baseline_is_accepted(cluster, output_value, source):
    target = make_target(cluster, output_value, source, baseline_value=Decimal("3000"), baseline_year=2025)
    assert target.pk


def test_baseline_value_needs_a_year(cluster, output_value, source):
    assert rejected(lambda: make_target(cluster, output_value, source, baseline_value=Decimal("3000")))


def test_baseline_year_alone_is_allowed(cluster, output_value, source):
    assert make_target(cluster, output_value, source, baseline_year=2025).pk


def test_one_target_per_cluster_indicator_and_year(cluster, output_value, source):
    # The shipped data holds 南京 产值 ≥ 4000 by 2025.
    assert rejected(lambda: make_target(cluster, output_value, source, target_year=2025))


# ---------------------------------------------------------------- indicator values


def test_one_value_per_cluster_indicator_and_period(cluster, output_value, source):
    IndicatorValue.objects.create(
        cluster=cluster, indicator=output_value, period="2022", value=Decimal("3000"), source=source
    )
    assert rejected(
        lambda: IndicatorValue.objects.create(
            cluster=cluster, indicator=output_value, period="2022", value=Decimal("3100"), source=source
        )
    )
    # Another period, or another cluster, is a different figure.
    IndicatorValue.objects.create(
        cluster=cluster, indicator=output_value, period="2023", value=Decimal("3100"), source=source
    )


# ---------------------------------------------------------------- clusters


def test_cluster_name_is_unique(field):
    assert rejected(
        lambda: Cluster.objects.create(name=NANJING_POWER, slug="another-slug", field=field, tier="national")
    )


def test_cluster_without_slug_gets_a_pinyin_slug(field):
    first = Cluster.objects.create(name="测试省测试市样例集群", short_name="样例集群", field=field, tier="municipal")
    assert first.slug == "yang-li-ji-qun"
    second = Cluster.objects.create(name="测试省另一市样例集群", short_name="样例集群", field=field, tier="municipal")
    assert second.slug.isascii()
    assert second.slug.startswith("yang-li-ji-qun")
    assert second.slug != first.slug
    # Saving again keeps the slug.
    first.save()
    first.refresh_from_db()
    assert first.slug == "yang-li-ji-qun"


def test_cluster_without_short_name_slugs_its_name(field):
    cluster = Cluster.objects.create(name="样例集群乙", field=field, tier="provincial")
    assert cluster.slug == "yang-li-ji-qun-yi"


def test_provinces_follow_from_cities(field):
    cluster = Cluster.objects.create(name="跨省样例集群", field=field, tier="provincial")
    cluster.cities.set(City.objects.filter(code__in=["510100", "500000", "510600"]))
    cluster = Cluster.objects.prefetch_related("cities__province").get(pk=cluster.pk)
    assert [p.code for p in cluster.provinces] == ["500000", "510000"]
    cluster.cities.set(City.objects.filter(code="310000"))
    cluster = Cluster.objects.get(pk=cluster.pk)
    assert [p.name for p in cluster.provinces] == ["上海市"]


def test_provinces_of_a_shipped_multi_city_cluster():
    cluster = Cluster.objects.get(name="广东省广深佛莞智能装备集群")
    assert [p.code for p in cluster.provinces] == ["440000"]


def test_one_characteristic_per_category_and_cluster(cluster):
    seed = Source.objects.get(code="seed-004")
    # The shipped data already holds 南京's 市场份额 trait.
    assert rejected(
        lambda: Characteristic.objects.create(cluster=cluster, category="market_share", text="x", source=seed)
    )
    Characteristic.objects.create(cluster=cluster, category="other", text="x", source=seed)
    assert rejected(lambda: Characteristic.objects.create(cluster=cluster, category="other", text="y", source=seed))


# ---------------------------------------------------------------- measures


def test_measure_title_is_unique_per_cluster(cluster, other_cluster, category, source):
    Measure.objects.create(cluster=cluster, category=category, title="样例举措", source=source)
    assert rejected(lambda: Measure.objects.create(cluster=cluster, category=category, title="样例举措", source=source))
    # The same title for another cluster is another measure.
    Measure.objects.create(cluster=other_cluster, category=category, title="样例举措", source=source)


def test_programme_wide_measure_title_is_unique(category, source):
    Measure.objects.create(cluster=None, category=category, title="样例统一举措", source=source)
    assert rejected(
        lambda: Measure.objects.create(cluster=None, category=category, title="样例统一举措", source=source)
    )


def test_a_shipped_programme_wide_title_cannot_be_repeated(category, source):
    title = Measure.objects.filter(cluster=None).values_list("title", flat=True).first()
    assert title
    assert rejected(lambda: Measure.objects.create(cluster=None, category=category, title=title, source=source))


def test_where_clusters_are_is_asked_in_one_place():
    """in_province/in_city/holding: a cluster with two cities in one province is one row; unpublished ones
    make no province or city "hold" public clusters."""
    from clusters.models import Province

    guangzhou_shenzhen = Cluster.objects.get(slug="shenguang-medical-devices")
    assert set(guangzhou_shenzhen.cities.values_list("province_id", flat=True)) == {"440000"}
    in_guangdong = Cluster.objects.in_province("440000")
    assert in_guangdong.filter(pk=guangzhou_shenzhen.pk).count() == 1
    assert in_guangdong.count() == Cluster.objects.filter(cities__province="440000").distinct().count()
    assert set(Cluster.objects.in_city("440300").values_list("slug", flat=True)) >= {"shenzhen-ict"}
    assert Province.objects.holding_public_clusters().count() == 9

    Cluster.objects.filter(cities__province="610000").update(published=False)  # 西安航空
    assert Province.objects.holding_public_clusters().count() == 8
    assert Province.objects.holding(Cluster.objects.all()).count() == 9
