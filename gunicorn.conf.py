"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py portal.wsgi`.

Every value can be overridden from the environment (GUNICORN_BIND, GUNICORN_WORKERS, …).
"""

import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Load the app once in the master: workers fork ready to serve, so a recycled worker costs milliseconds.
preload_app = True
# Recycle workers now and then so a slow leak never takes the site down.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = 2000
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# gunicorn believes X-Forwarded-Proto only from these: by default the proxies Django trusts for the client's
# address (DJANGO_TRUSTED_PROXIES), so one setting names them.
forwarded_allow_ips = (
    os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS") or os.environ.get("DJANGO_TRUSTED_PROXIES") or "127.0.0.1"
)


def pre_fork(server, worker):
    """Freeze what the master loaded (Django, the apps, the urlconf: about 280,000 objects) out of the garbage
    collector's passes before a worker forks from it: they live as long as the worker, and each full collection
    in it would walk them all again (Python's documented use of gc.freeze; it also keeps their memory pages
    shared between the workers)."""
    gc.collect()
    gc.freeze()
