"""`make bench`: a 10,000-row indicator-values xlsx imported three ways, on a throwaway database.

(a) ours: ``run_import`` (and its dry run); (b) django-import-export's default configuration (a
ModelResource with ForeignKeyWidgets, row by row); (c) the floor: openpyxl read + one executemany INSERT.
The database is a fresh SQLite file in a temporary directory (or BENCH_DATABASE_URL), never the dev DB.
Django runs as in production (DEBUG off: no query log). (a) and (c) are timed --repeat times, interleaved
so that a busy moment of the machine hits each of them alike, and their medians are compared; (b) runs
once, for a minute or more, which evens out by itself.

    python -m benchmarks.run [--rows 10000] [--repeat 3] [--baseline-rows N]
"""

import argparse
import io
import os
import secrets
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

WORKDIR = Path(tempfile.mkdtemp(prefix="portal-bench-"))
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{WORKDIR / 'bench.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(40))  # this process only
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from openpyxl import Workbook, load_workbook  # noqa: E402

from clusters.models import Cluster, Indicator, IndicatorValue, Source  # noqa: E402
from clusters.sheets.services import run_import  # noqa: E402

FIRST_YEAR = 2051  # after anything real, so the benchmark rows are all new


def build_file(rows):
    clusters = list(Cluster.objects.values_list("name", flat=True))
    indicators = list(Indicator.objects.values_list("name", "unit"))
    years = -(-rows // (len(clusters) * len(indicators)))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("指标值")
    sheet.append(["集群名称", "指标", "期间", "数值", "单位", "来源"])
    written = 0
    for year in range(FIRST_YEAR, FIRST_YEAR + years):
        for name in clusters:
            for indicator, unit in indicators:
                if written == rows:
                    break
                sheet.append([name, indicator, str(year), round(100 + written * 0.37, 2), unit, "seed-004"])
                written += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def reset():
    periods = [str(y) for y in range(FIRST_YEAR, FIRST_YEAR + 100)]
    IndicatorValue.history.filter(period__in=periods).delete()
    IndicatorValue.objects.filter(period__in=periods).delete()


def ours(data, dry_run=False):
    result = run_import("indicator-values", data, "bench.xlsx", dry_run=dry_run)
    assert result.ok and result.new == result.total, [str(e) for e in result.errors[:5]]
    return result.total


def default_import_export(data, rows):
    import tablib
    from import_export import fields, resources, widgets

    class DefaultResource(resources.ModelResource):
        cluster = fields.Field("cluster", "集群名称", widgets.ForeignKeyWidget(Cluster, "name"))
        indicator = fields.Field("indicator", "指标", widgets.ForeignKeyWidget(Indicator, "name"))
        period = fields.Field("period", "期间")
        value = fields.Field("value", "数值", widgets.DecimalWidget())
        source = fields.Field("source", "来源", widgets.ForeignKeyWidget(Source, "code"))

        class Meta:
            model = IndicatorValue
            fields = ("cluster", "indicator", "period", "value", "source")
            import_id_fields = ("cluster", "indicator", "period")

    dataset = tablib.Dataset().load(data, format="xlsx")
    if rows < dataset.height:
        dataset = tablib.Dataset(*dataset[:rows], headers=dataset.headers)
    result = DefaultResource().import_data(dataset, dry_run=False, raise_errors=True)
    assert not result.has_errors() and not result.has_validation_errors()
    return dataset.height


def floor(data):
    clusters = dict(Cluster.objects.values_list("name", "pk"))
    indicators = dict(Indicator.objects.values_list("name", "pk"))
    source = Source.objects.get(code="seed-004").pk
    now = timezone.now()
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    rows = workbook.worksheets[0].iter_rows(min_row=2, values_only=True)
    params = [
        (clusters[c], indicators[i], p, v, "exact", "", source, False, now, now) for c, i, p, v, _unit, _src in rows
    ]
    table = IndicatorValue._meta.db_table
    sql = (
        f"INSERT INTO {table} (cluster_id, indicator_id, period, value, qualifier, original_text, source_id,"
        " is_synthetic, created_at, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, params)
    return len(params)


def timed(label, function, *args):
    reset()
    start = time.perf_counter()
    count = function(*args)
    seconds = time.perf_counter() - start
    print(f"{label:<48} {count:>6} rows {seconds:8.2f} s {count / seconds:10.0f} rows/s", flush=True)
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of (a), its dry run and (c); medians compared")
    parser.add_argument(
        "--baseline-rows", type=int, default=None, help="time (b) on the first N rows only (it is slow); default: all"
    )
    args = parser.parse_args()
    print(f"Throwaway database: {connection.settings_dict['NAME']} ({connection.vendor})", flush=True)
    call_command("migrate", verbosity=0)
    call_command("load_portal_data", verbosity=0, quiet_hint=True)
    data = build_file(args.rows)
    print(f"Generated {args.rows}-row indicator-values xlsx: {len(data) / 1024:.0f} KB\n", flush=True)

    runs = {"floor": [], "ours": [], "dry": []}
    for _ in range(args.repeat):
        runs["floor"].append(timed("(c) floor: openpyxl read + executemany INSERT", floor, data))
        runs["ours"].append(timed("(a) ours: run_import", ours, data))
        runs["dry"].append(timed("(a) ours: run_import --dry-run", ours, data, True))
    baseline_rows = args.baseline_rows or args.rows
    default_rate = baseline_rows / timed(
        "(b) django-import-export default configuration", default_import_export, data, baseline_rows
    )
    reset()

    tracemalloc.start()
    ours(data)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    reset()

    floor_s, ours_s, dry_s = (statistics.median(runs[name]) for name in ("floor", "ours", "dry"))
    print(
        f"\nMedians of {args.repeat} runs, rows/s: (c) floor {args.rows / floor_s:.0f}, (a) ours {args.rows / ours_s:.0f},"
        f" (a) dry run {args.rows / dry_s:.0f}; (b) default {default_rate:.0f}"
    )
    print(
        f"(a) / (b): {args.rows / ours_s / default_rate:6.1f}x faster than django-import-export's default   (goal >= 20x)"
    )
    print(f"(a) / (c): {ours_s / floor_s:6.2f}x the floor's time                              (goal <= 3x)")
    print(f"dry / (c): {dry_s / floor_s:6.2f}x the floor's time for the dry run               (goal <= 3x)")
    print(f"Peak Python memory of (a): {peak / 1024 / 1024:.1f} MB for a {len(data) / 1024 / 1024:.1f} MB file")
    if args.baseline_rows and args.baseline_rows < args.rows:
        print(f"(b) was timed on the first {args.baseline_rows} rows; its rows/s is per row, so the ratio holds.")


if __name__ == "__main__":
    main()
