"""The members' reports: the roster (which imports again unchanged) and one member's record book.

Exporters are called directly (`exporter.sheets(branch, params)`), then through the writers."""

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from openpyxl import load_workbook

from branch.exports.base import get_exporter
from branch.exports.writers import write
from branch.quarters import Quarter
from members.access import actor_for
from members.exporters import NO_GROUP, RecordBookExporter, RosterExporter
from members.models import Member
from members.recordbook import Period, record_book
from members.resources import HEADERS
from members.services.roster_import import roster_preview
from tests.factories import HonorFactory, MemberFactory, PairingFactory, StudyRecordFactory

THIS_YEAR = dt.date.today().year
CURRENT = Quarter.current()
LAST = CURRENT.previous()
FUTURE = CURRENT.next()


def consume(exporter, branch, params):
    """[(sheet, rows)] with every row read, as a writer would."""
    return [(sheet, [list(row) for row in sheet.rows]) for sheet in exporter.sheets(branch, params)]


def headers(sheet):
    return [column.header for column in sheet.columns]


def written(exporter, branch, params, file_format, tmp_path):
    path = tmp_path / f"report.{file_format}"
    write(path, file_format, exporter.sheets(branch, params))
    return path


# ---- the roster -------------------------------------------------------------------------------------


def test_the_registry_knows_both_reports():
    assert isinstance(get_exporter("roster"), RosterExporter)
    assert isinstance(get_exporter("record_book"), RecordBookExporter)


def test_roster_rows_are_the_import_columns(branch, secretary, member, other_member, outsider):
    member.phone, member.joined_on = "13912345678", dt.date(2012, 7, 1)
    member.save()
    (roster, rows), (groups, group_rows) = consume(RosterExporter(), branch, {"include_archived": False})
    assert headers(roster) == list(HEADERS)
    assert roster.name == "党员名册"
    assert roster.title.startswith("检188采油作业区党支部 党员名册")
    assert roster.row_count == 3
    assert [row[4] for row in rows] == sorted(m.employee_number for m in (secretary, member, other_member))
    row = next(r for r in rows if r[4] == member.employee_number)
    assert row == [
        "艾力·买买提",
        "男",
        "汉族",
        dt.date(1985, 6, 15),
        member.employee_number,
        "13912345678",
        member.id_card_number,
        "正式党员",
        dt.date(2012, 7, 1),
        "第一党小组",
        "采油一班",
    ]
    assert outsider.employee_number not in [r[4] for r in rows]  # another branch's


def test_archived_members_only_on_request_with_when_and_why(branch, secretary, member):
    Member.objects.filter(pk=member.pk).update(archived_on=dt.date(2025, 5, 1), archive_reason="transferred_out")
    (_sheet, rows), _groups = consume(RosterExporter(), branch, {"include_archived": False})
    assert [r[4] for r in rows] == [secretary.employee_number]
    (sheet, rows), _groups = consume(RosterExporter(), branch, {"include_archived": True})
    assert headers(sheet) == [*HEADERS, "离开日期", "离开原因"]
    left = next(r for r in rows if r[4] == member.employee_number)
    assert left[-2:] == [dt.date(2025, 5, 1), "转出"]
    assert next(r for r in rows if r[4] == secretary.employee_number)[-2:] == [None, None]


def test_members_without_a_party_group_count_as_unassigned(branch, secretary, member, other_member):
    loner = MemberFactory(branch=branch, party_group=None, status=Member.Status.PROBATIONARY)
    MemberFactory(branch=branch, party_group=None, status=Member.Status.ACTIVIST)
    (_roster, rows), (groups, group_rows) = consume(RosterExporter(), branch, {})
    # An empty cell, not 未分组: the import refuses a party group the branch does not have.
    assert next(r for r in rows if r[4] == loner.employee_number)[9] is None
    assert groups.name == "党小组人数"
    # Groups by name (in the database's collation), then those without one, then the total.
    assert sorted(group_rows[:2]) == sorted([["第一党小组", 2, 0, 0, 2], ["第二党小组", 1, 0, 0, 1]])
    assert group_rows[2:] == [[NO_GROUP, 0, 1, 1, 2], ["合计", 3, 1, 1, 5]]


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_an_exported_roster_imports_again_unchanged(branch, secretary, member, other_member, file_format, tmp_path):
    MemberFactory(branch=branch, party_group=None, work_team=None, phone="", joined_on=None)
    path = written(RosterExporter(), branch, {"include_archived": False}, file_format, tmp_path)
    report = roster_preview(branch=branch, content=path.read_bytes(), filename=path.name)
    assert report.errors == []
    assert (report.new, report.updated, report.unchanged) == (0, 0, 4)


