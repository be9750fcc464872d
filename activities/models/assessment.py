"""Quarterly target-management assessment (目标管理考核).

A branch's `AssessmentScheme` holds its grade thresholds and the cap on 优秀; its `AssessmentItem`s say
what is scored and how (the rules live in activities/assessment/rules.py). While a quarter is open
every score is computed from the records; the secretary may replace an item's computed score with a
written reason (`ScoreAdjustment`) and add deductions (`Deduction`). Locking the quarter
(`AssessmentPeriod.locked_at`) writes `MemberScore` and `ItemScore` rows: from then on those are the
figures, whatever later happens to the records behind them.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branch.models import Branch
from branch.quarters import Quarter
from members.models import Member


def _default(key: str) -> Decimal:
    return Decimal(str(settings.HONGQI_ASSESSMENT[key]))


def default_excellent_from():
    return _default("EXCELLENT_FROM")


def default_qualified_from():
    return _default("QUALIFIED_FROM")


def default_basic_from():
    return _default("BASIC_FROM")


def default_excellent_share():
    return _default("EXCELLENT_SHARE_PERCENT")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("excellent")  # 优秀
    QUALIFIED = "qualified", _("qualified")  # 合格
    BASIC = "basic", _("basically qualified")  # 基本合格
    UNQUALIFIED = "unqualified", _("unqualified")  # 不合格


class AssessmentScheme(models.Model):
    """How a branch grades its members' quarterly scores."""

    branch = models.OneToOneField(
        Branch, on_delete=models.CASCADE, related_name="assessment_scheme", verbose_name=_("branch")
    )
    excellent_from = models.DecimalField(
        _("excellent from (points)"), max_digits=5, decimal_places=1, default=default_excellent_from
    )
    qualified_from = models.DecimalField(
        _("qualified from (points)"), max_digits=5, decimal_places=1, default=default_qualified_from
    )
    basic_from = models.DecimalField(
        _("basically qualified from (points)"), max_digits=5, decimal_places=1, default=default_basic_from
    )
    excellent_share_percent = models.DecimalField(
        # xgettext:no-python-format
        _("excellent at most (% of graded members)"),
        max_digits=5,
        decimal_places=2,
        default=default_excellent_share,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("As in the yearly democratic appraisal: 33.33 is one third. 100 means no cap."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(excellent_from__gte=models.F("qualified_from"))
                & models.Q(qualified_from__gte=models.F("basic_from")),
                name="grade_thresholds_in_order",
                violation_error_message=_("The thresholds must go down from excellent to basically qualified."),
            )
        ]

    def __str__(self):
        return str(self.branch)


class AssessmentItem(models.Model):
    """One line of the scheme. Base items score up to `points` (their weight); bonus items give
    `points` per unit up to `cap`; the deduction item sums the deductions entered for the quarter."""

    class Rule(models.TextChoices):
        ORG_LIFE = "org_life", _("attendance at organisation life")
        ACTIVITIES = "activities", _("attendance at theme activities and topic classes")
        STUDY_HOURS = "study_hours", _("confirmed study hours")
        DEDICATION = "dedication", _("dedication days")
        RED_FLAG = "red_flag", _("red-flag attainment")
        APPEALS = "appeals", _("appeals answered in time")
        GUIDANCE = "guidance", _("guidance visits (committee members)")
        CARE_VISITS = "care_visits", _("care visits (bonus)")
        HONOURS = "honours", _("honours (bonus)")
        PATENTS = "patents", _("patents (bonus)")
        PUBLICITY = "publicity", _("publicity (bonus)")
        DEDUCTIONS = "deductions", _("deductions")

    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.CASCADE, related_name="items")
    rule = models.CharField(_("rule"), max_length=20, choices=Rule.choices)
    name = models.CharField(_("name"), max_length=50)
    points = models.DecimalField(
        _("points"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(0)],
        help_text=_("A base item's full marks; a bonus item's points for each time."),
    )
    target = models.DecimalField(
        _("target"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Study hours per quarter for full marks; empty for the other items."),
    )
    cap = models.DecimalField(
        _("at most (points)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("The most a bonus item or the deductions can count in a quarter."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("scored"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment item")
        verbose_name_plural = _("assessment items")
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["scheme", "rule"], name="one_item_per_rule")]

    def __str__(self):
        return self.name

    @property
    def is_bonus(self) -> bool:
        return self.rule in BONUS_RULES

    @property
    def is_deduction(self) -> bool:
        return self.rule == self.Rule.DEDUCTIONS


