"""Export jobs: starting them, running them in the background, and cleaning up after them.

What this module guarantees:

- A job is started only by someone the exporter `allowed`, with parameters its `clean_params`
  accepts; it is queued after the transaction commits (`transaction.on_commit`).
- A job runs at most once: the task claims it by moving it from pending to running in one
  conditional UPDATE, so a task delivered twice finds nothing to do.
- When it runs, the owner's rights are checked again as they are at that moment (someone demoted
  between the click and the run gets a failed job, not the file).
- A job ends done with its file stored, or failed with a message for the user and no file.
- Jobs that never started (no worker) or never finished (a worker killed) are failed after
  HONGQI_EXPORT_PENDING_TIMEOUT / HONGQI_EXPORT_RUNNING_TIMEOUT minutes: by the hourly cleanup, and
  at once whenever their status is read, so the job page never spins for ever.
- Files are deleted HONGQI_EXPORT_KEEP_DAYS days after they were made; the job rows stay as the
  export log (who exported what, when).

Messages stored on jobs and notifications are written in the site's language (settings.LANGUAGE_CODE),
whatever language the worker or the shell has active.
"""

from __future__ import annotations

import datetime as dt
import inspect
import logging
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext

from branch.models import Branch, ExportJob
from members.access import ANONYMOUS, Actor, actor_for

from . import writers
from .base import Exporter, get_exporter

logger = logging.getLogger("hongqi.exports")

Status = ExportJob.Status


class ExportRefused(Exception):
    """The job may not run (the owner lost the right to it, the report no longer exists)."""


# ---- settings ------------------------------------------------------------------------------------


def keep_for() -> dt.timedelta:
    return dt.timedelta(days=settings.HONGQI_EXPORT_KEEP_DAYS)


def pending_timeout() -> dt.timedelta:
    return dt.timedelta(minutes=settings.HONGQI_EXPORT_PENDING_TIMEOUT)


def running_timeout() -> dt.timedelta:
    return dt.timedelta(minutes=settings.HONGQI_EXPORT_RUNNING_TIMEOUT)


# ---- who may -------------------------------------------------------------------------------------
# Exporters may decide with the parameters too (the record book: a member exports only their own):
# base.py's `allowed(actor, branch, params=None)` and `clean_params(branch, params, actor=None)`. An
# exporter that leaves those arguments out of its methods still works: they are passed only where taken.


def _takes(method, name: str) -> bool:
    return name in inspect.signature(method).parameters


def may_run(exporter: Exporter, actor: Actor, branch: Branch, params: dict | None = None) -> bool:
    if params is not None and _takes(exporter.allowed, "params"):
        return bool(exporter.allowed(actor, branch, params))
    return bool(exporter.allowed(actor, branch))


def clean_params(exporter: Exporter, branch: Branch, params: dict, actor: Actor | None = None) -> dict:
    """The exporter's check of stored parameters; raises ValidationError with the user's message."""
    if actor is not None and _takes(exporter.clean_params, "actor"):
        return exporter.clean_params(branch, dict(params), actor=actor)
    return exporter.clean_params(branch, dict(params))


def _check_format(exporter: Exporter, file_format: str) -> None:
    if file_format not in exporter.formats:
        raise ValidationError(
            gettext("This report cannot be made as %(format)s."), code="format", params={"format": file_format}
        )


def _exporter(identifier: str) -> Exporter:
    try:
        return get_exporter(identifier)
    except LookupError as error:
        raise ValidationError(str(error), code="no_such_report") from None


# ---- starting ------------------------------------------------------------------------------------


