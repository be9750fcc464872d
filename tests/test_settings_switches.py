"""The settings read the environment: each switch is checked in a fresh interpreter."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "db = settings.DATABASES['default']; "
    "print(json.dumps({'db': db['ENGINE'], 'name': str(db['NAME']),"
    " 'debug': settings.DEBUG, 'eager': settings.CELERY_TASK_ALWAYS_EAGER, 'broker': settings.CELERY_BROKER_URL,"
    " 'cache': settings.CACHES['default']['BACKEND'], 'lang': settings.LANGUAGE_CODE, 'tz': settings.TIME_ZONE,"
    " 'hosts': settings.ALLOWED_HOSTS}))"
)
# Variables the test run itself sets (tests/settings.py, the browser conftest) must not reach the
# fresh interpreters, or they would hide what production settings do.
_SET_BY_TESTS = {
    "DATABASE_URL",
    "REDIS_URL",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DJANGO_SETTINGS_MODULE",
    "SECURE_SSL_REDIRECT",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}
CLEAN = {k: v for k, v in os.environ.items() if k not in _SET_BY_TESTS}


def probe(**env):
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        env={**CLEAN, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result


def test_laptop_defaults():
    out = probe(DEBUG="1")
    assert out.returncode == 0, out.stderr
    values = json.loads(out.stdout)
    assert values["db"] == "django.db.backends.sqlite3"
    assert values["name"].endswith("db.sqlite3")
    assert values["eager"] is True
    assert values["cache"].endswith("LocMemCache")
    assert values["lang"] == "zh-hans"
    assert values["tz"] == "Asia/Shanghai"
    assert values["debug"] is True


def test_database_url_selects_postgres_and_sqlite_paths():
    out = probe(DEBUG="1", DATABASE_URL="postgres://postgres@127.0.0.1:5432/hongqi")
    assert json.loads(out.stdout)["db"] == "django.db.backends.postgresql"
    out = probe(DEBUG="1", DATABASE_URL="sqlite:////tmp/elsewhere.sqlite3")
    values = json.loads(out.stdout)
    assert values["db"] == "django.db.backends.sqlite3"
    assert values["name"] == "/tmp/elsewhere.sqlite3"


def test_redis_url_makes_redis_broker_backend_and_cache():
    out = probe(DEBUG="1", REDIS_URL="redis://127.0.0.1:6379/3")
    values = json.loads(out.stdout)
    assert values["eager"] is False
    assert values["broker"] == "redis://127.0.0.1:6379/3"
    assert values["cache"] == "django.core.cache.backends.redis.RedisCache"


def test_debug_is_off_unless_set():
    out = probe(SECRET_KEY="x" * 60, ALLOWED_HOSTS="hongqi.example.org")
    values = json.loads(out.stdout)
    assert values["debug"] is False
    assert values["hosts"] == ["hongqi.example.org"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ALLOWED_HOSTS": "hongqi.example.org"}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": "x" * 60}, "ALLOWED_HOSTS is not set"),
        ({"DEBUG": "maybe"}, "DEBUG must be one of"),
    ],
)
def test_production_refuses_to_start_without_its_settings(env, message):
    out = probe(**env)
    assert out.returncode != 0
    assert message in out.stderr


def test_check_deploy_is_silent():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={
            **CLEAN,
            "DEBUG": "0",
            "SECRET_KEY": "k" * 20 + "-production-secret-key-0123456789abcdefghij",
            "ALLOWED_HOSTS": "hongqi.example.org",
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
