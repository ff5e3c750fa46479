"""Settings come from the environment; production mode passes Django's deployment checklist."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-key-with-enough-entropy-0123456789-abcdefghij",
    "DJANGO_ALLOWED_HOSTS": "clusters.example.org",
}


def test_production_settings_pass_check_deploy():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION, DJANGO_CACHE_URL="redis://127.0.0.1:6379/1"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_reports_production_without_a_shared_cache():
    """Each gunicorn worker would cache pages and count API requests on its own."""
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode != 0
    assert "portal.W001" in result.stderr and "DJANGO_CACHE_URL" in result.stderr


def test_production_refuses_to_start_without_secret_key():
    result = run_manage("check", DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="clusters.example.org")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_database_url_selects_the_database():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.db import connection; print(connection.vendor)",
        DATABASE_URL="sqlite:////tmp/x.db",
    )
    assert result.stdout.strip() == "sqlite", result.stderr


def test_postgresql_prepares_statements_unless_told_not_to():
    """On by default for PostgreSQL (only clusters.prepared's reads bind on the server and get prepared); off with
    DJANGO_DB_PREPARED_STATEMENTS=0, as behind a pooler in transaction mode; nothing to set for SQLite."""
    show = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'].get('prepare_threshold'))"
    postgres = "postgres://postgres@127.0.0.1:5432/cluster_portal"
    answers = {
        "postgres": run_manage("shell", "--no-imports", "-c", show, DATABASE_URL=postgres),
        "postgres, off": run_manage(
            "shell", "--no-imports", "-c", show, DATABASE_URL=postgres, DJANGO_DB_PREPARED_STATEMENTS="0"
        ),
        "sqlite": run_manage("shell", "--no-imports", "-c", show, DATABASE_URL="sqlite:////tmp/x.db"),
    }
    assert {name: result.stdout.strip() or result.stderr for name, result in answers.items()} == {
        "postgres": "5",
        "postgres, off": "None",
        "sqlite": "None",
    }


def test_processes_started_by_manage_py_share_the_data_version(tmp_path, settings):
    """runserver, the import worker and commands run by hand are separate processes: a data change committed in one
    (an admin import the worker runs, generate_demo_data) must move the version the others' memos and cached pages
    are keyed by. With a per-process cache the server kept its memos until it restarted."""
    read = "from portal.caching import data_version; print(data_version())"
    bump = "from portal.caching import bump_data_version; bump_data_version()"
    shared = {"DJANGO_CACHE_URL": f"file://{tmp_path}"}
    before = run_manage("shell", "--no-imports", "-c", read, **shared)
    assert run_manage("shell", "--no-imports", "-c", bump, **shared).returncode == 0
    after = run_manage("shell", "--no-imports", "-c", read, **shared)
    assert int(after.stdout) == int(before.stdout) + 1, (before.stderr, after.stderr)

    # Without DJANGO_CACHE_URL, manage.py picks the checkout's directory; tests (not started by manage.py) keep a
    # per-process cache of their own.
    show = "from django.conf import settings; print(settings.CACHES['default'])"
    default = run_manage("shell", "--no-imports", "-c", show).stdout
    assert "FileBasedCache" in default and f"{ROOT / '.cache' / 'django'}" in default, default
    assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")


def test_a_cache_url_of_an_unknown_kind_is_refused():
    """A typo (memcache://, redis:/) used to fall back to a cache per process without a word: in production each
    worker would then keep its own data version and rate limits."""
    result = run_manage("check", DJANGO_CACHE_URL="memcache://127.0.0.1:11211")
    assert result.returncode != 0
    assert "DJANGO_CACHE_URL must start with redis://, rediss:// or file://" in result.stderr, result.stderr
