"""The reminder job: turns what is due or overdue into in-app notifications, never twice.

Each subject module in activities/selectors/ (and the pipeline, through its own collector here) may
define `reminders(branch, today) -> Iterable[Reminder]`. `send_reminders()` asks every one of them for
every branch and creates a Notification per (user, key) that does not exist yet. Celery beat runs it
every morning (config/settings.py, CELERY_BEAT_SCHEDULE); `python manage.py send_reminders` runs the same
job for installs that only have cron.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from branch.models import Branch, Notification


@dataclass(frozen=True)
class Reminder:
    user_id: int
    key: str  # identifies the thing reminded about; one notification per (user, key), ever
    title: str
    body: str = ""
    url: str = ""


def _collectors():
    from . import selectors

    for module in pkgutil.iter_modules(selectors.__path__):
        collector = getattr(importlib.import_module(f"{selectors.__name__}.{module.name}"), "reminders", None)
        if collector is not None:
            yield collector


def notify(reminders: Iterable[Reminder]) -> int:
    """Create the notifications that do not exist yet; returns how many were created."""
    reminders = list(reminders)
    if not reminders:
        return 0
    existing = set(
        Notification.objects.filter(
            user_id__in={r.user_id for r in reminders}, key__in={r.key for r in reminders}
        ).values_list("user_id", "key")
    )
    fresh, seen = [], set(existing)
    for r in reminders:
        if (r.user_id, r.key) not in seen:
            seen.add((r.user_id, r.key))
            fresh.append(Notification(user_id=r.user_id, key=r.key, title=r.title[:200], body=r.body, url=r.url))
    try:
        with transaction.atomic():
            Notification.objects.bulk_create(fresh)
    except IntegrityError:
        # Two runs at once: fall back to one by one and let the unique constraint drop repeats.
        created = 0
        for n in fresh:
            try:
                with transaction.atomic():
                    n.save()
                    created += 1
            except IntegrityError:
                pass
        return created
    return len(fresh)


def send_reminders(today: dt.date) -> int:
    """Run every collector for every branch; returns the number of notifications created."""
    total = 0
    collectors = list(_collectors())
    for branch in Branch.objects.all():
        for collector in collectors:
            total += notify(collector(branch, today))
    return total