def test_roster_through_the_writers(branch, secretary, member, tmp_path):
    workbook = load_workbook(written(RosterExporter(), branch, {}, "xlsx", tmp_path))
    assert workbook.sheetnames == ["党员名册", "党小组人数"]
    sheet = workbook["党员名册"]
    assert sheet["A1"].value.startswith("检188采油作业区党支部 党员名册")
    assert [c.value for c in sheet[2]] == list(HEADERS)
    assert sheet.max_row == 4  # title, headers, two members
    text = written(RosterExporter(), branch, {}, "csv", tmp_path).read_text(encoding="utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == list(HEADERS)
    assert member.id_card_number in [line[6] for line in lines[1:]]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", False),
        ("admin", True),
        ("secretary", True),
        ("committee", False),
        ("group_leader", False),
        ("member", False),
        ("outsider", False),  # a secretary, of another branch
    ],
)
def test_roster_permissions(personas, branch, persona, expected):
    assert RosterExporter().allowed(actor_for(personas[persona]), branch) is expected


def test_roster_form_and_params(branch, secretary):
    actor = actor_for(secretary.user)
    form = RosterExporter.form_class({"include_archived": "on"}, actor=actor, branch=branch)
    assert form.is_valid(), form.errors
    params = RosterExporter().params_from_form(form.cleaned_data)
    assert params == {"include_archived": True}
    assert RosterExporter().clean_params(branch, params) == params
    assert RosterExporter().clean_params(branch, {"include_archived": "否"}) == {"include_archived": False}
    with pytest.raises(ValidationError):
        RosterExporter().clean_params(branch, {"include_archived": "maybe"})
    assert RosterExporter().filename(branch, params) == "检188采油作业区党支部-党员名册（含已离开人员）"
    assert RosterExporter().filename(branch, {}) == "检188采油作业区党支部-党员名册"


def test_roster_queries_do_not_grow_with_the_members(branch, secretary, django_assert_max_num_queries):
    def count(n):
        MemberFactory.create_batch(n, branch=branch, party_group=secretary.party_group)
        with django_assert_max_num_queries(3) as captured:
            consume(RosterExporter(), branch, {"include_archived": True})
        return len(captured.captured_queries)

    assert count(2) == count(40)


# ---- the record book ----------------------------------------------------------------------------------


@pytest.fixture
def book_data(member, other_member):
    """This year: two study records (one confirmed) and an honour; last year: one study record."""
    StudyRecordFactory(member=member, studied_on=dt.date(THIS_YEAR, 1, 10), status="confirmed", topic="二十大精神")
    StudyRecordFactory(member=member, studied_on=dt.date(THIS_YEAR, 1, 20), topic="党章学习")
    StudyRecordFactory(member=member, studied_on=dt.date(THIS_YEAR - 1, 5, 1), topic="去年的学习")
    HonorFactory(member=member, title="优秀共产党员", awarded_on=dt.date(THIS_YEAR, 1, 5))
    StudyRecordFactory(member=other_member, studied_on=dt.date(THIS_YEAR, 1, 10), topic="别人的学习")


def _book(branch, member, period):
    return consume(RecordBookExporter(), branch, {"member": member.pk, "period": period})


