"""Honours (荣誉) of members and of the branch."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from branch.models import Branch
from members.models import Member


class Honor(models.Model):
    """An honour (荣誉) given to a member, or to the branch itself when no member is named."""

    class Level(models.TextChoices):
        OPERATION_AREA = "operation_area", _("operation area")
        PLANT = "plant", _("plant")
        OILFIELD = "oilfield", _("oilfield company")
        GROUP_COMPANY = "group_company", _("group company")

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="honors", verbose_name=_("branch"))
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="honors", verbose_name=_("member")
    )
    title = models.CharField(_("title"), max_length=100)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    awarded_on = models.DateField(_("awarded on"))
    awarded_by = models.CharField(_("awarded by"), max_length=100, blank=True)
    citation = models.TextField(_("citation"), blank=True)

    class Meta:
        verbose_name = _("honour")
        verbose_name_plural = _("honours")
        ordering = ["-awarded_on"]

    def __str__(self):
        return self.title


class ModelSelection(models.Model):
    """A round of selecting 五带头标兵 (five-lead model members): nominate → committee decides → publish."""

    class State(models.TextChoices):
        NOMINATING = "nominating", _("taking nominations")
        DECIDED = "decided", _("decided by the committee")
        PUBLISHED = "published", _("published")

    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="model_selections", verbose_name=_("branch")
    )
    title = models.CharField(_("title"), max_length=100, help_text=_("For example 2026年第三季度五带头标兵."))
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.NOMINATING)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)

    class Meta:
        verbose_name = _("model member selection")
        verbose_name_plural = _("model member selections")
        ordering = ["-pk"]

    def __str__(self):
        return self.title


class Nomination(models.Model):
    selection = models.ForeignKey(
        ModelSelection, on_delete=models.CASCADE, related_name="nominations", verbose_name=_("selection")
    )
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="nominations", verbose_name=_("member"))
    nominated_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("nominated by"))
    reason = models.TextField(_("reasons"))
    selected = models.BooleanField(_("selected"), default=False)

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        constraints = [models.UniqueConstraint(fields=["selection", "member"], name="one_nomination_per_member")]

    def __str__(self):
        return f"{self.selection}: {self.member.name}"


class Publicity(models.Model):
    """三级宣传: an achievement shared at one of three levels."""

    class Level(models.TextChoices):
        EXCHANGE = "exchange", _("experience exchange")
        BULLETIN = "bulletin", _("operation area production bulletin")
        WEBSITE = "website", _("plant website")

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="publicity", verbose_name=_("branch"))
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    title = models.CharField(_("what was shared"), max_length=200)
    shared_on = models.DateField(_("shared on"))
    link = models.URLField(_("link"), blank=True)
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="publicity", verbose_name=_("member")
    )
    honor = models.ForeignKey(
        Honor, on_delete=models.CASCADE, null=True, blank=True, related_name="publicity", verbose_name=_("honour")
    )

    class Meta:
        verbose_name = _("publicity")
        verbose_name_plural = _("publicity")
        ordering = ["-shared_on"]

    def __str__(self):
        return self.title


class BranchRule(models.Model):
    """One of the branch's rules (制度), shown on the wall (三上墙)."""

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="rules", verbose_name=_("branch"))
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("branch rule")
        verbose_name_plural = _("branch rules")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.title
