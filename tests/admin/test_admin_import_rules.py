"""The admin imports keep the rules the pages keep: quorum, handovers, hours, readings, appeals,
employees by name, history of many-to-many links; and a write that fails is not shown as a success."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError
from django.urls import reverse

from activities.models import Activity, ActivityAttendance, Appeal, Forum, Meeting, Reading
from activities.resources_appeals import AppealResource
from members.models import CommitteeRole, Employee
from tests.factories import MemberFactory

from .cases import CASES, D0, at, day, make_activities, make_reading_asset
from .helpers import export, import_rows, preview, xlsx

pytestmark = pytest.mark.django_db
CASE = {case.admin: case for case in CASES}


def errors_of(response) -> dict[int, dict]:
    return {row.number: row.error_dict for row in response.context["result"].invalid_rows}


def test_attendance_sets_the_meeting_quorum(client, world):
    """A committee meeting is below quorum until more than half of the committee is recorded present."""
    case = CASE["activities_meetingattendance"]
    meeting = Meeting.objects.create(
        branch=world.branch, kind=Meeting.Kind.COMMITTEE, held_on=dt.date(2025, 3, 3), topic="支委会", below_quorum=True
    )
    row = {"会议日期": meeting.held_on, "会议类型": "支委会"}
    import_rows(client, case, world, [{**row, "员工编号": world.secretary.employee_number, "出席情况": "出席"}])
    meeting.refresh_from_db()
    assert meeting.below_quorum  # one of two seats
    import_rows(client, case, world, [{**row, "员工编号": world.committee.employee_number, "出席情况": "出席"}])
    meeting.refresh_from_db()
    assert not meeting.below_quorum
    assert meeting.history.first().below_quorum is False


def test_a_handover_ends_one_seat_and_fills_it_in_one_file(client, world):
    case = CASE["members_committeerole"]
    seat = {"职务": "书记", "任职日期": dt.date(2024, 1, 1)}
    rows = [
        {"员工编号": world.secretary.employee_number, **seat, "离任日期": dt.date(2025, 6, 30)},
        {"员工编号": world.member.employee_number, "职务": "书记", "任职日期": dt.date(2025, 6, 30)},
    ]
    import_rows(client, case, world, rows)
    holders = CommitteeRole.objects.filter(role="secretary", ended_on__isnull=True)
    assert [role.member for role in holders] == [world.member]
    # A second holder of a seat that is taken is refused, in Chinese.
    again = {"员工编号": world.secretary.employee_number, "职务": "书记", "任职日期": dt.date(2025, 7, 1)}
    response = preview(client, case, world, xlsx([again]))
    assert errors_of(response) == {2: {"职务": ["该支委职务已有人担任。"]}}


def test_forum_history_keeps_who_came(client, world):
    case = CASE["activities_forum"]
    import_rows(client, case, world, [case.row(world, 0)])
    forum = Forum.objects.get()
    assert set(forum.members_present.all()) == {world.secretary, world.member}
    assert [e.name for e in forum.employees_present.all()] == ["张三"]
    created = forum.history.get()
    assert {link.member_id for link in created.members_present.all()} == {world.secretary.pk, world.member.pk}
    import_rows(
        client, case, world, [{"日期": day(0), "班组": "采油一班", "参加党员员工编号": world.member.employee_number}]
    )
    assert list(forum.members_present.all()) == [world.member]
    changed = forum.history.order_by("-history_id").first()
    assert changed.history_type == "~"
    assert [link.member_id for link in changed.members_present.all()] == [world.member.pk]
    assert [link.employee_id for link in changed.employees_present.all()] == [world.employee.pk]


def test_hours_default_to_the_activity_length_and_need_a_reason_otherwise(client, world):
    case = CASE["activities_activityattendance"]
    make_activities(world, 1)  # 09:00 to 11:00
    row = case.row(world, 0)
    response = preview(client, case, world, xlsx([{**row, "时长（小时）": 1}]))
    [message] = errors_of(response)[2]["时长（小时）"]
    assert "1.0" in message and "2.0" in message
    import_rows(client, case, world, [row])
    assert ActivityAttendance.objects.get().hours == Decimal("2.0")
    import_rows(client, case, world, [{**row, "时长（小时）": 1, "时长说明": "中途去处理井口漏油"}])
    assert ActivityAttendance.objects.get().hours == Decimal("1.0")


def test_a_longer_activity_takes_its_default_attendees_along(client, world):
    make_activities(world, 1)
    activity = world.activities[0]
    ActivityAttendance.objects.create(activity=activity, member=world.member, present=True, hours=Decimal("2.0"))
    ActivityAttendance.objects.create(
        activity=activity, member=world.secretary, present=True, hours=Decimal("1.0"), hours_reason="早退"
    )
    import_rows(client, CASE["activities_activity"], world, [{"名称": "活动0", "日期": day(0), "结束时间": "12:00"}])
    activity.refresh_from_db()
    assert activity.ends_at == at(0, 12)
    hours = dict(ActivityAttendance.objects.values_list("member_id", "hours"))
    assert hours == {world.member.pk: Decimal("3.0"), world.secretary.pk: Decimal("1.0")}


def test_new_readings_follow_the_rules_of_the_page(client, world):
    case = CASE["activities_reading"]
    make_reading_asset(world, 1)
    row = case.row(world, 0)
    response = preview(client, case, world, xlsx([{**row, "指标": "含水率", "单位": "%"}]))
    assert errors_of(response)[2]["指标"] == ["含水率不是 J188-1 的指标（日产油）。"]
    import_rows(client, case, world, [{**row, "数值": "1,234.5"}])
    assert Reading.objects.get().value == Decimal("1234.50")


def test_an_appeal_gets_the_branch_deadline_and_an_answer_needs_its_text(client, world):
    case = CASE["activities_appeal"]
    row = case.row(world, 0)
    import_rows(client, case, world, [row])
    appeal = Appeal.objects.get()
    assert appeal.deadline == D0 + dt.timedelta(days=world.branch.appeal_answer_days)
    response = preview(client, case, world, xlsx([{**row, "状态": "已答复", "答复日期": day(3)}]))
    assert errors_of(response)[2]["答复内容"] == ["请填写给诉求人的答复。"]


def test_employees_by_name_alone_unless_two_share_it(client, world):
    case = CASE["activities_careoccasion"]
    row = {"员工": "张三", "事由": "结婚", "发生日期": day(0)}
    import_rows(client, case, world, [row])
    Employee.objects.create(branch=world.branch, name="张三")
    response = preview(client, case, world, xlsx([{**row, "发生日期": day(1)}]))
    [message] = errors_of(response)[2]["员工"]
    assert "张三（采油一班）" in message


def test_a_failed_write_is_not_announced_as_a_success(client, world, monkeypatch):
    case = CASE["activities_appeal"]
    response = preview(client, case, world, xlsx([case.row(world, 0)]))

    def fail(*args, **kwargs):
        raise IntegrityError("taken meanwhile")

    monkeypatch.setattr(AppealResource, "create_with_history", fail)
    confirm_form = response.context["confirm_form"]
    response = client.post(reverse("admin:activities_appeal_process_import"), confirm_form.initial)
    assert response.url == reverse("admin:activities_appeal_import")
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    assert not Appeal.objects.exists()


def test_csv_round_trip(client, world):
    case = CASE["activities_forum"]
    import_rows(client, case, world, [case.row(world, 0)])
    fields = {f"forumresource_{name}": "on" for name in ("held_on", "work_team", "members_present", "notes")}
    content = client.post(reverse("admin:activities_forum_export"), {"resource": "0", "format": "1", **fields}).content
    assert content.decode("utf-8-sig").splitlines()[0] == "日期,班组,参加党员员工编号,记录"
    upload = io.BytesIO(content)
    upload.name = "forums.csv"
    data = {"resource": "0", "format": "1", "import_file": upload, "branch": world.branch.pk}
    response = client.post(reverse("admin:activities_forum_import"), data)
    assert response.context["result"].totals["skip"] == 1


def test_the_branch_is_chosen_on_the_import_form(client, world):
    response = client.get(reverse("admin:activities_honor_import"))
    assert "branch" in response.context["form"].fields
    response = client.post(
        reverse("admin:activities_honor_import"),
        {"resource": "0", "format": "0", "import_file": xlsx([CASE["activities_honor"].row(world, 0)])},
    )
    assert "branch" in response.context["form"].errors
    # Branches are above the branches: nothing to choose.
    assert "branch" not in client.get(reverse("admin:branch_branch_import")).context["form"].fields


def test_an_export_names_records_not_ids(client, world):
    case = CASE["activities_activityattendance"]
    make_activities(world, 1)
    import_rows(client, case, world, [case.row(world, 0)])
    header, row = export(client, case)
    assert dict(zip(header, row, strict=True)) == {
        "活动名称": "活动0",
        "活动日期": dt.datetime(2024, 1, 1),
        "员工编号": world.member.employee_number,
        "姓名": world.member.name,
        "出席": "是",
        "报名": "否",
        "时长（小时）": 2,
        "时长说明": None,
    }
    assert Activity.objects.count() == 1


def test_an_export_filtered_by_branch_holds_that_branch_only(client, world):
    case = CASE["activities_activity"]
    make_activities(world, 1)
    other = MemberFactory()
    Activity.objects.create(
        branch=other.branch,
        kind=Activity.Kind.THEME_ACTIVITY,
        title="外支部活动",
        starts_at=at(0, 9),
        ends_at=at(0, 10),
        place="外井场",
        organiser=other,
    )
    fields = {f"activityresource_{name}": "on" for name in ("title", "day")}
    url = reverse("admin:activities_activity_export") + f"?branch__id__exact={world.branch.pk}"
    content = client.post(url, {"resource": "0", "format": "1", **fields}).content.decode("utf-8-sig")
    assert content.splitlines() == ["名称,日期", "活动0,2024-01-01"]
    assert case.model.objects.count() == 2


def test_whole_numbers_stay_whole(client, world):
    case = CASE["branch_branch"]
    response = preview(client, case, world, xlsx([{**case.row(world, 0), "谈话期限（天）": 30.5}]))
    assert errors_of(response)[2]["谈话期限（天）"] == ["此处应填写整数，不带小数点。"]
