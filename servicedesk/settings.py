"""Settings for servicedesk, read from the environment through one ``env`` object.

With no variable set you get the embedded default: SQLite under ``var/`` and a
Celery broker on SQLite (kombu's SQLAlchemy transport), so nothing needs a
server. Set ``DATABASE_URL`` and ``CELERY_BROKER_URL`` for PostgreSQL and Redis.
"""

from __future__ import annotations

import sys
from pathlib import Path

from servicedesk.env import Env, EnvError

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
env = Env()

# The demo key lets `make run` start with nothing configured; production refuses it.
DEMO_SECRET_KEY = "demo-insecure-servicedesk-key-change-me-in-production-0123456789"  # noqa: S105
DEBUG = env.bool("DEBUG", True)
SECRET_KEY = env.str("SECRET_KEY", DEMO_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEMO_SECRET_KEY:
    raise EnvError("SECRET_KEY", "is the demo key while DEBUG is off", "set SECRET_KEY to a long random string")
if len(SECRET_KEY) < 32:
    raise EnvError("SECRET_KEY", "is shorter than 32 characters", "set SECRET_KEY to a long random string")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", [])
TESTING = "pytest" in sys.modules

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "apps.core",
    "apps.places",
    "apps.people",
    "apps.catalog",
    "apps.sla",
    "apps.tickets",
    "apps.notifications",
    "apps.metrics",
    "apps.open311",
    "apps.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into a 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "servicedesk.urls"
WSGI_APPLICATION = "servicedesk.wsgi.application"
ASGI_APPLICATION = "servicedesk.asgi.application"
AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    # Counts failed logins (pages, admin and the token endpoint) and locks out brute force.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_MINUTES", 15.0) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "apps.core.lockout.lockout_response"
AXES_VERBOSE = False
LOGIN_URL = "/accounts/login/"

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
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and an immediate write lock let the web server and the Celery worker
    # share the file without "database is locked" errors under normal load.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", 60, minimum=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A read replica (optional) for what only reads, and reads a lot: the dashboards, the rates API
# and the exports (apps.metrics). Everything else — every write, and every read that must see a
# write just made — stays on "default". Replication lag shows as figures a few seconds old.
if env.raw("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = {
        **env.db("DATABASE_REPLICA_URL", ""),
        "CONN_MAX_AGE": DATABASES["default"].get("CONN_MAX_AGE", 0),
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"MIRROR": "default"},  # tests read the replica alias from the test database itself
    }
REPORTING_DATABASE = "replica" if "replica" in DATABASES else "default"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits, the grid index version) ------------------------------
CACHE_URL = env.url("CACHE_URL", "locmem://", schemes={"locmem", "redis", "rediss", "file", "dummy"})
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
elif CACHE_URL.startswith("file://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": CACHE_URL[7:]}}
elif CACHE_URL.startswith("dummy://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Passwords and sessions ---------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation -----------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads are never served from a public URL: attachments go through a view
# that checks ticket permissions. MEDIA_ROOT is only where the files live.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MAX_UPLOAD_BYTES = env.int("MAX_UPLOAD_BYTES", 10 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES + 1024 * 1024

# --- Email --------------------------------------------------------------------
vars().update(env.email("EMAIL_URL", "consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "servicedesk@localhost")

# --- REST API -----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "apps.core.pagination.Pagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "servicedesk API",
    "DESCRIPTION": "Community service desk for city grid governance.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PriorityEnum": "apps.core.choices.Priority",
        "TicketChannelEnum": "apps.tickets.models.Channel",
        "NotificationChannelEnum": "apps.notifications.models.Channel",
    },
}

# --- Celery -------------------------------------------------------------------
CELERY_BROKER_URL = env.url(
    "CELERY_BROKER_URL",
    f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}",
    schemes={"redis", "rediss", "sqla+sqlite", "sqla+postgresql", "amqp", "memory", "filesystem"},
)
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", "servicedesk")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Keeps consuming after the broker comes back (servicedesk/worker.py says why a subclass).
CELERY_WORKER_CONSUMER = "servicedesk.worker:Consumer"
# On a lost broker connection, stop the late-acked tasks in flight: the broker redelivers them
# and every task is idempotent, so nothing runs twice to completion (Celery 6's default).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# A publish must not hang a web request when the broker is down: give up fast,
# the outbox row is already committed and the sweep re-enqueues it.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Unacknowledged tasks (acks_late) come back after the visibility timeout if a worker dies.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600, "socket_timeout": 5, "socket_connect_timeout": 3}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = env.str("CELERY_BEAT_SCHEDULE_FILENAME", str(VAR_DIR / "celerybeat-schedule"))
CELERY_BEAT_SCHEDULE = {
    "core-heartbeat": {"task": "apps.core.tasks.heartbeat", "schedule": 60.0},
    "sla-scan": {"task": "apps.sla.tasks.scan", "schedule": 60.0, "options": {"expires": 55}},
    "notifications-sweep": {"task": "apps.notifications.tasks.sweep", "schedule": 60.0, "options": {"expires": 55}},
    # Orphaned attachment files (apps/tickets/orphans.py): daily is plenty, they only cost disk.
    "tickets-sweep-attachments": {
        "task": "apps.tickets.tasks.sweep_attachments",
        "schedule": 24 * 60 * 60.0,
        "options": {"expires": 6 * 60 * 60},
    },
}

