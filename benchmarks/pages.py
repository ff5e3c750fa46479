"""`make bench-pages`: each public page and API answer as a multiple of a do-nothing view, at 25 and 5,025 clusters.

A throwaway database (a fresh SQLite file in a temporary directory, or BENCH_DATABASE_URL, dropped and
created again: its name must contain "bench") gets the shipped 25 clusters, is measured, then gets
`generate_demo_data --clusters 5000 --years 3` and is measured again. In between, the pages whose rows the
shipped clusters hold none or less than a page of (evaluations, targets, indicator values) are measured with
50 demo clusters that fill a page of each (`generate_demo_data --clusters 50`), the scale they are held flat
against.
Django runs as in production (DEBUG off, public cache off, manifest static files, the production middleware)
and every request goes through Django's WSGI handler in this process, as gunicorn would call it, body read to
the end.

For each URL: one request to learn its status (an optional URL that is not built yet answers 404 and is
skipped), warm-up requests, then rounds of (floor, url) pairs across all URLs, in a new seeded order each
round, so that whatever else the machine or the process does hits the floor and the pages alike; medians
are compared (see `benchmarks.page_report`).
Each request's CPU time in this process is kept too: on a shared machine the wall clock of a long
request also counts the time other processes held the CPU (the short floor mostly escapes that), while
CPU time does not (it does not count PostgreSQL's server time either: see the SQL ms).
Then one untimed request per URL counts its SQL queries, model instances, template nodes and peak Python
memory. `--profile N` writes a cProfile of the N costliest pages at the larger scale.

    python -m benchmarks.pages [--quick] [--clusters 5000] [--repeat 21] [--json out.json] [--profile 5]
"""

import argparse
import cProfile
import gc
import io
import json
import logging
import os
import platform
import pstats
import random
import secrets
import shutil
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from datetime import datetime
from pathlib import Path
from wsgiref.util import setup_testing_defaults

ROOT = Path(__file__).resolve().parent.parent
FILLING_CLUSTERS = 50  # demo clusters that fill the pages the shipped data cannot (page_report.SHIPPED_CANNOT_FILL)
WORKDIR = Path(tempfile.gettempdir()) / f"portal-bench-pages-{os.getpid()}"  # made by main()
BENCH_DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "")
os.environ.update(
    DATABASE_URL=BENCH_DATABASE_URL or f"sqlite:///{WORKDIR / 'bench.sqlite3'}",
    DJANGO_SETTINGS_MODULE="portal.settings",
    DJANGO_DEBUG="0",
    DJANGO_PUBLIC_CACHE_SECONDS="0",  # the point is the cost the cache hides
    DJANGO_SECRET_KEY=secrets.token_urlsafe(40),  # this process only
    DJANGO_ALLOWED_HOSTS="testserver",
    DJANGO_SECURE_SSL_REDIRECT="0",
    DJANGO_ROOT_URLCONF="benchmarks.floor_urls",  # the site plus the floor view
    DJANGO_API_ANON_RATE="100000000/minute",  # the throttle would otherwise be what we measure
    DJANGO_CACHE_URL="",  # per-process memory cache (for the throttle): no Redis shared with other runs
)
sys.path.insert(0, str(ROOT))

import dj_database_url  # noqa: E402
import django  # noqa: E402

from benchmarks import page_report  # noqa: E402
from benchmarks.page_report import FLOOR_PATH, PAGES, SHIPPED_CANNOT_FILL, PageResult, Scale  # noqa: E402


def _postgres(params):
    import psycopg

    server = {key.lower(): params.get(key) or None for key in ("HOST", "PORT", "USER", "PASSWORD")}
    return psycopg.connect(dbname="postgres", autocommit=True, **server)


def fresh_database():
    """Empty the benchmark's database (before Django connects to it); return how to drop it afterwards.

    Only a database whose name says "bench" is touched: the benchmark deletes it and fills it anew.
    """
    if not BENCH_DATABASE_URL:
        return lambda: None  # the SQLite file lives in WORKDIR
    from psycopg import sql

    params = dj_database_url.parse(BENCH_DATABASE_URL)
    name = params["NAME"]
    if "bench" not in Path(name).name:
        raise SystemExit(f"BENCH_DATABASE_URL names {name!r}: it is deleted and refilled, so its name must say bench")
    if params["ENGINE"].endswith("sqlite3"):
        Path(name).unlink(missing_ok=True)
        return lambda: Path(name).unlink(missing_ok=True)
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with _postgres(params) as server:
        server.execute(drop)
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def drop_database():
        with _postgres(params) as server:
            server.execute(drop)

    return drop_database