BONUS_RULES = frozenset(
    {
        AssessmentItem.Rule.CARE_VISITS,
        AssessmentItem.Rule.HONOURS,
        AssessmentItem.Rule.PATENTS,
        AssessmentItem.Rule.PUBLICITY,
    }
)


class AssessmentPeriod(models.Model):
    """A quarter of a branch's assessment: open (scores computed live) or locked."""

    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="assessment_periods", verbose_name=_("branch")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("locked by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment quarter")
        verbose_name_plural = _("assessment quarters")
        ordering = ["-year", "-quarter"]
        constraints = [models.UniqueConstraint(fields=["branch", "year", "quarter"], name="one_assessment_per_quarter")]

    def __str__(self):
        return f"{self.branch} {self.as_quarter}"

    @property
    def as_quarter(self) -> Quarter:
        return Quarter(self.year, self.quarter)

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class ScoreAdjustment(models.Model):
    """The secretary's score for one item of one member, replacing the computed one, with the reason.
    Changes are kept in history."""

    period = models.ForeignKey(AssessmentPeriod, on_delete=models.CASCADE, related_name="adjustments")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="score_adjustments")
    item = models.ForeignKey(AssessmentItem, on_delete=models.PROTECT, related_name="adjustments")
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=1)
    reason = models.CharField(_("reason"), max_length=300)
    adjusted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    adjusted_at = models.DateTimeField(_("adjusted at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("score adjustment")
        verbose_name_plural = _("score adjustments")
        constraints = [models.UniqueConstraint(fields=["period", "member", "item"], name="one_adjustment_per_item")]

    def __str__(self):
        return f"{self.member} {self.item}: {self.points}"


class Deduction(models.Model):
    """Points taken off a member for the quarter, with the reason (e.g. a missed duty, a violation)."""

    period = models.ForeignKey(AssessmentPeriod, on_delete=models.CASCADE, related_name="deductions")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="deductions")
    points = models.DecimalField(
        _("points taken off"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.1"))]
    )
    reason = models.CharField(_("reason"), max_length=300)
    happened_on = models.DateField(_("date"))
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("deduction")
        verbose_name_plural = _("deductions")
        ordering = ["happened_on", "pk"]

    def __str__(self):
        return f"{self.member} -{self.points}: {self.reason}"


class MemberScore(models.Model):
    """A member's locked result for a quarter, with what they were then (group, status)."""

    period = models.ForeignKey(AssessmentPeriod, on_delete=models.CASCADE, related_name="member_scores")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="assessment_scores")
    party_group_name = models.CharField(_("party group"), max_length=50)
    status = models.CharField(_("party status"), max_length=20, choices=Member.Status.choices)
    total = models.DecimalField(_("total"), max_digits=6, decimal_places=1)
    grade = models.CharField(_("grade"), max_length=20, choices=Grade.choices, blank=True)

    class Meta:
        verbose_name = _("locked score")
        verbose_name_plural = _("locked scores")
        constraints = [models.UniqueConstraint(fields=["period", "member"], name="one_score_per_member")]

    def __str__(self):
        return f"{self.member} {self.period.as_quarter}: {self.total}"


class ItemScore(models.Model):
    """One item of a locked result, with the item's name and the measure as they stood at the lock."""

    member_score = models.ForeignKey(MemberScore, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(AssessmentItem, on_delete=models.PROTECT, related_name="+")
    item_name = models.CharField(_("item"), max_length=50)
    measure = models.CharField(_("measure"), max_length=100, blank=True)
    computed = models.DecimalField(_("computed"), max_digits=5, decimal_places=1)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=1)
    reason = models.CharField(_("reason for adjusting"), max_length=300, blank=True)
    evidence_count = models.PositiveIntegerField(_("evidence rows"), default=0)

    class Meta:
        verbose_name = _("locked item score")
        verbose_name_plural = _("locked item scores")
        constraints = [models.UniqueConstraint(fields=["member_score", "item"], name="one_locked_score_per_item")]

    def __str__(self):
        return f"{self.item_name}: {self.points}"
