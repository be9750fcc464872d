"""Background jobs of the exports. Tasks take ids and call a service (services.py, schedules.py).

`run_export_task` is queued by `services.start_export` once the job's transaction commits; without
REDIS_URL Celery runs it in-process right then (CELERY_TASK_ALWAYS_EAGER), so the job is finished by
the time the page it redirects to is shown. Celery beat runs `cleanup_exports_task` every hour and
`run_scheduled_exports_task` every morning at 06:00 (config/settings.py, CELERY_BEAT_SCHEDULE). The
worker imports this module through CELERY_IMPORTS (autodiscovery only looks at `<app>.tasks`).
"""

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone, translation

from .schedules import run_due_schedules
from .services import delete_expired_exports, fail_stale_jobs, run_export


@shared_task
def run_export_task(job_id: int) -> str | None:
    """Run one export job; returns its final status (None when it was not pending any more)."""
    return run_export(job_id)


@shared_task
def cleanup_exports_task() -> dict:
    """Fail jobs that never started or never finished, and delete expired files."""
    now = timezone.now()
    return {"stale": fail_stale_jobs(now), "expired": delete_expired_exports(now)}


@shared_task
def run_scheduled_exports_task(today_iso: str | None = None) -> int:
    """Start the scheduled exports due today (or on `today_iso`, YYYY-MM-DD); returns how many started."""
    today = dt.date.fromisoformat(today_iso) if today_iso else timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE):
        return run_due_schedules(today)
