"""The demo branch's forums, appeals and 五一定 care visits, for the year up to today.

A forum with a work team in each of the last four quarters (the current one included), each raising
appeals; a few more by QQ group, phone, in person and letter. Together they are in every status:
closed with each level of satisfaction, answered, in progress (one past its deadline: overdue),
received. Care occasions of each kind: three visited, one reported three weeks ago and never visited
(overdue), one reported two days ago (still within the window). Dates count back from today and
everything else is fixed, so a run on a given day always gives the same rows. Each part is skipped
when the branch has such rows already, so running seed_demo again changes nothing.
"""

import datetime as dt

from branch.models import Branch, WorkTeam
from members.models import Employee, Member

from .models import Appeal, CareOccasion, CareVisit, Forum

Status, Channel, Category, Sat = Appeal.Status, Appeal.Channel, Appeal.Category, Appeal.Satisfaction
Kind = CareOccasion.Kind

# (name, index of the work team, phone)
EMPLOYEES = [
    ("刘建新", 0, "13909901101"),
    ("王秀兰", 0, ""),
    ("买买提·吐尔逊", 1, "13909901103"),
    ("张国强", 1, ""),
    ("李娟", 2, "13909901105"),
    ("赵永福", 2, ""),
    ("阿依努尔·卡德尔", 3, ""),
    ("陈志军", 3, "13909901108"),
    ("孙丽", 4, ""),
    ("周海波", 4, "13909901110"),
    ("吴小龙", 5, ""),
    ("热合曼·艾山", 5, ""),
]
# Member indexes (as branch.demo orders them) who handle appeals: liaisons (联络员) and the deputy.
HANDLERS = [10, 13, 16, 19, 1]
# Days from received to answered, taken in turn.
ANSWER_DAYS = [4, 9, 6, 12, 3, 8, 11, 5]

# Per quarter back (3 = three quarters ago … 0 = the current one): the forum's appeals as
# (employee index, category, content, status, satisfaction).
FORUM_APPEALS = {
    3: [
        (0, Category.LIVING, "倒班宿舍热水供应不稳定，希望检修锅炉", Status.CLOSED, Sat.VERY_SATISFIED),
        (1, Category.SAFETY, "井场夜间照明不足，巡检存在安全隐患", Status.CLOSED, Sat.VERY_SATISFIED),
        (2, Category.TRAINING, "希望组织抽油机故障诊断培训", Status.CLOSED, Sat.BASICALLY_SATISFIED),
    ],
    2: [
        (3, Category.WELFARE, "夏季高温补贴发放时间不明确", Status.CLOSED, Sat.BASICALLY_SATISFIED),
        (4, Category.WORK, "巡检车辆不足，影响按时巡井", Status.CLOSED, Sat.NOT_SATISFIED),
        (5, Category.LIVING, "班组食堂饭菜品种单一", Status.ANSWERED, None),
    ],
    1: [
        (6, Category.TRAINING, "希望增加民汉双语技术资料", Status.CLOSED, Sat.VERY_SATISFIED),
        (7, Category.SAFETY, "计量间通风设备老化", Status.ANSWERED, None),
        (8, Category.WORK, "单井数据录入系统经常卡顿", Status.IN_PROGRESS, None),  # past its deadline
    ],
    0: [
        (9, Category.WELFARE, "冬季劳保用品尺码不全", Status.CLOSED, Sat.VERY_SATISFIED),
        (10, Category.LIVING, "值班室取暖不足", Status.ANSWERED, None),
        (11, Category.WORK, "希望调整冬季巡检路线", Status.IN_PROGRESS, None),  # deadline extended
    ],
}
# Appeals from other channels: (quarter back, channel, employee, category, content, status, satisfaction).
OTHER_APPEALS = [
    (3, Channel.PHONE, 4, Category.WELFARE, "咨询子女入学补助申请办法", Status.CLOSED, Sat.VERY_SATISFIED),
    (2, Channel.QQ, 8, Category.TRAINING, "技能鉴定报名时间能否提前通知", Status.CLOSED, Sat.VERY_SATISFIED),
    (1, Channel.LETTER, 2, Category.OTHER, "建议作业区设立职工书屋", Status.CLOSED, Sat.BASICALLY_SATISFIED),
    (0, Channel.IN_PERSON, 0, Category.LIVING, "倒班班车发车时间希望延后十分钟", Status.RECEIVED, None),
]
ANSWER = "已与作业区相关部门沟通落实，并当面向本人反馈办理结果。"

# (kind, employee index, days ago it happened, days ago reported, visit days ago or None, details, brought)
CARE = [
    (Kind.HOSPITALISED, 3, 40, 39, 37, "腰椎间盘突出住院手术，术后需休养一个月", "看望慰问，送去慰问金和水果"),
    (Kind.MARRIAGE, 5, 60, 58, 55, "", "送去贺礼和支部的祝福"),
    (Kind.CHILD_UNIVERSITY, 7, 90, 88, 85, "孩子考入中国石油大学（北京）克拉玛依校区", "送去助学金，勉励孩子"),
    (Kind.HARDSHIP, 9, 22, 21, None, "爱人长期患病，家庭收入困难", ""),  # never visited: overdue
    (Kind.CHILDBIRTH, 11, 3, 2, None, "", ""),  # reported two days ago: still within the window
]


