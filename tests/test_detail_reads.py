"""selectors.read_detail: what a cluster's page and API detail show, read once per kind (issue 14).

The related rows are held on the cluster as prefetch_related holds them, so every surface reads them with
no further query; the sources, indicators, categories, cities, schemes and dimensions they point to come from a memo
of those small tables, and a row written after the memo was built still finds what it points to.
"""

import itertools
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, Permission
from django.db import DataError, connection

from clusters import selectors
from clusters.choices import CharacteristicCategory, EvaluationState
from clusters.models import (
    Characteristic,
    City,
    Cluster,
    DimensionScore,
    EvaluationRecord,
    Indicator,
    IndicatorValue,
    Measure,
    PromotionOrganization,
    Source,
)
from clusters.prepared import Prepared, run_together
from tests.api_support import make_evaluation, make_synthetic_clusters
from tests.page_data import REFERENCE_QUERIES

pytestmark = pytest.mark.django_db

KINDS = ["cities", "sources", "lead_enterprises", "characteristics", "targets", "measures", "indicator_values"]


def read(cluster, evaluations=None):
    return selectors.read_detail(
        selectors.cluster_detail_queryset(Cluster.objects.all()).get(pk=cluster.pk), evaluations
    )


def test_every_related_row_is_held_with_what_it_points_to(django_assert_num_queries):
    shipped = Cluster.objects.get(slug="hangzhou-digital-security")  # lead enterprises, characteristics, values
    synthetic = make_synthetic_clusters(1, per_cluster=2)[0]  # measures with topics, scored evaluations
    for cluster in (shipped, synthetic):
        detail = read(cluster)
        with django_assert_num_queries(0):
            held = {kind: list(getattr(detail, kind).all()) for kind in KINDS}
            owned = [*held["lead_enterprises"], *held["characteristics"], *held["targets"], *held["measures"]]
            owned += [*held["indicator_values"], *detail.shown_evaluations]
            pointed = [(row.cluster, row.source) for row in owned]
            pointed += [(row.indicator, row.indicator.unit) for row in [*held["targets"], *held["indicator_values"]]]
            pointed += [(m.category, list(m.topics.all())) for m in held["measures"]]
            pointed += [(r.scheme, [s.dimension.name for s in r.scores.all()]) for r in detail.shown_evaluations]
            pointed += [city.province.name for city in held["cities"]]
            pointed += [lead.enterprise.name for lead in held["lead_enterprises"]]
        assert all(row.cluster is detail for row in owned)
        assert all(row.source_id is None or row.source.pk == row.source_id for row in owned)
        assert [(lead.enterprise.pk, lead.enterprise.name) for lead in held["lead_enterprises"]] == [
            (lead.enterprise_id, lead.enterprise.name) for lead in cluster.lead_enterprises.order_by("order", "id")
        ]
        for measure in held["measures"]:  # the topics of each measure, in the topics' order
            assert list(measure.topics.all()) == list(Measure.objects.get(pk=measure.pk).topics.all())
        for record in detail.shown_evaluations:
            assert [s.pk for s in record.scores.all()] == list(
                record.scores.order_by("dimension__order", "dimension_id").values_list("pk", flat=True)
            )
            assert all(score.record is record for score in record.scores.all())
        for kind, rows in held.items():  # the same rows the relation reads from the database
            assert {row.pk for row in rows} == set(getattr(cluster, kind).values_list("pk", flat=True)), kind
        assert [r.pk for r in detail.shown_evaluations] == list(
            EvaluationRecord.objects.published()
            .filter(cluster=cluster)
            .order_by("-period")
            .values_list("pk", flat=True)
        )
    assert held["measures"] and held["targets"] and detail.shown_evaluations and pointed


def test_the_evaluations_shown_are_the_ones_asked_for():
    cluster = make_synthetic_clusters(1, per_cluster=2)[0]
    assert read(cluster, EvaluationRecord.objects.none()).shown_evaluations == []
    assert len(read(cluster).shown_evaluations) == 2


