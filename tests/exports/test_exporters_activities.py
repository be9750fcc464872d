"""The activities' reports: a quarter's employee appeals and its red-flag attainment.

Exporters are called directly (`exporter.sheets(branch, params)`), then through the writers. Data
lives in the last complete quarter, so the tests hold whatever day they run."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from activities.exporters import AppealsExporter, RedFlagAttainmentExporter
from activities.models import Appeal, Indicator
from branch.exports.base import get_exporter
from branch.exports.writers import write
from branch.quarters import Quarter
from members.access import actor_for
from members.exporters import NO_GROUP
from tests.activities.factories_appeals import AppealFactory, EmployeeFactory, ForumFactory
from tests.activities.factories_redflag import AssignmentFactory, ReadingFactory
from tests.factories import MemberFactory

QUARTER = Quarter.current().previous()
FUTURE = Quarter.current().next()
M1, M2, M3 = QUARTER.months
TITLE = f"检188采油作业区党支部 {QUARTER.year}年第{QUARTER.number}季度"
OIL, CUT, FAILURES = Indicator.OIL_OUTPUT, Indicator.WATER_CUT, Indicator.FAILURES


def consume(exporter, branch, params):
    return [(sheet, [list(row) for row in sheet.rows]) for sheet in exporter.sheets(branch, params)]


def headers(sheet):
    return [column.header for column in sheet.columns]


def day(month_start: dt.date, n: int) -> dt.date:
    return month_start + dt.timedelta(days=n - 1)


def written(exporter, branch, params, file_format, tmp_path):
    path = tmp_path / f"report.{file_format}"
    write(path, file_format, exporter.sheets(branch, params))
    return path


def test_the_registry_knows_both_reports():
    assert isinstance(get_exporter("appeals"), AppealsExporter)
    assert isinstance(get_exporter("redflag_attainment"), RedFlagAttainmentExporter)


# ---- the quarter: form and parameters, shared by both reports ----------------------------------------


@pytest.mark.parametrize("exporter_class", [AppealsExporter, RedFlagAttainmentExporter])
def test_a_future_quarter_is_refused(branch, secretary, exporter_class):
    exporter = exporter_class()
    form = exporter.form_class({"quarter": str(FUTURE)}, actor=actor_for(secretary.user), branch=branch)
    assert not form.is_valid()
    assert form.errors.as_data()["quarter"][0].code == "future_quarter"
    with pytest.raises(ValidationError) as refused:
        exporter.clean_params(branch, {"quarter": str(FUTURE)})
    assert refused.value.code == "future_quarter"
    for bad in ({}, {"quarter": "2026Q5"}, {"quarter": "last quarter"}):
        with pytest.raises(ValidationError):
            exporter.clean_params(branch, bad)


@pytest.mark.parametrize("exporter_class", [AppealsExporter, RedFlagAttainmentExporter])
def test_the_quarter_form_gives_json_safe_params(branch, secretary, exporter_class):
    exporter = exporter_class()
    form = exporter.form_class(
        {"quarter": f" {QUARTER.year}-{QUARTER.number} "}, actor=actor_for(secretary.user), branch=branch
    )
    assert form.is_valid(), form.errors
    params = exporter.params_from_form(form.cleaned_data)
    assert params == {"quarter": str(QUARTER)}
    assert exporter.clean_params(branch, params) == params
    current = exporter.form_class({"quarter": str(Quarter.current())}, actor=None, branch=branch)
    assert current.is_valid(), current.errors


# ---- appeals ----------------------------------------------------------------------------------------


@pytest.fixture
def appeals(branch, team, member, other_member, outsider):
    """In the quarter: answered in time at a forum, answered late, open past its deadline, open in
    time. Outside it: one of the quarter before, one of another branch."""
    forum = ForumFactory(branch=branch, work_team=team, held_on=day(M1, 5))
    asker = EmployeeFactory(branch=branch, work_team=team, name="李娜")
    received = day(M1, 5)
    in_time = AppealFactory(
        branch=branch,
        forum=forum,
        channel=Appeal.Channel.FORUM,
        requester=asker,
        received_on=received,
        content="井场夜间照明不足",
        category=Appeal.Category.SAFETY,
        handler=member,
        deadline=received + dt.timedelta(days=15),
        status=Appeal.Status.ANSWERED,
        answer="已加装照明",
        answered_on=received + dt.timedelta(days=5),
        satisfaction=Appeal.Satisfaction.VERY_SATISFIED,
    )
    late = day(M2, 1)
    AppealFactory(
        branch=branch,
        requester=asker,
        received_on=late,
        handler=other_member,
        deadline=late + dt.timedelta(days=15),
        status=Appeal.Status.CLOSED,
        answer="已解决",
        answered_on=late + dt.timedelta(days=20),
        closed_on=late + dt.timedelta(days=21),
        satisfaction=Appeal.Satisfaction.NOT_SATISFIED,
    )
    AppealFactory(branch=branch, handler=member, received_on=day(M2, 20))  # open, its deadline long past
    open_in_time = AppealFactory(
        branch=branch,
        handler=member,
        received_on=QUARTER.end,
        deadline=timezone.localdate() + dt.timedelta(days=10),
        status=Appeal.Status.IN_PROGRESS,
    )
    AppealFactory(branch=branch, handler=member, received_on=QUARTER.start - dt.timedelta(days=1))
    AppealFactory(branch=outsider.branch, received_on=day(M2, 2))
    return in_time, open_in_time


def test_appeal_rows(branch, appeals):
    in_time, open_in_time = appeals
    (sheet, rows), (figures_sheet, figures) = consume(AppealsExporter(), branch, {"quarter": str(QUARTER)})
    assert sheet.name == "员工诉求"
    assert sheet.title == f"{TITLE} 员工诉求"
    assert headers(sheet) == [
        "受理日期",
        "恳谈会",
        "渠道",
        "类别",
        "诉求人",
        "诉求人班组",
        "诉求内容",
        "承办人",
        "状态",
        "答复期限",
        "答复日期",
        "答复用时（天）",
        "按期答复",
        "满意度",
    ]
    assert sheet.row_count == len(rows) == 4
    assert [row[0] for row in rows] == [day(M1, 5), day(M2, 1), day(M2, 20), QUARTER.end]
    assert rows[0] == [
        day(M1, 5),
        f"{day(M1, 5):%Y-%m-%d} 采油一班",
        "恳谈会",
        "安全",
        "李娜",
        "采油一班",
        "井场夜间照明不足",
        "艾力·买买提",
        "已答复",
        in_time.deadline,
        day(M1, 10),
        5,
        "是",
        "满意",
    ]
    late, overdue, pending = rows[1:]
    assert (late[1], late[2], late[7], late[8], late[11], late[12], late[13]) == (
        None,
        "电话",
        "周传辉",
        "已办结",
        20,
        "否",
        "不满意",
    )
    assert (overdue[8], overdue[10], overdue[11], overdue[12], overdue[13]) == ("已受理", None, None, "否", None)
    assert (pending[8], pending[9], pending[12]) == ("办理中", open_in_time.deadline, None)  # not late yet

    assert figures_sheet.name == "季度汇总"
    figures = dict(figures)
    assert figures["受理诉求（件）"] == 4
    assert figures["未答复（件）"] == 2
    assert figures["逾期未答复（件）"] == 1
    assert figures["已答复（含办结）（件）"] == 2
    assert figures["已办结（件）"] == 1
    assert figures["答复用时中位数（天）"] == Decimal("12.5")
    assert (figures["满意（件）"], figures["不满意（件）"], figures["满意率（%）"]) == (1, 1, Decimal(50))


def test_a_quarter_without_appeals_has_headers_and_no_rows(branch, appeals):
    earlier = QUARTER.previous().previous()
    (sheet, rows), (_figures, figures) = consume(AppealsExporter(), branch, {"quarter": str(earlier)})
    assert len(headers(sheet)) == 14
    assert rows == []
    assert dict(figures)["受理诉求（件）"] == 0


def test_appeals_through_the_writers(branch, appeals, tmp_path):
    params = {"quarter": str(QUARTER)}
    workbook = load_workbook(written(AppealsExporter(), branch, params, "xlsx", tmp_path))
    assert workbook.sheetnames == ["员工诉求", "季度汇总"]
    sheet = workbook["员工诉求"]
    assert sheet["A1"].value == f"{TITLE} 员工诉求"
    assert sheet["A2"].value == "受理日期"
    assert sheet["G3"].value == "井场夜间照明不足"
    assert sheet["L3"].value == 5
    assert sheet.max_row == 6
    text = written(AppealsExporter(), branch, params, "csv", tmp_path).read_text(encoding="utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0][0] == "受理日期"
    assert lines[1][:4] == [f"{day(M1, 5):%Y-%m-%d}", f"{day(M1, 5):%Y-%m-%d} 采油一班", "恳谈会", "安全"]
    assert len(lines) == 5
    assert AppealsExporter().filename(branch, params) == f"检188采油作业区党支部-员工诉求-{QUARTER}"


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", False),
        ("admin", True),
        ("secretary", True),
        ("committee", True),
        ("group_leader", False),
        ("member", False),  # not even the handler of some of them
        ("outsider", False),  # a secretary, of another branch
    ],
)
def test_appeals_permissions(personas, branch, persona, expected):
    assert AppealsExporter().allowed(actor_for(personas[persona]), branch) is expected


def test_appeal_queries_do_not_grow_with_the_appeals(branch, member, django_assert_max_num_queries):
    forum = ForumFactory(branch=branch, held_on=day(M1, 3))

    def count(n):
        AppealFactory.create_batch(n, branch=branch, handler=member, forum=forum, received_on=day(M1, 3))
        with django_assert_max_num_queries(4) as captured:
            sheets = consume(AppealsExporter(), branch, {"quarter": str(QUARTER)})
        assert sheets[0][0].row_count == len(sheets[0][1])
        return len(captured.captured_queries)

    assert count(2) == count(40)


# ---- red-flag attainment ------------------------------------------------------------------------------


def readings(asset, indicator, *pairs):
    for reading_on, value in pairs:
        ReadingFactory(asset=asset, indicator=indicator, reading_on=reading_on, value=Decimal(str(value)))


@pytest.fixture
def red_flag(branch, member, outsider):
    """J188-01 (member's, group A): oil 5 t/d attained in the first month, missed in the second, no
    reading in the third; water cut 85 %; failures at most 1 a month, none in the third month.
    J188-02 (a member without a party group) starts in the second month: a reading before the start
    does not count. J188-04's assignment ends in the first month: a reading after the end does not
    count. Not in the report: J188-03 (ended before the quarter), J188-05 (starts after it) and
    another branch's asset."""
    one = AssignmentFactory(
        asset__branch=branch,
        asset__code="J188-01",
        member=member,
        started_on=QUARTER.start - dt.timedelta(days=200),
        targets={OIL: "5", CUT: "85", FAILURES: "1"},
    )
    readings(one.asset, OIL, (day(M1, 1), 5), (day(M1, 2), 6), (day(M2, 1), 4), (day(M2, 2), 5))
    readings(one.asset, CUT, (day(M1, 1), 80), (day(M2, 1), 90))
    readings(one.asset, FAILURES, (M3, 0))
    readings(one.asset, OIL, (QUARTER.start - dt.timedelta(days=1), 100))  # the quarter before

    loner = MemberFactory(branch=branch, party_group=None, name="古丽")
    two = AssignmentFactory(
        asset__branch=branch, asset__code="J188-02", asset__station="", member=loner, started_on=day(M2, 10)
    )
    readings(two.asset, OIL, (day(M2, 5), 1), (day(M2, 15), 6))

    AssignmentFactory(
        asset__branch=branch,
        asset__code="J188-03",
        member=member,
        started_on=QUARTER.start - dt.timedelta(days=100),
        ended_on=QUARTER.start - dt.timedelta(days=1),
    )
    four = AssignmentFactory(
        asset__branch=branch,
        asset__code="J188-04",
        asset__kind="pumping_unit",
        member=member,
        started_on=QUARTER.start - dt.timedelta(days=100),
        ended_on=day(M1, 15),
    )
    readings(four.asset, OIL, (day(M1, 10), 5), (day(M1, 20), 1))
    AssignmentFactory(
        asset__branch=branch, asset__code="J188-05", member=member, started_on=QUARTER.end + dt.timedelta(days=1)
    )
    AssignmentFactory(asset__branch=outsider.branch, asset__code="J188-99", member=outsider, started_on=QUARTER.start)
    return one


def test_attainment_rows(branch, member, red_flag):
    ((sheet, rows),) = consume(RedFlagAttainmentExporter(), branch, {"quarter": str(QUARTER)})
    assert sheet.title == f"{TITLE} 红旗井设备达标情况"
    assert headers(sheet) == [
        "编号",
        "类型",
        "站点/区域",
        "责任党员",
        "员工编号",
        "党小组",
        "承包开始",
        "承包结束",
        "指标",
        "目标值",
        "单位",
        f"{M1.month}月实际",
        f"{M1.month}月达标",
        f"{M2.month}月实际",
        f"{M2.month}月达标",
        f"{M3.month}月实际",
        f"{M3.month}月达标",
        "季度实际",
        "季度达标率",
    ]
    assert sheet.row_count == len(rows) == 5
    assert [(row[0], row[8]) for row in rows] == [
        ("J188-01", "日产油"),
        ("J188-01", "含水率"),
        ("J188-01", "月故障次数"),
        ("J188-02", "日产油"),
        ("J188-04", "日产油"),
    ]
    oil, cut, failures, second, ended = rows
    started = QUARTER.start - dt.timedelta(days=200)
    assert oil == [
        "J188-01",
        "油井",
        "一号计量站",
        "艾力·买买提",
        member.employee_number,
        "第一党小组",
        started,
        None,
        "日产油",
        Decimal("5.00"),
        "t/d",
        Decimal("5.50"),
        "达标",  # 110 %
        Decimal("4.50"),
        "未达标",  # 90 %
        None,
        "无读数",
        Decimal("5.00"),
        1.0,  # the quarter's average, 5.0, is the target
    ]
    # Lower is better: 85/80 attains, 85/90 does not; over the quarter, 1 / avg(value/target) = 100 %.
    assert cut[11:] == [Decimal("80.00"), "达标", Decimal("90.00"), "未达标", None, "无读数", Decimal("85.00"), 1.0]
    assert (failures[10], failures[15:]) == ("次/月", [Decimal("0.00"), "达标", Decimal("0.00"), 1.0])
    # Only readings taken under the assignment count.
    assert (second[3], second[5]) == ("古丽", NO_GROUP)
    assert second[2] is None
    assert second[11:] == [None, "无读数", Decimal("6.00"), "达标", None, "无读数", Decimal("6.00"), 1.2]
    assert ended[1] == "抽油机"
    assert ended[7] == day(M1, 15)
    assert ended[11:13] == [Decimal("5.00"), "达标"]
    assert ended[-1] == 1.0


def test_a_quarter_without_assignments_has_headers_and_no_rows(branch, red_flag):
    earlier = Quarter.of(QUARTER.start - dt.timedelta(days=400))
    ((sheet, rows),) = consume(RedFlagAttainmentExporter(), branch, {"quarter": str(earlier)})
    assert len(headers(sheet)) == 19
    assert rows == []


def test_attainment_through_the_writers(branch, red_flag, tmp_path):
    params = {"quarter": str(QUARTER)}
    workbook = load_workbook(written(RedFlagAttainmentExporter(), branch, params, "xlsx", tmp_path))
    sheet = workbook.worksheets[0]
    assert sheet.title == "红旗井设备达标"
    assert [sheet["A2"].value, sheet["A3"].value, sheet["I3"].value] == ["编号", "J188-01", "日产油"]
    assert sheet["S3"].value == 1.0
    assert sheet["S3"].number_format == "0.0%"
    text = written(RedFlagAttainmentExporter(), branch, params, "csv", tmp_path).read_text(encoding="utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0][0] == "编号"
    assert lines[1][:13] == [
        "J188-01",
        "油井",
        "一号计量站",
        "艾力·买买提",
        lines[1][4],
        "第一党小组",
        lines[1][6],
        "",
        "日产油",
        "5.00",
        "t/d",
        "5.50",
        "达标",
    ]
    assert len(lines) == 6
    assert RedFlagAttainmentExporter().filename(branch, params) == f"检188采油作业区党支部-红旗井设备达标情况-{QUARTER}"


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", False),
        ("admin", True),
        ("secretary", True),
        ("committee", True),
        ("group_leader", False),  # sees the group's assets on the board, not the branch's
        ("member", False),
        ("outsider", False),
    ],
)
def test_attainment_permissions(personas, branch, persona, expected):
    assert RedFlagAttainmentExporter().allowed(actor_for(personas[persona]), branch) is expected


def test_attainment_queries_do_not_grow_with_the_assets(branch, member, django_assert_max_num_queries):
    def count(n):
        for _ in range(n):
            assignment = AssignmentFactory(
                asset__branch=branch, member=member, started_on=QUARTER.start, targets={OIL: "5", CUT: "85"}
            )
            readings(assignment.asset, OIL, (day(M1, 1), 5), (day(M2, 1), 6), (day(M3, 1), 4))
        with django_assert_max_num_queries(4) as captured:
            ((sheet, rows),) = consume(RedFlagAttainmentExporter(), branch, {"quarter": str(QUARTER)})
        assert len(rows) == sheet.row_count > 0
        return len(captured.captured_queries)

    assert count(2) == count(30)
