"""Open data at the real path and at scale: every download re-imports unchanged through ``manage.py import_sheet``;
a CSV runs the same queries for ten clusters or four hundred; downloads stream in bounded memory; and the same
holds with 5,000 demo clusters."""

import io
import re
import tracemalloc
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clusters.bulk import insert_with_history
from clusters.models import Cluster, Indicator, IndicatorValue, Source
from tests import page_data
from tests.api_support import make_synthetic_clusters

from .import_helpers import counts
from .opendata_support import (
    JIANGSU,
    csv_rows,
    download,
    evaluations,  # noqa: F401 - a fixture
    url,
)

pytestmark = pytest.mark.django_db

KINDS = ["clusters", "measures", "targets", "indicator-values", "evaluations"]
UNCHANGED = "新增 0 行，修改 0 行"
PROGRESS = re.compile(r"(读取|检查|写入)：[\d,]+ / [\d,?]+ 行（\d+ 秒）$")


def dry_run(tmp_path, kind, data, name):
    """``manage.py import_sheet KIND FILE --dry-run`` on a downloaded file -> what it printed."""
    path = tmp_path / name
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    call_command("import_sheet", kind, str(path), "--dry-run", stdout=out, stderr=err)
    # A long run prints a progress line every few seconds (not on a terminal); only what else it says counts.
    said = [line for line in err.getvalue().splitlines(keepends=True) if not PROGRESS.match(line)]
    return out.getvalue(), "".join(said)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("params", [{}, {"province": JIANGSU}], ids=["all", "jiangsu"])
def test_every_download_reimports_unchanged(client, tmp_path, evaluations, kind, file_format, params):  # noqa: F811
    data = download(client, kind, file_format, **params)
    rows = len(csv_rows(data)) - 1 if file_format == "csv" else None
    before = counts()
    out, err = dry_run(tmp_path, kind, data, f"{kind}.{file_format}")
    assert UNCHANGED in out, (out, err)
    assert err == ""  # no unknown column, no header warning: the import's own headers
    if rows is not None:
        assert f"不变 {rows} 行" in out
    assert counts() == before


def test_a_real_import_of_a_download_changes_nothing_either(client, tmp_path, evaluations):  # noqa: F811
    before = counts()
    for kind in KINDS:
        path = tmp_path / f"{kind}.xlsx"
        path.write_bytes(download(client, kind, "xlsx"))
        out = io.StringIO()
        call_command("import_sheet", kind, str(path), stdout=out, stderr=io.StringIO())
        assert UNCHANGED in out.getvalue(), (kind, out.getvalue())
    assert counts() == before


# --- Queries ----------------------------------------------------------------------------------------------------------


def queries_for(client, address):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
        streamed = b"".join(response.streaming_content)
    assert response.status_code == 200 and streamed
    return len(captured)


@pytest.mark.parametrize("kind", KINDS)
def test_a_csv_runs_the_same_queries_for_ten_clusters_or_four_hundred(client, kind, django_assert_max_num_queries):
    make_synthetic_clusters(10)
    small = queries_for(client, url(kind, "csv"))
    make_synthetic_clusters(400, start=10)
    with django_assert_max_num_queries(small):
        response = client.get(url(kind, "csv"))
        rows = len(csv_rows(b"".join(response.streaming_content))) - 1
    assert rows > 400
    assert small <= 6, small


@pytest.mark.parametrize("kind", ["indicator-values", "targets", "measures"])
def test_a_filtered_csv_runs_the_same_queries_too(client, kind):
    make_synthetic_clusters(10)
    client.get(url(kind, "csv", province=JIANGSU))  # reads the small tables a filter value is found in, once
    small = queries_for(client, url(kind, "csv", province=JIANGSU))
    make_synthetic_clusters(400, start=10)
    assert queries_for(client, url(kind, "csv", province=JIANGSU)) == small


@pytest.mark.parametrize("params", [{}, {"province": JIANGSU}], ids=["all", "jiangsu"])
def test_the_page_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries, params):
    make_synthetic_clusters(10)
    with CaptureQueriesContext(connection) as small:
        client.get("/data/", params)
    make_synthetic_clusters(400, start=10)
    with django_assert_max_num_queries(len(small)):
        response = client.get("/data/", params)
    assert response.status_code == 200
    # A filter value is found in the small tables' memo, read by the first filtered request after a change.
    assert len(small) <= 12 + (page_data.REFERENCE_QUERIES if params else 0), len(small)


# --- Memory -------------------------------------------------------------------------------------------------------


def add_values(count, first_period):
    """``count`` indicator values of the shipped clusters, a fresh period for each round of clusters × indicators."""
    clusters = list(Cluster.objects.values_list("pk", flat=True))
    indicators = list(Indicator.objects.values_list("pk", flat=True))
    source = Source.objects.get(code="seed-004").pk
    pairs = [(c, i) for c in clusters for i in indicators]
    insert_with_history(
        IndicatorValue,
        [
            {
                "cluster_id": pairs[n % len(pairs)][0],
                "indicator_id": pairs[n % len(pairs)][1],
                "period": str(first_period + n // len(pairs)),
                "value": Decimal(n) + Decimal("0.25"),
                "source_id": source,
                "original_text": "原文" * 20,
            }
            for n in range(count)
        ],
    )


def peak_while_downloading(client, address):
    tracemalloc.start()
    try:
        response = client.get(address)
        size = sum(len(chunk) for chunk in response.streaming_content)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, size


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_downloads_stream_in_memory_that_does_not_grow_with_the_rows(client, file_format):
    """4,000 values take no more memory than 1,000: rows come a chunk at a time and leave as they are written."""
    add_values(1000, 1950)
    small, small_size = peak_while_downloading(client, url("indicator-values", file_format))
    add_values(3000, 1990)
    large, large_size = peak_while_downloading(client, url("indicator-values", file_format))
    assert large_size > 3 * small_size  # four times the rows went out…
    assert large < 1.5 * small + 512 * 1024, (small, large)  # …in about the same memory
    assert large < 8 * 1024 * 1024, large


# --- 5,000 demo clusters ------------------------------------------------------------------------------------------


def test_with_5000_demo_clusters(client, tmp_path):
    """The shipped data plus 5,000 demo clusters (10,000 values, 5,000 targets, 10,000 published evaluations):
    the CSV runs the queries it runs for 27 values, streams 10,000 values in a few MB, and every kind
    re-imports unchanged."""
    shipped_queries = queries_for(client, url("indicator-values", "csv"))
    call_command("generate_demo_data", clusters=5000, years=2, without_history=True, stdout=io.StringIO())
    assert Cluster.objects.public().count() == 5025
    assert queries_for(client, url("indicator-values", "csv")) == shipped_queries
    peak, size = peak_while_downloading(client, url("indicator-values", "csv"))
    assert size > 1_000_000 and peak < 8 * 1024 * 1024, (size, peak)
    page = client.get("/data/")
    rows = {k.kind: (k.rows, k.synthetic) for k in page.context["kinds"]}
    assert rows["indicator-values"] == (30027, 30000) and rows["evaluations"] == (10000, 10000)
    assert "当前数据中有 50000 行演示数据" in page.content.decode()
    for kind, file_format in (
        ("indicator-values", "csv"),
        ("indicator-values", "xlsx"),
        ("clusters", "xlsx"),
        ("targets", "csv"),
        ("evaluations", "csv"),
    ):
        out, err = dry_run(tmp_path, kind, download(client, kind, file_format), f"{kind}.{file_format}")
        assert UNCHANGED in out and err == "", (kind, file_format, out, err)