# --- Security (on whenever DEBUG is off) --------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = ["security.W021"] if not env.bool("SECURE_HSTS_PRELOAD", False) else []

# --- Domain settings ----------------------------------------------------------
CITY_CODE = env.str("CITY_CODE", "370100")
CITY_NAME = env.str("CITY_NAME", "济南市")
SITE_URL = env.str("SITE_URL", "http://127.0.0.1:8000")
GRID_INDEX_CHECK_SECONDS = env.float("GRID_INDEX_CHECK_SECONDS", 2.0)
GRID_NEAREST_COMMUNITY_MAX_METERS = env.float("GRID_NEAREST_COMMUNITY_MAX_METERS", 500.0)
AUTH_TOKEN_RATE = env.str("AUTH_TOKEN_RATE", "20/min")
OPEN311_JURISDICTION_ID = env.str("OPEN311_JURISDICTION_ID", "")
OPEN311_RATE_PER_KEY = env.str("OPEN311_RATE_PER_KEY", "60/min")
OPEN311_RATE_PER_IP = env.str("OPEN311_RATE_PER_IP", "30/min")
OPEN311_MAX_REQUESTS = env.int("OPEN311_MAX_REQUESTS", 1000, minimum=1)
OPEN311_CONTACT = env.str("OPEN311_CONTACT", "")
OPEN311_KEY_SERVICE = env.str("OPEN311_KEY_SERVICE", "")
# Which intake channels' tickets the public GETs show at all. By default only the online ones,
# where residents typed the report into a public-facing form themselves: a walk-in or phone
# resident told a clerk, not the internet, and patrol notes are written for staff (they may
# describe a household), so window, phone and patrol stay private unless a city opts in.
OPEN311_PUBLIC_CHANNELS = [
    channel.lower() for channel in env.list("OPEN311_PUBLIC_CHANNELS", ["web", "api", "open311"])
]
if _unknown_channels := sorted(
    set(OPEN311_PUBLIC_CHANNELS) - {"web", "api", "open311", "window", "phone", "patrol"}  # tickets.Channel
):
    raise EnvError(
        "OPEN311_PUBLIC_CHANNELS",
        f"names unknown channels {', '.join(_unknown_channels)}",
        "use a comma-separated list of web, api, open311, window, phone, patrol (empty publishes none)",
    )
# Off: no address or address_id, and lat/long rounded to ~100 m (apps/open311/representations.py).
OPEN311_PUBLISH_ADDRESSES = env.bool("OPEN311_PUBLISH_ADDRESSES", True)
OPEN311_PUBLISH_DESCRIPTIONS = env.bool("OPEN311_PUBLISH_DESCRIPTIONS", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

THROTTLE_RATES = {
    "anon_submit": env.str("THROTTLE_ANON_SUBMIT", "30/min"),
    "track": env.str("THROTTLE_TRACK", "20/min"),
}

# --- Notifications and time limits ---------------------------------------------
SMS_BACKEND = env.url("SMS_BACKEND", "console://", schemes={"console", "file", "http", "https"})
SMS_API_KEY = env.str("SMS_API_KEY", "")
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", 8, minimum=1)
SLA_ESCALATION_INTERVAL_HOURS = env.float("SLA_ESCALATION_INTERVAL_HOURS", 24.0)
AUTO_CLOSE_DAYS = env.float("AUTO_CLOSE_DAYS", 7.0)
SLA_SCAN_BATCH = env.int("SLA_SCAN_BATCH", 50, minimum=1)

if TESTING:
    # Hashing with the production hasher costs ~0.3 s per user; tests create thousands.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
