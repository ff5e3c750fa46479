"""`make bench`: indicator-values xlsx imports at 10,000 and 100,000 rows, on a throwaway database.

    python -m benchmarks.run [--rows 10000] [--large-rows 100000] [--repeat 3] [--baseline-rows N]

Four parts, Django in production mode (DEBUG off: no query log), the database a fresh SQLite file in a
temporary directory or BENCH_DATABASE_URL (never the dev database):

1. Reading: openpyxl (read-only, as the import used to) against ours (the workbook inspected, then read by
   calamine), both reading every row of the same files.
2. Scale: ours at --rows and --large-rows: a dry run of the new file, the first import, then an unchanged
   re-import of the same file. Each run is a fresh process, so its peak RSS (Django, the file, calamine's
   Rust memory, all of it) is measured on its own. Repeats are interleaved, medians compared.
3. The floor (c): calamine read + names -> ids from two dicts + one executemany INSERT (no checks, no
   history), and (a) against it, at --rows.
4. (b) django-import-export's default configuration (ModelResource, ForeignKeyWidgets, row by row), once,
   on --baseline-rows rows (default all of --rows; it lasts minutes).

Goals printed at the end: the 100,000-row import faster than openpyxl only reading the file; time linear
(at most 11x the 10,000-row time) and peak memory under 300 MB; an unchanged re-import at most half a
first import; (a) >= 20x (b); (a) within 3x of (c).
"""

import argparse
import io
import multiprocessing
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

if not os.environ.get("BENCH_DATABASE_URL"):  # a throwaway SQLite file, shared with the measured child processes
    os.environ["BENCH_DATABASE_URL"] = f"sqlite:///{Path(tempfile.mkdtemp(prefix='portal-bench-')) / 'bench.sqlite3'}"
os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-" + os.urandom(24).hex())  # these processes only
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from openpyxl import Workbook, load_workbook  # noqa: E402

from clusters.models import Cluster, Indicator, IndicatorValue, Source  # noqa: E402
from clusters.sheets.reading import read_sheet  # noqa: E402
from clusters.sheets.services import run_import  # noqa: E402

FIRST_YEAR = 2051  # after anything real, so the benchmark rows are all new