django.setup()
logging.getLogger("django.request").setLevel(logging.ERROR)  # a 404 of a page not built yet is expected

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models.signals import post_init  # noqa: E402
from django.template.base import Node  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

from clusters.models import Cluster, EvaluationRecord  # noqa: E402


def request(handler, url):
    """One GET through the WSGI handler, body read to the end: (status, body bytes, streamed?)."""
    path, _, query = url.partition("?")
    environ = {"PATH_INFO": path, "QUERY_STRING": query, "HTTP_HOST": "testserver", "SERVER_NAME": "testserver"}
    setup_testing_defaults(environ)
    statuses = []
    result = handler(environ, lambda status, headers, exc_info=None: statuses.append(status))
    try:
        size = sum(len(chunk) for chunk in result)
    finally:
        result.close()  # fires request_finished, as a WSGI server does
    return int(statuses[0].split()[0]), size, getattr(result, "streaming", False)


def timed(handler, url):
    """(wall seconds, this process's CPU seconds) of one request."""
    wall, cpu = time.perf_counter(), time.process_time()
    request(handler, url)
    return time.perf_counter() - wall, time.process_time() - cpu


def probe(handler, page):
    """Two untimed requests that count what the page does.

    The first counts SQL queries (and the time the database driver spent executing them: all of it on
    PostgreSQL, whose client receives the whole result in `execute`; on SQLite only the first row's share,
    the rest is stepped while Django fetches), model instances and template nodes; the second, alone
    because tracing slows Python down, the peak Python memory.
    """
    instances = Counter()
    nodes = 0
    sql_seconds = 0.0
    render_annotated = Node.render_annotated

    def time_sql(execute, sql, params, many, context):
        nonlocal sql_seconds
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            sql_seconds += time.perf_counter() - start

    def count_node(self, context):
        nonlocal nodes
        nodes += 1
        return render_annotated(self, context)

    def count_instance(sender, **kwargs):
        instances[sender.__name__] += 1

    post_init.connect(count_instance, weak=False, dispatch_uid="bench-pages")
    Node.render_annotated = count_node
    try:
        with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(time_sql):
            page.status, page.size, page.streaming = request(handler, page.path)
    finally:
        Node.render_annotated = render_annotated
        post_init.disconnect(dispatch_uid="bench-pages")
    page.queries, page.instances, page.nodes = len(queries), sum(instances.values()), nodes
    page.sql_ms = sql_seconds * 1000
    tracemalloc.start()
    try:
        request(handler, page.path)
        page.peak_memory = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return instances


def freeze_what_loading_left():
    """Freeze what this process built before serving, as gunicorn's master does before forking a worker
    (gunicorn.conf.py). Otherwise every full garbage collection during the rounds walks what loading the data
    left behind (355,000 objects after the demo data, 280,000 in a freshly loaded worker): in a pair of runs on
    PostgreSQL it made the API detail 11.8× the floor instead of 9.3×, the filtered list 14.4× instead of 12.1×."""
    gc.collect()
    gc.freeze()


