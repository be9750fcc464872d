"""Hongqi settings: one file, read from the environment.

Every knob an operator may turn is an environment variable listed in README.md ("Configuration").
Laptop mode needs none of them beyond DEBUG=1: SQLite in the project folder, Celery tasks run in-process.
"""

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random string when DEBUG is off "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    SECRET_KEY = "django-insecure-hongqi-development-only"  # noqa: S105 - only with DEBUG on

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not ALLOWED_HOSTS and not DEBUG:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. With DEBUG off, list the host names the site answers to, "
        "separated by commas (for example: ALLOWED_HOSTS=hongqi.example.org)."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    # Hongqi's own apps; dependencies point one way: branch <- members <- activities.
    "branch",
    "members",
    "activities",
    # After Hongqi's apps: the first app with a command name wins, and `manage.py export` is Hongqi's
    # (branch/management/commands/export.py), not django-import-export's generic one.
    "import_export",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "members.middleware.ActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "branch.context_processors.notifications",
            ],
        },
    },
]

# Database: a SQLite file by default; DATABASE_URL (postgres://user@host:port/name or
# sqlite:////abs/path.sqlite3) selects another.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "members.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Chinese first; English selectable through the language switch in the page header.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploads larger than this go to a temporary file rather than memory; forms enforce their own limits.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Redis, when REDIS_URL is set, is the Celery broker, its result backend and the cache.
# Without it (laptop mode) tasks run in-process and the cache lives in memory.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Celery beat: the reminder job every morning at 07:00 branch time (CELERY_TIMEZONE). Installs without
# beat run `python manage.py send_reminders` from cron instead; both are safe to run twice.
CELERY_BEAT_SCHEDULE = {
    "send-reminders": {"task": "activities.tasks.send_reminders_task", "schedule": crontab(hour=7, minute=0)},
    # Exports: fail jobs that never started or finished and delete expired files every hour; start the
    # scheduled exports every morning (branch/exports/tasks.py).
    "clean-up-exports": {"task": "branch.exports.tasks.cleanup_exports_task", "schedule": crontab(minute=0)},
    "run-scheduled-exports": {
        "task": "branch.exports.tasks.run_scheduled_exports_task",
        "schedule": crontab(hour=6, minute=0),
    },
}
# Autodiscovery finds `<app>.tasks` modules only; the export tasks live one level down.
CELERY_IMPORTS = ("branch.exports.tasks",)

# Production hardening, on whenever DEBUG is off. SECURE_SSL_REDIRECT can be turned off when a
# proxy in front of the app already redirects (set SECURE_SSL_REDIRECT=0).
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# Branch-level product settings that later features read.
HONGQI_DEMO_PASSWORD = "hongqi2017"  # noqa: S105 - the demo accounts' default password, documented in README.md
HONGQI_PHOTO_MAX_BYTES = 5 * 1024 * 1024
# Exports (branch/exports): days a finished file is kept for download (the job stays in the export
# log), and minutes a job may wait for the worker or run before it is failed.
HONGQI_EXPORT_KEEP_DAYS = env_int("HONGQI_EXPORT_KEEP_DAYS", 7)
HONGQI_EXPORT_PENDING_TIMEOUT = env_int("HONGQI_EXPORT_PENDING_TIMEOUT", 10)
HONGQI_EXPORT_RUNNING_TIMEOUT = env_int("HONGQI_EXPORT_RUNNING_TIMEOUT", 60)

SITE_TITLE = _("Hongqi")

# Quarterly assessment: the defaults of a new branch's scheme (the secretary changes them per branch on
# the scheme page). Grades from the total: 优秀 from 95, 合格 from 80, 基本合格 from 60, 不合格 below;
# at most a third of the graded members 优秀, as in the yearly democratic appraisal.
HONGQI_ASSESSMENT = {
    "EXCELLENT_FROM": 95,
    "QUALIFIED_FROM": 80,
    "BASIC_FROM": 60,
    "EXCELLENT_SHARE_PERCENT": "33.33",
}
