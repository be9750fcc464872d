"""The Celery app. Settings come from Django's (CELERY_* names); see config/settings.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("hongqi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
