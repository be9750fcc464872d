"""Changing the quarterly assessment: the scheme, adjustments, deductions and the lock.

Rules, written once:

- Only the branch's secretary (Can.MANAGE_ASSESSMENT) changes anything; others get PermissionDenied.
- A quarter that has not begun cannot be touched; a locked quarter cannot be changed at all.
- An adjustment replaces one item's computed score for one member and needs a written reason; it
  stays within the item's range (0 to a base item's points, 0 to a bonus's cap). Deductions are
  entered one by one with their reason, never as an adjustment.
- Locking needs the quarter to be over, and is refused, with the reason, while more members are
  优秀 than the scheme's cap allows. It writes the scores as they stand; from then on they are read
  from those rows (activities/assessment/scores.py).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branch.models import Branch
from branch.quarters import Quarter
from members.access import Actor
from members.models import Member

from ..access import Can, can
from ..assessment.defaults import default_items
from ..models import (
    AssessmentItem,
    AssessmentPeriod,
    AssessmentScheme,
    Deduction,
    ItemScore,
    MemberScore,
    ScoreAdjustment,
)


def may_manage(actor: Actor, branch: Branch) -> bool:
    return actor.member is not None and actor.branch_id == branch.pk and can(actor, Can.MANAGE_ASSESSMENT)


def _require_manager(actor: Actor, branch: Branch) -> None:
    if not may_manage(actor, branch):
        raise PermissionDenied


def ensure_scheme(branch: Branch) -> AssessmentScheme:
    """The branch's scheme; the first time, the default scheme (activities/assessment/defaults.py)."""
    scheme = AssessmentScheme.objects.filter(branch=branch).prefetch_related("items").first()
    if scheme is not None:
        return scheme
    with transaction.atomic():
        scheme, created = AssessmentScheme.objects.get_or_create(branch=branch)
        if created:
            AssessmentItem.objects.bulk_create(default_items(scheme))
    return AssessmentScheme.objects.prefetch_related("items").get(pk=scheme.pk)


def _open_period(branch: Branch, quarter: Quarter, today: dt.date) -> AssessmentPeriod:
    if quarter.is_future(today):
        raise ValidationError(
            _("%(quarter)s has not begun yet: there is nothing to assess."),
            code="future_quarter",
            params={"quarter": quarter.label},
        )
    period, _created = AssessmentPeriod.objects.get_or_create(branch=branch, year=quarter.year, quarter=quarter.number)
    if period.is_locked:
        raise ValidationError(
            _("%(quarter)s is locked: its scores can no longer be changed."),
            code="locked",
            params={"quarter": quarter.label},
        )
    return period


def _check_member(branch: Branch, member: Member) -> None:
    if member.branch_id != branch.pk or member.status not in Member.PARTY_STATUSES:
        raise ValidationError(_("Only the branch's full and probationary members are assessed."), code="member")


def item_range(item: AssessmentItem) -> tuple[Decimal, Decimal]:
    if item.is_bonus:
        return Decimal(0), item.cap if item.cap is not None else Decimal(100)
    return Decimal(0), item.points


@transaction.atomic
def adjust_score(
    *,
    actor: Actor,
    branch: Branch,
    quarter: Quarter,
    member: Member,
    item: AssessmentItem,
    points: Decimal,
    reason: str,
    today: dt.date | None = None,
) -> ScoreAdjustment:
    _require_manager(actor, branch)
    today = today or timezone.localdate()
    period = _open_period(branch, quarter, today)
    _check_member(branch, member)
    if item.scheme.branch_id != branch.pk:
        raise ValidationError(_("This item is not in the branch's scheme."), code="item")
    if item.is_deduction:
        raise ValidationError(_("Deductions are entered one by one, each with its reason."), code="deduction_item")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Write why the computed score is changed.")}, code="reason")
    low, high = item_range(item)
    if not low <= points <= high:
        raise ValidationError(
            {"points": _("%(item)s scores from %(low)s to %(high)s points.")},
            code="range",
            params={"item": item.name, "low": low, "high": high},
        )
    adjustment, _created = ScoreAdjustment.objects.update_or_create(
        period=period,
        member=member,
        item=item,
        defaults={"points": points, "reason": reason, "adjusted_by_id": actor.user_id},
    )
    return adjustment


