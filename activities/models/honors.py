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
