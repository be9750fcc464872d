"""The table of admin imports the tests run through: for every main model, what a good row of its file
looks like (row number i), what the referenced records are, and bad rows with the column and the
message the admin must show for them.

Messages the Chinese catalogue already has are written out in Chinese; the ones added with these
imports are rendered through gettext, so the tests hold before and after the catalogue is filled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from activities.models import (
    Activity,
    ActivityAttendance,
    Appeal,
    Asset,
    AssignmentTarget,
    CareOccasion,
    CareVisit,
    Forum,
    GuidanceVisit,
    Honor,
    Innovation,
    InnovationAward,
    Meeting,
    MeetingAttendance,
    Patent,
    Reading,
    RedFlagAssignment,
)
from activities.resources_recognition import UNKNOWN_PROJECT
from branch.models import Branch, PartyGroup, WorkTeam
from members.models import CommitteeRole, Development, Employee, Member, Pairing, StudyRecord, TeamLink
from members.resources_records import UNKNOWN_EMPLOYEE, UNKNOWN_MEMBER
from tests.factories import valid_id_card

D0 = dt.date(2024, 1, 1)
BAD_DATE = "2024-13-45"


def day(i: int) -> dt.date:
    return D0 + dt.timedelta(days=i)


def at(i: int, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day(i), dt.time(hour)))


def required(header: str) -> str:
    return f"{header}为必填项。"


def date_error(value: str = BAD_DATE) -> str:
    return f"“{value}”不是日期，请写成 1985-06-15、1985/6/15 或 1985年6月15日。"


def unknown_member(value: str) -> Callable[[], str]:
    return unknown(UNKNOWN_MEMBER, value)


def unknown(message, value: str) -> Callable[[], str]:
    return lambda: str(message % {"value": value})


def unknown_team(value: str) -> str:
    return f"本支部没有名为“{value}”的班组（现有：采油一班）。"


def unknown_asset(code: str) -> str:
    return f"本支部没有编号为 {code} 的井/设备。"


@dataclass(frozen=True)
class Case:
    admin: str  # app_model, as in the admin's URL names
    model: type
    row: Callable[[SimpleNamespace, int], dict]  # a good row: header -> value
    # Bad rows: (changes to a good row, the header the error shows under, the message).
    bad: tuple[tuple[dict, str, str | Callable[[], str]], ...]
    setup: Callable[[SimpleNamespace, int], None] = lambda world, n: None
    scoped: bool = True
    m2m: tuple[str, ...] = field(default=())  # many-to-many fields to compare in round trips

    def __str__(self) -> str:
        return self.admin


# ---- what the rows refer to, made in bulk ---------------------------------------------------------------


def make_people(world, n):
    world.people = Member.objects.bulk_create(
        Member(
            branch=world.branch,
            name=f"积极分子{i}",
            gender=Member.Gender.MALE,
            birth_date=dt.date(1990, 1, 1),
            employee_number=f"p{i:05d}",
            id_card_number=valid_id_card(i, birth=dt.date(1990, 1, 1)),
            status=Member.Status.ACTIVIST,
        )
        for i in range(n)
    )


def make_meetings(world, n):
    world.meetings = Meeting.objects.bulk_create(
        Meeting(branch=world.branch, kind=Meeting.Kind.LECTURE, held_on=day(i), topic=f"党课{i}") for i in range(n)
    )


def make_assets(world, n):
    world.assets = Asset.objects.bulk_create(
        Asset(branch=world.branch, code=f"T{i:03d}", kind=Asset.Kind.OIL_WELL) for i in range(n)
    )


def make_assignments(world, n):
    make_assets(world, n)
    RedFlagAssignment.objects.bulk_create(
        RedFlagAssignment(
            asset=asset, member=world.member, schedule="每周一", method="巡检", fit_reason="熟悉", started_on=D0
        )
        for asset in world.assets
    )


def make_reading_asset(world, n):
    asset = Asset.objects.create(branch=world.branch, code="J188-1", kind=Asset.Kind.OIL_WELL)
    assignment = RedFlagAssignment.objects.create(
        asset=asset, member=world.member, schedule="每周一", method="巡检", fit_reason="熟悉", started_on=D0
    )
    AssignmentTarget.objects.create(assignment=assignment, indicator="oil_output", target=Decimal("5"))


def make_activities(world, n):
    world.activities = Activity.objects.bulk_create(
        Activity(
            branch=world.branch,
            kind=Activity.Kind.THEME_ACTIVITY,
            title=f"活动{i}",
            state=Activity.State.HELD,
            starts_at=at(i, 9),
            ends_at=at(i, 11),
            place="井场",
            organiser=world.secretary,
        )
        for i in range(n)
    )


def make_occasions(world, n):
    CareOccasion.objects.bulk_create(
        CareOccasion(
            branch=world.branch,
            employee=world.employee,
            kind=CareOccasion.Kind.HOSPITALISED,
            occurred_on=day(i),
            reported_on=day(i),
        )
        for i in range(n)
    )


def make_project(world, n):
    world.project = Innovation.objects.create(
        branch=world.branch,
        kind=Innovation.Kind.SMALL_IMPROVEMENT,
        title="抽油机皮带防脱装置",
        lead=world.member,
        problem="皮带易脱",
        started_on=D0,
    )
    world.project.members.set([world.member])


# ---- the table ----------------------------------------------------------------------------------------------

CASES = [
    Case(
        "branch_branch",
        Branch,
        lambda w, i: {"支部名称": f"导入支部{i}", "采油厂": "百口泉采油厂", "谈话期限（天）": 20 + i % 10},
        (
            ({"谈话期限（天）": "很多"}, "谈话期限（天）", "“很多”不是数字；请只填写数字，不带单位。"),
            ({"采油厂": None}, "采油厂", required("采油厂")),
        ),
        scoped=False,
    ),
    Case(
        "branch_partygroup",
        PartyGroup,
        lambda w, i: {"党小组": f"导入党小组{i}", "区域": f"区域{i}"},
        (
            ({"党小组": None}, "党小组", required("党小组")),
            ({"区域": "区" * 101}, "区域", "最多 100 个字符，此处有 101 个。"),
        ),
    ),
    Case(
        "branch_workteam",
        WorkTeam,
        lambda w, i: {"班组": f"导入班组{i}", "站点": f"站点{i}"},
        (({"班组": None}, "班组", required("班组")),),
    ),
    Case(
        "members_committeerole",
        CommitteeRole,
        lambda w, i: {
            "员工编号": w.member.employee_number,
            "职务": "宣传委员",
            "任职日期": day(2 * i),
            "离任日期": day(2 * i + 1),
        },
        (
            ({"员工编号": "n404"}, "员工编号", unknown_member("n404")),
            ({"任职日期": BAD_DATE}, "任职日期", date_error()),
            ({"职务": None}, "职务", required("职务")),
        ),
    ),
    Case(
        "members_teamlink",
        TeamLink,
        lambda w, i: {
            "员工编号": w.committee.employee_number,
            "班组": "采油一班",
            "开始日期": day(2 * i),
            "结束日期": day(2 * i + 1),
        },
        (
            ({"班组": "采油九班"}, "班组", unknown_team("采油九班")),
            ({"结束日期": BAD_DATE}, "结束日期", date_error()),
            ({"开始日期": None}, "开始日期", required("开始日期")),
        ),
    ),
    Case(
        "members_pairing",
        Pairing,
        lambda w, i: {
            "类型": "结对互帮",
            "帮带人员工编号": w.secretary.employee_number,
            "结对人员工编号": w.member.employee_number,
            "目标": f"学会调参{i}",
            "开始日期": day(i),
        },
        (
            ({"结对人员工编号": "n404"}, "结对人员工编号", unknown_member("n404")),
            ({"开始日期": BAD_DATE}, "开始日期", date_error()),
            ({"目标": None}, "目标", required("目标")),
        ),
    ),
    Case(
        "members_employee",
        Employee,
        lambda w, i: {"姓名": f"员工{i}", "班组": "采油一班", "手机号码": f"139{i:08d}"},
        (
            ({"班组": "采油九班"}, "班组", unknown_team("采油九班")),
            ({"姓名": None}, "姓名", required("姓名")),
        ),
    ),
    Case(
        "members_studyrecord",
        StudyRecord,
        lambda w, i: {
            "员工编号": w.member.employee_number,
            "学习日期": day(i),
            "学习内容": f"学习专题{i}",
            "学习形式": "自学",
            "学时": 2,
        },
        (
            ({"员工编号": "n404"}, "员工编号", unknown_member("n404")),
            ({"学习日期": BAD_DATE}, "学习日期", date_error()),
            ({"学时": None}, "学时", required("学时")),
        ),
    ),
    Case(
        "members_development",
        Development,
        lambda w, i: {
            "员工编号": w.people[i].employee_number,
            "申请入党日期": day(i),
            "谈话日期": day(i + 10),
            "培养联系人员工编号": w.member.employee_number,
        },
        (
            ({"员工编号": "n404"}, "员工编号", unknown_member("n404")),
            ({"谈话日期": BAD_DATE}, "谈话日期", date_error()),
            ({"申请入党日期": None}, "申请入党日期", required("申请入党日期")),
        ),
        setup=make_people,
        m2m=("contacts", "sponsors"),
    ),
    Case(
        "activities_meeting",
        Meeting,
        lambda w, i: {"日期": day(i), "类型": "党课", "主题": f"党课{i}", "表决事项": "否"},
        (
            ({"日期": BAD_DATE}, "日期", date_error()),
            ({"类型": "茶话会"}, "类型", "“茶话会”不是可选值之一：支部党员大会、支委会、党小组会、党课、主题党日。"),
            ({"主题": None}, "主题", required("主题")),
        ),
    ),
    Case(
        "activities_meetingattendance",
        MeetingAttendance,
        lambda w, i: {"会议日期": day(i), "会议类型": "党课", "员工编号": w.member.employee_number, "出席情况": "出席"},
        (
            ({"员工编号": "n404"}, "员工编号", unknown_member("n404")),
            ({"会议日期": BAD_DATE}, "会议日期", date_error()),
            ({"出席情况": None}, "出席情况", required("出席情况")),
        ),
        setup=make_meetings,
    ),
    Case(
        "activities_guidancevisit",
        GuidanceVisit,
        lambda w, i: {
            "员工编号": w.committee.employee_number,
            "班组": "采油一班",
            "指导日期": day(i),
            "指导内容": f"指导安全生产{i}",
        },
        (
            ({"员工编号": "n404"}, "员工编号", unknown_member("n404")),
            ({"指导日期": BAD_DATE}, "指导日期", date_error()),
            ({"指导内容": None}, "指导内容", required("指导内容")),
        ),
    ),
    Case(
        "activities_redflagassignment",
        RedFlagAssignment,
        lambda w, i: {
            "设备编号": w.assets[i].code,
            "员工编号": w.member.employee_number,
            "定时": "每周一 10:00 巡检",
            "定方法": "量油、调参",
            "选派理由": "懂机采",
            "开始日期": day(i),
        },
        (
            ({"设备编号": "NOPE-1"}, "设备编号", unknown_asset("NOPE-1")),
            ({"开始日期": BAD_DATE}, "开始日期", date_error()),
            ({"定时": None}, "定时", required("定时")),
        ),
        setup=make_assets,
    ),
    Case(
        "activities_assignmenttarget",
        AssignmentTarget,
        lambda w, i: {"设备编号": w.assets[i].code, "开始日期": D0, "指标": "日产油", "目标值": 5, "单位": "t/d"},
        (
            ({"设备编号": "NOPE-1"}, "设备编号", unknown_asset("NOPE-1")),
            ({"开始日期": BAD_DATE}, "开始日期", date_error()),
            ({"目标值": None}, "目标值", required("目标值")),
        ),
        setup=make_assignments,
    ),
    Case(
        "activities_reading",
        Reading,
        lambda w, i: {"设备编号": "J188-1", "指标": "日产油", "日期": day(i), "数值": 3.5, "单位": "t/d"},
        (
            ({"设备编号": "NOPE-1"}, "设备编号", unknown_asset("NOPE-1")),
            ({"日期": BAD_DATE}, "日期", date_error()),
            ({"数值": None}, "数值", required("数值")),
        ),
        setup=make_reading_asset,
    ),
    Case(
        "activities_activity",
        Activity,
        lambda w, i: {
            "类型": "主题活动",
            "名称": f"导入活动{i}",
            "日期": day(i),
            "开始时间": "09:00",
            "结束时间": "11:30",
            "地点": "检188井场",
            "组织人员工编号": w.secretary.employee_number,
            "状态": "已举办",
        },
        (
            ({"组织人员工编号": "n404"}, "组织人员工编号", unknown_member("n404")),
            ({"日期": BAD_DATE}, "日期", date_error()),
            ({"地点": None}, "地点", required("地点")),
        ),
    ),
    Case(
        "activities_activityattendance",
        ActivityAttendance,
        lambda w, i: {"活动名称": f"活动{i}", "活动日期": day(i), "员工编号": w.member.employee_number, "出席": "是"},
        (
            ({"员工编号": "n404"}, "员工编号", unknown_member("n404")),
            ({"活动日期": BAD_DATE}, "活动日期", date_error()),
            ({"出席": None}, "出席", required("出席")),
        ),
        setup=make_activities,
    ),
    Case(
        "activities_forum",
        Forum,
        lambda w, i: {
            "日期": day(i),
            "班组": "采油一班",
            "参加党员员工编号": f"{w.secretary.employee_number}、{w.member.employee_number}",
            "参加员工": "张三（采油一班）",
            "记录": f"记录{i}",
        },
        (
            ({"参加党员员工编号": "n404、n405"}, "参加党员员工编号", unknown_member("n404、n405")),
            ({"日期": BAD_DATE}, "日期", date_error()),
            ({"班组": None}, "班组", required("班组")),
        ),
        m2m=("members_present", "employees_present"),
    ),
    Case(
        "activities_appeal",
        Appeal,
        lambda w, i: {
            "受理日期": day(i),
            "诉求人": "张三（采油一班）",
            "诉求内容": f"宿舍热水器坏了{i}",
            "渠道": "电话",
            "类别": "生活条件",
            "承办人员工编号": w.member.employee_number,
        },
        (
            ({"承办人员工编号": "n404"}, "承办人员工编号", unknown_member("n404")),
            ({"受理日期": BAD_DATE}, "受理日期", date_error()),
            ({"类别": None}, "类别", required("类别")),
        ),
    ),
    Case(
        "activities_careoccasion",
        CareOccasion,
        lambda w, i: {"员工": "张三（采油一班）", "事由": "住院", "发生日期": day(i), "报告日期": day(i + 1)},
        (
            ({"员工": "查无此人"}, "员工", unknown(UNKNOWN_EMPLOYEE, "查无此人")),
            ({"发生日期": BAD_DATE}, "发生日期", date_error()),
            ({"事由": None}, "事由", required("事由")),
        ),
    ),
    Case(
        "activities_carevisit",
        CareVisit,
        lambda w, i: {
            "员工": "张三（采油一班）",
            "事由": "住院",
            "发生日期": day(i),
            "走访日期": day(i + 1),
            "走访人员工编号": w.secretary.employee_number,
            "慰问内容": "水果",
        },
        (
            ({"走访人员工编号": "n404"}, "走访人员工编号", unknown_member("n404")),
            ({"走访日期": BAD_DATE}, "走访日期", date_error()),
            ({"慰问内容": None}, "慰问内容", required("慰问内容")),
        ),
        setup=make_occasions,
        m2m=("visitors",),
    ),
    Case(
        "activities_innovation",
        Innovation,
        lambda w, i: {
            "类型": "小改小革",
            "项目名称": f"导入项目{i}",
            "负责人员工编号": w.member.employee_number,
            "成员员工编号": w.secretary.employee_number,
            "问题": "盘根漏油",
            "开始日期": day(i),
        },
        (
            ({"负责人员工编号": "n404"}, "负责人员工编号", unknown_member("n404")),
            ({"开始日期": BAD_DATE}, "开始日期", date_error()),
            ({"问题": None}, "问题", required("问题")),
        ),
        m2m=("members",),
    ),
    Case(
        "activities_innovationaward",
        InnovationAward,
        lambda w, i: {"项目名称": "抽油机皮带防脱装置", "奖项": f"合理化建议奖{i}", "级别": "厂级", "获奖日期": day(i)},
        (
            ({"项目名称": "没有的项目"}, "项目名称", unknown(UNKNOWN_PROJECT, "没有的项目")),
            ({"获奖日期": BAD_DATE}, "获奖日期", date_error()),
            ({"级别": None}, "级别", required("级别")),
        ),
        setup=make_project,
    ),
    Case(
        "activities_patent",
        Patent,
        lambda w, i: {
            "项目名称": "抽油机皮带防脱装置",
            "专利号": f"ZL2024{i:07d}",
            "类型": "实用新型专利",
            "授权日期": day(i),
        },
        (
            ({"项目名称": "没有的项目"}, "项目名称", unknown(UNKNOWN_PROJECT, "没有的项目")),
            ({"授权日期": BAD_DATE}, "授权日期", date_error()),
            ({"类型": None}, "类型", required("类型")),
        ),
        setup=make_project,
    ),
    Case(
        "activities_honor",
        Honor,
        lambda w, i: {
            "荣誉名称": f"优秀共产党员{i}",
            "级别": "厂级",
            "员工编号": w.member.employee_number,
            "授予日期": day(i),
        },
        (
            ({"员工编号": "n404"}, "员工编号", unknown_member("n404")),
            ({"授予日期": BAD_DATE}, "授予日期", date_error()),
            ({"级别": None}, "级别", required("级别")),
        ),
    ),
]
