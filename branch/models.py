"""The branch and how it is organised: party groups and front-line work teams; its notifications and
its exports (the job log and the scheduled reports of branch/exports)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Branch(models.Model):
    """A Party branch (党支部). A plant (采油厂) has many; each runs its own members and work."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    plant = models.CharField(_("plant"), max_length=100, help_text=_("The oil production plant the branch belongs to."))
    operation_area = models.CharField(_("operation area"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    # Development pipeline intervals. The defaults are the national rules; localities vary some of
    # them, so each branch may set its own (members/pipeline.py reads them).
    talk_within_days = models.PositiveSmallIntegerField(_("talk with an applicant within (days)"), default=30)
    activist_min_months = models.PositiveSmallIntegerField(
        _("activist for at least (months) before candidacy"), default=12
    )
    contact_review_months = models.PositiveSmallIntegerField(_("contacts review activists every (months)"), default=3)
    branch_review_months = models.PositiveSmallIntegerField(_("branch reviews activists every (months)"), default=6)
    training_min_days = models.PositiveSmallIntegerField(_("candidate training at least (days)"), default=3)
    training_min_hours = models.PositiveSmallIntegerField(_("candidate training at least (class hours)"), default=24)
    probation_months = models.PositiveSmallIntegerField(_("probation (months)"), default=12)
    probation_decision_days = models.PositiveSmallIntegerField(
        _("decide on full membership within (days) of the end of probation"), default=30
    )
    extension_min_months = models.PositiveSmallIntegerField(_("probation extension at least (months)"), default=6)
    extension_max_months = models.PositiveSmallIntegerField(_("probation extension at most (months)"), default=12)

    # Organisation life (三会一课): how often each kind of meeting must be held, in months.
    general_meeting_months = models.PositiveSmallIntegerField(_("branch general meeting every (months)"), default=3)
    committee_meeting_months = models.PositiveSmallIntegerField(_("committee meeting every (months)"), default=1)
    group_meeting_months = models.PositiveSmallIntegerField(_("party group meeting every (months)"), default=1)
    party_lecture_months = models.PositiveSmallIntegerField(_("party lecture every (months)"), default=3)
    theme_day_months = models.PositiveSmallIntegerField(_("theme party day every (months)"), default=1)

    # Service work.
    care_visit_within_days = models.PositiveSmallIntegerField(_("visit a care occasion within (days)"), default=7)
    appeal_answer_days = models.PositiveSmallIntegerField(_("answer an appeal within (days)"), default=15)
    wall_is_public = models.BooleanField(
        _("the wall needs no login"),
        default=False,
        help_text=_("Turn on to show the wall (三上墙) on the hall's screen without logging in."),
    )

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["plant", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("branch:overview", args=[self.pk])


class PartyGroup(models.Model):
    """A party group (党小组): the branch draws three by proximity (就近原则)."""

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="party_groups", verbose_name=_("branch"))
    name = models.CharField(_("name"), max_length=50)
    area = models.CharField(_("area"), max_length=100, blank=True, help_text=_("Where the group's members work."))

    class Meta:
        verbose_name = _("party group")
        verbose_name_plural = _("party groups")
        ordering = ["branch", "name"]
        constraints = [models.UniqueConstraint(fields=["branch", "name"], name="unique_party_group_name_per_branch")]

    def __str__(self):
        return self.name


class WorkTeam(models.Model):
    """A front-line work crew (班组). Members and non-member employees belong to one."""

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="work_teams", verbose_name=_("branch"))
    name = models.CharField(_("name"), max_length=50)
    station = models.CharField(_("station"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("work team")
        verbose_name_plural = _("work teams")
        ordering = ["branch", "name"]
        constraints = [models.UniqueConstraint(fields=["branch", "name"], name="unique_work_team_name_per_branch")]

    def __str__(self):
        return self.name


class Notification(models.Model):
    """An in-app reminder for one user. `key` names the thing reminded about (e.g.
    "guidance:2026-11:member-12"), so the reminder job never sends the same thing twice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("user")
    )
    key = models.CharField(_("key"), max_length=120)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("details"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_notification_per_thing")]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return self.title


# ---- exports (branch/exports) --------------------------------------------------------------------


def export_upload_to(job: ExportJob, filename: str) -> str:
    """exports/2026/10/<random>.xlsx: the stored name is unguessable and never the download name
    (`ExportJob.filename`), so two jobs never write the same file and a URL guess finds nothing."""
    extension = filename.rsplit(".", 1)[-1] if "." in filename else job.file_format
    return f"exports/{timezone.now():%Y/%m}/{secrets.token_urlsafe(16)}.{extension}"


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel workbook (.xlsx)")
    CSV = "csv", _("CSV file (.csv, first sheet only)")


class ScheduledExport(models.Model):
    """A report one person asked to have made again and again: on the first working day (Mon–Fri)
    after each quarter ends, or of each month. A parameter written "previous" means the quarter
    before the run date. After `max_failures` failed runs in a row it stops itself and says so."""

    class Frequency(models.TextChoices):
        QUARTERLY = "quarterly", _("every quarter, on the first working day after it ends")
        MONTHLY = "monthly", _("every month, on its first working day")

    branch = models.ForeignKey(
        Branch, on_delete=models.CASCADE, related_name="scheduled_exports", verbose_name=_("branch")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scheduled_exports", verbose_name=_("owner")
    )
    exporter = models.CharField(_("report"), max_length=50)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    file_format = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices, default=ExportFormat.XLSX)
    frequency = models.CharField(_("when"), max_length=10, choices=Frequency.choices, default=Frequency.QUARTERLY)
    active = models.BooleanField(_("active"), default=True)
    next_run_on = models.DateField(_("next run on"))
    last_run_at = models.DateTimeField(_("last run at"), null=True, blank=True)
    failure_count = models.PositiveSmallIntegerField(_("failures in a row"), default=0)
    max_failures = models.PositiveSmallIntegerField(_("stop after this many failures in a row"), default=3)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("scheduled export")
        verbose_name_plural = _("scheduled exports")
        ordering = ["next_run_on", "pk"]
        indexes = [models.Index(fields=["active", "next_run_on"])]

    def __str__(self):
        return f"{self.exporter} ({self.get_frequency_display()})"


class ExportJob(models.Model):
    """One export someone asked for, and the export log: the row stays (who exported what, when)
    after its file has expired and been deleted."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to start")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    # PROTECT: the log outlives neither its branch nor its people being deleted by accident.
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="export_jobs", verbose_name=_("branch"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="export_jobs", verbose_name=_("owner")
    )
    exporter = models.CharField(_("report"), max_length=50)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    file_format = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices, default=ExportFormat.XLSX)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    file = models.FileField(_("file"), upload_to=export_upload_to, max_length=200, blank=True)
    filename = models.CharField(_("download name"), max_length=200)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("file kept until"), null=True, blank=True)
    expired = models.BooleanField(_("file deleted"), default=False)
    scheduled = models.ForeignKey(
        ScheduledExport,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="jobs",
        verbose_name=_("scheduled export"),
    )

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["owner", "-created_at"]),
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["expired", "expires_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="export_progress_at_most_100"),
        ]

    def __str__(self):
        return self.filename

    def get_absolute_url(self):
        return reverse("exports:job", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def can_download(self) -> bool:
        return self.status == self.Status.DONE and not self.expired and bool(self.file)
