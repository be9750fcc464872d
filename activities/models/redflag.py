"""Red-flag wells and equipment (红旗井、红旗设备) under the five fixes (五定管理法).

定人 the responsible member, 定机 the asset, 定时 the schedule, 定指标 the targets, 定方法 the method:
each is a field of `RedFlagAssignment` or its `AssignmentTarget` rows. Readings are the production
figures the targets are measured against.
"""

from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branch.models import Branch
from members.models import Member


class Indicator(models.TextChoices):
    OIL_OUTPUT = "oil_output", _("daily oil output")
    LIQUID_OUTPUT = "liquid_output", _("daily liquid output")
    WATER_CUT = "water_cut", _("water cut")
    INJECTION = "injection", _("daily water injection")
    UPTIME = "uptime", _("uptime")
    FAILURES = "failures", _("failures per month")

    @property
    def spec(self) -> "IndicatorSpec":
        return INDICATOR_SPECS[self]


@dataclass(frozen=True)
class IndicatorSpec:
    unit: str  # as typed on forms and in imported files
    higher_is_better: bool
    monthly: bool = False  # one reading a month (dated the 1st) rather than one a day
    max_value: float | None = None  # a physical limit (percentages)


INDICATOR_SPECS = {
    Indicator.OIL_OUTPUT: IndicatorSpec("t/d", True),
    Indicator.LIQUID_OUTPUT: IndicatorSpec("t/d", True),
    Indicator.WATER_CUT: IndicatorSpec("%", False, max_value=100),
    Indicator.INJECTION: IndicatorSpec("m³/d", True),
    Indicator.UPTIME: IndicatorSpec("%", True, max_value=100),
    Indicator.FAILURES: IndicatorSpec("次/月", False, monthly=True),
}


class Asset(models.Model):
    """A well or a machine of the operation area."""

    class Kind(models.TextChoices):
        OIL_WELL = "oil_well", _("oil well")
        INJECTION_WELL = "injection_well", _("water-injection well")
        PUMPING_UNIT = "pumping_unit", _("pumping unit")
        SEPARATOR = "separator", _("separator")
        PUMP = "pump", _("pump")
        OTHER = "other", _("other equipment")

    class Status(models.TextChoices):
        IN_SERVICE = "in_service", _("in service")
        SHUT_IN = "shut_in", _("shut in")
        UNDER_REPAIR = "under_repair", _("under repair")
        RETIRED = "retired", _("retired")

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="assets", verbose_name=_("branch"))
    code = models.CharField(_("code"), max_length=30, help_text=_("For example J188-12."))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    station = models.CharField(_("station or area"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.IN_SERVICE)
    hard_to_manage = models.BooleanField(_("hard to manage"), default=False)
    hard_reason = models.CharField(_("why it is hard to manage"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["branch", "code"], name="unique_asset_code_per_branch")]

    def __str__(self):
        return self.code


class RedFlagAssignment(models.Model):
    """A member taking charge of one asset under the five fixes. Ending it closes it; it is never
    overwritten, so the asset's history of responsible members stays."""

    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("asset"))
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="red_flag_assignments", verbose_name=_("responsible member")
    )
    schedule = models.CharField(
        _("schedule"), max_length=200, help_text=_("定时: for example inspection every Monday and Thursday at 10:00.")
    )
    method = models.TextField(_("method"), help_text=_("定方法: how the member looks after the asset."))
    fit_reason = models.CharField(
        _("why this member fits"),
        max_length=200,
        help_text=_("岗位所需、党员所长: what the post needs, what the member brings."),
    )
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("red-flag assignment")
        verbose_name_plural = _("red-flag assignments")
        ordering = ["-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["asset"],
                condition=Q(ended_on__isnull=True),
                name="one_active_assignment_per_asset",
                violation_error_message=_("This asset already has a responsible member."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="assignment_ends_after_it_starts",
                violation_error_message=_("An assignment cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.asset.code} — {self.member.name}"

    @property
    def is_active(self) -> bool:
        return self.ended_on is None


class AssignmentTarget(models.Model):
    """定指标: one target of an assignment, for one indicator, in that indicator's unit."""

    assignment = models.ForeignKey(
        RedFlagAssignment, on_delete=models.CASCADE, related_name="targets", verbose_name=_("assignment")
    )
    indicator = models.CharField(_("indicator"), max_length=20, choices=Indicator.choices)
    target = models.DecimalField(_("target"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "indicator"], name="one_target_per_indicator"),
            models.CheckConstraint(condition=Q(target__gte=0), name="target_not_negative"),
        ]

    def __str__(self):
        return f"{self.get_indicator_display()} {self.target} {self.unit}"

    @property
    def unit(self) -> str:
        return Indicator(self.indicator).spec.unit


class Reading(models.Model):
    """A production reading of one indicator of an asset, for a day (or a month, dated the 1st)."""

    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="readings", verbose_name=_("asset"))
    indicator = models.CharField(_("indicator"), max_length=20, choices=Indicator.choices)
    reading_on = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=10, decimal_places=2)
    entered_by = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("entered by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reading")
        verbose_name_plural = _("readings")
        ordering = ["-reading_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["asset", "indicator", "reading_on"],
                name="one_reading_per_indicator_and_period",
                violation_error_message=_("There is already a reading of this indicator for that period."),
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="reading_not_negative"),
        ]
        indexes = [models.Index(fields=["asset", "indicator", "reading_on"], name="reading_series")]

    def __str__(self):
        return f"{self.asset.code} {self.reading_on} {self.get_indicator_display()} {self.value}"
