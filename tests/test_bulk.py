"""``clusters.bulk``: the import's writer must leave the same records and history as simple-history's."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from clusters.bulk import create_with_history, insert_with_history, update_with_history
from clusters.choices import Qualifier
from clusters.models import Cluster, Indicator, IndicatorValue, Province, Source
from clusters.sheets.services import run_import

from .import_helpers import xlsx_bytes

pytestmark = pytest.mark.django_db

# Compared between two writes of the same rows, so neither the period (the write's marker) nor ids.
RECORD = ("cluster_id", "indicator_id", "value", "qualifier", "original_text", "source_id", "is_synthetic")
HISTORY = (*RECORD, "history_type", "history_change_reason", "history_user_id")


@pytest.fixture
def refs():
    return Cluster.objects.order_by("pk")[:3], Indicator.objects.order_by("pk")[:2], Source.objects.get(code="seed-004")


@pytest.fixture
def clerk():
    return get_user_model().objects.create_user("clerk", password="x")


def value_rows(refs, period):
    clusters, indicators, source = refs
    return [
        {
            "cluster_id": cluster.pk,
            "indicator_id": indicator.pk,
            "period": period,
            "value": Decimal("1234567.8901") + n,
            "qualifier": Qualifier.AT_LEAST if n % 2 else Qualifier.EXACT,
            "source_id": source.pk,
        }
        for n, (cluster, indicator) in enumerate((c, i) for c in clusters for i in indicators)
    ]


def snapshot(period):
    """(records, history rows) written for ``period``, in a stable order."""
    order = ("cluster_id", "indicator_id")
    records = IndicatorValue.objects.filter(period=period).order_by(*order).values_list(*RECORD)
    history = IndicatorValue.history.filter(period=period).order_by(*order, "history_id").values_list(*HISTORY)
    return list(records), list(history)


def test_insert_leaves_what_simple_history_leaves(refs, clerk):
    """Same records, same history rows (type, user, reason), on both databases, defaults filled in."""
    bulk_create_with_history(
        [IndicatorValue(**row) for row in value_rows(refs, "2061")],
        IndicatorValue,
        default_user=clerk,
        default_change_reason="表格导入：a.xlsx",
    )
    pks = insert_with_history(IndicatorValue, value_rows(refs, "2062"), user=clerk, reason="表格导入：a.xlsx")

    assert snapshot("2062") == snapshot("2061")
    assert len(pks) == 6 and set(IndicatorValue.objects.filter(period="2062").values_list("pk", flat=True)) == set(pks)
    value = IndicatorValue.objects.get(pk=pks[0])
    assert (value.original_text, value.is_synthetic) == ("", False)  # absent fields took their defaults
    assert value.value == Decimal("1234567.8901")  # no precision lost on the way
    assert value.created_at == value.updated_at is not None
    record = value.history.get()
    assert (record.history_type, record.history_user, record.history_date) == ("+", clerk, value.created_at)


def test_primary_keys_come_back_in_row_order_across_batches(refs):
    clusters, indicators, source = refs
    rows = [
        {"cluster_id": clusters[0].pk, "indicator_id": indicators[0].pk, "period": str(2100 - n), "value": n}
        for n in range(1, 1201)
    ]
    for row in rows:
        row["source_id"] = source.pk
    pks = insert_with_history(IndicatorValue, rows, batch_size=500)
    stored = dict(IndicatorValue.objects.filter(pk__in=pks).values_list("pk", "period"))
    assert [stored[pk] for pk in pks] == [row["period"] for row in rows]
    history = dict(IndicatorValue.history.filter(id__in=pks).values_list("id", "period"))
    assert history == stored  # each history row describes its own record


def test_update_leaves_what_simple_history_leaves(refs, clerk):
    theirs = insert_with_history(IndicatorValue, value_rows(refs, "2063"))
    ours = insert_with_history(IndicatorValue, value_rows(refs, "2064"))
    for pks, update in ((theirs, bulk_update_with_history), (ours, None)):
        objs = list(IndicatorValue.objects.filter(pk__in=pks).order_by("pk"))
        for obj in objs:
            obj.value, obj.qualifier, obj.original_text = obj.value * 2, Qualifier.ABOUT, "约两倍"
        if update:
            update(
                objs,
                IndicatorValue,
                ["value", "qualifier", "original_text"],
                default_user=clerk,
                default_change_reason="改",
            )
        else:
            update_with_history(IndicatorValue, objs, ["value", "qualifier", "original_text"], user=clerk, reason="改")
    records, history = snapshot("2064")
    assert (records, history) == snapshot("2063")
    assert [h[-3:] for h in history].count(("~", "改", clerk.pk)) == 6
    value = IndicatorValue.objects.get(pk=ours[0])
    assert value.updated_at > value.created_at  # auto_now moved
    assert value.history.first().value == Decimal("2469135.7802")


def test_create_with_history_sets_primary_keys_and_refuses_saved_objects():
    source = create_with_history(Source, [Source(code="t-1", title="测试出处")])[0]
    assert source.pk and Source.objects.get(code="t-1").pk == source.pk
    assert not source._state.adding and source.history.get().history_type == "+"
    with pytest.raises(ValueError):
        create_with_history(Source, [source])
    with pytest.raises(ValueError):  # a province is keyed by its code, not an automatic key
        insert_with_history(Province, [{"code": "990000", "name": "测试省"}])


def test_an_import_with_a_long_file_name_keeps_its_history(refs):
    """The change reason holds the file name; a name past the history column's 100 characters is shortened."""
    clusters, indicators, _source = refs
    name = "关于报送" + "先进制造业集群发展情况" * 12 + ".xlsx"
    data = xlsx_bytes([["集群名称", "指标", "期间", "数值"], [clusters[0].name, indicators[0].name, "2065", "1"]])
    result = run_import("indicator-values", data, file_name=name)
    assert result.ok and result.committed, [str(e) for e in result.errors]
    reason = IndicatorValue.history.get(period="2065").history_change_reason
    assert len(reason) == 100 and reason.startswith("表格导入：关于报送") and reason.endswith("…")


def test_an_import_costs_the_same_queries_for_20_rows_as_for_1200(refs):
    """Lookups once per file, writes in bulk: the row count changes only the number of 500-row batches."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clusters, indicators, _source = refs

    pairs = [(cluster.name, indicator.name) for cluster in clusters for indicator in indicators]

    def sheet(rows, first_year):
        """``rows`` new values: each month from ``first_year`` on, for every cluster × indicator pair."""
        body = []
        for n in range(rows):
            month = n // len(pairs)
            period = f"{first_year + month // 12}-{month % 12 + 1:02d}"
            body.append([*pairs[n % len(pairs)], period, n + 1, "", "seed-004"])
        return xlsx_bytes([["集群名称", "指标", "期间", "数值", "单位", "来源"], *body])

    counts = {}
    for rows, first_year in ((20, 1960), (1200, 1970)):
        with CaptureQueriesContext(connection) as queries:
            result = run_import("indicator-values", sheet(rows, first_year), file_name=f"{rows}.xlsx")
        assert result.ok and result.new == rows, [str(e) for e in result.errors[:3]]
        counts[rows] = len(queries)
    assert counts[1200] <= counts[20] + 2, counts  # SQLite: 3 INSERT batches instead of 1; PostgreSQL: COPY
