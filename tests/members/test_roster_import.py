"""Roster import and export: the resource's rules, the service, the secretary's pages and the admin.

Error messages are English gettext strings translated into Chinese in the catalogue, so the tests assert
on row numbers and error codes, which do not depend on the language.
"""

import codecs
import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from branch.models import PartyGroup
from members import resources as resources_module
from members.models import Member
from members.resources import (
    BIRTH_DATE,
    EMPLOYEE_NUMBER,
    ETHNICITY,
    EXAMPLE_ID_CARD,
    GENDER,
    HEADERS,
    ID_CARD,
    JOINED_ON,
    NAME,
    PARTY_GROUP,
    PHONE,
    STATUS,
    WORK_TEAM,
    CellError,
    MemberRosterResource,
)
from members.services import roster_import as roster
from members.validators import id_card_check_char
from members.views import transfer
from tests.factories import MemberFactory, PartyGroupFactory, WorkTeamFactory, valid_id_card

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(autouse=True)
def _upload_dir(settings, tmp_path):
    settings.HONGQI_ROSTER_UPLOAD_DIR = tmp_path / "uploads"


# ---- building files -----------------------------------------------------------------------------


def person(n: int, **cells) -> dict:
    """A valid new member's row, header -> cell value."""
    born = dt.date(1980, 1, 1) + dt.timedelta(days=n)
    row = {
        NAME: f"新党员{n}",
        GENDER: "男",
        ETHNICITY: "汉族",
        BIRTH_DATE: born,
        EMPLOYEE_NUMBER: f"n{n:05d}",
        PHONE: f"139{n:08d}",
        ID_CARD: valid_id_card(n, born),
        STATUS: "正式党员",
        JOINED_ON: dt.date(2010, 7, 1),
        PARTY_GROUP: "第一党小组",
        WORK_TEAM: "采油一班",
    }
    return row | cells


def member_row(member: Member, **cells) -> dict:
    """A row naming an existing member by both keys and nothing else."""
    return {EMPLOYEE_NUMBER: member.employee_number, ID_CARD: member.id_card_number} | cells


