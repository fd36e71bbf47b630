"""
Vigil's settings. The environment is read here and nowhere else.

The embedded default needs no environment at all apart from DEBUG=1: a SQLite
file, tasks run inline, a local-memory cache, mail to the console. Production
sets DATABASE_URL, REDIS_URL, SECRET_KEY and ALLOWED_HOSTS.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- Core --------------------------------------------------------------------

DEBUG = env_bool("DEBUG")

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (DEBUG=1 uses a development key)."
        )
    SECRET_KEY = "django-insecure-vigil-development-only"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# A stale form gets a page in the site's look that gives back what was typed.
CSRF_FAILURE_VIEW = "vigil.errors.csrf_failure"

# The public address, used in e-mails, feeds and structured data built outside a request.
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_htmx",
    "axes",
    "vigil",
    "articles",
    "claims",
    "reviews",
    "corrections",
    "dissent",
]

MIDDLEWARE = [
    # First: every later line of the request carries its id (vigil.logs).
    "vigil.logs.RequestLog",
    # Before anything costly: a request that waited past its deadline gets a fast 503.
    "vigil.shedding.ShedLateRequests",
    "django.middleware.security.SecurityMiddleware",
    # Outermost but one: it sees the cookies and tokens the others set.
    "vigil.pagecache.PrivateResponsesMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "vigil.browser_policy.browser_policy",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "vigil.urls"
WSGI_APPLICATION = "vigil.wsgi.application"
ASGI_APPLICATION = "vigil.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # {% url %} reversed once per process (vigil.links).
            "builtins": ["vigil.templatetags.links"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vigil.context_processors.site",
                "claims.context_processors.reviewed_count",
            ],
        },
    },
]

# --- Database ----------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'vigil.sqlite3'}"),
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    (BASE_DIR / "var").mkdir(exist_ok=True)
    # WAL lets readers and the dev server's writers overlap without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    # A database that does not answer fails a request in seconds, not minutes.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = int(
        env("DB_CONNECT_TIMEOUT", "5")
    )
    if env_bool("DB_POOL"):
        # psycopg's pool, for threaded or async workers; sync workers keep one
        # persistent connection each (CONN_MAX_AGE above) and need no pool.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": int(env("DB_POOL_MIN", "2")),
            "max_size": int(env("DB_POOL_MAX", "8")),
        }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and tasks ---------------------------------------------------------

REDIS_URL = env("REDIS_URL")
# The cache may live in its own Redis (with maxmemory and LRU eviction, as in
# docker-compose.yml), so that evicting cached pages never drops the broker's queue.
CACHE_REDIS_URL = env("CACHE_REDIS_URL", REDIS_URL)

# Redis is a cache: a request never waits long on it and never fails for it
# (vigil/cache.py). A call gives up after these timeouts, and then the process
# stops asking for VIGIL_CACHE_RETRY_SECONDS.
REDIS_CONNECT_TIMEOUT = float(env("REDIS_CONNECT_TIMEOUT", "0.5"))
REDIS_TIMEOUT = float(env("REDIS_TIMEOUT", "0.5"))
VIGIL_CACHE_RETRY_SECONDS = float(env("VIGIL_CACHE_RETRY_SECONDS", "5"))


def redis_caches(url):
    """The cache on Redis at `url` (tests point it at a Redis of their own)."""
    return {
        "default": {
            "BACKEND": "vigil.cache.ResilientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "vigil",
            "TIMEOUT": 300,
            "OPTIONS": {
                "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
                "socket_timeout": REDIS_TIMEOUT,
            },
        }
    }


if CACHE_REDIS_URL:
    CACHES = redis_caches(CACHE_REDIS_URL)
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "vigil",
            "TIMEOUT": 300,
        }
    }

# With no broker, tasks run inline in the process that queues them.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_TIMEOUT = 2

# Whole public pages are cached for anonymous readers (vigil.pagecache), each
# kept by the versions of its tags (vigil.freshness), so an edit shows at once.
VIGIL_PAGE_CACHE = env_bool("VIGIL_PAGE_CACHE", True)
# The safety TTL: a cached page, fragment or count lives at most this long, so
# a change whose cache bump was lost (a worker killed right after commit) shows
# within it. Bumps that failed are also retried (vigil.actions.follow_ups_retry).
VIGIL_PAGE_CACHE_SECONDS = int(env("VIGIL_PAGE_CACHE_SECONDS", "300"))
# Per-object fragments (vigil.objectcache): a claim's block, a badge, a log
# entry, kept until the object changes; 0 turns them off (nothing asked or kept).
VIGIL_FRAGMENT_CACHE_SECONDS = int(env("VIGIL_FRAGMENT_CACHE_SECONDS", str(VIGIL_PAGE_CACHE_SECONDS)))
# How long a worker trusts the tag versions it last read (seconds): a
# change reaches every reader within this time; 0 asks Redis on every request.
VIGIL_PAGE_CACHE_LOCAL_SECONDS = float(env("VIGIL_PAGE_CACHE_LOCAL_SECONDS", "1"))

# --- Edge cache --------------------------------------------------------------

# What stands in front of Vigil and how it is purged (vigil.purgers): none,
# varnish, fastly or cloudflare. With none, nothing is purged, so shared
# caches are told to keep a copy for a minute only; a purged edge keeps it
# until the next midnight (countdowns turn over then).
_PURGER = env("VIGIL_PURGER", "none")
VIGIL_EDGE = {
    "PURGER": _PURGER,
    "VARNISH_URLS": env_list("VIGIL_VARNISH_URLS", "http://127.0.0.1:6081/"),
    "FASTLY_SERVICE_ID": env("FASTLY_SERVICE_ID", ""),
    "FASTLY_API_TOKEN": env("FASTLY_API_TOKEN", ""),
    "CLOUDFLARE_ZONE_ID": env("CLOUDFLARE_ZONE_ID", ""),
    "CLOUDFLARE_API_TOKEN": env("CLOUDFLARE_API_TOKEN", ""),
    # Seconds. Browsers ask again every time (a 304 is cheap: a reader never
    # sees an old verdict from their own cache); shared caches keep pages longer.
    "MAX_AGE": int(env("VIGIL_EDGE_MAX_AGE", "0")),
    "S_MAXAGE": int(env("VIGIL_EDGE_S_MAXAGE", "60" if _PURGER == "none" else str(24 * 60 * 60))),
    "STALE_WHILE_REVALIDATE": int(env("VIGIL_EDGE_STALE_WHILE_REVALIDATE", "30")),
    # Vigil down: yesterday's page is better than an error page.
    "STALE_IF_ERROR": int(env("VIGIL_EDGE_STALE_IF_ERROR", str(24 * 60 * 60))),
    # Purges of one tag within this many seconds go to the edge once: the
    # first at once, the rest together when the window ends (vigil.purgers).
    # Only with a worker to send that last one (REDIS_URL); without one every
    # purge goes at once, in the request.
    "COALESCE_SECONDS": float(env("VIGIL_EDGE_COALESCE_SECONDS", "1" if REDIS_URL else "0")),
}

# --- Load shedding -----------------------------------------------------------

# A request that waited longer than this in the queue (X-Request-Start, set by
# the proxy) is answered 503 at once with Retry-After (vigil/shedding.py).
VIGIL_REQUEST_DEADLINE_SECONDS = float(env("VIGIL_REQUEST_DEADLINE_SECONDS", "3"))
VIGIL_SHED_RETRY_AFTER_SECONDS = int(env("VIGIL_SHED_RETRY_AFTER_SECONDS", "5"))

# --- Publication -------------------------------------------------------------

VIGIL = {
    # Public claim codes read PREFIX-NNN, e.g. AM-060.
    "CLAIM_CODE_PREFIX": env("VIGIL_CLAIM_CODE_PREFIX", "AM"),
    "CLAIM_CODE_DIGITS": 3,
    # Claims this many days from due count as "due soon" (reminders, ledger).
    "DUE_SOON_DAYS": int(env("VIGIL_DUE_SOON_DAYS", "7")),
    # The editor queue shows claims due within this many days.
    "QUEUE_WINDOW_DAYS": int(env("VIGIL_QUEUE_WINDOW_DAYS", "14")),
    "PUBLICATION_NAME": env("VIGIL_PUBLICATION_NAME", "Vigil"),
    # A review's next due date is the least-loaded day within this share of
    # the chosen cadence either side (claims/scheduling.py, proposed_due).
    "LOAD_WINDOW_PERCENT": int(env("VIGIL_LOAD_WINDOW_PERCENT", "10")),
    # A claim overdue by more than this many days is escalated to the admins.
    "ESCALATE_AFTER_DAYS": int(env("VIGIL_ESCALATE_AFTER_DAYS", "14")),
    # This share of reviews gets a blind second review by another editor.
    "SECOND_REVIEW_PERCENT": int(env("VIGIL_SECOND_REVIEW_PERCENT", "10")),
    # An invitation to the desk (vigil.people) works once, for this many days.
    "INVITE_DAYS": int(env("VIGIL_INVITE_DAYS", "7")),
    # The largest cover upload the app accepts (nginx refuses above 6 MB).
    "COVER_MAX_BYTES": int(env("VIGIL_COVER_MAX_MB", "5")) * 1024 * 1024,
}

# --- Public forms ------------------------------------------------------------

# Dissent and error reports come from the open internet. Each client address
# may send RATE_LIMIT form posts per RATE_WINDOW_SECONDS (cache-counted, so
# shared across web replicas through Redis); more get HTTP 429 and their text back.
PUBLIC_FORMS = {
    "RATE_LIMIT": int(env("VIGIL_FORM_RATE_LIMIT", "5")),
    "RATE_WINDOW_SECONDS": int(env("VIGIL_FORM_RATE_WINDOW_SECONDS", "600")),
    "ARGUMENT_MIN_CHARS": int(env("VIGIL_DISSENT_MIN_CHARS", "200")),
    "ARGUMENT_MAX_CHARS": int(env("VIGIL_DISSENT_MAX_CHARS", "10000")),
    "MAX_SOURCES": int(env("VIGIL_DISSENT_MAX_SOURCES", "10")),
    "REPORT_MIN_CHARS": 20,
    "REPORT_MAX_CHARS": int(env("VIGIL_REPORT_MAX_CHARS", "5000")),
}

# --- Internationalisation ----------------------------------------------------

LANGUAGE_CODE = "en-gb"
# The publication's day: countdowns turn over at midnight here.
TIME_ZONE = env("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

# --- Background schedule -----------------------------------------------------

from celery.schedules import crontab  # noqa: E402

# Beat reads the publication's clock, so "midnight" is the readers' midnight.
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Claims entering "due soon" or overdue: one digest per editor (reviews/reminders.py).
    "reminders-hourly": {"task": "reviews.reminders_run", "schedule": crontab(minute=5)},
    # Digests a dead sender left leased, sent once the lease is out.
    "reminders-recover": {"task": "reviews.reminders_recover", "schedule": 300.0},
    # Countdowns turn over: record newly overdue claims, refresh cached pages.
    "countdowns-midnight": {
        "task": "reviews.countdowns_turn_over",
        "schedule": crontab(minute=0, hour=0),
    },
    # Notifications the broker missed (it was down when the request committed);
    # vigil/tasks.py, under the name it had in the reviews app.
    "outbox-drain": {"task": "reviews.outbox_drain", "schedule": 60.0},
    # Followers' fan-outs the broker missed; unconfirmed follows forgotten (reviews/followers/fanout.py).
    "followers-sweep": {"task": "followers.sweep", "schedule": 60.0},
    # After-commit work that failed (Redis was down when the cache was to be told).
    "follow-ups-retry": {"task": "vigil.follow_ups_retry", "schedule": 60.0},
    # Scheduled articles go live at their minute (claims/tasks.py).
    "scheduled-articles-minute": {"task": "claims.articles_publish_due", "schedule": crontab()},
    # Cover renditions the broker missed.
    "cover-renditions-sweep": {
        "task": "articles.cover_renditions_sweep",
        "schedule": crontab(minute=35),
    },
}
# A leased reminder whose sender died is sent again after this long
# (longer than any send task's time limit, so a live sender is never overtaken).
VIGIL["REMINDER_LEASE_SECONDS"] = int(env("VIGIL_REMINDER_LEASE_SECONDS", "240"))
# An outbox row (one notice to one recipient) whose sender died is taken by
# the next drain after this long: longer than one delivery can take (SMTP and
# webhook timeouts are 10 s), short enough that a crash delays mail by minutes.
VIGIL["OUTBOX_LEASE_SECONDS"] = int(env("VIGIL_OUTBOX_LEASE_SECONDS", "120"))
# Followers: changes within this many seconds of the first go out as one digest;
# a follow not confirmed within FOLLOW_CONFIRM_SECONDS is forgotten.
VIGIL["FOLLOW_DIGEST_SECONDS"] = int(env("VIGIL_FOLLOW_DIGEST_SECONDS", "300"))
VIGIL["FOLLOW_CONFIRM_SECONDS"] = int(env("VIGIL_FOLLOW_CONFIRM_SECONDS", str(7 * 24 * 3600)))
# Webhooks: disabled after this many failures in a row; private addresses
# (loopback, RFC 1918, link-local/metadata) are refused unless allowed.
VIGIL["WEBHOOK_MAX_FAILURES"] = int(env("VIGIL_WEBHOOK_MAX_FAILURES", "10"))
VIGIL["WEBHOOKS_ALLOW_PRIVATE"] = env_bool("VIGIL_WEBHOOKS_ALLOW_PRIVATE", False)
# Rows one drain run delivers at most (it also stops 30 s before its time limit).
VIGIL["OUTBOX_DRAIN_LIMIT"] = int(env("VIGIL_OUTBOX_DRAIN_LIMIT", "2000"))
# A failed send is retried after this, then twice as long each time (≤ 30 min).
VIGIL["SEND_RETRY_BASE_SECONDS"] = int(env("VIGIL_SEND_RETRY_BASE_SECONDS", "30"))

# --- Static and media --------------------------------------------------------

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", BASE_DIR / "var" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Hashed file names (the manifest) are cached "forever" (immutable) by whitenoise; the few
# unhashed ones (favicon, robots.txt) for a day.
WHITENOISE_MAX_AGE = 0 if DEBUG else 24 * 60 * 60
# Pillow refuses images above this many pixels (decompression bombs).
MAX_IMAGE_PIXELS = 40_000_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Mail --------------------------------------------------------------------

# Django 6.1 mailers: SMTP in production (EMAIL_HOST, a local relay by default);
# the console in development unless EMAIL_HOST is set.
if env("EMAIL_HOST") or not DEBUG:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env("EMAIL_HOST", "localhost"),
                "port": int(env("EMAIL_PORT", "587")),
                "username": env("EMAIL_HOST_USER", ""),
                "password": env("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                # A slow mail server must not hold a worker for long.
                "timeout": 10,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Vigil <vigil@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Auth --------------------------------------------------------------------

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/desk/"
LOGOUT_REDIRECT_URL = "/"
# Sign-in throttling (vigil/signin.py, django-axes): failures are counted by
# account and, separately, by client address; at the limit, sign-in is refused
# before hashing until the cool-off ends or an admin deletes the access attempt.
AUTHENTICATION_BACKENDS = [
    "vigil.signin.SignInThrottle",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(env("VIGIL_SIGNIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(env("VIGIL_SIGNIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "vigil.signin.client_ip"
AXES_LOCKOUT_CALLABLE = "vigil.signin.locked_out"
AXES_RESET_ON_SUCCESS = True
# Counted in the database: throttling holds while Redis is down.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Security ----------------------------------------------------------------

# Public pages are cached whole, so no inline script and no nonce: every script
# is a file under static/.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    # Violations are logged by vigil.browser_policy.csp_report (logger "vigil.csp").
    "report-uri": ["/csp-report/"],
    "report-to": "csp",
}
CSP_REPORT_PATH = "/csp-report/"
# No page uses these; nor may anything injected into one (vigil.browser_policy).
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope",
        "magnetometer", "microphone", "midi", "payment", "publickey-credentials-get",
        "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
        "browsing-topics",
    )
)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# How many proxies stand in front of gunicorn; the client address is read from
# X-Forwarded-For only that many hops deep, so readers cannot spoof it.
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # The scheme is believed from a proxy only when there is one: without one a
    # reader could send X-Forwarded-Proto themselves.
    if TRUSTED_PROXY_COUNT:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # The header only allows preloading; nothing happens until the domain's owner
    # submits it to the browsers' list. Set SECURE_HSTS_PRELOAD=0 to withhold consent.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True


# --- Logging -----------------------------------------------------------------

# JSON lines (time, level, logger, message, request id) in production, for a
# log collector; readable lines in development. LOG_FORMAT=json|text overrides.
LOG_FORMAT = env("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "vigil.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "vigil.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # vigil.request logs every request; Django's own line for 4xx/5xx would repeat it.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
    },
}
# The worker and beat log through the same handlers, not Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
