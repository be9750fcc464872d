"""The scores of a quarter: computed from the records while the quarter is open, read from the
locked rows once it is locked. A fixed number of queries whatever the number of members.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from branch.models import Branch
from branch.quarters import Quarter
from members.models import Member

from ..models import (
    AssessmentItem,
    AssessmentPeriod,
    AssessmentScheme,
    Grade,
    ItemScore,
    MemberScore,
    ScoreAdjustment,
)
from .rules import RULES, Context, Measure, score

UNGROUPED = "未分组"


@dataclass
class ItemResult:
    """One item of one member's result. Read-only: members with the same measure and no adjustment
    share one instance (the benchmark's quarter of 10,000 members makes 676 of them, not 119,400)."""

    item: AssessmentItem
    name: str
    measure: str
    computed: Decimal
    points: Decimal
    reason: str = ""  # set when the secretary adjusted the computed score
    evidence_count: int = 0

    @property
    def adjusted(self) -> bool:
        return bool(self.reason)


@dataclass
class MemberResult:
    member_id: int
    name: str
    employee_number: str
    group_name: str
    status: str
    items: list[ItemResult]
    total: Decimal
    grade: str  # "" for probationary members: scored, not graded

    @property
    def status_label(self) -> str:
        return str(Member.Status(self.status).label)

    @property
    def grade_label(self) -> str:
        return str(Grade(self.grade).label) if self.grade else ""


@dataclass
class QuarterAssessment:
    branch: Branch
    quarter: Quarter
    scheme: AssessmentScheme
    period: AssessmentPeriod | None
    items: list[AssessmentItem]
    members: list[MemberResult] = field(default_factory=list)

    @property
    def locked(self) -> bool:
        return self.period is not None and self.period.is_locked

    @property
    def graded(self) -> int:
        return sum(1 for m in self.members if m.grade)

    def grade_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(Grade.values, 0)
        for m in self.members:
            if m.grade:
                counts[m.grade] += 1
        return counts

    @property
    def excellent(self) -> int:
        return self.grade_counts()[Grade.EXCELLENT]

    @property
    def excellent_allowed(self) -> int:
        return excellent_allowed(self.graded, self.scheme.excellent_share_percent)

    @property
    def over_cap(self) -> bool:
        return self.excellent > self.excellent_allowed

    def member(self, member_id: int) -> MemberResult | None:
        return next((m for m in self.members if m.member_id == member_id), None)


def excellent_allowed(graded: int, share_percent: Decimal) -> int:
    """How many of `graded` members may be 优秀. Half a unit of the last decimal is added, so that
    33.33 % means exactly one third (19 of 57, 100 of 300)."""
    if share_percent >= 100:
        return graded
    return math.floor(graded * (float(share_percent) + 0.005) / 100)


def grade_for(total: Decimal, scheme: AssessmentScheme, status: str) -> str:
    if status == Member.Status.PROBATIONARY:
        return ""
    if total >= scheme.excellent_from:
        return Grade.EXCELLENT
    if total >= scheme.qualified_from:
        return Grade.QUALIFIED
    if total >= scheme.basic_from:
        return Grade.BASIC
    return Grade.UNQUALIFIED


def scored_members(branch: Branch, quarter: Quarter):
    """Full and probationary members of the branch during the quarter: those who left before it ended
    are not scored for it."""
    return (
        Member.objects.filter(branch=branch, status__in=Member.PARTY_STATUSES)
        .filter(Q(archived_on__isnull=True) | Q(archived_on__gt=quarter.end))
        .order_by("party_group__name", "employee_number")
    )


def get_scheme(branch: Branch) -> AssessmentScheme:
    """The branch's scheme, created with the default items the first time it is asked for."""
    from ..services.assessment import ensure_scheme

    return ensure_scheme(branch)


def assess(branch: Branch, quarter: Quarter, *, today: dt.date | None = None) -> QuarterAssessment:
    today = today or timezone.localdate()
    scheme = get_scheme(branch)
    period = AssessmentPeriod.objects.filter(branch=branch, year=quarter.year, quarter=quarter.number).first()
    items = [i for i in scheme.items.all() if i.active]
    result = QuarterAssessment(branch, quarter, scheme, period, items)
    if period is not None and period.is_locked:
        result.items = _locked_items(period) or items
        result.members = list(_locked(period, scheme))
        return result
    result.members = list(_computed(branch, quarter, period, items, scheme, today))
    return result


def _computed(branch, quarter, period, items, scheme, today):
    ctx = Context(branch=branch, quarter=quarter, period=period, today=today)
    # Per item, what the loop below needs without attribute lookups: 10,000 members × 12 items. Rules
    # give members with the same figures the same Measure, so its ItemResult is made once per item
    # and shared (read-only) unless the member's score was adjusted.
    plan = [(item, item.pk, item.name, RULES[item.rule].measures(ctx), _scorer(item), {}) for item in items]
    adjustments = {}
    if period is not None:
        for adj in ScoreAdjustment.objects.filter(period=period).only("member_id", "item_id", "points", "reason"):
            adjustments[(adj.member_id, adj.item_id)] = adj
    members = scored_members(branch, quarter).values_list(
        "pk", "name", "employee_number", "party_group__name", "status"
    )
    zero = Decimal(0)
    for pk, name, number, group, status in members:
        results = []
        total = zero
        for item, item_pk, item_name, measures, scored, shared in plan:
            measure: Measure | None = measures.get(pk)
            adj = adjustments.get((pk, item_pk)) if adjustments else None
            # By id(): the measures dicts keep every Measure alive until the loop ends.
            result = shared.get(id(measure)) if adj is None else None
            if result is None:
                computed = scored(measure)
                result = ItemResult(
                    item,
                    item_name,
                    measure.text if measure else "",
                    computed,
                    adj.points if adj else computed,
                    adj.reason if adj else "",
                    measure.count if measure else 0,
                )
                if adj is None:
                    shared[id(measure)] = result
            results.append(result)
            total += result.points
        yield MemberResult(
            pk, name, number, group or UNGROUPED, status, results, total, grade_for(total, scheme, status)
        )


def _scorer(item):
    """score() for one item, remembered by what was achieved and expected: the Decimal arithmetic once
    per distinct figure, not once per member (rules that give each member a Measure of their own —
    red flag, appeals, guidance, bonuses — still have only a few distinct figures)."""
    cache: dict = {}

    def scored(measure: Measure | None) -> Decimal:
        key = None if measure is None else (measure.achieved, measure.expected)
        try:
            return cache[key]
        except KeyError:
            cache[key] = value = score(item, measure)
            return value

    return scored


def _locked_items(period):
    ids = ItemScore.objects.filter(member_score__period=period).values("item_id").distinct()
    return list(AssessmentItem.objects.filter(pk__in=ids).order_by("position", "pk"))


def _locked(period, scheme):
    scores = (
        MemberScore.objects.filter(period=period)
        .select_related("member")
        .prefetch_related("items__item")
        .order_by("party_group_name", "member__employee_number")
    )
    for ms in scores.iterator(chunk_size=2000):
        items = sorted(ms.items.all(), key=lambda s: (s.item.position, s.item_id))
        yield MemberResult(
            ms.member_id,
            ms.member.name,
            ms.member.employee_number,
            ms.party_group_name,
            ms.status,
            [
                ItemResult(s.item, s.item_name, s.measure, s.computed, s.points, s.reason, s.evidence_count)
                for s in items
            ],
            ms.total,
            ms.grade,
        )
