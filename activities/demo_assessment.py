"""The demo branch's quarterly assessment: the quarter before last reviewed and locked (a few
deductions brought 优秀 within the cap first, as a secretary would), last quarter open for review with
one adjustment and one deduction. Skipped when the branch has any assessment already (idempotent)."""

import datetime as dt
import math
from decimal import Decimal

from branch.quarters import Quarter
from members.access import actor_for

from .assessment.scores import assess
from .models import AssessmentItem, AssessmentPeriod, Grade
from .services import assessment as services

DEDUCTION_REASONS = ("未按时交纳党费", "无故缺席主题党日", "学习笔记未按时上交", "岗位巡检记录不全")


def build_assessment(*, branch, members, today: dt.date) -> int:
    if AssessmentPeriod.objects.filter(branch=branch).exists():
        return 0
    secretary = actor_for(members[0].user)
    scheme = services.ensure_scheme(branch)
    last = Quarter.of(today).previous()
    before = last.previous()
    created = 0

    result = assess(branch, before, today=today)
    excess = result.excellent - result.excellent_allowed
    excellent = sorted((m for m in result.members if m.grade == Grade.EXCELLENT), key=lambda m: (m.total, m.member_id))
    for index, row in enumerate(excellent[: max(excess, 0)]):
        points = Decimal(math.floor(row.total - scheme.excellent_from) + 1)
        services.add_deduction(
            actor=secretary,
            branch=branch,
            quarter=before,
            member=next(m for m in members if m.pk == row.member_id),
            points=points,
            reason=DEDUCTION_REASONS[index % len(DEDUCTION_REASONS)],
            happened_on=before.start + dt.timedelta(days=20 + index),
            today=today,
        )
        created += 1
    services.lock_quarter(actor=secretary, branch=branch, quarter=before, today=today)
    created += 1

    study = scheme.items.get(rule=AssessmentItem.Rule.STUDY_HOURS)
    services.adjust_score(
        actor=secretary,
        branch=branch,
        quarter=last,
        member=members[20],
        item=study,
        points=study.points,
        reason="参加采油厂集中培训16学时，证明已补交",
        today=today,
    )
    services.add_deduction(
        actor=secretary,
        branch=branch,
        quarter=last,
        member=members[33],
        points=Decimal(2),
        reason="无故缺席主题党日",
        happened_on=last.start + dt.timedelta(days=35),
        today=today,
    )
    return created + 2
