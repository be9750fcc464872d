"""The quarterly assessment workbook: its summary and evidence sheets, the bad inputs, and that
LibreOffice opens it."""

import csv
import datetime as dt
import os
import subprocess
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from activities.assessment.scores import assess
from branch.exports.base import get_exporter
from branch.exports.writers import write_xlsx
from branch.quarters import Quarter
from members.access import actor_for
from members.models import Member
from tests.activities.factories_meetings import MeetingAttendanceFactory, MeetingFactory
from tests.factories import BranchFactory, MemberFactory, StudyRecordFactory

Q3 = Quarter(2026, 3)


@pytest.fixture
def people(branch, secretary, member, other_member):
    ungrouped = MemberFactory(branch=branch, party_group=None, name="马晓东")
    probationary = MemberFactory(branch=branch, status=Member.Status.PROBATIONARY, name="古丽娜尔·艾山")
    meeting = MeetingFactory(branch=branch, held_on=dt.date(2026, 8, 5), topic="学习二十大精神")
    for person, presence in ((member, "present"), (other_member, "absent"), (ungrouped, "present")):
        MeetingAttendanceFactory(meeting=meeting, member=person, presence=presence)
    StudyRecordFactory(member=member, studied_on=dt.date(2026, 7, 3), hours=6, status="confirmed")
    return {"ungrouped": ungrouped, "probationary": probationary}


def export(branch, tmp_path, quarter="2026Q3"):
    exporter = get_exporter("assessment")
    params = exporter.clean_params(branch, {"quarter": quarter})
    path = tmp_path / "assessment.xlsx"
    write_xlsx(path, exporter.sheets(branch, params))
    return path


def test_summary_sheet(branch, member, people, tmp_path):
    path = export(branch, tmp_path)
    book = load_workbook(path)
    summary = book.worksheets[0]
    assert summary.title == "考核汇总"
    assert branch.name in summary["A1"].value and "2026年第3季度" in summary["A1"].value
    headers = [c.value for c in summary[2]]
    assert headers[:5] == ["序号", "姓名", "员工编号", "党小组", "党员类别"]
    assert headers[-2:] == ["总分", "等级"] and "组织生活出勤" in headers
    assert summary.freeze_panes == "A3"
    rows = [[c.value for c in r] for r in summary.iter_rows(min_row=3)]
    result = assess(branch, Q3)
    assert len(rows) == len(result.members) == Member.objects.filter(branch=branch).count()
    by_name = {r[1]: r for r in rows}
    expected = result.member(member.pk)
    assert Decimal(str(by_name[member.name][-2])) == expected.total
    assert by_name[member.name][2] == member.employee_number
    assert by_name["马晓东"][3] == "未分组"
    assert by_name["古丽娜尔·艾山"][4] == "预备党员" and "不定等级" in by_name["古丽娜尔·艾山"][-1]
    total_cell = summary.cell(row=3, column=len(headers) - 1)
    assert total_cell.number_format == "0.00" or "0.0" in total_cell.number_format


def test_evidence_sheets(branch, member, other_member, people, tmp_path):
    book = load_workbook(export(branch, tmp_path))
    assert [ws.title for ws in book.worksheets][1:4] == ["组织生活出勤", "主题活动与专题课", "学习学时"]
    org = book["组织生活出勤"]
    rows = [[c.value for c in r] for r in org.iter_rows(min_row=3)]
    assert {(r[0], r[7]) for r in rows} == {(member.name, "出席"), (other_member.name, "缺席"), ("马晓东", "出席")}
    study = [[c.value for c in r] for r in book["学习学时"].iter_rows(min_row=3)]
    assert study == [
        [member.name, member.employee_number, "第一党小组", dt.datetime(2026, 7, 3), "自学", study[0][5], 6, None]
    ]


def test_empty_quarter_gives_a_valid_empty_workbook(tmp_path, db):
    branch = BranchFactory(name="新建支部")
    book = load_workbook(export(branch, tmp_path))
    summary = book.worksheets[0]
    assert summary.max_row == 2  # title and headers
    assert len(book.worksheets) == 13


def test_future_quarter_is_refused(branch):
    with pytest.raises(ValidationError):
        get_exporter("assessment").clean_params(branch, {"quarter": str(Quarter.current().next())})
    with pytest.raises(ValidationError):
        get_exporter("assessment").clean_params(branch, {"quarter": "2026Q5"})


def test_who_may_export_it(branch, personas, secretary, committee_member, member, group_leader, outsider, admin_user):
    exporter = get_exporter("assessment")
    allowed = {
        "secretary": exporter.allowed(actor_for(secretary.user), branch),
        "committee": exporter.allowed(actor_for(committee_member.user), branch),
        "group_leader": exporter.allowed(actor_for(group_leader.user), branch),
        "member": exporter.allowed(actor_for(member.user), branch),
        "outsider": exporter.allowed(actor_for(outsider.user), branch),
        "admin": exporter.allowed(actor_for(admin_user), branch),
    }
    assert allowed == {
        "secretary": True,
        "committee": True,
        "group_leader": False,
        "member": False,
        "outsider": False,
        "admin": True,
    }


@pytest.mark.libreoffice
def test_libreoffice_opens_the_workbook(branch, member, people, tmp_path):
    path = export(branch, tmp_path)
    profile = tmp_path / "lo-profile"
    completed = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
            str(tmp_path / "out"),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    converted = tmp_path / "out" / "assessment.csv"
    assert completed.returncode == 0, completed.stderr
    assert converted.exists(), completed.stdout + completed.stderr
    with converted.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert branch.name in rows[0][0]
    assert rows[1][:2] == ["序号", "姓名"]
    names = {row[1] for row in rows[2:]}
    assert {member.name, "马晓东", "古丽娜尔·艾山"} <= names
