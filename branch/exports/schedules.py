"""Scheduled exports: a report made again on the first working day after each quarter, or of each month.

Rules, written once:

- Due days: the first working day (Monday to Friday; public holidays are not known here) on or after
  the first day of each quarter (quarterly) or month (monthly). 2026-10-01 is a Thursday, so the
  third quarter of 2026 is exported that day; a quarter ending on a Friday is exported the Monday after.
- A new schedule first runs on the next due day after the day it is made.
- A parameter written "previous" means the quarter before the run date.
- The run is started as the owner, with the owner's rights that day (services.start_export).
- A run that works resets the failure count and tells the owner the file is ready (a notification
  linking to the job). After `max_failures` failed runs in a row the schedule stops itself and tells
  the owner why.
- Celery beat calls `run_due_schedules` every morning; a schedule is claimed with a conditional UPDATE,
  so two runs on the same day start it once.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from branch.models import Branch, ExportJob, Notification, ScheduledExport
from branch.quarters import Quarter
from members.access import ANONYMOUS, Actor, actor_for

from .base import get_exporter
from .services import _check_format, _exporter, clean_params, may_run, start_export

logger = logging.getLogger("hongqi.exports")

Frequency = ScheduledExport.Frequency
PREVIOUS_QUARTER = "previous"


# ---- the calendar --------------------------------------------------------------------------------


def _first_working_day(day: dt.date) -> dt.date:
    while day.weekday() >= 5:  # Saturday, Sunday
        day += dt.timedelta(days=1)
    return day


def _period_start(frequency: str, day: dt.date) -> dt.date:
    return Quarter.of(day).start if frequency == Frequency.QUARTERLY else day.replace(day=1)


def _next_period_start(frequency: str, start: dt.date) -> dt.date:
    if frequency == Frequency.QUARTERLY:
        return Quarter.of(start).next().start
    return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def due_on_or_after(frequency: str, day: dt.date) -> dt.date:
    """The first due day of this frequency on or after `day`."""
    start = _period_start(frequency, day)
    while (due := _first_working_day(start)) < day:
        start = _next_period_start(frequency, start)
    return due


def next_due_after(frequency: str, day: dt.date) -> dt.date:
    return due_on_or_after(frequency, day + dt.timedelta(days=1))


_QUARTER_TEXT = re.compile(r"\d{4}Q[1-4]")  # how parameters keep a quarter: str(Quarter), "2026Q3"


def roll_quarters(params: dict) -> dict:
    """The parameters with every quarter in them replaced by "previous", for a schedule whose runs
    each make the quarter before their day."""
    return {
        key: PREVIOUS_QUARTER if isinstance(value, str) and _QUARTER_TEXT.fullmatch(value) else value
        for key, value in params.items()
    }


def resolve_params(params: dict, today: dt.date) -> dict:
    """The parameters of the run on `today`: "previous" becomes the quarter before today's."""
    previous = str(Quarter.of(today).previous())
    return {key: previous if value == PREVIOUS_QUARTER else value for key, value in params.items()}


# ---- managing schedules --------------------------------------------------------------------------


def schedule_create(
    *,
    actor: Actor,
    branch: Branch,
    exporter_id: str,
    params: dict,
    file_format: str,
    frequency: str,
    today: dt.date | None = None,
) -> ScheduledExport:
    """A new active schedule owned by the actor. Raises PermissionDenied when the actor may not run the
    report, ValidationError when the format, the frequency or the parameters (as they would be on the
    next run) are refused."""
    today = today or timezone.localdate()
    exporter = _exporter(exporter_id)
    if not actor.is_authenticated or not may_run(exporter, actor, branch):
        raise PermissionDenied
    _check_format(exporter, file_format)
    if frequency not in Frequency.values:
        raise ValidationError(gettext("Choose how often the report is made."), code="frequency")
    next_run_on = next_due_after(frequency, today)
    cleaned = clean_params(exporter, branch, resolve_params(params, next_run_on), actor)
    if not may_run(exporter, actor, branch, cleaned):
        raise PermissionDenied
    # Keep "previous" as written: it is resolved again on every run.
    stored = {
        key: (PREVIOUS_QUARTER if params.get(key) == PREVIOUS_QUARTER else value) for key, value in cleaned.items()
    }
    schedule = ScheduledExport.objects.create(
        branch=branch,
        owner_id=actor.user_id,
        exporter=exporter.identifier,
        params=stored,
        file_format=file_format,
        frequency=frequency,
        next_run_on=next_run_on,
    )
    logger.info(
        "scheduled export %s created: %s %s by user %s", schedule.pk, exporter.identifier, stored, actor.user_id
    )
    return schedule


def schedule_set_active(*, schedule: ScheduledExport, active: bool, today: dt.date | None = None) -> ScheduledExport:
    """Stop a schedule, or start it again from the next due day with a clean failure count."""
    today = today or timezone.localdate()
    schedule.active = active
    fields = ["active"]
    if active:
        schedule.failure_count = 0
        schedule.next_run_on = next_due_after(schedule.frequency, today)
        fields += ["failure_count", "next_run_on"]
    schedule.save(update_fields=fields)
    return schedule


