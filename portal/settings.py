"""Settings for Cluster Portal.

Everything that differs between a laptop and production comes from the environment:
DATABASE_URL, DJANGO_SECRET_KEY, DJANGO_DEBUG, DJANGO_ALLOWED_HOSTS.
"""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    # Local development only: production refuses to start without a real key.
    SECRET_KEY = "django-insecure-local-development-key-not-for-production-use-0123456789"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG else "")

INSTALLED_APPS = [
    "clusters.admin_site.PortalAdminConfig",  # django.contrib.admin, with the home page grouped by task
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "simple_history",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "portal.apps.PortalConfig",
    "clusters",
]

MIDDLEWARE = [
    # First: nothing may read X-Forwarded-Proto before an untrusted one is dropped.
    "portal.clientip.UntrustedForwardingHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.locale.PortalLocaleMiddleware",  # public pages by URL, the rest by cookie and browser
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # After auth and locale: it needs to know the user is anonymous and which language to serve.
    "portal.caching.PublicCacheMiddleware",
    # Inside the page cache: a cached response keeps the policy its view set (the API docs' own addition).
    "csp.middleware.CSPMiddleware",
    # Before any view or filter reads the query; inside the policy, so its 400 page carries it too.
    "portal.nul_bytes.RejectNulBytesMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# The load test swaps in a urlconf that adds a minimal "floor" view; nothing else should set it.
ROOT_URLCONF = os.environ.get("DJANGO_ROOT_URLCONF", "portal.urls")

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # Django's url, i18n and static tags, remembered where the answer is fixed (portal.template_tags):
            # templates use them without {% load i18n static %}.
            "builtins": ["portal.template_tags"],
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
_on_postgresql = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if _on_postgresql:
    # Django's backend with a health check that reads the socket instead of sending SELECT 1 (portal/postgresql).
    DATABASES["default"]["ENGINE"] = "portal.postgresql"
if _on_postgresql and env_bool("DJANGO_DB_PREPARED_STATEMENTS", True):
    # psycopg prepares a statement once it has run this often on a connection. Django's own queries bind on the
    # client and are never prepared; only clusters.prepared's fixed reads are. Django leaves this off for
    # connection poolers in transaction mode, which lose a session's prepared statements: set 0 behind one.
    # A migration that changes the type of a column those reads return makes them fail on connections opened
    # before it ("cached plan must not change result type") until renewed (CONN_MAX_AGE) or the workers restart.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "clusters.api.schema.AutoSchema",
    # Token first: an anonymous write then gets 401 with `WWW-Authenticate: Token` instead of a bare 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Reads are public; writes need staff with the model's add/change/delete permission.
    "DEFAULT_PERMISSION_CLASSES": ["clusters.api.permissions.StaffModelPermissionsOrReadOnly"],
    # DRF's defaults, with a JSON parser that answers absurd nesting with 400.
    "DEFAULT_PARSER_CLASSES": [
        "clusters.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "clusters.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": [
        "clusters.api.throttling.AnonRateThrottle",
        "clusters.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("DJANGO_API_ANON_RATE", "120/minute"),
        "user": os.environ.get("DJANGO_API_USER_RATE", "1200/minute"),
    },
    # Numbers stay numbers in JSON (4000.0, not "4000.0000").
    "COERCE_DECIMAL_TO_STRING": False,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
API_MAX_PAGE_SIZE = 200
# Anonymous reads may be cached this long by browsers and proxies (seconds).
API_CACHE_MAX_AGE = int(os.environ.get("DJANGO_API_CACHE_MAX_AGE", "300"))

SPECTACULAR_SETTINGS = {
    "TITLE": "Cluster Portal API",
    "DESCRIPTION": "先进制造业集群公共数据接口：公众只读；有相应权限的员工可写。",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    # BaseLayout shows no online-validator badge; null keeps Swagger UI from calling one anyway.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "SCHEMA_PATH_PREFIX": r"/api/",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TierEnum": "clusters.choices.Tier",
        "ClusterStatusEnum": "clusters.choices.ClusterStatus",
        "QualifierEnum": "clusters.choices.Qualifier",
        "EvaluationTypeEnum": "clusters.choices.EvaluationType",
        "GradeEnum": "clusters.choices.Grade",
        "ConclusionEnum": "clusters.choices.Conclusion",
        "EvaluationStateEnum": "clusters.choices.EvaluationState",
        "SourceKindEnum": "clusters.choices.SourceKind",
    },
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Redis in production (DJANGO_CACHE_URL=redis://127.0.0.1:6379/1); a directory shared by the processes of one
# machine with file:///path (manage.py's default: runserver, the import worker and commands run by hand see each
# other's data changes); per-process memory otherwise (tests).
CACHE_URL = os.environ.get("DJANGO_CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://")):
    _default_cache = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
elif CACHE_URL.startswith("file://"):
    _default_cache = {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": CACHE_URL[7:]}
elif not CACHE_URL:
    _default_cache = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
else:  # a typo must not quietly give each process a cache of its own
    raise ImproperlyConfigured(f"DJANGO_CACHE_URL must start with redis://, rediss:// or file://, not {CACHE_URL!r}")
CACHES = {
    "default": _default_cache,
    # Template fragments that depend on the code and the language only (base.html's header menu and footer),
    # kept in each process: a round trip to Redis would cost what rendering them costs.
    "chrome": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "chrome", "TIMEOUT": None},
}
# Anonymous GETs of public pages and the API are served from the cache for this long (0 = off);
# any data change invalidates them at once.
PUBLIC_CACHE_SECONDS = int(os.environ.get("DJANGO_PUBLIC_CACHE_SECONDS", "0" if DEBUG else "300"))
PUBLIC_CACHE_EXCLUDED_PREFIXES = ("/admin/", "/healthz", "/i18n/", "/static/")

# The proxies allowed to name the client in X-Forwarded-For (IPs or CIDRs); none by default, so the
# connecting address is the client. portal.clientip.client_ip applies it for the lockout and the API limits.
try:
    TRUSTED_PROXIES = [str(ipaddress.ip_network(p, strict=False)) for p in env_list("DJANGO_TRUSTED_PROXIES")]
except ValueError as exc:
    raise ImproperlyConfigured(f"DJANGO_TRUSTED_PROXIES: {exc}") from exc

# Login lockout (django-axes): five wrong passwords for one account from one address lock that pair out
# for 15 minutes. Attempts live in the database, so every worker and host sees the same count.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(seconds=int(os.environ.get("DJANGO_LOGIN_LOCKOUT_SECONDS", "900")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "portal.clientip.client_ip"
AXES_LOCKOUT_CALLABLE = "portal.lockout.locked_out"
AXES_RESET_ON_SUCCESS = True
# Tries during the lock do not extend it: the lock ends LOCKOUT_SECONDS after the failure that set it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False  # no banner on every manage.py command; lockouts are still logged

# Content-Security-Policy (django-csp): everything from this site, nothing inline. No nonces: the page
# cache shares one response among visitors, and a shared nonce is no nonce. Our templates carry no inline
# script or style (bars are SVG); Swagger UI loads its start-up script as a file (split view) and its
# view alone adds data: images (clusters/api/urls.py); the browsable API's template drops DRF's inline
# style (templates/rest_framework/api.html).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Request bodies other than file uploads stay small; spreadsheet uploads have their own limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Review: whoever submitted an evaluation may not approve or publish it. Set 0 only for a one-person office;
# the admin then says so on every evaluation page.
EVALUATION_SEPARATION_OF_DUTIES = env_bool("DJANGO_EVALUATION_SEPARATION_OF_DUTIES", True)

IMPORT_EXPORT_USE_TRANSACTIONS = True
# Spreadsheet imports (clusters/sheets): what a file may hold before it is refused, unread, with a message that
# says which limit it passed (README, "Spreadsheet limits"). Each bound keeps a hostile or careless file to a
# few seconds and a few hundred MB, through the command or the admin.
IMPORT_MAX_UPLOAD_SIZE = int(os.environ.get("IMPORT_MAX_UPLOAD_SIZE", 20 * 1024 * 1024))  # bytes of the file
IMPORT_MAX_UNCOMPRESSED_SIZE = int(os.environ.get("IMPORT_MAX_UNCOMPRESSED_SIZE", 200 * 1024 * 1024))  # xlsx/ods parts
IMPORT_MAX_SHARED_STRINGS = int(os.environ.get("IMPORT_MAX_SHARED_STRINGS", 1_000_000))  # distinct texts of an xlsx
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", 200_000))  # rows of the sheet read
IMPORT_MAX_CELLS = int(os.environ.get("IMPORT_MAX_CELLS", 4_000_000))  # rows × columns the sheet spans
IMPORT_MAX_ERRORS = int(os.environ.get("IMPORT_MAX_ERRORS", 500))  # errors listed; the rest are counted
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# Admin imports run as background jobs (clusters/sheets/jobs.py) through Django's tasks API (the django-tasks
# backport). The database backend needs nothing else installed: `make run` starts one worker beside the server;
# production runs any number of `manage.py db_worker` processes on machines sharing the database (README,
# "Workers in production").
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A running job refreshes its heartbeat every few seconds while it reads and checks; one silent for longer than
# this is taken for a dead worker and shown (and marked) failed. Its write is one transaction, so nothing of it
# was written. Keep it above the longest write of a file at IMPORT_MAX_ROWS.
IMPORT_JOB_STALE_SECONDS = int(os.environ.get("IMPORT_JOB_STALE_SECONDS", 300))
IMPORT_PREVIEW_PAGE_SIZE = 100  # rows per page of a checked file's preview

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "portal.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": os.environ.get("DJANGO_LOG_FORMAT", "text" if DEBUG else "json"),
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

if not DEBUG:
    # Behind a TLS-terminating proxy set DJANGO_SECURE_SSL_REDIRECT=0 and let the proxy redirect.
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