@transaction.atomic
def remove_adjustment(*, actor: Actor, adjustment: ScoreAdjustment) -> None:
    period = adjustment.period
    _require_manager(actor, period.branch)
    _open_period(period.branch, period.as_quarter, timezone.localdate())
    adjustment.delete()


@transaction.atomic
def add_deduction(
    *,
    actor: Actor,
    branch: Branch,
    quarter: Quarter,
    member: Member,
    points: Decimal,
    reason: str,
    happened_on: dt.date,
    today: dt.date | None = None,
) -> Deduction:
    _require_manager(actor, branch)
    today = today or timezone.localdate()
    period = _open_period(branch, quarter, today)
    _check_member(branch, member)
    if not quarter.start <= happened_on <= min(quarter.end, today):
        raise ValidationError(
            {"happened_on": _("The date must fall in %(quarter)s and not after today.")},
            code="date",
            params={"quarter": quarter.label},
        )
    if points <= 0:
        raise ValidationError({"points": _("Take off more than 0 points.")}, code="points")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Write the reason for the deduction.")}, code="reason")
    return Deduction.objects.create(
        period=period, member=member, points=points, reason=reason, happened_on=happened_on, entered_by_id=actor.user_id
    )


@transaction.atomic
def remove_deduction(*, actor: Actor, deduction: Deduction) -> None:
    period = deduction.period
    _require_manager(actor, period.branch)
    _open_period(period.branch, period.as_quarter, timezone.localdate())
    deduction.delete()


@transaction.atomic
def update_scheme(*, actor: Actor, scheme: AssessmentScheme, items: list[AssessmentItem]) -> AssessmentScheme:
    """Save the scheme's thresholds and items (validated by their forms). Locked quarters keep the
    figures they were locked with."""
    _require_manager(actor, scheme.branch)
    scheme.full_clean()
    scheme.save()
    for item in items:
        if item.scheme_id != scheme.pk:
            raise PermissionDenied
        item.full_clean()
        item.save()
    return scheme


def lock_quarter(*, actor: Actor, branch: Branch, quarter: Quarter, today: dt.date | None = None) -> AssessmentPeriod:
    """Write the quarter's scores as they stand and lock it. Refused, with the reason, while the quarter
    is still running or more members are 优秀 than the cap allows."""
    from ..assessment.scores import assess

    _require_manager(actor, branch)
    today = today or timezone.localdate()
    if not quarter.is_over(today):
        raise ValidationError(
            _("%(quarter)s is not over yet: lock it once its last day has passed."),
            code="running",
            params={"quarter": quarter.label},
        )
    with transaction.atomic():
        period = _open_period(branch, quarter, today)
        # One lock at a time: a second request waits here and then finds the quarter locked.
        period = AssessmentPeriod.objects.select_for_update().get(pk=period.pk)
        if period.is_locked:
            raise ValidationError(_("%(quarter)s is already locked."), code="locked", params={"quarter": quarter.label})
        result = assess(branch, quarter, today=today)
        if result.over_cap:
            raise ValidationError(
                _(
                    "%(excellent)s members would be excellent, but the branch allows at most %(allowed)s "
                    "(%(share)s %% of the %(graded)s graded members). Adjust scores with a reason, or "
                    "change the cap on the scheme page, then lock again."
                ),
                code="excellent_cap",
                params={
                    "excellent": result.excellent,
                    "allowed": result.excellent_allowed,
                    "share": result.scheme.excellent_share_percent,
                    "graded": result.graded,
                },
            )
        scores = MemberScore.objects.bulk_create(
            MemberScore(
                period=period,
                member_id=m.member_id,
                party_group_name=m.group_name,
                status=m.status,
                total=m.total,
                grade=m.grade,
            )
            for m in result.members
        )
        ItemScore.objects.bulk_create(
            (
                ItemScore(
                    member_score=ms,
                    item=r.item,
                    item_name=r.name,
                    measure=r.measure[:100],
                    computed=r.computed,
                    points=r.points,
                    reason=r.reason,
                    evidence_count=r.evidence_count,
                )
                for ms, m in zip(scores, result.members, strict=True)
                for r in m.items
            ),
            batch_size=2000,
        )
        period.locked_at = timezone.now()
        period.locked_by_id = actor.user_id
        period.save(update_fields=["locked_at", "locked_by"])
    return period
