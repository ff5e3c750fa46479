"""/rankings/: order, ties, rank changes, filters, and only published results."""

from decimal import Decimal

import pytest
from django.urls import reverse

from clusters import rankings
from clusters.models import Cluster
from clusters.services import evaluations as service

from .evaluation_helpers import colleague, make_record, make_scheme, published_record

pytestmark = pytest.mark.django_db


def flat(total):
    """Five equal scores give that total under an equal-weight, max-100 scheme."""
    return [total] * 5


@pytest.fixture
def scheme():
    return make_scheme(code="race", name="赛马方案")


@pytest.fixture
def clusters():
    return list(Cluster.objects.real().order_by("name")[:6])


@pytest.fixture
def field_race(scheme, clusters, admin_user):
    """2023: a 90, b 80, c 70, d 60.  2024: a 70, b 90, c 90, d 85, e 50 (new), f only a draft."""
    a, b, c, d, e, f = clusters
    for cluster, total in [(a, 90), (b, 80), (c, 70), (d, 60)]:
        published_record(cluster, scheme, "2023", flat(total), admin_user)
    for cluster, total in [(a, 70), (b, 90), (c, 90), (d, 85), (e, 50)]:
        published_record(cluster, scheme, "2024", flat(total), admin_user)
    make_record(f, scheme, "2024", scores=flat(100), user=admin_user)  # a draft: never ranked
    g = Cluster.objects.real().order_by("name")[len(clusters)]
    submitted = make_record(g, scheme, "2024", scores=flat(99), user=admin_user, evaluating_body="另一机构")
    service.submit(submitted, admin_user)  # submitted, not published: never ranked either
    return clusters


def test_ranked_by_total_with_ties_sharing_a_rank(scheme, field_race):
    a, b, c, d, e, f = field_race
    result = rankings.ranking(scheme, "2024")
    rows = [(row.cluster, row.rank, row.total) for row in result.rows]
    tied = sorted([b, c], key=lambda x: x.name)
    assert rows == [
        (tied[0], 1, Decimal("90.00")),
        (tied[1], 1, Decimal("90.00")),
        (d, 3, Decimal("85.00")),  # competition ranking: 1, 1, 3
        (a, 4, Decimal("70.00")),
        (e, 5, Decimal("50.00")),
    ]
    assert f not in [row.cluster for row in result.rows]


def test_rank_change_against_the_previous_period(scheme, field_race):
    a, b, c, d, e, _ = field_race
    result = rankings.ranking(scheme, "2024")
    assert result.previous_period == "2023"
    changes = {row.cluster: row.change for row in result.rows}
    assert changes == {a: -3, b: 1, c: 2, d: 1, e: None}
    first = rankings.ranking(scheme, "2023")
    assert first.previous_period is None and all(row.change is None for row in first.rows)


def test_assign_ranks_is_competition_ranking():
    class R:
        def __init__(self, name, total):
            self.total = Decimal(total)
            self.cluster = type("C", (), {"name": name})()

    rows = rankings.assign_ranks([R("b", 5), R("a", 5), R("c", 7), R("d", 1), R("e", 1), R("f", 0)])
    assert [(row.record.cluster.name, row.rank) for row in rows] == [
        ("c", 1),
        ("a", 2),
        ("b", 2),
        ("d", 4),
        ("e", 4),
        ("f", 6),
    ]


def test_filters_rank_within_the_filtered_set(scheme, field_race):
    a, b, c, d, e, _ = field_race
    field = d.field
    result = rankings.ranking(scheme, "2024", field_slug=field.slug)
    assert all(row.cluster.field_id == field.pk for row in result.rows)
    assert result.rows[0].rank == 1
    province = d.provinces[0]
    result = rankings.ranking(scheme, "2024", province_code=province.code)
    assert d in [row.cluster for row in result.rows]
    assert all(province in row.cluster.provinces for row in result.rows)


def test_a_published_correction_replaces_the_original_in_the_ranking(scheme, field_race, admin_user):
    a = field_race[0]
    original = scheme.records.get(cluster=a, period="2024")
    revision = service.create_revision(original, admin_user, "更正")
    service.set_scores(revision, dict(zip(scheme.dimensions.order_by("order"), flat(Decimal(95)), strict=True)))
    rows = {row.cluster: row for row in rankings.ranking(scheme, "2024").rows}
    assert rows[a].record == original  # the draft correction changes nothing yet
    service.transition("submit", revision, admin_user)
    for step in ("approve", "publish"):
        service.transition(step, revision, colleague(admin_user))
    rows = {row.cluster: row for row in rankings.ranking(scheme, "2024").rows}
    assert rows[a].record == revision and rows[a].rank == 1
    assert sum(1 for row in rankings.ranking(scheme, "2024").rows if row.cluster == a) == 1


def test_rank_change_across_scheme_versions(scheme, field_race, admin_user):
    a, b, *_ = field_race
    v2 = service.new_scheme_version(scheme)
    published_record(a, v2, "2025", flat(99), admin_user)
    published_record(b, v2, "2025", flat(10), admin_user)
    result = rankings.ranking(v2, "2025")
    assert result.previous_period == "2024"
    assert {row.cluster: row.change for row in result.rows} == {a: 3, b: -1}


def test_rankings_page(client, scheme, field_race):
    a, b, c, d, e, f = field_race
    response = client.get(reverse("clusters:rankings"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "赛马方案" in page and "2024" in page
    for cluster in (a, b, c, d, e):
        assert cluster.display_name in page
    assert f.display_name not in page  # only a draft and a submitted record
    assert "↑2" in page and "↓3" in page
    response = client.get(reverse("clusters:rankings"), {"scheme": "race", "period": "2023"})
    assert response.context["ranking"].period == "2023"
    assert client.get(reverse("clusters:rankings"), {"scheme": "nope"}).status_code == 404
    assert client.get(reverse("clusters:rankings"), {"scheme": "race", "period": "1999"}).status_code == 404
    response = client.get(reverse("clusters:rankings"), {"field": d.field.slug})
    assert {row.cluster.field_id for row in response.context["ranking"].rows} == {d.field_id}


def test_rankings_page_without_published_records(client, scheme, clusters, admin_user):
    make_record(clusters[0], scheme, "2024", scores=flat(80), user=admin_user)
    response = client.get(reverse("clusters:rankings"))
    assert response.status_code == 200
    assert "暂无排名" in response.content.decode()
    assert clusters[0].display_name not in response.content.decode()


def test_rankings_page_query_count_does_not_grow_with_rows(client, scheme, field_race, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        assert client.get(reverse("clusters:rankings")).status_code == 200
