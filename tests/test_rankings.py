"""/rankings/: order, ties, rank changes, filters, pages, and only published results."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from clusters import rankings
from clusters.choices import EvaluationState, EvaluationType
from clusters.models import Cluster, EvaluationRecord
from clusters.services import evaluations as service
from tests import page_data

from .evaluation_helpers import colleague, make_record, make_scheme, published_record

pytestmark = pytest.mark.django_db

RANKINGS = reverse("clusters:rankings")


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
    rows = [(row.cluster, row.rank, row.total) for row in result.rows()]
    tied = sorted([b, c], key=lambda x: x.name)
    assert rows == [
        (tied[0], 1, Decimal("90.00")),
        (tied[1], 1, Decimal("90.00")),
        (d, 3, Decimal("85.00")),  # competition ranking: 1, 1, 3
        (a, 4, Decimal("70.00")),
        (e, 5, Decimal("50.00")),
    ]
    assert f not in [row.cluster for row in result.rows()]


def test_rank_change_against_the_previous_period(scheme, field_race):
    a, b, c, d, e, _ = field_race
    result = rankings.ranking(scheme, "2024")
    assert result.previous_period == "2023"
    changes = {row.cluster: row.change for row in result.rows()}
    assert changes == {a: -3, b: 1, c: 2, d: 1, e: None}
    first = rankings.ranking(scheme, "2023")
    assert first.previous_period is None and all(row.change is None for row in first.rows())


def test_filters_rank_within_the_filtered_set(client, scheme, field_race):
    a, b, c, d, e, _ = field_race
    field = d.field
    rows = client.get(RANKINGS, {"field": field.slug}).context["rows"]
    assert rows and all(row.cluster.field_id == field.pk for row in rows)
    assert rows[0].rank == 1
    province = d.provinces[0]
    rows = client.get(RANKINGS, {"province": province.code}).context["rows"]
    assert d in [row.cluster for row in rows]
    assert all(province in row.cluster.provinces for row in rows)
    # Ranks count only the clusters inside the filter.
    here = a.provinces[0]
    rows = client.get(RANKINGS, {"province": here.code}).context["rows"]
    totals = {x: x.evaluations.get(period="2024").total for x in (a, b, c, d, e) if here in x.provinces}
    assert {row.cluster: row.rank for row in rows} == reference_ranks(totals)


def test_a_published_correction_replaces_the_original_in_the_ranking(
    scheme, field_race, admin_user, django_capture_on_commit_callbacks
):
    a = field_race[0]
    original = scheme.records.get(cluster=a, period="2024")
    revision = service.create_revision(original, admin_user, "更正")
    service.set_scores(revision, dict(zip(scheme.dimensions.order_by("order"), flat(Decimal(95)), strict=True)))
    rows = {row.cluster: row for row in rankings.ranking(scheme, "2024").rows()}
    assert rows[a].record == original  # the draft correction changes nothing yet
    # The standings are memoised under the data version: the publication's commit makes them stale.
    with django_capture_on_commit_callbacks(execute=True):
        service.transition("submit", revision, admin_user)
        for step in ("approve", "publish"):
            service.transition(step, revision, colleague(admin_user))
    rows = {row.cluster: row for row in rankings.ranking(scheme, "2024").rows()}
    assert rows[a].record == revision and rows[a].rank == 1
    assert sum(1 for row in rankings.ranking(scheme, "2024").rows() if row.cluster == a) == 1


def test_rank_change_across_scheme_versions(scheme, field_race, admin_user):
    a, b, *_ = field_race
    v2 = service.new_scheme_version(scheme)
    published_record(a, v2, "2025", flat(99), admin_user)
    published_record(b, v2, "2025", flat(10), admin_user)
    result = rankings.ranking(v2, "2025")
    assert result.previous_period == "2024"
    assert {row.cluster: row.change for row in result.rows()} == {a: 3, b: -1}


def test_rankings_page(client, scheme, field_race):
    a, b, c, d, e, f = field_race
    response = client.get(RANKINGS)
    assert response.status_code == 200
    page = response.content.decode()
    assert "赛马方案" in page and "2024" in page
    for cluster in (a, b, c, d, e):
        assert cluster.display_name in page
    assert f.display_name not in page  # only a draft and a submitted record
    # Rises and falls are said in words (for screen readers and as a tooltip), not only as arrows.
    assert "↑2" in page and "↓3" in page
    assert "上升 2 位" in page and "下降 3 位" in page and "上一期未参评" in page
    response = client.get(RANKINGS, {"scheme": "race", "period": "2023"})
    assert response.context["ranking"].period == "2023"
    assert client.get(RANKINGS, {"scheme": "nope"}).status_code == 404
    assert client.get(RANKINGS, {"scheme": "race", "period": "1999"}).status_code == 404


def test_rankings_page_in_english(client, scheme, field_race):
    page = client.get(f"/en{RANKINGS}").content.decode()
    assert "Up 2 places" in page and "Down 3 places" in page and "Up 1 place<" in page
    assert 'data-label="Rank"' in page and 'data-label="Conclusion"' in page and ">Excellent<" in page


def test_rankings_page_without_published_records(client, scheme, clusters, admin_user):
    make_record(clusters[0], scheme, "2024", scores=flat(80), user=admin_user)
    response = client.get(RANKINGS)
    assert response.status_code == 200
    assert "暂无排名" in response.content.decode()
    assert clusters[0].display_name not in response.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"province": "abc"}, "省份（province）：没有代码为“abc”的省份。"),
        ({"field": "nope"}, "领域（field）：没有代码为“nope”的领域。"),
    ],
)
def test_a_bad_filter_value_is_a_400_naming_it_with_no_ranking(client, scheme, field_race, params, message):
    response = client.get(RANKINGS, params)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "ranking-table" not in page and field_race[0].display_name not in page


# --- Pages: global ranks, ties across a page boundary, changes on every page -------------------------------------


def reference_ranks(totals):
    """Competition ranking by hand: 1 + the number of strictly higher totals."""
    return {key: 1 + sum(other > total for other in totals.values()) for key, total in totals.items()}


def bulk_ranking(scheme, periods, prefix="排名", tag="rank"):
    """Clusters with published records written in bulk (as the demo data is): {period: {cluster: total}}."""
    count = len(next(iter(periods.values())))
    clusters = sorted(page_data.many_clusters(count, prefix=prefix, tag=tag), key=lambda c: c.name)
    records, totals = [], {}
    for period, values in periods.items():
        totals[period] = dict(zip(clusters, (Decimal(v) for v in values), strict=True))
        records += [
            EvaluationRecord(
                cluster=cluster,
                scheme=scheme,
                period=period,
                evaluation_type=EvaluationType.ANNUAL_MONITORING,
                evaluating_body="批量评估",
                evaluated_on=date(int(period), 12, 1),
                total=total,
                state=EvaluationState.PUBLISHED,
                published_at=datetime(int(period), 12, 20, tzinfo=UTC),
            )
            for cluster, total in totals[period].items()
        ]
    EvaluationRecord.objects.bulk_create(records)
    return totals


@pytest.fixture
def big_race(scheme):
    """120 clusters. 2024: positions 50 and 51 tie at 70.00 (one rank across the page boundary). 2023: reversed."""
    now = [f"{95 - i * 0.25:.2f}" for i in range(49)] + ["70.00", "70.00"] + [f"{60 - i * 0.25:.2f}" for i in range(69)]
    return bulk_ranking(scheme, {"2023": list(reversed(now)), "2024": now})


def test_pages_keep_ranks_global_and_ties_across_the_boundary(client, big_race):
    first, second, third = (client.get(RANKINGS, {"page": n}) for n in (1, 2, 3))
    assert [len(r.context["rows"]) for r in (first, second, third)] == [50, 50, 20]
    assert first.context["rows"][-1].rank == 50 and second.context["rows"][0].rank == 50  # tied: shared rank
    assert second.context["rows"][1].rank == 52 and third.context["rows"][0].rank == 101
    expected = reference_ranks(big_race["2024"])
    shown = [row for r in (first, second, third) for row in r.context["rows"]]
    assert {row.cluster: row.rank for row in shown} == expected
    assert first.context["page_obj"].paginator.count == 120
    assert "共 120 个" not in third.content.decode()  # the heading counts clusters: “120 个集群”
    assert "120 个集群" in third.content.decode()


def test_rank_changes_are_right_on_every_page(client, big_race):
    now, before = reference_ranks(big_race["2024"]), reference_ranks(big_race["2023"])
    for n in (1, 2, 3):
        for row in client.get(RANKINGS, {"page": n}).context["rows"]:
            assert row.previous_rank == before[row.cluster], (n, row.cluster.name)
            assert row.change == before[row.cluster] - now[row.cluster]


def test_the_pager_keeps_the_choices_and_marks_gaps(client, scheme, big_race):
    response = client.get(RANKINGS, {"scheme": "race", "period": "2024", "field": "information-technology"})
    page = response.content.decode()
    assert 'href="?scheme=race&amp;period=2024&amp;field=information-technology&amp;page=2"' in page
    assert re.search(r'<span aria-current="page">1</span>', page)
    second = client.get(RANKINGS, {"scheme": "race", "period": "2024", "field": "information-technology", "page": 2})
    assert second.context["rows"][0].rank == 50 and second.context["selected_field"] == "information-technology"
    assert "第 2 页" in second.content.decode()


# --- Cost: a page reads its own rows, whatever the number of ranked clusters -------------------------------------

# With nothing memoised yet: schemes, periods (this scheme's and its family's), the filter choices (fields,
# provinces, cities), the standings, the page's records, the previous totals, every cluster's city links
# (the rows' provinces): 9; the small tables rows point to (page_data.REFERENCE_QUERIES); +1 per filter value
# checked, +1 for the filtered clusters' ids. Memoised (a second request): 2, +3 filtered.
RANKING_QUERIES = 12 + page_data.REFERENCE_QUERIES
RANKING_QUERIES_MEMOISED = 5


@pytest.fixture(params=[0, 400], ids=lambda n: f"{5 + n}-ranked")
def ranked_scale(request, scheme, field_race):
    if request.param:
        values = [f"{90 - i * 0.1:.2f}" for i in range(request.param)]
        bulk_ranking(scheme, {"2023": values[::-1], "2024": values})
    return 5 + request.param


@pytest.mark.parametrize(
    "params",
    [{}, {"page": "2"}, {"field": "information-technology", "province": "110000", "page": "3"}],
    ids=["first", "second", "filtered"],
)
def test_rankings_query_count_does_not_grow_with_rows(client, ranked_scale, params, django_assert_max_num_queries):
    with django_assert_max_num_queries(RANKING_QUERIES):
        response = client.get(RANKINGS, params)
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count >= (ranked_scale if "field" not in params else 0)
    assert len(response.context["rows"]) <= 50
    # The standings, previous totals, schemes, periods and choices are read once per data version.
    with django_assert_max_num_queries(RANKING_QUERIES_MEMOISED):
        again = client.get(RANKINGS, params)
    assert [row.rank for row in again.context["rows"]] == [row.rank for row in response.context["rows"]]