def _quarter_start(day: dt.date, back: int) -> dt.date:
    index = day.year * 4 + (day.month - 1) // 3 - back
    return dt.date(index // 4, 3 * (index % 4) + 1, 1)


def _employees(branch: Branch) -> list[Employee]:
    teams = list(WorkTeam.objects.filter(branch=branch).order_by("pk"))
    people = []
    for name, team_index, phone in EMPLOYEES:
        team = teams[team_index % len(teams)] if teams else None
        employee, _ = Employee.objects.get_or_create(
            branch=branch, name=name, work_team=team, defaults={"phone": phone}
        )
        people.append(employee)
    return people


def _appeal(*, branch, today, turn, deadline=None, status, sat, **fields):
    answered_on = closed_on = None
    if status in (Status.ANSWERED, Status.CLOSED):
        answered_on = min(fields["received_on"] + dt.timedelta(days=ANSWER_DAYS[turn % len(ANSWER_DAYS)]), today)
    if status == Status.CLOSED:
        closed_on = min(answered_on + dt.timedelta(days=2), today)
    return Appeal.objects.create(
        branch=branch,
        deadline=deadline or fields["received_on"] + dt.timedelta(days=branch.appeal_answer_days),
        status=status,
        answer=ANSWER if answered_on else "",
        answered_on=answered_on,
        closed_on=closed_on,
        satisfaction=sat,
        **fields,
    )


def _forums_and_appeals(branch, members, employees, today) -> int:
    if Forum.objects.filter(branch=branch).exists():
        return 0
    teams = list(WorkTeam.objects.filter(branch=branch).order_by("pk"))
    handlers = [members[i % len(members)] for i in HANDLERS]
    created, turn = 0, 0
    for back in (3, 2, 1, 0):
        start = _quarter_start(today, back)
        held_on = min(start + dt.timedelta(days=14), today)
        forum = Forum.objects.create(
            branch=branch,
            held_on=held_on,
            work_team=teams[back % len(teams)],
            notes="听取一线员工意见建议，逐条登记，明确联络员和答复时限。",
        )
        raised = [employees[e] for e, *_ in FORUM_APPEALS[back]]
        forum.employees_present.set(raised + [employees[(back * 3 + 1) % len(employees)]])
        forum.members_present.set([members[0], handlers[back % len(handlers)]])
        created += 1
        for employee_index, category, content, status, sat in FORUM_APPEALS[back]:
            _appeal(
                branch=branch,
                today=today,
                turn=turn,
                handler=handlers[turn % len(handlers)],
                forum=forum,
                channel=Channel.FORUM,
                requester=employees[employee_index],
                received_on=held_on,
                category=category,
                content=content,
                status=status,
                sat=sat,
                # In the current quarter the committee gave the open one more time; last quarter's is overdue.
                deadline=today + dt.timedelta(days=5) if back == 0 and status == Status.IN_PROGRESS else None,
            )
            turn += 1
            created += 1
    for back, channel, employee_index, category, content, status, sat in OTHER_APPEALS:
        received_on = today - dt.timedelta(days=2) if back == 0 else _quarter_start(today, back) + dt.timedelta(days=30)
        _appeal(
            branch=branch,
            today=today,
            turn=turn,
            handler=handlers[turn % len(handlers)],
            forum=None,
            channel=channel,
            requester=employees[employee_index],
            received_on=received_on,
            category=category,
            content=content,
            status=status,
            sat=sat,
        )
        turn += 1
        created += 1
    return created


def _care(branch, members, employees, today) -> int:
    if CareOccasion.objects.filter(branch=branch).exists():
        return 0
    created = 0
    days = dt.timedelta
    for index, (kind, employee_index, happened, reported, visited, details, brought) in enumerate(CARE):
        occasion = CareOccasion.objects.create(
            branch=branch,
            employee=employees[employee_index],
            kind=kind,
            occurred_on=today - days(days=happened),
            reported_on=today - days(days=reported),
            details=details,
            reported_by=members[0],
        )
        created += 1
        if visited is not None:
            visit = CareVisit.objects.create(
                occasion=occasion,
                visited_on=today - days(days=visited),
                brought=brought,
                note="家属表示感谢。" if kind not in CareOccasion.PRIVATE_KINDS else "病情稳定，支部将持续关注。",
            )
            visit.visitors.set([members[0], members[1 + index % 4]])
            created += 1
    return created


def build_appeals_and_care(*, branch: Branch, members: list[Member], today: dt.date) -> int:
    """Build the demo forums, appeals and care occasions; returns the number of rows created (0 when
    they exist already)."""
    employees = _employees(branch)
    return _forums_and_appeals(branch, members, employees, today) + _care(branch, members, employees, today)
