"""A year of the demo branch's organisation life (三会一课, 主题党日), with attendance.

Every kind of meeting at its branch frequency for the twelve months before today and the current
period so far — with a few gaps, so the compliance calendar shows missing periods (and the reminder
job has something to say), and one voting general meeting below quorum. Dates count back from
today and a seeded generator picks the rest, so a run on a given day always gives the same meetings.
Skipped when the branch has meetings already, so running seed_demo again changes nothing.
"""

import datetime as dt
import random

from simple_history.utils import bulk_create_with_history

from branch.models import Branch
from members.models import CommitteeRole, Member
from members.pipeline import add_months

from .models import Meeting, MeetingAttendance
from .selectors.meetings import FREQUENCY_FIELDS, ROW_ORDER, CalendarPeriod, periods_of_year
from .services.meetings import quorum_applies, quorum_from

Kind = Meeting.Kind
Presence = MeetingAttendance.Presence

TOPICS = {
    Kind.GENERAL: [
        "传达学习上级党委会议精神，部署本季度党建工作",
        "通报支部上季度工作，开展批评与自我批评",
        "学习《中国共产党支部工作条例（试行）》",
        "总结红旗井承包成效，表彰五带头标兵",
    ],
    Kind.COMMITTEE: [
        "研究本月党建和生产重点工作",
        "研究员工诉求办理情况",
        "研究党员发展和入党积极分子培养",
        "研究联点班组指导情况和五一定走访",
        "研究党员奉献日安排",
        "研究目标管理考核结果",
    ],
    Kind.GROUP: [
        "学习党章，对照检查岗位履职",
        "交流红旗井管理经验",
        "讨论小改小革项目进展",
        "学习安全生产规程，开展岗位练兵",
        "收集员工意见，安排结对互帮",
    ],
    Kind.LECTURE: [
        "书记讲党课：弘扬铁人精神，争当服务先锋",
        "党课：新时代党员的初心和使命",
        "党课：从严治党与岗位廉洁",
        "党课：服务型党支部建设的实践",
    ],
    Kind.THEME_DAY: [
        "主题党日：井场平整与环境清理",
        "主题党日：重温入党誓词",
        "主题党日：走访困难员工家庭",
        "主题党日：安全隐患排查",
        "主题党日：参观克拉玛依一号井",
        "主题党日：库房整理与设备保养",
    ],
}
VOTE_TOPICS = {
    "quorum": "讨论接收预备党员，举手表决",
    "below": "选举出席作业区党员代表会议代表",
}
# Periods left without a meeting, counted back from the current one (1 = the previous period):
# (kind, index of the party group or None, periods back).
GAPS = {
    (Kind.COMMITTEE, None, 3),
    (Kind.THEME_DAY, None, 4),
    (Kind.GROUP, 2, 1),  # the third group missed last month: a reminder and an overdue line today
    (Kind.GROUP, 1, 6),
}
# General meetings that vote, by periods back: one with a quorum, one without.
VOTES = {1: "quorum", 2: "below"}


def _periods(every: int, today: dt.date) -> list[CalendarPeriod]:
    """The periods that overlap the twelve months before today's month, up to the current one."""
    since = add_months(today.replace(day=1), -12)
    periods = periods_of_year(today.year - 1, every) + periods_of_year(today.year, every)
    return [p for p in periods if p.end >= since and p.start <= today]


def _attendance(rng: random.Random, people: list[Member], *, present_share: float) -> dict[int, str]:
    out = {}
    for person in people:
        roll = rng.random()
        if roll < present_share:
            out[person.pk] = Presence.PRESENT
        elif roll < present_share + (1 - present_share) * 0.7:
            out[person.pk] = Presence.EXCUSED
        else:
            out[person.pk] = Presence.ABSENT
    return out


def _below_quorum_attendance(rng: random.Random, people: list[Member]) -> dict[int, str]:
    """Most full members on shift at the wells: fewer than half present, the rest excused."""
    full = [p for p in people if p.status == Member.Status.FULL]
    present = set(rng.sample([p.pk for p in full], k=len(full) * 2 // 5))
    return {p.pk: Presence.PRESENT if p.pk in present else Presence.EXCUSED for p in people}


def build_meetings(*, branch: Branch, members: list[Member], today: dt.date) -> int:
    """Create the demo meetings and attendance; returns the rows created (0 when there were some)."""
    if Meeting.objects.filter(branch=branch).exists():
        return 0
    rng = random.Random(1921)
    party = [m for m in members if m.is_party_member and not m.is_archived]
    full_ids = {m.pk for m in party if m.status == Member.Status.FULL}
    committee_ids = set(
        CommitteeRole.objects.filter(branch=branch, ended_on__isnull=True).values_list("member_id", flat=True)
    )
    committee = [m for m in party if m.pk in committee_ids]
    groups = list(branch.party_groups.order_by("pk"))  # 第一, 第二, 第三党小组 as set up
    plans = []  # (meeting, attendance by member id)
    for kind in ROW_ORDER:
        every = getattr(branch, FREQUENCY_FIELDS[kind])
        if every <= 0:
            continue
        periods = _periods(every, today)
        for group_index, group in enumerate(groups) if kind == Kind.GROUP else [(None, None)]:
            for back, period in enumerate(reversed(periods)):
                if (kind, group_index, back) in GAPS:
                    continue
                day = period.start + dt.timedelta(days=rng.randrange(0, (period.end - period.start).days + 1))
                if day > today:
                    continue  # the current period: still due
                vote = VOTES.get(back) if kind == Kind.GENERAL else None
                if kind == Kind.GROUP:
                    people = [m for m in party if m.party_group_id == group.pk]
                elif kind == Kind.COMMITTEE:
                    people = committee
                else:
                    people = party
                if vote == "below":
                    presence = _below_quorum_attendance(rng, people)
                else:
                    presence = _attendance(rng, people, present_share=0.95 if kind == Kind.COMMITTEE else 0.88)
                topic = VOTE_TOPICS[vote] if vote else rng.choice(TOPICS[kind])
                meeting = Meeting(
                    branch=branch,
                    kind=kind,
                    party_group=group,
                    held_on=day,
                    topic=topic,
                    has_vote=vote is not None,
                    minutes=_minutes(topic, presence),
                )
                entitled = full_ids if kind == Kind.GENERAL else committee_ids
                present = [pk for pk, value in presence.items() if value == Presence.PRESENT]
                meeting.below_quorum = not quorum_from(
                    applies=quorum_applies(kind, meeting.has_vote), entitled_ids=entitled, present_ids=present
                ).met
                plans.append((meeting, presence))
    saved = bulk_create_with_history([meeting for meeting, _ in plans], Meeting, batch_size=500)
    rows = [
        MeetingAttendance(meeting=meeting, member_id=member_id, presence=value)
        for meeting, (_, presence) in zip(saved, plans, strict=True)
        for member_id, value in presence.items()
    ]
    bulk_create_with_history(rows, MeetingAttendance, batch_size=500)
    return len(saved) + len(rows)


def _minutes(topic: str, presence: dict[int, str]) -> str:
    present = sum(1 for value in presence.values() if value == Presence.PRESENT)
    excused = sum(1 for value in presence.values() if value == Presence.EXCUSED)
    return (
        f"应到{len(presence)}人，实到{present}人，请假{excused}人。\n"
        f"议题：{topic}。\n"
        "会议按议程逐项进行，与会人员结合岗位实际发言讨论，形成会议意见并明确责任人和完成时限。"
    )
