"""Deployment checks of our own, run by `manage.py check --deploy` next to Django's."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

# Backends every gunicorn worker (and every host) reads and writes in common.
SHARED_CACHE_BACKENDS = {
    "django.core.cache.backends.redis.RedisCache",
    "django.core.cache.backends.memcached.PyMemcacheCache",
    "django.core.cache.backends.memcached.PyLibMCCache",
    "django.core.cache.backends.db.DatabaseCache",
}


@register(Tags.caches, deploy=True)
def shared_cache_check(app_configs, **kwargs):
    """Production needs one cache for all workers.

    With a per-process cache each gunicorn worker keeps its own page cache and data version, so after an
    unpublish the workers disagree about what is public, and each keeps its own API rate-limit counters.
    """
    if settings.DEBUG or settings.CACHES["default"]["BACKEND"] in SHARED_CACHE_BACKENDS:
        return []
    return [
        Warning(
            "The default cache is per process: each worker caches pages and counts API requests on its own, "
            "so workers disagree after a change and rate limits multiply by the number of workers.",
            hint="Set DJANGO_CACHE_URL=redis://host:6379/1 (a Redis shared by every worker).",
            id="portal.W001",
        )
    ]