def build_file(rows):
    clusters = list(Cluster.objects.values_list("name", flat=True))
    indicators = list(Indicator.objects.values_list("name", "unit"))
    months = -(-rows // (len(clusters) * len(indicators)))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("指标值")
    sheet.append(["集群名称", "指标", "期间", "数值", "单位", "来源"])
    written = 0
    for month in range(months):  # monthly periods from 2051-01: 100,000 rows reach 2065
        period = f"{FIRST_YEAR + month // 12}-{month % 12 + 1:02d}"
        for name in clusters:
            for indicator, unit in indicators:
                if written == rows:
                    break
                sheet.append([name, indicator, period, round(100 + written * 0.37, 2), unit, "seed-004"])
                written += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def reset():
    IndicatorValue.history.filter(period__gte=str(FIRST_YEAR)).delete()
    IndicatorValue.objects.filter(period__gte=str(FIRST_YEAR)).delete()


# ------------------------------------------------------------------------------------------ the runs


def read_openpyxl(data):
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    return sum(1 for _row in workbook.worksheets[0].iter_rows(values_only=True)) - 1


def read_ours(data):
    return sum(1 for _row in read_sheet(data, ("指标值",)).rows) - 1


def ours(data, dry_run=False, expect="new"):
    result = run_import("indicator-values", data, "bench.xlsx", dry_run=dry_run)
    assert result.ok and getattr(result, expect) == result.total, [str(e) for e in result.errors[:5]]
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
    rows = read_sheet(data, ("指标值",)).rows
    next(rows)
    params = [
        (clusters[c], indicators[i], p, "", False, v, "exact", "", "", source, False, now, now)
        for _number, (c, i, p, v, _unit, _src) in rows
    ]
    table = IndicatorValue._meta.db_table
    sql = (
        f"INSERT INTO {table} (cluster_id, indicator_id, period, scope, period_is_report_year, value, qualifier,"
        " original_text, note, source_id, is_synthetic, created_at, updated_at)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, params)
    return len(params)


def _peak_rss():
    """This process's peak resident memory in MB. VmHWM belongs to the process image, whereas getrusage's
    maxrss survives exec and so starts at the size of the parent that forked the child."""
    try:
        status = Path("/proc/self/status").read_text()
        return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(function, args, queue):
    start = time.perf_counter()
    count = function(*args)
    seconds = time.perf_counter() - start
    queue.put((count, seconds, _peak_rss()))


def forked(label, function, *args):
    """Run ``function(*args)`` in a fresh process (Django set up, nothing else read): -> (seconds, its peak
    RSS in MB: Django, the file, the import's Python and calamine's Rust memory, all of it)."""
    connections.close_all()
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(function, args, queue))
    process.start()
    count, seconds, rss = queue.get()
    process.join()
    if process.exitcode:
        raise SystemExit(f"{label} failed")
    print(f"{label:<52} {count:>7} rows {seconds:8.2f} s {count / seconds:9.0f} rows/s {rss:7.0f} MB", flush=True)
    return seconds, rss


def timed(label, function, *args):
    start = time.perf_counter()
    count = function(*args)
    seconds = time.perf_counter() - start
    print(f"{label:<52} {count:>7} rows {seconds:8.2f} s {count / seconds:9.0f} rows/s", flush=True)
    return seconds


# ------------------------------------------------------------------------------------------ main


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--large-rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="interleaved runs of each timing; medians compared")
    parser.add_argument("--baseline-rows", type=int, default=None, help="time (b) on N rows (it is slow); 0: skip")
    args = parser.parse_args()
    print(f"Throwaway database: {connection.settings_dict['NAME']} ({connection.vendor})", flush=True)
    call_command("migrate", verbosity=0)
    call_command("load_portal_data", verbosity=0, quiet_hint=True)
    sizes = (args.rows, args.large_rows)
    files = {rows: build_file(rows) for rows in sizes}
    for rows, data in files.items():
        print(f"Generated {rows}-row indicator-values xlsx: {len(data) / 1024:.0f} KB", flush=True)

    print("\n1. Reading every row", flush=True)
    reads = {(name, rows): [] for name in ("openpyxl", "ours") for rows in sizes}
    for _ in range(args.repeat):
        for rows in sizes:
            reads["openpyxl", rows].append(timed(f"openpyxl read-only, {rows} rows", read_openpyxl, files[rows]))
            reads["ours", rows].append(timed(f"ours (inspect + calamine), {rows} rows", read_ours, files[rows]))

    print("\n2. Importing (each run a fresh process: time, peak RSS)", flush=True)
    runs = {(step, rows): [] for step in ("dry", "first", "again", "floor") for rows in sizes}
    for _ in range(args.repeat):
        for rows in sizes:
            data = files[rows]
            reset()
            runs["dry", rows].append(forked(f"(a) dry run of the new file, {rows}", ours, data, True))
            runs["first", rows].append(forked(f"(a) first import, {rows}", ours, data))
            runs["again", rows].append(forked(f"(a) unchanged re-import, {rows}", ours, data, False, "unchanged"))
            reset()
            if rows == args.rows:
                runs["floor", rows].append(forked(f"(c) floor: calamine + executemany, {rows}", floor, data))
                reset()

    baseline_rows = args.rows if args.baseline_rows is None else args.baseline_rows
    default_rate = None
    if baseline_rows:
        print("\n3. django-import-export's default configuration, once", flush=True)
        seconds = timed("(b) django-import-export default", default_import_export, files[args.rows], baseline_rows)
        default_rate = baseline_rows / seconds
        reset()

    def median(step, rows, index=0):
        return statistics.median(run[index] for run in runs[step, rows])

    small, large = sizes
    read_large = statistics.median(reads["openpyxl", large])
    first_small, first_large = median("first", small), median("first", large)
    print(f"\nMedians of {args.repeat} runs ({connection.vendor}):")
    print("rows       openpyxl read  ours read   dry run     first      re-import   peak RSS (first)")
    for rows in sizes:
        print(
            f"{rows:<10} {statistics.median(reads['openpyxl', rows]):10.2f} s {statistics.median(reads['ours', rows]):8.2f} s"
            f" {median('dry', rows):8.2f} s {median('first', rows):8.2f} s {median('again', rows):8.2f} s"
            f" {max(run[1] for run in runs['first', rows]):10.0f} MB"
        )
    print(f"\nfirst {large} / openpyxl read of {large}: {first_large / read_large:5.2f}   (goal < 1)")
    print(
        f"first {large} / first {small}:            {first_large / first_small:5.1f}x  (goal <= {large / small * 1.1:.0f}x)"
    )
    print(f"peak RSS of the {large}-row import:      {max(r[1] for r in runs['first', large]):5.0f} MB (goal < 300 MB)")
    for rows in sizes:
        print(
            f"re-import / first, {rows} rows:    {median('again', rows) / median('first', rows):5.2f}   (goal <= 0.5)"
        )
    floor_s = median("floor", small)
    print(f"(a) / (c) at {small} rows:              {first_small / floor_s:5.2f}x the floor's time (goal <= 3x)")
    if default_rate:
        print(
            f"(a) / (b) at {small} rows:              {small / first_small / default_rate:5.1f}x faster (goal >= 20x)"
        )


if __name__ == "__main__":
    main()