@transaction.atomic
def start_export(
    *,
    actor: Actor,
    branch: Branch,
    exporter_id: str,
    params: dict,
    file_format: str,
    scheduled=None,
) -> ExportJob:
    """Create a pending job for the actor and queue it once the transaction commits.

    Raises PermissionDenied when the actor may not run the report for this branch, ValidationError
    when the format or the parameters are refused (an unknown report included).
    """
    exporter = _exporter(exporter_id)
    if not actor.is_authenticated or not may_run(exporter, actor, branch):
        raise PermissionDenied
    _check_format(exporter, file_format)
    params = clean_params(exporter, branch, params, actor)
    if not may_run(exporter, actor, branch, params):
        raise PermissionDenied
    job = ExportJob.objects.create(
        branch=branch,
        owner_id=actor.user_id,
        exporter=exporter.identifier,
        params=params,
        file_format=file_format,
        filename=f"{exporter.filename(branch, params)}.{file_format}"[-200:],
        scheduled=scheduled,
    )
    logger.info(
        "export job %s queued: %s %s for branch %s by user %s", job.pk, job.exporter, params, branch.pk, job.owner_id
    )
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from .tasks import run_export_task  # the task module imports this one

    try:
        run_export_task.delay(job_id)
    except Exception:
        # The broker is down: say so now rather than let the page wait for the pending timeout.
        logger.exception("export job %s could not be queued", job_id)
        with translation.override(settings.LANGUAGE_CODE):
            message = gettext("The export could not be handed to the background worker. Try again in a few minutes.")
        ExportJob.objects.filter(pk=job_id, status=Status.PENDING).update(
            status=Status.FAILED, error=message, finished_at=timezone.now()
        )


# ---- running -------------------------------------------------------------------------------------


