"""A year of the demo branch's service activities, with attendance.

A dedication day (党员奉献日) every month for the twelve months before today's month, this month and next —
levelling well sites, picking up litter, tidying stores, clearing snow in winter — with realistic
attendance (most members, the committee nearly always, a few leaving early with a reason); six theme
activities in their months (学雷锋 in March, 七一 in July…), a topic class (专题课堂) a quarter taught by the branch's
own experts, and mutual-help and 民汉搭档 pairing sessions. What lies ahead of today is planned, with a
few members registered. Dates count back from today and a seeded generator picks the rest, so a run
on a given day always gives the same activities. Skipped when the branch has activities already, so
running seed_demo again changes nothing.
"""

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from branch.models import Branch
from members.models import CommitteeRole, Member
from members.pipeline import add_months

from .models import Activity, ActivityAttendance

Kind = Activity.Kind
Task = Activity.Task

PLACES = ["检188-12井场", "检188-31井场", "检188作业区库房", "百口泉计量站", "检188-07井场", "作业区值班楼前"]
TASKS = [Task.LEVEL_WELL_SITES, Task.PICK_UP_LITTER, Task.TIDY_STORES]
TASK_TITLES = {
    Task.LEVEL_WELL_SITES: "党员奉献日：平整井场",
    Task.PICK_UP_LITTER: "党员奉献日：井区捡拾垃圾",
    Task.TIDY_STORES: "党员奉献日：整理库房",
    Task.OTHER: "党员奉献日：清理井场积雪",
}
# Theme activities by calendar month: (title, place); each falls in the year before today's month.
THEMES = {
    3: ("学雷锋志愿服务：为一线员工义务理发", "作业区值班楼"),
    6: ("安全生产月知识竞赛", "作业区会议室"),
    7: ("“七一”重温入党誓词", "作业区党员活动室"),
    8: ("夏季送清凉到井站", "百口泉计量站"),
    10: ("党员先锋岗挂牌亮身份", "作业区党员活动室"),
    12: ("冬季走访困难员工家庭", "百口泉镇"),
}
# (months back, topic, teacher: the index of a demo member)
CLASSES = [
    (10, "抽油机井平衡调整技术", 8),  # 唐光辉, 辛勤园丁
    (7, "螺杆泵井故障判断与处理", 9),  # 周传辉, 创新尖兵
    (4, "注水井洗井操作规范", 8),
    (1, "单井计量与资料录取", 9),
]
PAIRINGS = [
    (11, "民汉搭档：油水井巡检实操"),
    (8, "结对互帮：抽油机保养"),
    (5, "民汉搭档：安全操作规程双语学习"),
    (2, "结对互帮：电工基本技能"),
]
EARLY_LEAVE_REASONS = ["提前离开：井口抢修", "提前离开：接班", "下午参加，迟到"]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)), timezone.get_default_timezone())


def _second_saturday(month: dt.date) -> dt.date:
    first_saturday = month + dt.timedelta(days=(5 - month.weekday()) % 7)
    return first_saturday + dt.timedelta(days=7)


def _in_month(rng: random.Random, month: dt.date) -> dt.date:
    return month + dt.timedelta(days=rng.randrange(3, 25))


class _Builder:
    def __init__(self, *, branch: Branch, members: list[Member], today: dt.date):
        self.branch, self.today = branch, today
        self.rng = random.Random(188)
        self.now = _at(today, 12)
        self.party = [m for m in members if m.is_party_member and not m.is_archived]
        committee_ids = set(
            CommitteeRole.objects.filter(branch=branch, ended_on__isnull=True).values_list("member_id", flat=True)
        )
        self.committee = [m for m in self.party if m.pk in committee_ids] or self.party[:1]
        self.members = members
        self.activities = 0
        self.rows: list[ActivityAttendance] = []

    def add(self, *, kind, title, day, hours, place, people_share, people=None, **extra) -> None:
        start_hour, length_minutes = hours
        starts_at = _at(day, start_hour)
        ends_at = starts_at + dt.timedelta(minutes=length_minutes)
        held = ends_at <= self.now
        activity = Activity.objects.create(
            branch=self.branch,
            kind=kind,
            title=title,
            state=Activity.State.HELD if held else Activity.State.PLANNED,
            starts_at=starts_at,
            ends_at=ends_at,
            place=place,
            organiser=self.committee[self.activities % len(self.committee)],
            **extra,
        )
        self.activities += 1
        length = Decimal(str(activity.length_hours))
        for person in people if people is not None else self.party:
            in_committee = person in self.committee
            share = 0.92 if in_committee and kind == Kind.DEDICATION_DAY else people_share
            roll = self.rng.random()
            if not held:
                if roll < 0.2:
                    self.rows.append(ActivityAttendance(activity=activity, member=person, registered=True))
                continue
            if roll >= share:
                continue
            hours, reason = length, ""
            if self.rng.random() < 0.05:
                hours, reason = (length / 2).quantize(Decimal("0.1")), self.rng.choice(EARLY_LEAVE_REASONS)
            self.rows.append(
                ActivityAttendance(
                    activity=activity,
                    member=person,
                    present=True,
                    registered=self.rng.random() < 0.3,
                    hours=hours,
                    hours_reason=reason,
                )
            )


def build_service_activities(*, branch: Branch, members: list[Member], today: dt.date) -> int:
    """Create the demo activities and attendance; returns the rows created (0 when there were some)."""
    if Activity.objects.filter(branch=branch).exists():
        return 0
    b = _Builder(branch=branch, members=members, today=today)
    this_month = today.replace(day=1)
    for back in range(12, -2, -1):  # a year back, this month, and next month's (planned)
        month = add_months(this_month, -back)
        winter = month.month in (12, 1, 2)
        task = Task.OTHER if winter and back % 2 == 0 else TASKS[month.month % len(TASKS)]
        b.add(
            kind=Kind.DEDICATION_DAY,
            title=TASK_TITLES[task],
            day=_second_saturday(month),
            hours=(10, 150),
            place=PLACES[month.month % len(PLACES)],
            people_share=0.72,
            task=task,
            description="清理井场及道路积雪，疏通井口通道" if task == Task.OTHER else "",
        )
    for back in range(12, 0, -1):
        month = add_months(this_month, -back)
        if month.month not in THEMES:
            continue
        title, place = THEMES[month.month]
        b.add(
            kind=Kind.THEME_ACTIVITY,
            title=title,
            day=_in_month(b.rng, month),
            hours=(15, 120),
            place=place,
            people_share=0.65,
        )
    for back, topic, teacher in CLASSES:
        b.add(
            kind=Kind.TOPIC_CLASS,
            title=topic,
            day=_in_month(b.rng, add_months(this_month, -back)),
            hours=(16, 90),
            place="作业区培训教室",
            people_share=0.6,
            teacher=members[teacher].name,
        )
    for back, title in PAIRINGS:
        pairs = b.rng.sample(b.party, k=min(10, len(b.party)))
        b.add(
            kind=Kind.PAIRING_SESSION,
            title=title,
            day=_in_month(b.rng, add_months(this_month, -back)),
            hours=(10, 120),
            place=PLACES[back % len(PLACES)],
            people_share=0.9,
            people=pairs,
        )
    if b.rows:
        bulk_create_with_history(b.rows, ActivityAttendance)
    return b.activities + len(b.rows)
