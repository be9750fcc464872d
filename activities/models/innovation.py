"""The technical task force (技术攻关小组) and small improvements (小改小革): projects, awards, patents."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branch.models import Branch
from members.models import Member


class Innovation(models.Model):
    class Kind(models.TextChoices):
        TASK_FORCE = "task_force", _("technical task force project")
        SMALL_IMPROVEMENT = "small_improvement", _("small improvement")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        STOPPED = "stopped", _("stopped")

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="innovations", verbose_name=_("branch"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    members = models.ManyToManyField(Member, related_name="innovations", verbose_name=_("members"))
    lead = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="led_innovations", verbose_name=_("lead"))
    problem = models.TextField(_("problem"))
    solution = models.TextField(_("solution"), blank=True)
    result = models.TextField(_("result"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED)
    started_on = models.DateField(_("started on"))

    history = HistoricalRecords(m2m_fields=[members])

    class Meta:
        verbose_name = _("innovation")
        verbose_name_plural = _("innovations")
        ordering = ["-started_on"]

    def __str__(self):
        return self.title


class InnovationAward(models.Model):
    innovation = models.ForeignKey(
        Innovation, on_delete=models.CASCADE, related_name="awards", verbose_name=_("project")
    )
    name = models.CharField(_("award"), max_length=200)
    level = models.CharField(_("level"), max_length=100)
    awarded_on = models.DateField(_("awarded on"))

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["-awarded_on"]

    def __str__(self):
        return self.name


class Patent(models.Model):
    class Kind(models.TextChoices):
        INVENTION = "invention", _("invention patent")
        UTILITY_MODEL = "utility_model", _("utility model patent")
        DESIGN = "design", _("design patent")

    innovation = models.ForeignKey(
        Innovation, on_delete=models.CASCADE, related_name="patents", verbose_name=_("project")
    )
    number = models.CharField(_("patent number"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    granted_on = models.DateField(_("granted on"))

    class Meta:
        verbose_name = _("patent")
        verbose_name_plural = _("patents")
        ordering = ["-granted_on"]

    def __str__(self):
        return self.number