def schedule_delete(*, schedule: ScheduledExport) -> None:
    """Delete a schedule; the jobs it made stay in the export log."""
    schedule.delete()


# ---- running schedules ---------------------------------------------------------------------------


def run_due_schedules(today: dt.date | None = None) -> int:
    """Start every active schedule due on or before `today`; returns how many jobs were started."""
    today = today or timezone.localdate()
    started = 0
    due = ScheduledExport.objects.filter(active=True, next_run_on__lte=today).select_related("branch", "owner")
    for schedule in due:
        claimed = ScheduledExport.objects.filter(pk=schedule.pk, active=True, next_run_on=schedule.next_run_on).update(
            next_run_on=next_due_after(schedule.frequency, today), last_run_at=timezone.now()
        )
        if not claimed:
            continue  # another run of this job took it
        if _start_scheduled(schedule, today):
            started += 1
    return started


def _start_scheduled(schedule: ScheduledExport, today: dt.date) -> bool:
    owner = schedule.owner
    actor = actor_for(owner) if owner.is_active else ANONYMOUS
    params = resolve_params(schedule.params, today)
    try:
        start_export(
            actor=actor,
            branch=schedule.branch,
            exporter_id=schedule.exporter,
            params=params,
            file_format=schedule.file_format,
            scheduled=schedule,
        )
        return True
    except (PermissionDenied, ValidationError) as error:
        with translation.override(settings.LANGUAGE_CODE):
            if isinstance(error, PermissionDenied):
                message = gettext("The owner of the schedule may no longer make this report for %(branch)s.") % {
                    "branch": schedule.branch.name
                }
            else:
                message = " ".join(str(m) for m in error.messages)
        logger.warning("scheduled export %s could not start: %s", schedule.pk, message)
        # The refused run still goes into the export log, where its owner sees why.
        job = ExportJob.objects.create(
            branch=schedule.branch,
            owner=owner,
            exporter=schedule.exporter,
            params=params,
            file_format=schedule.file_format,
            filename=_filename(schedule, params),
            status=ExportJob.Status.FAILED,
            error=message,
            finished_at=timezone.now(),
            scheduled=schedule,
        )
        with translation.override(settings.LANGUAGE_CODE):
            record_scheduled_result(job)
        return False


def _filename(schedule: ScheduledExport, params: dict) -> str:
    try:
        name = get_exporter(schedule.exporter).filename(schedule.branch, params)
    except Exception:  # the report is gone or its parameters no longer make a name
        name = f"{schedule.branch.name}-{schedule.exporter}"
    return f"{name}.{schedule.file_format}"[-200:]


def record_scheduled_result(job: ExportJob) -> None:
    """After a scheduled job ended: reset or count failures, stop the schedule at the limit, tell the owner."""
    schedule = ScheduledExport.objects.filter(pk=job.scheduled_id).first()
    if schedule is None:
        return
    url = reverse("exports:job", args=[job.pk])
    if job.status == ExportJob.Status.DONE:
        ScheduledExport.objects.filter(pk=schedule.pk).update(failure_count=0)
        _notify(
            job.owner_id,
            f"export:ready:{job.pk}",
            gettext("Your scheduled report is ready: %(name)s") % {"name": job.filename},
            gettext("The file can be downloaded for %(days)s days.") % {"days": settings.HONGQI_EXPORT_KEEP_DAYS},
            url,
        )
        return
    if job.status != ExportJob.Status.FAILED:
        return
    ScheduledExport.objects.filter(pk=schedule.pk).update(failure_count=F("failure_count") + 1)
    schedule.refresh_from_db(fields=["failure_count", "active", "max_failures"])
    if schedule.failure_count < schedule.max_failures:
        return
    if ScheduledExport.objects.filter(pk=schedule.pk, active=True).update(active=False):
        logger.warning("scheduled export %s stopped after %s failures", schedule.pk, schedule.failure_count)
        _notify(
            job.owner_id,
            f"export:schedule-stopped:{schedule.pk}:{job.pk}",
            gettext("A scheduled report has stopped: %(name)s") % {"name": job.filename},
            gettext(
                "It failed %(count)s times in a row and will not run again until you start it again. The last "
                "error: %(error)s"
            )
            % {"count": schedule.failure_count, "error": job.error},
            url,
        )


def _notify(user_id: int, key: str, title: str, body: str, url: str) -> None:
    # One notification per (user, key), as the reminder job does (activities/reminders.py); written
    # here because branch/ does not import from activities/.
    try:
        with transaction.atomic():
            Notification.objects.get_or_create(
                user_id=user_id, key=key[:120], defaults={"title": title[:200], "body": body, "url": url[:300]}
            )
    except IntegrityError:
        pass  # created by a concurrent run