def test_a_draft_shows_its_scores_to_whoever_may_see_it_and_to_no_one_else():
    cluster = make_synthetic_clusters(1, per_cluster=1)[0]
    published = cluster.evaluations.get()
    draft = EvaluationRecord.objects.create(
        cluster=cluster,
        scheme=published.scheme,
        period="2030",
        evaluation_type=published.evaluation_type,
        evaluating_body="草稿评估机构",
        state=EvaluationState.DRAFT,
        is_synthetic=True,
    )
    dimension = published.scheme.dimensions.order_by("pk").first()
    DimensionScore.objects.create(record=draft, dimension=dimension, score=Decimal("42"))

    public = read(cluster).shown_evaluations
    staff = read(cluster, EvaluationRecord.objects.all()).shown_evaluations

    assert [r.pk for r in public] == [published.pk]
    assert [r.pk for r in staff] == [draft.pk, published.pk]  # newest period first
    assert [(s.dimension, s.score) for s in staff[0].scores.all()] == [(dimension, Decimal("42"))]
    assert len(staff[1].scores.all()) == len(public[0].scores.all()) == 2


def test_a_kind_is_compiled_once_and_read_with_each_clusters_slug(django_assert_num_queries):
    built = []

    def build(cluster_id):
        built.append(cluster_id)
        return Characteristic.objects.filter(cluster_id=cluster_id).order_by("pk")

    read_kind = selectors.by_cluster(build)
    clusters = list(Cluster.objects.filter(characteristics__isnull=False).distinct()[:2])
    with django_assert_num_queries(2):
        rows = [read_kind(cluster.slug) for cluster in clusters]
    assert len(built) == 1  # the SQL was compiled for the first only
    for cluster, read_rows in zip(clusters, rows, strict=True):
        assert read_rows == list(cluster.characteristics.order_by("pk")) != []


def test_a_kind_whose_query_does_not_name_the_cluster_once_is_refused():
    for build in (
        lambda pk: Characteristic.objects.all(),
        lambda pk: Characteristic.objects.filter(cluster_id=pk) | Characteristic.objects.filter(source__clusters=pk),
    ):
        with pytest.raises(ValueError, match="the value must be one parameter"):
            selectors.by_cluster(build)("shanghai-ic")
    with pytest.raises(ValueError, match="only the model's own columns"):
        selectors.by_cluster(lambda pk: Characteristic.objects.filter(cluster_id=pk).select_related("source"))(
            "shanghai-ic"
        )


def test_the_cluster_is_found_by_slug_for_whoever_may_see_it(django_assert_num_queries, django_user_model):
    """The lookup alone decides: the rows' reads name the cluster by slug and go out before it answers."""
    selectors.reference_tables()
    cluster = Cluster.objects.get(slug="shanghai-ic")
    organization = PromotionOrganization.objects.create(name="备忘之后写入的促进组织")  # read by id, not the memo
    cluster.promotion_organization = organization
    cluster.save()
    joined = (cluster.field, cluster.batch, organization)
    # The cluster, its kinds of row, its records, and the organization newer than the memo.
    with django_assert_num_queries(1 + len(selectors._DETAIL_READS) + 1 + 1):
        found = selectors.read_cluster("shanghai-ic")
    assert found == cluster
    with django_assert_num_queries(0):  # what cluster_detail_queryset joins is held
        assert (found.field, found.batch, found.promotion_organization) == joined
    assert selectors.read_cluster("no-such-cluster") is None

    Cluster.objects.filter(pk=cluster.pk).update(published=False)
    staff = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_cluster"))
    assert selectors.read_cluster("shanghai-ic") is None
    assert selectors.read_cluster("shanghai-ic", AnonymousUser()) is None
    seen = selectors.read_cluster("shanghai-ic", django_user_model.objects.get(pk=staff.pk), EvaluationRecord.objects)
    assert seen == cluster and list(seen.indicator_values.all())


def test_a_row_written_after_the_memo_was_built_finds_what_it_points_to():
    """A write commits, then bumps the data version: a reader in between sees the new rows under the old
    version, so what they point to may be missing from the memo (in a test nothing commits, so no bump)."""
    cluster = Cluster.objects.get(slug="shanghai-ic")
    selectors.reference_tables()  # the memo of what rows point to, before the write
    source = Source.objects.create(code="newer-than-the-memo", publisher="测试", title="备忘之后写入的出处")
    indicator = Indicator.objects.create(code="newer-indicator", name="新指标", unit="个", order=999)
    province = cluster.cities.first().province
    city = City.objects.create(
        code=f"{province.code[:2]}9999",
        name="新城市",
        short_name="新城",
        name_en="New City",
        province=province,
        kind="prefecture_city",
    )
    cluster.cities.add(city)
    cluster.indicator_values.create(indicator=indicator, period="2024", value=1, source=source)
    category = next(c for c in CharacteristicCategory.values if not cluster.characteristics.filter(category=c).exists())
    Characteristic.objects.create(cluster=cluster, category=category, text="新特征", source=source)

    detail = read(cluster)

    value = next(v for v in detail.indicator_values.all() if v.indicator_id == indicator.pk)
    assert value.indicator == indicator and value.source == source
    assert source in [c.source for c in detail.characteristics.all()]
    assert city in detail.cities.all() and all(c.province.pk == c.province_id for c in detail.cities.all())
    assert selectors.cities_of([cluster.pk])[cluster.pk][-1].province == province


