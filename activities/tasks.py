"""Background jobs of the activities app. Celery beat runs `send_reminders_task` every morning
(config/settings.py, CELERY_BEAT_SCHEDULE); `manage.py send_reminders` runs the same job from cron."""

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone, translation

from .reminders import send_reminders


@shared_task
def send_reminders_task(today_iso: str | None = None) -> int:
    """Create the notifications for what is due or overdue today (or on `today_iso`, YYYY-MM-DD);
    returns how many were created. Safe to run any number of times: nothing is sent twice."""
    today = dt.date.fromisoformat(today_iso) if today_iso else timezone.localdate()
    # Notifications are stored as text: write them in the branch's language, not whatever the
    # worker or the shell happens to have active.
    with translation.override(settings.LANGUAGE_CODE):
        return send_reminders(today)