def measure(handler, settings, only=None):
    """Every URL (or those named in ``only``) at the database's current size."""
    clusters = Cluster.objects.count()
    evaluated = EvaluationRecord.objects.published().values("cluster_id").distinct().count()
    print(f"\nMeasuring at {clusters:,} clusters ({evaluated:,} with evaluations) …", flush=True)
    load_before = os.getloadavg()[0]
    pages = {}
    for name, path, optional in PAGES:
        if (settings.pages and name not in settings.pages) or (only and name not in only):
            continue
        status = request(handler, path)[0]
        pages[name] = PageResult(name, path, status)
        if status == 404 and optional:
            pages[name].note = "not built yet"
        elif status != 200:
            print(f"  {name} ({path}) answered {status}: not timed", flush=True)
    live = [page for page in pages.values() if page.status == 200]
    for _ in range(settings.warmup):
        timed(handler, FLOOR_PATH)
        for page in live:
            timed(handler, page.path)
    spent = Counter()
    for round_number in range(settings.repeat):
        # A new order each round (seeded: the same every run). In a fixed order, work that recurs every so
        # many requests landed on the same (floor, page) pair each round: at 25 clusters the floor before the
        # API detail measured 0.38 ms of CPU in every run, the others 0.24 (0.23 with the garbage collector
        # off: a collection fell there), and at 5,025 the one before the map 0.55.
        for page in random.Random(round_number).sample(live, len(live)):
            if round_number >= settings.min_rounds and spent[page.name] >= settings.budget:
                continue
            floor_wall, floor_cpu = timed(handler, FLOOR_PATH)
            wall, cpu = timed(handler, page.path)
            page.floors.append(floor_wall)
            page.times.append(wall)
            page.cpu_floors.append(floor_cpu)
            page.cpu_times.append(cpu)
            spent[page.name] += wall
    for page in live:
        probe(handler, page)
        print(
            f"  {page.name:<22} {page.ms:9.1f} ms {page.ratio:9.1f}× floor (CPU {page.cpu_ratio:8.1f}×)"
            f"  {len(page.times):>2} rounds"
            f"  {page.queries:>3} queries  {page.size / 1024:9.1f} KB",
            flush=True,
        )
    return Scale(clusters, pages, (load_before, os.getloadavg()[0]), evaluated)


def profile(handler, scale, count, directory):
    """cProfile one request of each of the `count` costliest pages; print the top of each, save the .prof files.

    cProfile's wall clock: on a busy machine every function's time stretches alike, so read the shares,
    not the milliseconds. (A CPU-time timer would be immune to that, but it costs a system call per
    event and made the rankings page seven times slower under the profiler.)
    """
    directory.mkdir(parents=True, exist_ok=True)
    worst = sorted((p for p in scale.pages.values() if p.measured), key=lambda p: p.ratio, reverse=True)[:count]
    for page in worst:
        profiler = cProfile.Profile()
        profiler.runcall(request, handler, page.path)
        target = directory / f"{page.name.replace(' ', '-')}-{scale.clusters}.prof"
        profiler.dump_stats(target)
        instances = probe(handler, page)
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        # The project's own functions by cumulative time (what the page asks for), then the hottest
        # functions anywhere by their own time (where the interpreter actually spends it).
        stats.sort_stats("cumulative").print_stats(r"/(clusters|portal)/", 25)
        stats.sort_stats("tottime").print_stats(20)
        print(f"\n=== {page.name} ({page.path}) at {scale.clusters:,} clusters: {target}")
        print(f"model instances: {page.instances:,} {dict(instances.most_common(8))}; template nodes: {page.nodes:,}")
        print(out.getvalue())


def prepare():
    print(f"Throwaway database: {connection.settings_dict['NAME']} ({connection.vendor})", flush=True)
    # Production serves hashed static names from a manifest: collect into the temporary directory.
    override_settings(STATIC_ROOT=str(WORKDIR / "static")).enable()
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    call_command("load_portal_data", verbosity=0, quiet_hint=True)


def grow(clusters):
    """Replace any demo clusters with ``clusters`` new ones, each with three years of data and evaluations."""
    print(f"\nAdding {clusters:,} demo clusters (generate_demo_data --clusters {clusters} --years 3) …", flush=True)
    started = time.perf_counter()
    call_command("generate_demo_data", clusters=clusters, years=3, seed=1, stdout=io.StringIO())
    if connection.vendor == "postgresql":
        # Autovacuum would vacuum and analyse the new rows within a minute or so: the planner should not measure
        # before it, nor an index-only scan find every page not yet marked all-visible.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(f"  done in {time.perf_counter() - started:.0f} s", flush=True)


