"""Settings for the test suite: production settings with what tests need for speed and isolation.

The environment still decides the database (DATABASE_URL) and whether Redis is there (REDIS_URL), so
`make test` runs the same suite on SQLite and on PostgreSQL.
"""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-that-is-long-enough-to-be-plausible-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

from config.settings import *  # noqa: E402,F403

# Hashing demo and persona passwords with PBKDF2 would dominate the run time.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The live server for browser tests speaks plain HTTP.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# Tasks run in-process unless a test is about Celery itself (tests/test_celery_worker.py starts a
# real worker on Redis and switches this off for its duration).
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="hongqi-test-media-"))
# WhiteNoise serves from the finders in tests; an existing (empty) STATIC_ROOT keeps it quiet.
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="hongqi-test-static-"))
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
