"""Settings of dangjian.

Everything that differs between installations comes from environment
variables (README.md, "Configuration", lists them all); nothing here is
secret. Defaults are those of the embedded demo: SQLite under ``var/``.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent  # the dangjian package
PROJECT_DIR = BASE_DIR.parent


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


VAR_DIR = Path(env("DANGJIAN_VAR_DIR", str(PROJECT_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DANGJIAN_DEBUG", False)
TESTING = env_bool("DANGJIAN_TESTING", False)
# Production mode turns on every control of docs/security.md (MLPS password rules, secure
# cookies, HSTS, ...) and refuses to start with a weak secret, DEBUG or demo passwords.
DANGJIAN_PRODUCTION = env_bool("DANGJIAN_PRODUCTION", False)

SECRET_KEY = env("DANGJIAN_SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-not-for-any-deployment"  # noqa: S105
    else:
        raise ImproperlyConfigured(
            "DANGJIAN_SECRET_KEY is not set. ./scripts/demo generates one in var/demo.env; "
            "a deployment sets its own (README.md, Configuration)."
        )

ALLOWED_HOSTS = [h.strip() for h in env("DANGJIAN_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in (env("DANGJIAN_CSRF_TRUSTED_ORIGINS", "") or "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_filters",
    "rest_framework",
    # Only for its table, emptied by access migration 0003 (tokens are access.ApiToken).
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "dangjian.core",
    "dangjian.access",
    "dangjian.security",
    "dangjian.organizations",
    "dangjian.people",
    "dangjian.study",
    "dangjian.meetings",
    "dangjian.tasks",
    "dangjian.reports",
    "dangjian.fourstrong",
    "dangjian.campaigns",
    "dangjian.training",
    "dangjian.privacy",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "dangjian.twofactor",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dangjian.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "dangjian.core.middleware.RequestContextMiddleware",
    # Two-factor login: OTPMiddleware marks the verified session, TwoFactorMiddleware
    # sends a user who needs a second factor to the verify (or enrol) page.
    "django_otp.middleware.OTPMiddleware",
    "dangjian.twofactor.middleware.TwoFactorMiddleware",
    # Idle timeout, lifetime and the forced password change (dangjian/security).
    "dangjian.security.middleware.SessionSecurityMiddleware",
]

ROOT_URLCONF = "dangjian.config.urls"
WSGI_APPLICATION = "dangjian.config.wsgi.application"

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
                "dangjian.core.context_processors.navigation",
                "dangjian.tasks.context_processors.notifications",
            ],
            "string_if_invalid": "",
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'dangjian.sqlite3'}"),
        conn_max_age=int(env("DANGJIAN_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web workers read while the job worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file, not memory, so that browser tests' app server sees the test data.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The default cache is a table in the database (created by migration core.0005): every
# gunicorn worker and server shares it, on SQLite and PostgreSQL alike, and it keeps working
# when Redis is down. It holds the rate-limit counts (dangjian/core/ratelimit.py).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "dangjian_cache",
        # Counting rows is part of every write: keep the table small (expired rows go first).
        "OPTIONS": {"MAX_ENTRIES": 20000, "CULL_FREQUENCY": 3},
    }
}

AUTH_USER_MODEL = "access.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "dangjian.security.validators.MinimumLengthValidator"},
    {"NAME": "dangjian.security.validators.CharacterClassesValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Also records every new password (history, age, who set it) and ends the sessions.
    {"NAME": "dangjian.security.validators.PasswordHistoryValidator"},
]
# Locked accounts, throttled addresses and (in production mode) the built-in admin are
# refused before the password is compared (dangjian/security/backends.py).
AUTHENTICATION_BACKENDS = ["dangjian.security.backends.GuardedModelBackend"]
# Identity rules (docs/security.md): MLPS defaults in production mode, OWASP's otherwise.
_PROD = DANGJIAN_PRODUCTION
PASSWORD_MIN_LENGTH = int(env("DANGJIAN_PASSWORD_MIN_LENGTH", "8"))
PASSWORD_MIN_CLASSES = int(env("DANGJIAN_PASSWORD_MIN_CLASSES", "3" if _PROD else "1"))
PASSWORD_HISTORY_COUNT = int(env("DANGJIAN_PASSWORD_HISTORY", "5"))
PASSWORD_MAX_AGE_DAYS = int(env("DANGJIAN_PASSWORD_MAX_AGE_DAYS", "90" if _PROD else "0"))
PASSWORD_CHANGE_ASSIGNED = env_bool("DANGJIAN_PASSWORD_CHANGE_ASSIGNED", _PROD)
LOGIN_MAX_FAILURES = int(env("DANGJIAN_LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCK_MINUTES = int(env("DANGJIAN_LOGIN_LOCK_MINUTES", "30"))
LOGIN_ADDRESS_MAX_FAILURES = int(env("DANGJIAN_LOGIN_ADDRESS_MAX_FAILURES", "20"))
LOGIN_ADDRESS_WINDOW_MINUTES = int(env("DANGJIAN_LOGIN_ADDRESS_WINDOW_MINUTES", "15"))
SESSION_IDLE_MINUTES = int(env("DANGJIAN_SESSION_IDLE_MINUTES", "30"))
SESSION_MAX_PER_USER = int(env("DANGJIAN_SESSION_MAX_PER_USER", "1" if _PROD else "0"))
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("DANGJIAN_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
# Third-party front-end code is installed by npm (package-lock.json) and never
# copied into the repository; collectstatic picks the files from node_modules.
NODE_MODULES = PROJECT_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not (DEBUG or TESTING)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
# Look files up per request instead of scanning every static file (~200 of them, most
# from node_modules) when the middleware starts: every test's new test client starts
# the middleware again, so the scan cost the test suite a third of its time.
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
ROSTER_MAX_UPLOAD_BYTES = int(env("DANGJIAN_ROSTER_MAX_BYTES", str(50 * 1024 * 1024)))
# Rosters with more rows than this are validated and imported by the job worker.
ROSTER_BACKGROUND_ROWS = int(env("DANGJIAN_ROSTER_BACKGROUND_ROWS", "500"))
ROSTER_MAX_ROWS = int(env("DANGJIAN_ROSTER_MAX_ROWS", "200000"))
# Uploaded rosters (clear ID numbers) of imports nobody finished are deleted after this
# many hours by `dangjian cleanup_rosters` (hourly); the import becomes "expired".
ROSTER_FILE_MAX_AGE_HOURS = float(env("DANGJIAN_ROSTER_FILE_MAX_AGE_HOURS", "24"))
# Refuse an .xlsx whose unpacked size exceeds this (a zip bomb); unset: 8 × the upload limit.
ROSTER_MAX_UNPACKED_BYTES = int(env("DANGJIAN_ROSTER_MAX_UNPACKED_BYTES", "0")) or None
# ID numbers and phones one user may compare against stored members per day (the
# look-up API, roster checks, member forms and API writes); 0: no budget.
LOOKUP_DAILY_BUDGET = int(env("DANGJIAN_LOOKUP_DAILY_BUDGET", "2000"))
# Member exports with more rows than this are written by the job worker.
MEMBER_EXPORT_BACKGROUND_ROWS = int(env("DANGJIAN_MEMBER_EXPORT_BACKGROUND_ROWS", "5000"))
# Attachments (topics, progress reports, activities): largest file accepted.
ATTACHMENT_MAX_BYTES = int(env("DANGJIAN_ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024)))

# Personal data: SM4 key and HMAC-SM3 blind-index key (hex), or a key file
# holding both as "DATA_KEY=..." / "INDEX_KEY=..." lines. Never in the database.
DANGJIAN_KEY_FILE = env("DANGJIAN_KEY_FILE")
DANGJIAN_DATA_KEY = env("DANGJIAN_DATA_KEY")
DANGJIAN_INDEX_KEY = env("DANGJIAN_INDEX_KEY")
if TESTING and not (DANGJIAN_KEY_FILE or DANGJIAN_DATA_KEY):
    DANGJIAN_DATA_KEY = "00112233445566778899aabbccddeeff"
    DANGJIAN_INDEX_KEY = "ffeeddccbbaa99887766554433221100" * 2
# Audit chain and record seals (HMAC-SM3; "AUDIT_KEY=..." in the key file), the keys being
# replaced during `dangjian rotate_keys` (OLD_DATA_KEY / OLD_INDEX_KEY), the directory of the
# users' SM2 private keys (<username>.key) and the audit retention (at least 180 days).
DANGJIAN_AUDIT_KEY = env("DANGJIAN_AUDIT_KEY")
if TESTING and not (DANGJIAN_KEY_FILE or DANGJIAN_AUDIT_KEY):
    DANGJIAN_AUDIT_KEY = "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf" * 2
DANGJIAN_OLD_DATA_KEY = env("DANGJIAN_OLD_DATA_KEY")
DANGJIAN_OLD_INDEX_KEY = env("DANGJIAN_OLD_INDEX_KEY")
# Backups ('dangjian backup'/'restore'): SM4 key, 16 bytes hex (or BACKUP_KEY= in the key
# file); unset: derived from the data key (dangjian/core/backup.py).
DANGJIAN_BACKUP_KEY = env("DANGJIAN_BACKUP_KEY")
# The load balancer's probe may use plain HTTP even when the site redirects to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
DANGJIAN_SM2_KEY_DIR = env("DANGJIAN_SM2_KEY_DIR")
AUDIT_RETENTION_DAYS = max(180, int(env("DANGJIAN_AUDIT_RETENTION_DAYS", "180")))

# Two-factor login (dangjian/twofactor): "required" makes the roles below enrol and verify
# a second factor at every log-in; "optional" asks only users who enrolled; "off" asks nobody.
# Default: required in production mode (DANGJIAN_PRODUCTION=1), optional otherwise.
DANGJIAN_2FA = (
    env("DANGJIAN_2FA") or ("required" if env_bool("DANGJIAN_PRODUCTION") else "optional")
).lower()
if DANGJIAN_2FA not in {"required", "optional", "off"}:
    raise ImproperlyConfigured("DANGJIAN_2FA must be required, optional or off.")
DANGJIAN_2FA_REQUIRED_ROLES = tuple(
    r.strip()
    for r in env(
        "DANGJIAN_2FA_REQUIRED_ROLES",
        "system_admin,security_admin,auditor,organ_office,leading_group_office",
    ).split(",")
    if r.strip()
)
# totp: RFC 6238 (any authenticator app); sm3: the SM3 dynamic password of GM/T 0021-2012.
DANGJIAN_OTP_ALGORITHM = env("DANGJIAN_OTP_ALGORITHM", "totp").lower()
if DANGJIAN_OTP_ALGORITHM not in {"totp", "sm3"}:
    raise ImproperlyConfigured("DANGJIAN_OTP_ALGORITHM must be totp or sm3.")
# This many wrong codes within the window lock the second factor for the lock time.
DANGJIAN_2FA_MAX_FAILURES = int(env("DANGJIAN_2FA_MAX_FAILURES", "5"))
DANGJIAN_2FA_WINDOW_MINUTES = int(env("DANGJIAN_2FA_WINDOW_MINUTES", "15"))
DANGJIAN_2FA_LOCK_MINUTES = int(env("DANGJIAN_2FA_LOCK_MINUTES", "15"))
OTP_TOTP_ISSUER = env("DANGJIAN_OTP_ISSUER", "dangjian")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(env("DANGJIAN_SESSION_SECONDS", str(8 * 3600)))
SESSION_COOKIE_SECURE = env_bool("DANGJIAN_SECURE_COOKIES", DANGJIAN_PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# HSTS (production: one year); behind a TLS-terminating proxy set DANGJIAN_PROXY_SSL_HEADER=1.
SECURE_HSTS_SECONDS = int(env("DANGJIAN_HSTS_SECONDS", "31536000" if DANGJIAN_PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DANGJIAN_HSTS_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("DANGJIAN_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env_bool("DANGJIAN_SSL_REDIRECT", False)
if env_bool("DANGJIAN_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content Security Policy (django-csp): no inline script, no inline style, no eval, no
# framing; JS and CSS come from our static files only (docs/security.md, "Input and output").
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# A job worker not seen for this long is reported on /healthz and the offices' pages.
DANGJIAN_WORKER_STALE_SECONDS = int(env("DANGJIAN_WORKER_STALE_SECONDS", "300"))

REDIS_URL = env("DANGJIAN_REDIS_URL")
if REDIS_URL:
    # Redis down: jobs fall back to the database queue and wait there (core/taskqueue.py).
    TASKS = {
        "default": {"BACKEND": "dangjian.core.taskqueue.FallbackRQBackend", "QUEUES": ["default"]},
        "database": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
    }
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": REDIS_URL}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
if env_bool("DANGJIAN_TASKS_IMMEDIATE", False):
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# API tokens (dangjian/access/api_tokens.py): refused after this many hours unused, and
# this many days after they were issued, whatever their use.
DANGJIAN_API_TOKEN_IDLE_HOURS = float(env("DANGJIAN_API_TOKEN_IDLE_HOURS", "8"))
DANGJIAN_API_TOKEN_MAX_DAYS = float(env("DANGJIAN_API_TOKEN_MAX_DAYS", "30"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # "Authorization: Token <key>": keys stored only as a keyed hash, with expiry.
        "dangjian.access.api_tokens.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "dangjian.core.api.exception_handler",
    # OPTIONS answers 405: no metadata view (it skipped the policy actions: a 500 found by fuzzing).
    "DEFAULT_METADATA_CLASS": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Rates counted in the shared cache (dangjian/core/ratelimit.py); "off" switches one off.
    "DEFAULT_THROTTLE_CLASSES": [
        "dangjian.core.ratelimit.ApiRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env("DANGJIAN_API_RATE_USER", "600/min"),
        "anon": env("DANGJIAN_API_RATE_ANON", "60/min"),
        # Member look-up by ID number or phone, and reveal: personal data.
        "personal_data": env("DANGJIAN_API_RATE_PERSONAL_DATA", "60/hour"),
        # News-report parse and import: the parser's work and the writes.
        "reports": env("DANGJIAN_API_RATE_REPORTS", "120/hour"),
    },
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append(
        "rest_framework.renderers.BrowsableAPIRenderer"
    )
SPECTACULAR_SETTINGS = {
    "TITLE": "dangjian API",
    "DESCRIPTION": (
        "机关党建工作平台 REST API. Every endpoint applies the same scope rules as the web UI."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

EMAIL_BACKEND = env("DANGJIAN_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DANGJIAN_FROM_EMAIL", "dangjian@localhost")
EMAIL_HOST = env("DANGJIAN_EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("DANGJIAN_EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("DANGJIAN_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env("DANGJIAN_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DANGJIAN_EMAIL_TLS", False)
EMAIL_USE_SSL = env_bool("DANGJIAN_EMAIL_SSL", False)
EMAIL_TIMEOUT = 10
# Links in e-mails are made absolute with this (e.g. https://dangjian.example.gov.cn).
SITE_URL = env("DANGJIAN_SITE_URL", "")
# Coverage windows (days) of the study coverage page; ?windows=7,15,30 overrides per request.
STUDY_WINDOWS_DAYS = tuple(
    int(d) for d in env("DANGJIAN_STUDY_WINDOWS_DAYS", "7,15,30").split(",") if d.strip()
)
# QR sign-in window: from this many minutes before the start; late after this many
# minutes; until the end, or this many hours after the start when no end is set.
MEETING_SIGNIN_EARLY_MINUTES = int(env("DANGJIAN_SIGNIN_EARLY_MINUTES", "30"))
MEETING_SIGNIN_LATE_MINUTES = int(env("DANGJIAN_SIGNIN_LATE_MINUTES", "10"))
MEETING_SIGNIN_DEFAULT_HOURS = int(env("DANGJIAN_SIGNIN_DEFAULT_HOURS", "4"))
# QR sign-in requests (page and confirm) per client address (a meeting room may share one)
# and per user; beyond them a 429 page (dangjian/core/ratelimit.py).
MEETING_SIGNIN_RATE_ADDRESS = env("DANGJIAN_SIGNIN_RATE_ADDRESS", "300/min")
MEETING_SIGNIN_RATE_USER = env("DANGJIAN_SIGNIN_RATE_USER", "20/min")
# Task reminders: "deadline approaching" this many days before the deadline.
TASK_REMIND_DAYS_BEFORE = int(env("DANGJIAN_TASK_REMIND_DAYS", "3"))
# Campaign reminders: "due soon" this many days before a requirement's due date;
# "overdue" for requirements due at most this many days ago (older ones stay quiet).
CAMPAIGN_REMIND_DAYS_BEFORE = int(env("DANGJIAN_CAMPAIGN_REMIND_DAYS", "3"))
CAMPAIGN_REMIND_OVERDUE_DAYS = int(env("DANGJIAN_CAMPAIGN_REMIND_OVERDUE_DAYS", "30"))
# Photos (activities): largest upload, and most pixels decoded (decompression-bomb guard).
IMAGE_MAX_BYTES = int(env("DANGJIAN_IMAGE_MAX_BYTES", str(10 * 1024 * 1024)))
IMAGE_MAX_PIXELS = int(env("DANGJIAN_IMAGE_MAX_PIXELS", "40000000"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {
        "handlers": ["console"],
        "level": env("DANGJIAN_LOG_LEVEL", "WARNING" if TESTING else "INFO"),
    },
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # 403/404 answers are expected outcomes in tests, not noise to print.
        "django.request": {"level": "ERROR" if TESTING else "WARNING"},
    },
}

if TESTING:
    # Hashing cost is not what the tests examine; real hashers stay in production.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