def test_the_page_shows_a_row_written_after_the_memo_was_built(client):
    cluster = Cluster.objects.get(slug="shanghai-ic")
    assert client.get(cluster.get_absolute_url()).status_code == 200  # builds the memo
    source = Source.objects.create(code="newer-than-the-memo", publisher="测试", title="备忘之后写入的出处")
    category = next(c for c in CharacteristicCategory.values if not cluster.characteristics.filter(category=c).exists())
    Characteristic.objects.create(cluster=cluster, category=category, text="备忘之后写入的特征", source=source)

    page = client.get(cluster.get_absolute_url()).content.decode()

    assert "备忘之后写入的特征" in page and "备忘之后写入的出处" in page


def test_the_reference_tables_are_one_query_each(django_assert_num_queries):
    with django_assert_num_queries(REFERENCE_QUERIES):
        tables = selectors.reference_tables()
    assert len(tables) == REFERENCE_QUERIES
    with django_assert_num_queries(0):  # memoised until the data changes
        selectors.reference_tables()


def test_reads_sent_together_answer_as_each_alone(django_assert_num_queries, monkeypatch):
    """PostgreSQL gets them in one pipeline (one round trip); SQLite one after another."""
    cluster = Cluster.objects.get(slug="hangzhou-digital-security")
    reads = [
        selectors.by_cluster(lambda pk: Characteristic.objects.filter(cluster_id=pk).order_by("pk")),
        selectors.by_cluster(lambda pk: IndicatorValue.objects.filter(cluster_id=pk).order_by("pk")),
        selectors.by_cluster(lambda pk: Source.objects.filter(clusters=pk).order_by("pk")),
    ]
    alone = [[vars(row) | {"_state": None} for row in read(cluster.slug)] for read in reads]
    pipelines = []
    if connection.vendor == "postgresql":
        pipeline = connection.connection.pipeline
        monkeypatch.setattr(connection.connection, "pipeline", lambda: pipelines.append(1) or pipeline())
    with django_assert_num_queries(len(reads)):  # each still counted, as Django logs it
        together = run_together(reads, cluster.slug)
    assert [[vars(row) | {"_state": None} for row in rows] for rows in together] == alone
    assert all(alone)
    assert pipelines == ([1] if connection.vendor == "postgresql" else [])


def test_each_read_finds_its_cluster_by_the_slug_alone():
    """The reads name the cluster by a subquery on its slug: unordered, so it reads the slug's index and nothing
    else (the model's order would join the field table and sort, in each of them)."""
    reads = [*selectors._DETAIL_READS.values(), selectors._PUBLISHED_RECORDS]
    for read in reads:
        sql = read.statement(connection, "default").sql
        subquery = re.search(r"\(SELECT [^()]* FROM \S*clusters_cluster\S* U0 ([^()]*)\)", sql)
        assert subquery, sql
        assert subquery.group(1).replace(connection.ops.quote_name("slug"), "slug") == "WHERE U0.slug = %s", sql