def report(small, large, filled, args, started):
    machine = (
        f"{platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, Django {django.__version__}"
    )
    print(f"\nPages against the floor, {connection.vendor}, {datetime.now():%Y-%m-%d %H:%M} ({machine})")
    for scale in (small, large):
        print(
            f"  {scale.clusters:,} clusters: floor median {scale.floor_ms():.2f} ms, "
            f"load average {scale.load[0]:.1f} → {scale.load[1]:.1f}"
        )
    print()
    print(page_report.timing_table(small, large))
    print()
    print(page_report.work_table(small, large))
    if filled is not None:
        print(
            f"\nThe pages the shipped data cannot fill, against {filled.clusters:,} clusters that fill them "
            f"(floor median {filled.floor_ms():.2f} ms):"
        )
        print(page_report.timing_table(filled, large.only(SHIPPED_CANNOT_FILL)))
        print()
        print(page_report.work_table(filled, large.only(SHIPPED_CANNOT_FILL)))
    goals = page_report.evaluate_goals(small, large, on_cpu=args.judge == "cpu", filled=filled)
    print(f"\nGoals (issue 14), judged on {'CPU' if args.judge == 'cpu' else 'wall-clock'} ratios:")
    print(page_report.goals_text(goals))
    print(f"\nTotal {time.perf_counter() - started:.0f} s")
    if args.json:
        data = {
            "date": datetime.now().isoformat(timespec="seconds"),
            "database": connection.vendor,
            "machine": machine,
            "settings": {
                "repeat": args.repeat,
                "min_rounds": args.min_rounds,
                "budget": args.budget,
                "judge": args.judge,
            },
            "scales": [_as_dict(scale) for scale in (small, large)],
            "filled_scale": _as_dict(filled) if filled else None,
            "goals": [{"goal": g.text, "met": g.met, "detail": g.detail} for g in goals],
        }
        Path(args.json).write_text(json.dumps(data, ensure_ascii=False, indent=2))
        print(f"Saved {args.json}")


def _as_dict(scale):
    return {
        "clusters": scale.clusters,
        "evaluated": scale.evaluated,
        "floor_ms": scale.floor_ms(),
        "load": scale.load,
        "pages": {name: page.as_dict() for name, page in scale.pages.items()},
    }


def arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clusters", type=int, default=5000, help="demo clusters added for the second scale")
    parser.add_argument("--repeat", type=int, default=21, help="most (floor, page) rounds per URL")
    parser.add_argument("--min-rounds", type=int, default=5, help="rounds every URL gets, however slow")
    parser.add_argument("--budget", type=float, default=10, help="seconds per URL after which it stops at --min-rounds")
    parser.add_argument("--warmup", type=int, default=2, help="untimed requests per URL before the rounds")
    parser.add_argument("--quick", action="store_true", help="smoke test: 3 rounds, 1 warm-up, 2 s budget")
    parser.add_argument(
        "--pages",
        type=lambda text: [name.strip() for name in text.split(",")],
        help="only these pages (names, comma-separated)",
    )
    parser.add_argument(
        "--judge",
        choices=["wall", "cpu"],
        default="wall",
        help="judge the goals on wall-clock ratios (the issue's) or CPU ratios (steadier on a busy machine)",
    )
    parser.add_argument("--json", help="save the results here")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="cProfile the N costliest pages")
    parser.add_argument("--profile-dir", default=str(ROOT / "bench-output"), help="where the .prof files go")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database")
    args = parser.parse_args()
    unknown = set(args.pages or ()) - {name for name, _path, _optional in PAGES}
    if unknown:
        parser.error(f"unknown pages: {', '.join(sorted(unknown))}; known: {', '.join(n for n, _p, _o in PAGES)}")
    if args.quick:
        args.repeat, args.min_rounds, args.budget, args.warmup = 3, 1, 2, 1
    return args


def main():
    args = arguments()
    started = time.perf_counter()
    drop_database = fresh_database()
    WORKDIR.mkdir()
    try:
        prepare()
        handler = WSGIHandler()  # after collectstatic: WhiteNoise indexes the static files when it starts
        freeze_what_loading_left()
        small = measure(handler, args)
        filled = None
        if not args.pages or set(args.pages) & set(SHIPPED_CANNOT_FILL):
            grow(FILLING_CLUSTERS)
            freeze_what_loading_left()
            filled = measure(handler, args, only=SHIPPED_CANNOT_FILL)
        grow(args.clusters)
        freeze_what_loading_left()
        large = measure(handler, args)
        report(small, large, filled, args, started)
        if args.profile:
            profile(handler, large, args.profile, Path(args.profile_dir))
    finally:
        connection.close()
        if args.keep:
            print(f"Kept {connection.settings_dict['NAME']}")
        else:
            drop_database()
            shutil.rmtree(WORKDIR, ignore_errors=True)


if __name__ == "__main__":
    main()