class _ProgressRecorder:
    """Writes progress to the job row, at most when it moved 2 points or a second has passed."""

    def __init__(self, job_id: int, total_rows: int | None):
        self.job_id, self.total = job_id, total_rows or None
        self.percent, self.at = 0, time.monotonic()

    def __call__(self, rows: int) -> None:
        percent = min(99, rows * 100 // self.total) if self.total else 0
        now = time.monotonic()
        if percent - self.percent >= 2 or now - self.at >= 1:
            self.percent, self.at = percent, now
            ExportJob.objects.filter(pk=self.job_id, status=Status.RUNNING).update(progress=percent, row_count=rows)


def run_export(job_id: int) -> str | None:
    """Run a pending job to the end; returns its final status (None if it was not pending)."""
    claimed = ExportJob.objects.filter(pk=job_id, status=Status.PENDING).update(
        status=Status.RUNNING, started_at=timezone.now(), progress=0
    )
    if not claimed:
        logger.warning("export job %s is not pending: not run (again)", job_id)
        return None
    job = ExportJob.objects.select_related("branch", "owner").get(pk=job_id)
    logger.info("export job %s started: %s for branch %s by user %s", job.pk, job.exporter, job.branch_id, job.owner_id)
    with translation.override(settings.LANGUAGE_CODE):
        try:
            _produce(job)
        except Exception as error:
            _fail(job, error)
        job.refresh_from_db()
        if job.scheduled_id:
            from .schedules import record_scheduled_result

            record_scheduled_result(job)
    return job.status


def _produce(job: ExportJob) -> None:
    exporter = _exporter(job.exporter)
    owner = job.owner
    actor = actor_for(owner) if owner.is_active else ANONYMOUS
    if not may_run(exporter, actor, job.branch, job.params):
        raise ExportRefused(
            gettext("You may no longer make this report for %(branch)s: your role in the branch has changed.")
            % {"branch": job.branch.name}
        )
    params = clean_params(exporter, job.branch, job.params, actor)
    sheets = list(exporter.sheets(job.branch, params))  # the Sheet objects; their rows stay lazy
    if job.file_format == "csv":
        sheets = sheets[:1]
    counts = [sheet.row_count for sheet in sheets]
    total = sum(counts) if counts and None not in counts else None
    with tempfile.TemporaryDirectory(prefix="hongqi-export-") as folder:
        path = Path(folder) / f"export.{job.file_format}"
        rows = writers.write(path, job.file_format, sheets, _ProgressRecorder(job.pk, total))
        with path.open("rb") as handle:
            job.file.save(path.name, File(handle), save=False)
    now = timezone.now()
    try:
        finished = ExportJob.objects.filter(pk=job.pk, status=Status.RUNNING).update(
            status=Status.DONE,
            file=job.file.name,
            row_count=rows,
            progress=100,
            error="",
            finished_at=now,
            expires_at=now + keep_for(),
        )
    except BaseException:
        job.file.delete(save=False)
        raise
    if not finished:
        # The job was failed meanwhile (it ran past the running timeout): keep the log as it is
        # and leave no file nobody can download.
        job.file.delete(save=False)
        logger.warning("export job %s finished after it had been failed; file discarded", job.pk)
        return
    logger.info("export job %s done: %s rows in %s", job.pk, rows, job.file.name)


def _fail(job: ExportJob, error: Exception) -> None:
    if isinstance(error, ValidationError):
        message = " ".join(str(m) for m in error.messages)
        logger.warning("export job %s refused its parameters: %s", job.pk, message)
    elif isinstance(error, ExportRefused):
        message = str(error)
        logger.warning("export job %s refused: %s", job.pk, message)
    else:
        logger.exception("export job %s failed", job.pk)
        message = gettext(
            "The export failed because of an error in the program (%(error)s). Try again; if it fails again, "
            "tell the administrator."
        ) % {"error": type(error).__name__}
    ExportJob.objects.filter(pk=job.pk, status=Status.RUNNING).update(
        status=Status.FAILED, error=message, file="", finished_at=timezone.now()
    )


# ---- producing a file directly (the command line) ------------------------------------------------


def export_to_file(
    *, exporter_id: str, branch: Branch, params: dict, file_format: str, path, actor: Actor | None = None
) -> int:
    """Write a report straight to `path`, without a job: for operators and cron, who are trusted.
    With an actor, their rights are checked as on the web. Returns the number of rows written;
    raises ValidationError or PermissionDenied, and leaves no file when it fails."""
    exporter = _exporter(exporter_id)
    _check_format(exporter, file_format)
    if actor is not None and not may_run(exporter, actor, branch):
        raise PermissionDenied
    params = clean_params(exporter, branch, params, actor)
    if actor is not None and not may_run(exporter, actor, branch, params):
        raise PermissionDenied
    logger.info("export to file started: %s %s for branch %s -> %s", exporter.identifier, params, branch.pk, path)
    rows = writers.write(path, file_format, exporter.sheets(branch, params))
    logger.info("export to file done: %s rows -> %s", rows, path)
    return rows


# ---- housekeeping --------------------------------------------------------------------------------


def _stale_messages() -> tuple[str, str]:
    with translation.override(settings.LANGUAGE_CODE):
        return (
            gettext(
                "The export did not start in time: the background worker may be down. Try again later; if it "
                "happens again, tell the administrator."
            ),
            gettext(
                "The export did not finish in time and was stopped: the background worker may have been "
                "restarted. Try again; for a very large report choose a narrower one."
            ),
        )


def fail_stale_jobs(now: dt.datetime | None = None, jobs: QuerySet[ExportJob] | None = None) -> int:
    """Fail jobs (all, or those of `jobs`) pending or running for longer than the timeouts; returns
    how many."""
    now = now or timezone.now()
    jobs = ExportJob.objects.all() if jobs is None else jobs
    not_started, not_finished = _stale_messages()
    count = jobs.filter(status=Status.PENDING, created_at__lt=now - pending_timeout()).update(
        status=Status.FAILED, error=not_started, finished_at=now
    )
    count += jobs.filter(status=Status.RUNNING, started_at__lt=now - running_timeout()).update(
        status=Status.FAILED, error=not_finished, finished_at=now
    )
    if count:
        logger.warning("%s stale export job(s) failed", count)
    return count


def fail_if_stale(job: ExportJob, now: dt.datetime | None = None) -> ExportJob:
    """The same rule for one job, applied whenever its status is read; returns the job, fresh."""
    now = now or timezone.now()
    stale = (job.status == Status.PENDING and job.created_at < now - pending_timeout()) or (
        job.status == Status.RUNNING and job.started_at and job.started_at < now - running_timeout()
    )
    if stale:
        not_started, not_finished = _stale_messages()
        message = not_started if job.status == Status.PENDING else not_finished
        if ExportJob.objects.filter(pk=job.pk, status=job.status).update(
            status=Status.FAILED, error=message, finished_at=now
        ):
            logger.warning("export job %s failed as stale (%s)", job.pk, job.status)
        job.refresh_from_db()
    return job


def delete_expired_exports(now: dt.datetime | None = None) -> int:
    """Delete the files of jobs past their keeping time; the rows stay. Returns how many files."""
    now = now or timezone.now()
    expired = ExportJob.objects.filter(expired=False, expires_at__lt=now)
    count = 0
    for job in expired.only("pk", "file").iterator():
        if job.file:
            job.file.delete(save=False)
        ExportJob.objects.filter(pk=job.pk).update(expired=True, file="")
        count += 1
    if count:
        logger.info("%s expired export file(s) deleted", count)
    return count