def test_the_cluster_and_its_rows_are_read_together(django_assert_num_queries, monkeypatch):
    """``read_cluster`` sends the cluster's lookup with its rows' reads (one pipeline on PostgreSQL) and holds what
    ``read_detail`` holds on the cluster the write path reads back (``cluster_detail_queryset``)."""
    selectors.reference_tables()
    apart = _shown(selectors.read_detail(selectors.cluster_detail_queryset().get(slug="shanghai-ic")))
    pipelines = []
    if connection.vendor == "postgresql":
        pipeline = connection.connection.pipeline
        monkeypatch.setattr(connection.connection, "pipeline", lambda: pipelines.append(1) or pipeline())
    with django_assert_num_queries(1 + len(selectors._DETAIL_READS) + 1):  # the cluster, its kinds, its records
        cluster = selectors.read_cluster("shanghai-ic")
    assert pipelines == ([1] if connection.vendor == "postgresql" else [])
    with django_assert_num_queries(0):
        together = _shown(cluster)
    assert together == apart and together["indicator_values"] and together["measures"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite compares an integer column with text")
def test_an_error_in_a_pipeline_is_djangos_error():
    reads = [selectors.by_cluster(lambda pk: Characteristic.objects.filter(cluster_id=pk)) for _ in range(2)]
    reads.append(Prepared(lambda pk: Characteristic.objects.filter(cluster_id=pk), placeholder=-1))
    with pytest.raises(DataError):  # django.db's, not psycopg's: raised when the pipeline syncs
        run_together(reads, "not-an-id")


def _server_form(sql):
    """A compiled read's SQL as PostgreSQL keeps it once prepared: psycopg numbers the placeholders."""
    numbers = itertools.count(1)
    return re.sub(r"%s", lambda _: f"${next(numbers)}", sql).replace("%%", "%")


def _prepared_statements():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return {statement for (statement,) in cursor.fetchall()}


def _read_shanghai_ic():
    """Every column of every row the cluster's page shows, with the measures' topics and the records' scores."""
    return _shown(selectors.read_cluster("shanghai-ic"))


def _shown(cluster):
    def columns(row):
        return {name: value for name, value in vars(row).items() if not name.startswith("_")}

    rows = {name: [columns(row) for row in getattr(cluster, name).all()] for name in KINDS}
    rows["topics"] = [[columns(topic) for topic in measure.topics.all()] for measure in cluster.measures.all()]
    rows["scores"] = [[columns(score) for score in record.scores.all()] for record in cluster.shown_evaluations]
    return rows | {"cluster": columns(cluster), "evaluations": [columns(row) for row in cluster.shown_evaluations]}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_postgresql_prepares_the_compiled_reads_and_only_them():
    """Past the threshold set in settings.py, a cluster's reads are the connection's prepared statements (the
    server no longer parses and plans them) and answer as before; Django's own queries are not prepared."""
    connection.ensure_connection()
    threshold = connection.connection.prepare_threshold
    assert threshold == settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"] == 5
    first = _read_shanghai_ic()
    for _ in range(threshold + 1):
        assert _read_shanghai_ic() == first
        assert Cluster.objects.filter(slug="shanghai-ic").count() == 1  # an ORM query, as often

    reads = [*selectors._DETAIL_READS.values(), selectors._PUBLISHED_RECORDS, selectors._CLUSTER_BY_SLUG[False]]
    compiled = {_server_form(read.statement(connection, "default").sql) for read in reads}
    assert _prepared_statements() == compiled
    assert first["indicator_values"] and first["sources"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_with_prepared_statements_off_the_reads_bind_on_the_client(monkeypatch):
    """DJANGO_DB_PREPARED_STATEMENTS=0 (behind a pooler in transaction mode) leaves the threshold unset: the reads
    go through Django's own cursor, and nothing is prepared."""
    connection.ensure_connection()
    monkeypatch.setattr(connection.connection, "prepare_threshold", None)
    first = _read_shanghai_ic()
    for _ in range(10):
        assert _read_shanghai_ic() == first
    assert _prepared_statements() == set()


def test_a_page_of_records_holds_what_the_list_shows_as_the_orm_reads_it(django_assert_num_queries):
    """``read_records`` (the API's page of evaluation records) against ``evaluation_records`` (select_related and
    prefetch_related): the same records in the order asked, the same cluster, scheme, source and scores, and
    nothing left to query."""
    from clusters.api.serializers import EvaluationListSerializer

    make_synthetic_clusters(3, per_cluster=2)
    draft = make_evaluation(Cluster.objects.get(slug="synthetic-00001"), state=EvaluationState.DRAFT)
    ids = list(EvaluationRecord.objects.order_by("-pk").values_list("pk", flat=True))
    assert draft.pk in ids and len(ids) == 7
    asked = [*ids[::2], 10**9, *ids[1::2]]  # any order; an id that is gone is left out
    selectors.reference_tables()  # memoised: here it is built before the count
    with django_assert_num_queries(3):  # the records, their clusters, their scores
        records = selectors.read_records(asked)
    assert [record.pk for record in records] == [pk for pk in asked if pk != 10**9]
    with django_assert_num_queries(0):
        shown = EvaluationListSerializer(records, many=True).data
    by_orm = {r.pk: r for r in selectors.evaluation_records(EvaluationRecord.objects.filter(pk__in=ids))}
    assert shown == EvaluationListSerializer([by_orm[record.pk] for record in records], many=True).data
    assert all(len(row["scores"]) == 2 for row in shown if row["id"] != draft.pk)
    assert {row["cluster"]["slug"] for row in shown} == {"synthetic-00000", "synthetic-00001", "synthetic-00002"}
