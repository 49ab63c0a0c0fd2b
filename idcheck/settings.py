"""ID Check settings: one module, driven entirely by the environment (see .env.example).

With nothing set it runs embedded: SQLite in ``var/``, tasks executed in-process, a master
key generated into ``var/master.key``. Set DATABASE_URL / REDIS_URL for PostgreSQL / Redis.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from idcheck.lib.crypto import ensure_local_master_key, ensure_local_secret
from idcheck.lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("IDCHECK_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and env_bool("IDCHECK_PRODUCTION", False):
        raise ImproperlyConfigured("SECRET_KEY must be set in production")
    # The embedded default: a per-checkout random key kept beside the SQLite file.
    SECRET_KEY = ensure_local_secret(VAR_DIR / "secret.key")

IDCHECK_MASTER_KEY = env_str("IDCHECK_MASTER_KEY")
IDCHECK_MASTER_KEY_FROM_ENV = bool(IDCHECK_MASTER_KEY)
if not IDCHECK_MASTER_KEY:
    IDCHECK_MASTER_KEY = ensure_local_master_key(VAR_DIR / "master.key")
IDCHECK_MASTER_KEY_PREVIOUS = env_list("IDCHECK_MASTER_KEY_PREVIOUS")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
IDCHECK_PUBLIC_URL = env_str("IDCHECK_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
IDCHECK_TRUSTED_PROXY_DEPTH = env_int("IDCHECK_TRUSTED_PROXY_DEPTH", 0, minimum=0)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "idcheck",
    "projects",
    "submissions",
    "policy",
    "webhooks",
    "network",
    "registry",
]

MIDDLEWARE = [
    "idcheck.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "idcheck.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "submissions.flow.language.LiveformLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "projects.middleware.SessionLifetimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "idcheck.urls"
WSGI_APPLICATION = "idcheck.wsgi.application"

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
                "projects.context_processors.dashboard",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'idcheck.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent web requests and in-process tasks share one file: wait instead of failing.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "projects.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "dashboard:login"
LOGIN_REDIRECT_URL = "dashboard:home"

LANGUAGE_CODE = "en"
# The Liveform's languages (issue 6): its `lang` parameter or the browser's Accept-Language
# chooses (submissions.flow.language); the dashboard stays English. locale/<code>/ holds each
# one's messages, compiled (.mo) in the repository so a fresh machine needs no gettext tools.
LANGUAGES = [
    ("en", "English"),
    ("ko", "한국어"),
    ("ja", "日本語"),
    ("zh-hans", "简体中文"),
    ("zh-hant", "繁體中文"),
    ("es", "Español"),
    ("pt", "Português"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("it", "Italiano"),
    ("ru", "Русский"),
    ("ar", "العربية"),
    ("tr", "Türkçe"),
    ("vi", "Tiếng Việt"),
    ("th", "ไทย"),
    ("id", "Bahasa Indonesia"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "idcheck" / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))

# --- Redis: Celery broker and shared counters (rate limits). Absent: in-process + database.
REDIS_URL = env_str("REDIS_URL")

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240, minimum=1)
CELERY_TASK_IGNORE_RESULT = True
# Redelivery of tasks whose worker died: see RELIABILITY.md A6/E2 for why both knobs matter.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=60),
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A queued verification run older than this may have lost its message (Redis restarted without
# persistence, or was down when it was queued): the minutely sweeper queues it again (A7).
IDCHECK_QUEUED_STALE_SECONDS = env_int("IDCHECK_QUEUED_STALE_SECONDS", 600, minimum=5)

# --- Sessions and cookies (G20)
SESSION_COOKIE_AGE = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 3600, minimum=60)
IDCHECK_SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60, minimum=60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "ID Check")
OTP_TOTP_THROTTLE_FACTOR = 1
# The admin never shows a device's secret or QR code (a staff account that can read them could
# clone anyone's authenticator); it also keeps django-otp's config view, which looks a device up
# without a 404, from answering 500 for an unknown id.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- HTTPS-only cookies, HSTS and the SSL redirect: on with IDCHECK_PRODUCTION=true (unless
# IDCHECK_HTTPS=false says otherwise), off for the plain-HTTP local demo.
IDCHECK_HTTPS = env_bool("IDCHECK_HTTPS", not DEBUG and env_bool("IDCHECK_PRODUCTION", False))
SESSION_COOKIE_SECURE = IDCHECK_HTTPS
CSRF_COOKIE_SECURE = IDCHECK_HTTPS
if IDCHECK_HTTPS:
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if IDCHECK_TRUSTED_PROXY_DEPTH:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024, minimum=1024)
# The most files a request of ours carries is four (a creation's front, back, selfie and proof of
# address); RELIABILITY.md G16 caps multipart requests at five (CVE-2023-24580's lesson).
DATA_UPLOAD_MAX_NUMBER_FILES = 5

# --- API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["idcheck.api_auth.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["idcheck.api_auth.HasProjectApiKey"],
    "DEFAULT_THROTTLE_CLASSES": [],
    # Secure Data Transfer (spec §5) is these three defaults: idcheck/secure_transfer.py.
    "DEFAULT_RENDERER_CLASSES": ["idcheck.secure_transfer.SecureTransferJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "idcheck.secure_transfer.SecureTransferNegotiation",
    "DEFAULT_SCHEMA_CLASS": "idcheck.api_schema.AutoSchema",
    "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.NamespaceVersioning",
    "ALLOWED_VERSIONS": ["v3"],
    "EXCEPTION_HANDLER": "idcheck.secure_transfer.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ID Check API",
    "DESCRIPTION": "Self-hosted identity verification, compatible with the ARGOS ID Check v3 API.",
    "VERSION": "3.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_NO_READ_ONLY_REQUIRED": False,
    # Secure Data Transfer's envelope joins every JSON body and answer, and the producers get OpenAPI
    # links to what reads or deletes what they made, and answers declare every property they may
    # hold (G10: closed_answers) (idcheck/api_schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "idcheck.api_schema.secure_transfer_envelope",
        "idcheck.api_schema.resource_links",
        "submissions.api.schema.submission_item_slices",
        "idcheck.api_schema.closed_answers",
    ],
    # Assets ship inside the drf-spectacular-sidecar wheel: no CDN, CSP stays 'self'.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# The schema and its docs page are public only where the operator says so (G21).
IDCHECK_PUBLIC_API_DOCS = env_bool("IDCHECK_PUBLIC_API_DOCS", DEBUG or not env_bool("IDCHECK_PRODUCTION", False))

# Outbound HTTP (webhooks) may use http:// and reach 127.0.0.1 / ::1 only with this switch:
# `make run` (the embedded demo) and the tests turn it on, production refuses it (G8).
IDCHECK_OUTBOUND_ALLOW_LOCAL = env_bool("IDCHECK_OUTBOUND_ALLOW_LOCAL", False)
# A MaxMind-format City database (GeoLite2-City.mmdb or alike) the operator supplies, for the
# Liveform injection's distanceCheckSource=ipGeo (network/geoip.py); "" : that check is not
# performed (docs/liveform.md, "Address injection").
IDCHECK_GEOIP_CITY_DB = env_str("IDCHECK_GEOIP_CITY_DB")
if IDCHECK_OUTBOUND_ALLOW_LOCAL and env_bool("IDCHECK_PRODUCTION", False):
    raise ImproperlyConfigured("IDCHECK_OUTBOUND_ALLOW_LOCAL is for development and tests, never production")

# Default per-project limits; each project may override them (projects.Project fields).
IDCHECK_RATE_LIMIT_PER_SECOND = env_int("IDCHECK_RATE_LIMIT_PER_SECOND", 5000, minimum=1)
IDCHECK_RATE_LIMIT_PER_DAY = env_int("IDCHECK_RATE_LIMIT_PER_DAY", 100000, minimum=1)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ID Check <no-reply@idcheck.invalid>")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)

# Text messages (the Liveform's phone-number step, idcheck.lib.sms): the backend class by its
# dotted path. The console and file backends are for development only (check --deploy warns), so
# production defaults to the HTTP gateway, which sends nothing until IDCHECK_SMS_GATEWAY_URL is set.
IDCHECK_SMS_BACKEND = env_str(
    "IDCHECK_SMS_BACKEND",
    "idcheck.lib.sms.HttpGatewayBackend" if env_bool("IDCHECK_PRODUCTION", False) else "idcheck.lib.sms.ConsoleBackend",
)
IDCHECK_SMS_FILE_PATH = env_str("IDCHECK_SMS_FILE_PATH", str(VAR_DIR / "sms"))
IDCHECK_SMS_GATEWAY_URL = env_str("IDCHECK_SMS_GATEWAY_URL")
IDCHECK_SMS_GATEWAY_TOKEN = env_str("IDCHECK_SMS_GATEWAY_TOKEN")
IDCHECK_SMS_SENDER = env_str("IDCHECK_SMS_SENDER")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "idcheck.middleware.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's request logger writes full URLs; ours redacts query strings (anti-pattern 23).
        "django.server": {"handlers": [], "propagate": False},
        # 4xx are expected traffic and already in our access log; keep 5xx reports.
        "django.request": {"level": "ERROR"},
    },
}