def test_record_book_totals_first_then_a_sheet_per_section(branch, member, book_data):
    sheets = _book(branch, member, str(THIS_YEAR))
    names = [sheet.name for sheet, _rows in sheets]
    assert names[0] == "汇总"
    assert {"学习记录", "荣誉", "参加会议"} <= set(names[1:])
    by_name = {sheet.name: (sheet, rows) for sheet, rows in sheets}
    study_sheet, study = by_name["学习记录"]
    assert headers(study_sheet) == ["日期", "事项", "详情", "状态"]
    assert (
        study_sheet.title
        == f"检188采油作业区党支部 艾力·买买提（{member.employee_number}） {THIS_YEAR}年 个人活动写实簿 · 学习记录"
    )
    # The rows are the record book's entries, worded in Chinese whatever language the job runs in.
    with translation.override("zh-hans"):
        view = next(v for v in record_book(member, Period(THIS_YEAR)).sections if v.section.key == "study")
        expected = sorted([[e.date, str(e.title), str(e.detail), str(e.status)] for e in view.entries])
    assert study == expected
    assert [row[1] for row in study] == ["二十大精神", "党章学习"]  # this year's, oldest first, not others'
    assert by_name["荣誉"][1][0][:2] == [dt.date(THIS_YEAR, 1, 5), "优秀共产党员"]
    totals = by_name["汇总"][1]
    assert ["学习记录", "记录条数", 2, "条"] in totals
    assert ["荣誉", "记录条数", 1, "条"] in totals
    assert len([row for row in totals if row[0] == "学习记录"]) == 3  # the count and the section's two totals


def test_record_book_of_a_quarter(branch, member, book_data):
    first = f"{THIS_YEAR}Q1"
    sheets = {sheet.name: rows for sheet, rows in _book(branch, member, first)}
    assert [row[1] for row in sheets["学习记录"]] == ["二十大精神", "党章学习"]
    if Quarter(THIS_YEAR, 1) != CURRENT:
        second = {sheet.name: rows for sheet, rows in _book(branch, member, f"{THIS_YEAR}Q2")}
        assert second["学习记录"] == []


def test_an_empty_book_has_its_sheets_and_headers_but_no_rows(branch, member):
    sheets = _book(branch, member, str(LAST.year))
    assert all(rows == [] for _sheet, rows in sheets[1:])
    assert all(headers(sheet) == ["日期", "事项", "详情", "状态"] for sheet, _rows in sheets[1:])
    assert all(row[2] == 0 for row in sheets[0][1] if row[1] == "记录条数")


def test_record_book_through_the_writers(branch, member, book_data, tmp_path):
    params = {"member": member.pk, "period": str(THIS_YEAR)}
    workbook = load_workbook(written(RecordBookExporter(), branch, params, "xlsx", tmp_path))
    assert workbook.sheetnames[0] == "汇总"
    study = workbook["学习记录"]
    assert [c.value for c in study[2]] == ["日期", "事项", "详情", "状态"]
    assert study["B3"].value == "二十大精神"
    lines = list(
        csv.reader(io.StringIO(written(RecordBookExporter(), branch, params, "csv", tmp_path).read_text("utf-8-sig")))
    )
    assert lines[0] == ["栏目", "项目", "数值", "单位"]
    assert ["学习记录", "记录条数", "2", "条"] in lines


def test_record_book_filename(branch, member):
    exporter = RecordBookExporter()
    assert exporter.filename(branch, {"member": member.pk, "period": "2025Q3"}) == (
        "检188采油作业区党支部-艾力·买买提-个人活动写实簿-2025Q3"
    )


# Who may export whose book: persona -> (any book of the branch, member's book, other_member's book).
BOOK_MATRIX = {
    "anonymous": (False, False, False),
    "admin": (True, True, True),
    "secretary": (True, True, True),
    "committee": (True, True, True),
    "group_leader": (True, True, False),  # leads group A: member's group, not other_member's
    "member": (True, True, False),  # their own book only
    "outsider": (False, False, False),
}


@pytest.mark.parametrize("persona", BOOK_MATRIX)
def test_record_book_permissions(personas, branch, member, other_member, persona):
    actor = actor_for(personas[persona])
    exporter = RecordBookExporter()
    params = {"period": str(LAST.year)}
    got = (
        exporter.allowed(actor, branch),
        exporter.allowed(actor, branch, {**params, "member": member.pk}),
        exporter.allowed(actor, branch, {**params, "member": other_member.pk}),
    )
    assert got == BOOK_MATRIX[persona]


