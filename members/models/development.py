"""The development pipeline (入党申请人 → 入党积极分子 → 发展对象 → 预备党员 → 正式党员).

A `Development` holds the dates each step happened for one person; the rules that decide what may
happen next live in `members/pipeline.py` and the writes in `members/services/development.py`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .people import Member


class Development(models.Model):
    class ProbationOutcome(models.TextChoices):
        FULL = "full", _("admitted as full member on time")
        EXTENDED = "extended", _("probation extended")
        CANCELLED = "cancelled", _("probationary membership cancelled")

    member = models.OneToOneField(
        Member, on_delete=models.CASCADE, related_name="development", verbose_name=_("person")
    )
    applied_on = models.DateField(_("application submitted on"))
    talked_on = models.DateField(_("talk with the branch on"), null=True, blank=True)
    activist_on = models.DateField(_("became an activist on"), null=True, blank=True)
    contacts = models.ManyToManyField(
        Member, related_name="contact_for", blank=True, verbose_name=_("contacts (培养联系人)")
    )
    candidate_on = models.DateField(_("became a candidate on"), null=True, blank=True)
    sponsors = models.ManyToManyField(
        Member, related_name="sponsor_for", blank=True, verbose_name=_("sponsors (入党介绍人)")
    )
    political_review_on = models.DateField(_("political review passed on"), null=True, blank=True)
    training_days = models.PositiveSmallIntegerField(_("training days"), default=0)
    training_hours = models.PositiveSmallIntegerField(_("training class hours"), default=0)
    admitted_on = models.DateField(
        _("admitted by the branch meeting on"), null=True, blank=True, help_text=_("Probation starts on this day.")
    )
    extension_months = models.PositiveSmallIntegerField(_("probation extended by (months)"), null=True, blank=True)
    probation_outcome = models.CharField(
        _("end of probation"), max_length=20, choices=ProbationOutcome.choices, blank=True
    )
    probation_decided_on = models.DateField(_("end of probation decided on"), null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[contacts, sponsors])

    class Meta:
        verbose_name = _("development record")
        verbose_name_plural = _("development records")

    def __str__(self):
        return str(self.member)


class ActivistReview(models.Model):
    """A contact's quarterly review of an activist's motive (入党动机) and conduct (实际表现)."""

    development = models.ForeignKey(
        Development, on_delete=models.CASCADE, related_name="contact_reviews", verbose_name=_("development record")
    )
    contact = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="written_reviews", verbose_name=_("contact")
    )
    quarter = models.CharField(_("quarter"), max_length=6, help_text=_("For example 2026Q3."))
    reviewed_on = models.DateField(_("written on"))
    motive = models.TextField(_("motive for joining"))
    conduct = models.TextField(_("conduct"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact review")
        verbose_name_plural = _("contact reviews")
        ordering = ["-quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["development", "contact", "quarter"],
                name="one_review_per_contact_and_quarter",
                violation_error_message=_("This contact has already reviewed this person for the quarter."),
            )
        ]

    def __str__(self):
        return f"{self.development.member.name} {self.quarter}"


class BranchReview(models.Model):
    """The branch's half-yearly review (支部考察) of an activist or candidate."""

    development = models.ForeignKey(
        Development, on_delete=models.CASCADE, related_name="branch_reviews", verbose_name=_("development record")
    )
    half_year = models.CharField(_("half year"), max_length=6, help_text=_("For example 2026H1."))
    reviewed_on = models.DateField(_("reviewed on"))
    conclusion = models.TextField(_("conclusion"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("branch review")
        verbose_name_plural = _("branch reviews")
        ordering = ["-half_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["development", "half_year"],
                name="one_branch_review_per_half_year",
                violation_error_message=_("The branch has already reviewed this person for that half year."),
            )
        ]

    def __str__(self):
        return f"{self.development.member.name} {self.half_year}"
