"""The demo branch's guidance visits: a year of the five committee members guiding their linked teams.

Deterministic (the same visits for the same `today`) and idempotent (each visit is found again by
member, team and day). Most months are covered; the last committee member (by role order) missed last
month and has not been out yet this month, so the duty board shows someone overdue. One visit a month
per member, a second one in some months.
"""

import datetime as dt
import random

from members.models import CommitteeRole, TeamLink
from members.pipeline import add_months

from .models import GuidanceVisit

MONTHS = 12  # the twelve full months before this one, and this month so far

GUIDANCE = [
    "检查巡井路线和巡检记录，讲解冬季井口保温要求",
    "指导班组开展安全经验分享，学习操作规程",
    "结合“五定”管理法，帮助分析难管井的生产数据",
    "讲解抽油机平衡调整方法，现场示范",
    "组织学习支部近期会议精神，听取员工意见",
    "检查计量站设备运行和交接班记录",
    "指导注水井测试资料整理，核对注水量",
    "带领班组开展隐患排查，落实整改责任人",
]
PROBLEMS = [
    "",
    "个别井口保温层破损",
    "巡检记录填写不完整",
    "两口井功图异常，需进一步分析",
    "员工反映值班室取暖不足",
    "",
]
FOLLOW_UP = [
    "",
    "已安排维修班一周内处理",
    "下次指导时复查整改情况",
    "已向作业区反映，跟踪答复",
]


def _visit_day(rng: random.Random, month_start: dt.date) -> dt.date:
    return month_start.replace(day=rng.randint(3, 26))


def build_duties(*, branch, members, today: dt.date) -> int:
    """Add the demo visits that are missing; returns how many were created (0 on a second run)."""
    seats = {
        seat.member_id: seat.role
        for seat in CommitteeRole.objects.filter(branch=branch, ended_on__isnull=True, member__in=members)
    }
    links = {
        link.member_id: link
        for link in TeamLink.objects.filter(member_id__in=seats, ended_on__isnull=True).select_related("work_team")
    }
    order = {role: i for i, role in enumerate(CommitteeRole.Role.values)}
    committee = sorted((m for m in members if m.pk in links), key=lambda m: order[seats[m.pk]])
    if not committee:
        return 0
    this_month = today.replace(day=1)
    last_month = add_months(this_month, -1)
    laggard = committee[-1]
    created = 0
    for position, member in enumerate(committee):
        link = links[member.pk]
        for back in range(MONTHS, -1, -1):
            month_start = add_months(this_month, -back)
            if member is laggard and month_start >= last_month:
                continue
            # Seeded by person and month: the same visits on every run, whatever else exists.
            rng = random.Random(f"{member.employee_number}:{month_start:%Y-%m}")
            days = [_visit_day(rng, month_start)]
            if position % 2 == 0 and rng.random() < 0.3:
                days.append(_visit_day(rng, month_start))
            for day in sorted(set(days)):
                if day > today or day < link.started_on:
                    continue
                _, new = GuidanceVisit.objects.get_or_create(
                    member=member,
                    work_team=link.work_team,
                    visited_on=day,
                    defaults={
                        "guidance": rng.choice(GUIDANCE),
                        "problems": rng.choice(PROBLEMS),
                        "follow_up": rng.choice(FOLLOW_UP),
                    },
                )
                created += new
    return created