def test_a_member_cannot_export_another_members_book(branch, member, other_member):
    actor = actor_for(member.user)
    exporter = RecordBookExporter()
    params = {"member": other_member.pk, "period": str(LAST.year)}
    assert exporter.allowed(actor, branch, params) is False
    with pytest.raises(ValidationError) as refused:
        exporter.clean_params(branch, params, actor=actor)
    assert refused.value.code == "member_scope"
    # Their own goes through.
    own = {"member": member.pk, "period": str(LAST.year)}
    assert exporter.clean_params(branch, own, actor=actor) == own
    # The form offers them nobody else.
    form = RecordBookExporter.form_class({"member": other_member.pk, "year": LAST.year}, actor=actor, branch=branch)
    assert not form.is_valid()
    assert "member" in form.errors
    assert list(form.fields["member"].queryset) == [member]


def test_record_book_params_are_checked_again(branch, member, outsider):
    exporter = RecordBookExporter()
    with pytest.raises(ValidationError) as refused:
        exporter.clean_params(branch, {"member": outsider.pk, "period": str(LAST.year)})
    assert refused.value.code == "member_branch"
    for bad in ({"period": "2025"}, {"member": "x", "period": "2025"}, {"member": member.pk, "period": "2025Q5"}):
        with pytest.raises(ValidationError):
            exporter.clean_params(branch, bad)
    with pytest.raises(ValidationError) as refused:
        exporter.clean_params(branch, {"member": member.pk, "period": str(FUTURE)})
    assert refused.value.code == "future_quarter"
    with pytest.raises(ValidationError) as refused:
        exporter.clean_params(branch, {"member": member.pk, "period": str(THIS_YEAR + 1)})
    assert refused.value.code == "future_year"


def test_record_book_form(branch, secretary, member):
    actor = actor_for(secretary.user)
    form = RecordBookExporter.form_class(
        {"member": member.pk, "year": LAST.year, "quarter": LAST.number}, actor=actor, branch=branch
    )
    assert form.is_valid(), form.errors
    assert RecordBookExporter().params_from_form(form.cleaned_data) == {"member": member.pk, "period": str(LAST)}
    whole_year = RecordBookExporter.form_class({"member": member.pk, "year": LAST.year}, actor=actor, branch=branch)
    assert whole_year.is_valid(), whole_year.errors
    assert RecordBookExporter().params_from_form(whole_year.cleaned_data)["period"] == str(LAST.year)


def test_record_book_form_refuses_the_future(branch, secretary, member):
    actor = actor_for(secretary.user)
    form = RecordBookExporter.form_class(
        {"member": member.pk, "year": FUTURE.year, "quarter": FUTURE.number}, actor=actor, branch=branch
    )
    assert not form.is_valid()
    assert form.errors.as_data()["quarter"][0].code == "future_quarter"
    assert "has not begun yet" in form.errors["quarter"][0] or "尚未开始" in form.errors["quarter"][0]
    next_year = RecordBookExporter.form_class({"member": member.pk, "year": THIS_YEAR + 1}, actor=actor, branch=branch)
    assert not next_year.is_valid()
    assert next_year.errors.as_data()["year"][0].code == "future_year"


def test_record_book_queries_do_not_grow_with_the_entries(branch, member, django_assert_max_num_queries):
    def count(n):
        StudyRecordFactory.create_batch(n, member=member, studied_on=dt.date(THIS_YEAR, 1, 15))
        HonorFactory.create_batch(n, member=member, awarded_on=dt.date(THIS_YEAR, 1, 15))
        PairingFactory.create_batch(n, mentor=member, started_on=dt.date(THIS_YEAR, 1, 15))
        with django_assert_max_num_queries(25) as captured:  # 20: a member, then each section
            sheets = _book(branch, member, str(THIS_YEAR))
        assert len({s.name: r for s, r in sheets}["学习记录"]) > 0
        return len(captured.captured_queries)

    assert count(2) == count(30)
