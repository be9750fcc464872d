"""What members record about themselves: study records and proposed corrections to their data."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .people import Member


class StudyRecordQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=StudyRecord.Status.CONFIRMED)


class StudyRecord(models.Model):
    """What a member studied (学习记录). Only records a leader confirmed count in totals."""

    class Form(models.TextChoices):
        SELF_STUDY = "self_study", _("self-study")
        TOPIC_CLASS = "topic_class", _("topic class")
        MEETING = "meeting", _("study meeting")
        ONLINE = "online", _("online course")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("waiting for confirmation")
        CONFIRMED = "confirmed", _("confirmed")
        RETURNED = "returned", _("returned")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="study_records", verbose_name=_("member"))
    studied_on = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=200)
    form = models.CharField(_("form"), max_length=20, choices=Form.choices)
    hours = models.DecimalField(
        _("hours"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("24"))],
    )
    notes = models.TextField(_("notes"), blank=True)
    attachment = models.FileField(_("attachment"), upload_to="study/%Y/", blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    reviewed_by = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewed_study_records",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    return_reason = models.CharField(_("reason for returning"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = StudyRecordQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("study record")
        verbose_name_plural = _("study records")
        ordering = ["-studied_on", "-pk"]
        indexes = [models.Index(fields=["member", "studied_on"])]

    def __str__(self):
        return f"{self.studied_on} {self.topic}"


class CorrectionRequest(models.Model):
    """A member's proposed correction to their own personal data; the secretary decides."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for a decision")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    # The personal fields a member may ask to correct; official fields (status, dates of joining,
    # group) change only through the branch's own actions.
    CORRECTABLE_FIELDS = ("name", "gender", "ethnicity", "birth_date", "phone", "id_card_number")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="corrections", verbose_name=_("member"))
    changes = models.JSONField(_("proposed values"), help_text=_("Field name to proposed value."))
    reason = models.CharField(_("reason"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    rejection_reason = models.CharField(_("reason for rejecting"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")
        ordering = ["-requested_at"]

    def __str__(self):
        return f"{self.member.name}: {', '.join(self.changes)}"
