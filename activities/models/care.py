"""五一定: the branch always visits an employee who is hospitalised, meets hardship, marries, has a
child, or has a child entering university."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branch.models import Branch
from members.models import Employee, Member


class CareOccasion(models.Model):
    class Kind(models.TextChoices):
        HOSPITALISED = "hospitalised", _("hospitalised")
        HARDSHIP = "hardship", _("hardship")
        MARRIAGE = "marriage", _("marriage")
        CHILDBIRTH = "childbirth", _("birth of a child")
        CHILD_UNIVERSITY = "child_university", _("child entering university")

    # Illness and hardship are private: their details are shown to the committee only.
    PRIVATE_KINDS = (Kind.HOSPITALISED, Kind.HARDSHIP)

    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="care_occasions", verbose_name=_("branch")
    )
    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="care_occasions", verbose_name=_("employee")
    )
    kind = models.CharField(_("occasion"), max_length=20, choices=Kind.choices)
    occurred_on = models.DateField(_("happened on"))
    reported_on = models.DateField(_("reported on"))
    details = models.TextField(_("details"), blank=True, help_text=_("Private for illness and hardship."))
    reported_by = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("reported by")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("care occasion")
        verbose_name_plural = _("care occasions")
        ordering = ["-occurred_on"]

    def __str__(self):
        return f"{self.employee.name}: {self.get_kind_display()}"


class CareVisit(models.Model):
    occasion = models.ForeignKey(
        CareOccasion, on_delete=models.CASCADE, related_name="visits", verbose_name=_("occasion")
    )
    visited_on = models.DateField(_("visited on"))
    visitors = models.ManyToManyField(Member, related_name="care_visits", verbose_name=_("visitors"))
    brought = models.CharField(_("what was brought or done"), max_length=200)
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords(m2m_fields=[visitors])

    class Meta:
        verbose_name = _("care visit")
        verbose_name_plural = _("care visits")
        ordering = ["-visited_on"]

    def __str__(self):
        return f"{self.visited_on} {self.occasion}"