def xlsx(rows, headers=HEADERS) -> bytes:
    """An .xlsx as openpyxl writes it (like Excel: dates as dates, numbers as numbers). None = empty row."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append([None if row is None else row.get(header) for header in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, headers=HEADERS, encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        values = [] if row is None else [row.get(header) for header in headers]
        writer.writerow(["" if v is None else v.isoformat() if isinstance(v, dt.date) else v for v in values])
    return buffer.getvalue().encode(encoding)


def preview(branch, content, filename="roster.xlsx"):
    return roster.roster_preview(branch=branch, content=content, filename=filename)


def run_import(branch, content, filename="roster.xlsx", user=None):
    return roster.roster_import(branch=branch, content=content, filename=filename, user=user)


def codes(report) -> set[tuple[int | None, str]]:
    return {(error.row, error.code) for error in report.errors}


# ---- preview and import ---------------------------------------------------------------------------


def test_preview_saves_nothing(secretary):
    before = Member.objects.count(), Member.history.count()
    report = preview(secretary.branch, xlsx([person(1), person(2), person(3)]))
    assert (report.new, report.updated, report.unchanged, report.errors) == (3, 0, 0, [])
    assert not report.saved
    assert (Member.objects.count(), Member.history.count()) == before


def test_import_creates_members_without_login_and_with_history(secretary):
    report = run_import(secretary.branch, xlsx([person(1, **{NAME: "艾力•买买提"}), person(2)]), user=secretary.user)
    assert report.saved and report.new == 2
    created = Member.objects.get(employee_number="n00001")
    assert created.name == "艾力·买买提"  # the bullet folded to the middle dot
    assert created.user is None
    assert created.branch == secretary.branch
    assert (created.party_group.name, created.work_team.name) == ("第一党小组", "采油一班")
    history = created.history.get()
    assert history.history_type == "+"
    assert history.history_user == secretary.user


def test_three_bad_rows_save_nothing_and_are_all_reported(secretary):
    rows = [person(n) for n in range(1, 11)]
    rows[2][ID_CARD] = rows[2][ID_CARD][:-1] + ("0" if rows[2][ID_CARD][-1] != "0" else "1")  # sheet row 4
    rows[5][PARTY_GROUP] = "第九党小组"  # sheet row 7
    rows[8][BIRTH_DATE] = "1985-13-45"  # sheet row 10
    before = Member.objects.count()

    report = run_import(secretary.branch, xlsx(rows))

    assert not report.saved
    assert codes(report) == {(4, "id_checksum"), (7, "unknown_party_group"), (10, "invalid_date")}
    assert {e.column for e in report.errors} == {ID_CARD, PARTY_GROUP, BIRTH_DATE}
    assert Member.objects.count() == before
    assert report.new == 7  # the good rows are counted, but nothing was written


def test_error_messages_are_gettext_strings_with_the_cell_value(secretary):
    rows = [person(1, **{PARTY_GROUP: "第九党小组"})]
    with translation.override("en"):
        report = preview(secretary.branch, xlsx(rows))
    [error] = report.errors
    assert error.value == "第九党小组"
    assert error.message == "The branch has no party group named “第九党小组” (it has: 第一党小组)."
    with translation.override("zh-hans"):
        report = preview(secretary.branch, xlsx(rows))
    expected = translation.gettext("The branch has no party group named “%(value)s” (it has: %(known)s).")
    assert report.errors[0].message == expected % {"value": "第九党小组", "known": "第一党小组"}


def test_blank_rows_are_ignored_and_do_not_shift_row_numbers(secretary):
    blank_with_spaces = dict.fromkeys(HEADERS, "  ")
    rows = [person(1), None, blank_with_spaces, person(2, **{GENDER: "其他"}), None, None]
    report = preview(secretary.branch, xlsx(rows))
    assert report.blank == 2  # the trailing empty rows are not even counted
    assert codes(report) == {(5, "invalid_gender")}
    assert report.new == 1


def test_title_row_above_the_headers_and_unknown_columns(secretary):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["检188采油作业区党支部党员花名册"])
    sheet.append(["序号", *HEADERS, "备注"])
    sheet.append([1, *person(1, **{GENDER: "?"}).values(), "新调入"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = preview(secretary.branch, buffer.getvalue())
    assert report.ignored_columns == ["序号", "备注"]
    assert codes(report) == {(3, "invalid_gender")}  # the sheet's own row number


def test_header_aliases_and_partial_columns(secretary, member):
    content = xlsx([{"工号": member.employee_number, "手机号": "13800001111"}], headers=["工号", "手机号"])
    report = run_import(secretary.branch, content)
    assert report.saved and report.updated == 1
    member.refresh_from_db()
    assert member.phone == "13800001111"


# ---- matching existing members --------------------------------------------------------------------


def test_existing_member_is_matched_by_employee_number(secretary, member):
    report = run_import(secretary.branch, xlsx([{EMPLOYEE_NUMBER: member.employee_number, NAME: "艾力 · 买买提江"}]))
    assert (report.new, report.updated) == (0, 1)
    member.refresh_from_db()
    assert member.name == "艾力·买买提江"
    assert [c.columns for c in report.changes] == [(NAME,)]


def test_existing_member_is_matched_by_id_card_number(secretary, member):
    report = run_import(secretary.branch, xlsx([{ID_CARD: member.id_card_number.lower(), EMPLOYEE_NUMBER: "j999999"}]))
    assert (report.new, report.updated) == (0, 1)
    member.refresh_from_db()
    assert member.employee_number == "j999999"  # matched by ID card, so the employee number is corrected


def test_history_is_written_for_updates(secretary, member):
    run_import(secretary.branch, xlsx([member_row(member, **{PHONE: "13800001111"})]), user=secretary.user)
    latest = member.history.latest()
    assert latest.history_type == "~"
    assert latest.phone == "13800001111"
    assert latest.history_user == secretary.user


def test_keys_of_two_different_members_conflict(secretary, member, other_member):
    before = Member.objects.values_list("pk", "employee_number", "id_card_number", "phone").order_by("pk")
    rows = [
        person(1),
        {EMPLOYEE_NUMBER: member.employee_number, ID_CARD: other_member.id_card_number, PHONE: "13800001111"},
    ]
    report = run_import(secretary.branch, xlsx(rows))
    assert codes(report) == {(3, "key_conflict")}
    assert not report.saved
    assert list(Member.objects.values_list("pk", "employee_number", "id_card_number", "phone").order_by("pk")) == list(
        before
    )


def test_a_failed_write_rolls_everything_back(secretary, member, monkeypatch):
    """A unique key taken by someone else between our reads and our writes: nothing is kept."""

    def taken(*args, **kwargs):
        raise IntegrityError("UNIQUE constraint failed: members_member.employee_number")

    monkeypatch.setattr(resources_module, "bulk_create_with_history", taken)
    rows = [member_row(member, **{PHONE: "13800001111"}), person(1)]
    report = run_import(secretary.branch, xlsx(rows))
    assert not report.saved
    assert codes(report) == {(None, "not_saved")}
    member.refresh_from_db()
    assert member.phone != "13800001111"


def test_a_name_never_matches(secretary, member):
    report = run_import(secretary.branch, xlsx([person(1, **{NAME: member.name})]))
    assert report.new == 1
    assert Member.objects.filter(name=member.name).count() == 2


def test_blank_cells_never_overwrite(secretary, member):
    member.phone = "13800001111"
    member.save()
    row = dict.fromkeys(HEADERS) | {EMPLOYEE_NUMBER: member.employee_number, NAME: member.name}
    report = run_import(secretary.branch, xlsx([row]))
    assert (report.updated, report.unchanged) == (0, 1)
    member.refresh_from_db()
    assert member.phone == "13800001111"
    assert member.party_group.name == "第一党小组"
    assert member.joined_on is not None


def test_the_same_member_twice_in_a_file(secretary, member):
    rows = [
        {EMPLOYEE_NUMBER: member.employee_number, PHONE: "13800001111"},
        person(1),
        {ID_CARD: member.id_card_number, PHONE: "13800002222"},
        person(2, **{EMPLOYEE_NUMBER: "n00001"}),
    ]
    report = preview(secretary.branch, xlsx(rows))
    assert codes(report) == {(4, "duplicate_in_file"), (5, "duplicate_in_file")}


def test_keys_of_another_branch_are_refused(secretary, outsider):
    rows = [person(1, **{EMPLOYEE_NUMBER: outsider.employee_number}), person(2, **{ID_CARD: outsider.id_card_number})]
    report = run_import(secretary.branch, xlsx(rows))
    assert codes(report) == {(2, "other_branch"), (3, "other_branch")}
    outsider.refresh_from_db()
    assert outsider.branch != secretary.branch


def test_archived_member_is_refused(secretary, member):
    member.archived_on = dt.date(2024, 1, 1)
    member.archive_reason = Member.ArchiveReason.TRANSFERRED_OUT
    member.save()
    report = preview(secretary.branch, xlsx([member_row(member, **{PHONE: "13800001111"})]))
    assert codes(report) == {(2, "archived")}


def test_new_members_need_the_required_columns(secretary):
    report = preview(secretary.branch, xlsx([person(1, **{GENDER: None, STATUS: None}), person(2)]))
    assert codes(report) == {(2, "required")}
    assert {e.column for e in report.errors} == {GENDER, STATUS}


def test_party_groups_and_teams_are_never_created(secretary, outsider):
    PartyGroupFactory(branch=outsider.branch, name="外支部党小组")
    groups = PartyGroup.objects.count()
    report = run_import(secretary.branch, xlsx([person(1, **{PARTY_GROUP: "外支部党小组", WORK_TEAM: "采油九班"})]))
    assert codes(report) == {(2, "unknown_party_group"), (2, "unknown_work_team")}
    assert PartyGroup.objects.count() == groups


# ---- cells as Excel, WPS and LibreOffice write them ------------------------------------------------

BORN = dt.date(1985, 6, 15)
SERIAL = (BORN - dt.date(1899, 12, 30)).days


@pytest.mark.parametrize(
    "cell",
    [
        BORN,
        dt.datetime(1985, 6, 15),
        SERIAL,
        float(SERIAL),
        str(SERIAL),
        "1985-06-15",
        "1985-6-15",
        "1985/6/15",
        "1985.6.15",
        "1985年6月15日",
        "19850615",
        "1985-06-15 00:00:00",
    ],
)
def test_dates_in_every_form(secretary, cell):
    report = run_import(secretary.branch, xlsx([person(1, **{BIRTH_DATE: cell})]))
    assert report.saved, report.errors
    assert Member.objects.get(employee_number="n00001").birth_date == BORN


@pytest.mark.parametrize("cell", ["15/06/1985", "1985-02-30", "去年", "1985年6月", -5])
def test_bad_dates(secretary, cell):
    assert codes(preview(secretary.branch, xlsx([person(1, **{BIRTH_DATE: cell})]))) == {(2, "invalid_date")}


def test_joined_before_born_and_future_dates(secretary):
    rows = [person(1, **{JOINED_ON: dt.date(1970, 1, 1)}), person(2, **{BIRTH_DATE: dt.date(2999, 1, 1)})]
    assert codes(preview(secretary.branch, xlsx(rows))) == {(2, "joined_before_born"), (3, "future_date")}


def test_numbers_stored_as_floats(secretary):
    report = run_import(secretary.branch, xlsx([person(1, **{PHONE: 13912345678.0, EMPLOYEE_NUMBER: 188123.0})]))
    assert report.saved, report.errors
    created = Member.objects.get(employee_number="188123")
    assert created.phone == "13912345678"


# An ID card number as a spreadsheet number shows it, with its last three digits lost (and so, unlike one
# time in eleven, a wrong check digit).
_digits_lost = next(
    lost
    for n in range(100)
    if id_card_check_char((lost := valid_id_card(0, dt.date(1985, 6, 1) + dt.timedelta(days=n))[:15] + "000")[:17])
    != "0"
)


def test_id_card_numbers_stored_as_numbers(secretary):
    rows = [
        person(1, **{ID_CARD: int(valid_id_card(1))}),  # a number cell: the file holds a float, 15 digits
        person(2, **{ID_CARD: _digits_lost}),  # text copied from such a cell: 650204198506150000
    ]
    report = preview(secretary.branch, xlsx(rows))
    assert codes(report) == {(2, "id_as_number"), (3, "id_as_number")}


def test_an_id_card_number_that_kept_every_digit_is_accepted():
    exact = valid_id_card(12, dt.date(1985, 6, 15))
    widget = MemberRosterResource.fields["id_card_number"].widget
    assert widget.clean(int(exact)) == exact  # an integer with every digit (some writers store them so)
    with pytest.raises(CellError) as excinfo:
        widget.clean(int(exact[:15] + "000"))
    assert excinfo.value.code == "id_as_number"


def test_id_card_in_scientific_notation_in_csv(secretary):
    rows = [person(1, **{ID_CARD: "6.50204E+17"}), person(2, **{PHONE: "1.39123E+10"})]
    report = preview(secretary.branch, csv_bytes(rows), filename="roster.csv")
    assert codes(report) == {(2, "id_as_number"), (3, "scientific")}


def test_labels_and_short_forms(secretary):
    rows = [
        person(1, **{GENDER: "女", ETHNICITY: "维吾尔", STATUS: "预备党员"}),
        person(2, **{GENDER: "男性", ETHNICITY: "哈萨克族", STATUS: "入党积极分子", JOINED_ON: None}),
        person(3, **{ETHNICITY: "回", STATUS: "中共党员"}),
    ]
    assert run_import(secretary.branch, xlsx(rows)).saved
    stored = dict(Member.objects.filter(employee_number__startswith="n").values_list("employee_number", "ethnicity"))
    assert stored == {"n00001": "05", "n00002": "17", "n00003": "03"}
    assert Member.objects.get(employee_number="n00001").gender == Member.Gender.FEMALE
    assert Member.objects.get(employee_number="n00002").status == Member.Status.ACTIVIST


def test_bad_labels(secretary):
    rows = [person(1, **{GENDER: "M?"}), person(2, **{ETHNICITY: "火星族"}), person(3, **{STATUS: "群众"})]
    assert codes(preview(secretary.branch, xlsx(rows))) == {
        (2, "invalid_gender"),
        (3, "invalid_ethnicity"),
        (4, "invalid_status"),
    }


# ---- csv ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk", "gb18030", "utf-16"])
def test_csv_encodings(secretary, encoding):
    rows = [person(1, **{NAME: "艾力·买买提"}), person(2)]
    report = run_import(secretary.branch, csv_bytes(rows, encoding=encoding), filename="花名册.CSV")
    assert report.saved, report.errors
    assert Member.objects.filter(name="艾力·买买提").exists()


def test_csv_with_semicolons(secretary):
    content = csv_bytes([person(1)]).decode("utf-8-sig").replace(",", ";").encode("utf-8")
    assert run_import(secretary.branch, content, filename="roster.csv").new == 1


# ---- unreadable files -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "filename", "code"),
    [
        (b"PK\x03\x04 not really a zip", "roster.xlsx", "unreadable"),
        (b"\xd0\xcf\x11\xe0 an old .xls", "roster.xlsx", "unreadable"),
        (b"", "roster.csv", "empty"),
        ("姓名,员工编号\n".encode(), "roster.xls", "extension"),
        ("名单\n张三\n".encode(), "roster.csv", "no_header"),
        ("姓名,性别\n张三,男\n".encode(), "roster.csv", "no_key_column"),
        ("姓名,员工编号,工号\n".encode(), "roster.csv", "duplicate_column"),
        (b"\xff\xfe\x00\xd8garbage", "roster.csv", "unreadable"),
    ],
)
def test_unreadable_files_give_a_reason(secretary, content, filename, code):
    with pytest.raises(ValidationError) as excinfo:
        preview(secretary.branch, content, filename=filename)
    assert excinfo.value.code == code


def test_a_file_from_libreoffice_imports_like_one_from_excel(secretary):
    """tests/data/roster_libreoffice.xlsx was written by openpyxl and saved again by LibreOffice Calc 7.4
    (tests/data/make_roster_libreoffice.py): shared strings, LibreOffice's styles, a date left as a bare
    serial number, dates as text, the phone as a number, an empty row in the middle."""
    PartyGroupFactory(branch=secretary.branch, name="第二党小组")
    WorkTeamFactory(branch=secretary.branch, name="采油二班")
    report = run_import(secretary.branch, (DATA / "roster_libreoffice.xlsx").read_bytes(), user=secretary.user)
    assert report.saved, report.errors
    assert (report.new, report.blank) == (4, 1)
    people = {m.employee_number: m for m in Member.objects.filter(employee_number__startswith="lo")}
    assert people["lo0001"].name == "艾力·买买提"
    assert people["lo0001"].ethnicity == "05"
    assert people["lo0001"].birth_date == dt.date(1985, 6, 15)
    assert people["lo0002"].birth_date == dt.date(1990, 1, 2)
    assert people["lo0003"].birth_date == dt.date(1978, 11, 30)
    assert people["lo0001"].phone == "13912345678"
    assert people["lo0004"].status == Member.Status.PROBATIONARY
    assert people["lo0004"].party_group.name == "第二党小组"
    assert {m.id_card_number for m in people.values()} == {
        valid_id_card(1, dt.date(1985, 6, 15)),
        valid_id_card(2, dt.date(1990, 1, 2)),
        valid_id_card(3, dt.date(1978, 11, 30)),
        valid_id_card(4, dt.date(1992, 2, 29)),
    }


# ---- export, template, round trip -----------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_export_then_import_changes_nothing(secretary, member, other_member, group_leader, file_format):
    MemberFactory(branch=secretary.branch, party_group=None, work_team=None, phone="", joined_on=None)
    MemberFactory(branch=secretary.branch, name="古丽·艾合买提", ethnicity="05", gender="F", phone="0990-6881234")
    MemberFactory(branch=secretary.branch, archived_on=dt.date(2024, 1, 1))  # not exported
    history = Member.history.count()

    content = roster.roster_export(branch=secretary.branch, file_format=file_format)
    report = run_import(secretary.branch, content, filename=f"roster.{file_format}")

    assert report.saved, report.errors
    assert (report.new, report.updated, report.unchanged) == (0, 0, 6)
    assert Member.history.count() == history


def test_export_has_the_headers_and_keeps_numbers_as_text(secretary, member, outsider):
    workbook = openpyxl.load_workbook(io.BytesIO(roster.roster_export(branch=secretary.branch, file_format="xlsx")))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0] == HEADERS
    by_number = {row[4]: row for row in rows[1:]}
    assert outsider.employee_number not in by_number
    row = by_number[member.employee_number]
    assert row[6] == member.id_card_number  # text, every digit
    assert row[3] == dt.datetime.combine(member.birth_date, dt.time())  # a real date
    csv_content = roster.roster_export(branch=secretary.branch, file_format="csv")
    assert csv_content.startswith(codecs.BOM_UTF8)
    assert csv_content[3:].decode().splitlines()[0] == ",".join(HEADERS)


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_exported_text_never_becomes_a_formula(secretary, file_format):
    MemberFactory(branch=secretary.branch, name='=HYPERLINK("http://example.com","点击")')
    content = roster.roster_export(branch=secretary.branch, file_format=file_format)
    if file_format == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        assert {cell.data_type for cell in sheet["A"]} == {"s"}
    else:
        assert "'=HYPERLINK" in content.decode("utf-8-sig")
    report = run_import(secretary.branch, content, filename=f"roster.{file_format}")
    assert (report.unchanged, report.updated) == (2, 0)


def test_template_is_importable_once_the_example_is_replaced(secretary):
    content = roster.roster_template(branch=secretary.branch)
    report = preview(secretary.branch, content)
    assert codes(report) == {(2, "example_row")}  # left as it is, the example is refused

    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    assert [cell.value for cell in sheet[1]] == list(HEADERS)
    assert sheet["G2"].value == EXAMPLE_ID_CARD
    assert len(workbook.worksheets) == 3  # the roster, the hidden choices, the instructions
    for index, value in enumerate(person(1).values(), start=1):
        sheet.cell(row=2, column=index, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = run_import(secretary.branch, buffer.getvalue())
    assert report.saved and report.new == 1


# ---- queries --------------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [10, 200])
def test_preview_queries_do_not_grow_with_rows(secretary, django_assert_max_num_queries, rows):
    MemberFactory.create_batch(5, branch=secretary.branch)
    content = xlsx([person(n) for n in range(1, rows + 1)])
    # Four reads (the branch's members, other branches' keys, groups, teams); the rest are the
    # SAVEPOINT statements of django-import-export's nested transactions.
    with django_assert_max_num_queries(13):
        report = preview(secretary.branch, content)
    assert report.new == rows


def test_import_queries_do_not_grow_with_rows(secretary):
    """Only the batched INSERTs grow (SQLite takes a few dozen rows per INSERT); every lookup is made once."""

    def queries(first: int, count: int) -> tuple[int, int]:
        content = xlsx([person(n) for n in range(first, first + count)])
        with CaptureQueriesContext(connection) as captured:
            assert run_import(secretary.branch, content).saved
        inserts = sum(q["sql"].lstrip().upper().startswith("INSERT") for q in captured.captured_queries)
        return len(captured.captured_queries) - inserts, inserts

    other_10, inserts_10 = queries(1, 10)
    other_200, inserts_200 = queries(101, 200)
    assert other_10 == other_200 <= 13
    assert inserts_200 <= 200 / 10  # bulk, not one per row


# ---- the pages ------------------------------------------------------------------------------------


def _client(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", 302),
        ("secretary", 200),
        ("committee", 403),
        ("group_leader", 403),
        ("member", 403),
        ("outsider", 200),  # their own branch's page
        ("admin", 403),  # imports in the admin site, choosing the branch there
    ],
)
@pytest.mark.parametrize("url_name", ["import", "import_template", "export"])
def test_permissions(client, personas, persona, expected, url_name):
    response = _client(client, personas[persona]).get(reverse(f"members:{url_name}"))
    assert response.status_code == expected
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["committee", "group_leader", "member"])
def test_others_cannot_post_a_file(client, personas, persona):
    response = _client(client, personas[persona]).post(reverse("members:import"), {"file": _upload(xlsx([person(1)]))})
    assert response.status_code == 403
    assert not Member.objects.filter(employee_number="n00001").exists()


def _upload(content: bytes, name="roster.xlsx"):
    file = io.BytesIO(content)
    file.name = name
    return file


def test_upload_preview_confirm(client, secretary, settings):
    client.force_login(secretary.user)
    response = client.get(reverse("members:import"))
    assert response.status_code == 200
    response = client.post(reverse("members:import"), {"file": _upload(xlsx([person(1), person(2)]))})
    assert response.status_code == 302
    assert response["Location"] == reverse("members:import_confirm")

    response = client.get(reverse("members:import_confirm"))
    assert response.status_code == 200
    assert response.context["report"].new == 2
    assert b'data-testid="roster-confirm"' in response.content
    assert not Member.objects.filter(employee_number__in=["n00001", "n00002"]).exists()

    token = client.session[transfer.SESSION_KEY]["token"]
    response = client.post(reverse("members:import_confirm"), {"token": token})
    assert response.status_code == 302
    assert response["Location"] == reverse("members:import")
    assert Member.objects.filter(employee_number__in=["n00001", "n00002"], branch=secretary.branch).count() == 2
    assert transfer.SESSION_KEY not in client.session
    assert list(settings.HONGQI_ROSTER_UPLOAD_DIR.iterdir()) == []  # the stored upload is gone


def test_a_file_with_errors_cannot_be_confirmed(client, secretary):
    client.force_login(secretary.user)
    client.post(reverse("members:import"), {"file": _upload(xlsx([person(1), person(2, **{GENDER: "?"})]))})
    response = client.get(reverse("members:import_confirm"))
    assert [(e.row, e.code) for e in response.context["report"].errors] == [(3, "invalid_gender")]
    assert b'data-testid="roster-confirm"' not in response.content
    assert b'data-code="invalid_gender"' in response.content

    token = client.session[transfer.SESSION_KEY]["token"]
    response = client.post(reverse("members:import_confirm"), {"token": token})
    assert response.status_code == 302
    assert response["Location"] == reverse("members:import_confirm")
    assert not Member.objects.filter(employee_number="n00001").exists()


def test_confirming_an_older_preview_is_refused(client, secretary):
    client.force_login(secretary.user)
    client.post(reverse("members:import"), {"file": _upload(xlsx([person(1)]))})
    old_token = client.session[transfer.SESSION_KEY]["token"]
    client.post(reverse("members:import"), {"file": _upload(xlsx([person(2)]))})
    response = client.post(reverse("members:import_confirm"), {"token": old_token})
    assert response.status_code == 302
    assert not Member.objects.filter(employee_number__in=["n00001", "n00002"]).exists()


def test_confirm_without_an_upload_goes_back_to_the_form(client, secretary):
    client.force_login(secretary.user)
    response = client.get(reverse("members:import_confirm"))
    assert response["Location"] == reverse("members:import")


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("roster.txt", b"hello", "extension"),
        ("roster.xlsx", b"not a workbook", "unreadable"),
        ("roster.csv", "员工编号,姓名\n".encode() + b"\xff\xfe\xfa", "encoding"),
        ("roster.csv", "名单\n".encode(), "no_header"),
    ],
)
def test_the_upload_form_explains_bad_files(client, secretary, name, content, code):
    client.force_login(secretary.user)
    response = client.post(reverse("members:import"), {"file": _upload(content, name)})
    assert response.status_code == 200
    assert response.context["form"].has_error("file", code)


def test_the_upload_form_refuses_large_files(client, secretary, monkeypatch):
    monkeypatch.setattr(transfer, "MAX_UPLOAD_BYTES", 100)
    client.force_login(secretary.user)
    response = client.post(reverse("members:import"), {"file": _upload(xlsx([person(1)]))})
    assert response.context["form"].has_error("file", "too_large")


def test_outsider_imports_only_into_their_own_branch(client, secretary, outsider):
    client.force_login(outsider.user)
    client.post(reverse("members:import"), {"file": _upload(xlsx([person(1)]))})
    response = client.get(reverse("members:import_confirm"))
    assert {e.code for e in response.context["report"].errors} == {"unknown_party_group", "unknown_work_team"}

    content = xlsx([person(1, **{PARTY_GROUP: outsider.party_group.name, WORK_TEAM: outsider.work_team.name})])
    client.post(reverse("members:import"), {"file": _upload(content)})
    client.post(reverse("members:import_confirm"), {"token": client.session[transfer.SESSION_KEY]["token"]})
    assert Member.objects.get(employee_number="n00001").branch == outsider.branch


def test_export_downloads(client, secretary, member):
    client.force_login(secretary.user)
    response = client.get(reverse("members:export"), {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Cache-Control"] == "no-store"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(codecs.BOM_UTF8)
    assert client.get(reverse("members:export"), {"format": "pdf"}).status_code == 404


def test_template_download(client, secretary):
    client.force_login(secretary.user)
    response = client.get(reverse("members:import_template"))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]["A1"].value == NAME


# ---- the admin ------------------------------------------------------------------------------------


def test_admin_imports_into_the_chosen_branch(client, admin_user, secretary):
    client.force_login(admin_user)
    changelist = client.get(reverse("admin:members_member_changelist"))
    url = reverse("admin:members_member_import")
    assert url.encode() in changelist.content
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"resource": "0", "format": "0", "branch": secretary.branch.pk, "import_file": _upload(xlsx([person(1)]))},
    )
    assert response.status_code == 200
    confirm = response.context["confirm_form"]
    assert confirm is not None, response.context["result"].invalid_rows
    response = client.post(reverse("admin:members_member_process_import"), confirm.initial)
    assert response.status_code == 302
    created = Member.objects.get(employee_number="n00001")
    assert created.branch == secretary.branch
    assert created.history.get().history_user == admin_user


def test_admin_reports_spreadsheet_row_numbers(client, admin_user, secretary):
    client.force_login(admin_user)
    content = xlsx([person(1), person(2, **{GENDER: "?"})])
    response = client.post(
        reverse("admin:members_member_import"),
        {"resource": "0", "format": "0", "branch": secretary.branch.pk, "import_file": _upload(content)},
    )
    assert [row.number for row in response.context["result"].invalid_rows] == [3]


def test_admin_export(client, admin_user, member):
    client.force_login(admin_user)
    fields = {f"memberrosterresource_{name}": "on" for name in MemberRosterResource.fields}
    response = client.post(reverse("admin:members_member_export"), {"resource": "0", "format": "1", **fields})
    assert response.status_code == 200
    assert response.content.startswith(codecs.BOM_UTF8)
