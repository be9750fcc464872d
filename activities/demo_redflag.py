"""The demo branch's red-flag wells and equipment: about twenty hard-to-manage assets of 检188 under
the five fixes, with a year of daily readings in which output improves once a member takes charge.

The same on every run (a generator seeded by each asset's code); skipped when the branch already has
assets. Most assets end last month on target; J188-09 is still below target (red) and J188-14 close
to it (amber). J188-05 changed hands during the year, and J188-12 has nobody in charge since its
member moved away, so the board lists it as waiting for an assignment.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from .models import Asset, AssignmentTarget, Indicator, Reading, RedFlagAssignment

K = Asset.Kind
I = Indicator  # noqa: E741 - short on purpose, the table below is long


@dataclass(frozen=True)
class Profile:
    """How one indicator moves: from `before` to `after` over RAMP_DAYS once the member takes over."""

    indicator: str
    target: str
    before: float
    after: float
    spread: float  # day-to-day noise, in the indicator's unit


RAMP_DAYS = 45
OIL = (Profile(I.OIL_OUTPUT, "4.50", 3.6, 4.9, 0.25), Profile(I.WATER_CUT, "86.00", 91.0, 84.5, 0.8))
INJECTION = (Profile(I.INJECTION, "60.00", 46.0, 63.0, 2.5), Profile(I.UPTIME, "95.00", 88.0, 97.5, 1.2))
PUMP = (Profile(I.UPTIME, "98.00", 93.0, 99.2, 0.5), Profile(I.FAILURES, "1", 3.4, 0.3, 0.6))
SEPARATOR = (Profile(I.UPTIME, "99.00", 96.0, 99.6, 0.3), Profile(I.FAILURES, "1", 2.2, 0.2, 0.5))
# Still below target: output has barely moved (red).
OIL_RED = (Profile(I.OIL_OUTPUT, "4.50", 3.4, 3.7, 0.2), Profile(I.WATER_CUT, "86.00", 92.0, 88.0, 0.6))
# Output on target, water cut not quite (amber: 86 / 91.5 ≈ 94 %).
OIL_AMBER = (Profile(I.OIL_OUTPUT, "4.00", 3.3, 4.4, 0.2), Profile(I.WATER_CUT, "86.00", 93.5, 91.5, 0.4))

SCHEDULES = {
    K.OIL_WELL: "每天量油、取样，每周一、周四 10:00 巡检，每月测功图一次",
    K.INJECTION_WELL: "每天录取注水量、油压、套压，每周洗井检查一次",
    K.PUMPING_UNIT: "每天 9:00、16:00 巡检，每周紧固、润滑一次",
    K.SEPARATOR: "每班巡检液位、压力，每月排污、校表一次",
}
METHODS = {
    K.OIL_WELL: "防砂、清蜡、合理调参；异常当天分析、当天处理，措施效果记入台账",
    K.INJECTION_WELL: "分层配注、定期洗井，欠注及时酸化增注，水质超标立即上报",
    K.PUMPING_UNIT: "十字作业法（清洁、润滑、紧固、调整、防腐），易损件提前更换",
    K.SEPARATOR: "控制液位与压力在工艺范围内，安全阀按期校验，发现泄漏立即处置",
}
FIT = {
    K.OIL_WELL: "岗位需要懂防砂和调参；该同志采油经验丰富，调参有办法",
    K.INJECTION_WELL: "岗位需要懂分层注水；该同志做过注水工，熟悉配注",
    K.PUMPING_UNIT: "岗位需要懂机械；该同志是维修骨干，善于排查故障",
    K.SEPARATOR: "岗位需要懂集输工艺；该同志是技术攻关小组成员",
}

# code, kind, station, why it is hard to manage, profile, member index, days since the start
ASSETS = [
    ("J188-01", K.OIL_WELL, "一号计量站", "出砂严重，频繁卡泵", OIL, 8, 150),
    ("J188-02", K.OIL_WELL, "一号计量站", "结蜡严重，热洗周期短", OIL, 10, 165),
    ("J188-03", K.OIL_WELL, "一号计量站", "高含水，产量递减快", OIL, 11, 140),
    ("J188-04", K.OIL_WELL, "二号计量站", "套损，只能低参数生产", OIL, 12, 180),
    ("J188-05", K.OIL_WELL, "二号计量站", "间歇出液，计量不准", OIL, 13, 120),
    ("J188-06", K.OIL_WELL, "二号计量站", "偏磨严重，杆管寿命短", OIL, 14, 175),
    ("J188-07", K.OIL_WELL, "二号计量站", "气影响大，泵效低", OIL, 15, 155),
    ("J188-08", K.OIL_WELL, "三号计量站", "地面管线腐蚀穿孔多", OIL, 16, 190),
    ("J188-09", K.OIL_WELL, "三号计量站", "地层供液不足", OIL_RED, 17, 130),
    ("J188-10", K.OIL_WELL, "三号计量站", "稠油，回压高", OIL, 18, 170),
    ("J188-11", K.OIL_WELL, "三号计量站", "出砂、结蜡并存", OIL, 19, 160),
    ("J188-14", K.OIL_WELL, "一号计量站", "边水突进，含水上升快", OIL_AMBER, 20, 145),
    ("J188-21", K.INJECTION_WELL, "注输联合站", "欠注，井口压力高", INJECTION, 21, 185),
    ("J188-22", K.INJECTION_WELL, "注输联合站", "水质差，易堵塞", INJECTION, 22, 150),
    ("J188-23", K.INJECTION_WELL, "注输联合站", "管柱漏失", INJECTION, 5, 175),
    ("J188-24", K.INJECTION_WELL, "注输联合站", "分层配注不达标", INJECTION, 23, 135),
    ("J188-31", K.PUMPING_UNIT, "一号计量站", "老旧机型，故障多", PUMP, 24, 200),
    ("J188-32", K.PUMPING_UNIT, "二号计量站", "减速箱异响，易漏油", PUMP, 6, 165),
    ("J188-33", K.PUMPING_UNIT, "三号计量站", "平衡差，电流大", PUMP, 25, 150),
    ("J188-41", K.SEPARATOR, "注输联合站", "液位波动大，常跑油", SEPARATOR, 9, 210),
]
# J188-05 was first in the care of another member, who moved to a new post.
EARLIER = {"J188-05": (26, 330, "调往注水班，移交给新的责任人")}
# J188-12 has nobody in charge since its member was transferred out.
ENDED = ("J188-12", K.OIL_WELL, "一号计量站", "低产低效，待措施", OIL, 27, 300, 70, "调往其他作业区")


def _value(profile: Profile, rng: random.Random, days_in: int) -> Decimal:
    """The reading `days_in` days after the start (negative: before it)."""
    share = 0.0 if days_in < 0 else min(1.0, days_in / RAMP_DAYS)
    centre = profile.before + (profile.after - profile.before) * share
    value = max(0.0, rng.gauss(centre, profile.spread))
    spec = Indicator(profile.indicator).spec
    if spec.max_value is not None:
        value = min(float(spec.max_value), value)
    if spec.monthly:
        if days_in >= RAMP_DAYS:  # once settled, never a bad month by chance: the demo stays green
            value = min(value, float(profile.target))
        return Decimal(round(value))
    return Decimal(str(round(value, 2)))


def _readings(asset, profiles, member, start: dt.date, first: dt.date, last: dt.date) -> list[Reading]:
    rng = random.Random(asset.code)
    rows = []
    day, this_month = first, last.replace(day=1)
    while day <= last:
        for profile in profiles:
            # Monthly counts are entered once the month is over: the 1st of each month before this one.
            if Indicator(profile.indicator).spec.monthly and (day.day != 1 or day >= this_month):
                continue
            days_in = (day - start).days
            value = _value(profile, rng, days_in)
            entered_by = member if days_in >= 0 else None  # the baseline came from the production system
            rows.append(
                Reading(asset=asset, indicator=profile.indicator, reading_on=day, value=value, entered_by=entered_by)
            )
        day += dt.timedelta(days=1)
    return rows


@transaction.atomic
def build_red_flag(*, branch, members, today: dt.date) -> int:
    """Create the demo's assets, assignments, targets and a year of readings; returns the number of
    rows created (0 when the branch already has assets)."""
    if Asset.objects.filter(branch=branch).exists():
        return 0
    first, last = today - dt.timedelta(days=365), today - dt.timedelta(days=1)
    rows = [(*spec, None) for spec in ASSETS] + [(*ENDED[:7], ENDED[7:])]
    assets = bulk_create_with_history(
        [
            Asset(branch=branch, code=code, kind=kind, station=station, hard_to_manage=True, hard_reason=reason)
            for code, kind, station, reason, *_rest in rows
        ],
        Asset,
    )
    assets = {a.code: a for a in Asset.objects.filter(branch=branch)}
    assignments, readings, targets = [], [], []
    for code, kind, _station, _reason, profiles, index, days_ago, ended in rows:
        asset, member = assets[code], members[index % len(members)]
        start = today - dt.timedelta(days=days_ago)
        ended_on, end_reason = (today - dt.timedelta(days=ended[0]), ended[1]) if ended else (None, "")
        if code in EARLIER:
            earlier_index, earlier_days, earlier_reason = EARLIER[code]
            assignments.append(
                RedFlagAssignment(
                    asset=asset,
                    member=members[earlier_index % len(members)],
                    schedule=SCHEDULES[kind],
                    method=METHODS[kind],
                    fit_reason=FIT[kind],
                    started_on=today - dt.timedelta(days=earlier_days),
                    ended_on=start,
                    end_reason=earlier_reason,
                )
            )
        assignment = RedFlagAssignment(
            asset=asset,
            member=member,
            schedule=SCHEDULES[kind],
            method=METHODS[kind],
            fit_reason=FIT[kind],
            started_on=start,
            ended_on=ended_on,
            end_reason=end_reason,
        )
        assignments.append(assignment)
        targets.extend((assignment, p.indicator, Decimal(p.target)) for p in profiles)
        readings.extend(_readings(asset, profiles, member, start, first, ended_on or last))
    bulk_create_with_history(assignments, RedFlagAssignment)
    saved = {(a.asset_id, a.started_on): a for a in RedFlagAssignment.objects.filter(asset__branch=branch)}
    target_rows = [
        AssignmentTarget(assignment=saved[(a.asset_id, a.started_on)], indicator=indicator, target=target)
        for a, indicator, target in targets
    ]
    AssignmentTarget.objects.bulk_create(target_rows)
    Reading.objects.bulk_create(readings, batch_size=2000)
    return len(assets) + len(assignments) + len(target_rows) + len(readings)
