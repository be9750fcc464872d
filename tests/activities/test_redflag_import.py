"""Importing readings from a spreadsheet: staged (preview, then confirm), all or nothing, and every bad
row reported with its row number, column and reason."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from activities.models import Indicator, Reading
from activities.services.redflag import IMPORT_HEADERS, readings_import, readings_preview
from members.access import actor_for

from .factories_redflag import AssetFactory, AssignmentFactory, ReadingFactory

OIL, CUT, FAILURES = Indicator.OIL_OUTPUT, Indicator.WATER_CUT, Indicator.FAILURES


def today():
    return timezone.localdate()


def xlsx(rows, headers=IMPORT_HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def mine(branch, member):
    return AssignmentFactory(
        asset__branch=branch,
        asset__code="J188-01",
        member=member,
        started_on=today() - dt.timedelta(days=200),
        targets={OIL: "4.5", CUT: "86", FAILURES: "1"},
    )


@pytest.fixture
def theirs(branch, other_member):
    return AssignmentFactory(
        asset__branch=branch, asset__code="J188-02", member=other_member, started_on=today() - dt.timedelta(days=100)
    )


def day(n: int) -> dt.date:
    return today() - dt.timedelta(days=n)


def test_good_file_is_previewed_then_imported(secretary, mine, theirs, branch):
    content = xlsx(
        [
            ("J188-01", "日产油", day(3), 4.6, "t/d"),
            ("j188-01", "含水率", day(3), "85.5", "％"),  # codes in any case, the full-width percent sign
            ("J188-01", "月故障次数", day(40), 1, "次"),
            ("J188-02", "oil_output", day(3).strftime("%Y/%m/%d"), 4.1, None),
            (None, None, None, None, None),  # a blank row
            ("J188-01", "日产油", None, None, "t/d"),  # a template line nobody filled in
        ]
    )
    actor = actor_for(secretary.user)

    preview = readings_preview(actor=actor, branch=branch, content=content, filename="读数.xlsx")
    assert preview.ok and not preview.saved
    assert (preview.readings, preview.assets, preview.first_date, preview.last_date) == (
        4,
        2,
        day(40).replace(day=1),
        day(3),
    )
    assert not Reading.objects.exists()

    report = readings_import(actor=actor, branch=branch, content=content, filename="读数.xlsx")

    assert report.saved
    stored = set(Reading.objects.values_list("asset__code", "indicator", "reading_on", "value", "entered_by"))
    assert stored == {
        ("J188-01", OIL, day(3), Decimal("4.60"), secretary.pk),
        ("J188-01", CUT, day(3), Decimal("85.50"), secretary.pk),
        ("J188-01", FAILURES, day(40).replace(day=1), Decimal("1.00"), secretary.pk),
        ("J188-02", OIL, day(3), Decimal("4.10"), secretary.pk),
    }


def test_every_bad_row_is_reported_and_nothing_is_saved(member, mine, theirs, branch):
    ReadingFactory(asset=mine.asset, indicator=OIL, reading_on=day(10), value=Decimal("4.4"))
    AssetFactory(branch=branch, code="J188-50")  # nobody in charge
    rows = [
        ("J188-01", "日产油", day(2), 4.7, "t/d"),  # row 2: good
        ("J188-99", "日产油", day(2), 4.7, "t/d"),  # 3: no such asset
        ("J188-02", "日产油", day(2), 4.7, "t/d"),  # 4: not this member's asset
        ("J188-01", "日产水", day(2), 4.7, "t/d"),  # 5: unknown indicator
        ("J188-01", "日注水", day(2), 40, "m³/d"),  # 6: not one of the targets
        ("J188-01", "日产油", day(4), 4.7, "m³/d"),  # 7: wrong unit
        ("J188-01", "日产油", day(5), -1, "t/d"),  # 8: negative
        ("J188-01", "含水率", day(5), 120, "%"),  # 9: impossible percentage
        ("J188-01", "日产油", day(-1), 4.7, "t/d"),  # 10: in the future
        ("J188-01", "日产油", day(2), 4.8, "t/d"),  # 11: same day as row 2
        ("J188-01", "日产油", day(10), 4.8, "t/d"),  # 12: already stored
        ("J188-01", "日产油", "昨天", 4.8, "t/d"),  # 13: not a date
        ("J188-01", "日产油", day(6), "4.7吨", "t/d"),  # 14: not a number
        ("J188-01", "月故障次数", day(40), 1.5, "次/月"),  # 15: half a failure
        ("J188-01", "日产油", day(600), 4.7, "t/d"),  # 16: more than 12 months before the first assignment
        ("J188-01", "日产油", None, 4.7, "t/d"),  # 17: no date
        (None, "日产油", day(7), 4.7, "t/d"),  # 18: no asset
    ]
    actor = actor_for(member.user)

    report = readings_import(actor=actor, branch=branch, content=xlsx(rows), filename="readings.xlsx")

    assert not report.saved and not report.ok
    codes = {(e.row, e.code) for e in report.errors}
    assert codes == {
        (3, "unknown_asset"),
        (4, "out_of_scope"),
        (5, "indicator"),
        (6, "not_a_target"),
        (7, "unit"),
        (8, "negative"),
        (9, "above_limit"),
        (10, "future"),
        (11, "duplicate_in_file"),
        (12, "duplicate"),
        (13, "invalid_date"),
        (14, "not_a_number"),
        (15, "whole"),
        (16, "too_early"),
        (17, "required"),
        (18, "required"),
    }
    assert report.bad_rows == 16
    columns = {e.row: e.column for e in report.errors}
    assert (columns[3], columns[5], columns[7], columns[8], columns[10]) == ("设备编号", "指标", "单位", "数值", "日期")
    assert all(e.message for e in report.errors)
    assert report.readings == 1  # row 2, good: it will go in once the others are corrected
    assert Reading.objects.count() == 1  # only the one stored before


def test_a_reading_for_an_asset_nobody_is_in_charge_of(secretary, branch):
    AssetFactory(branch=branch, code="J188-50")
    report = readings_preview(
        actor=actor_for(secretary.user),
        branch=branch,
        content=xlsx([("J188-50", "日产油", day(1), 4, "t/d")]),
        filename="r.xlsx",
    )
    assert [(e.row, e.column, e.code) for e in report.errors] == [(2, "设备编号", "no_assignment")]


def test_csv_in_gbk_with_other_header_names(secretary, mine, branch):
    text = "井号,指标,读数日期,读数,计量单位\r\nJ188-01,日产油量,{d},4.5,吨/天\r\nJ188-01,含水,{d},86,%\r\n".format(
        d=day(1).isoformat()
    )
    report = readings_import(
        actor=actor_for(secretary.user), branch=branch, content=text.encode("gbk"), filename="readings.csv"
    )
    assert report.saved and report.readings == 2


@pytest.mark.parametrize(
    ("content", "filename", "code"),
    [
        (b"", "r.xlsx", "empty"),
        (b"not a workbook", "r.xlsx", "unreadable"),
        (b"a,b\r\n1,2\r\n", "r.csv", "no_header"),
        (b"x", "r.xls", "extension"),
        ("设备编号,日期\r\nJ188-01,2026-01-01\r\n".encode(), "r.csv", "no_header"),  # 指标 and 数值 missing
    ],
)
def test_unreadable_files_are_refused_as_a_whole(secretary, branch, content, filename, code):
    with pytest.raises(ValidationError) as caught:
        readings_preview(actor=actor_for(secretary.user), branch=branch, content=content, filename=filename)
    assert caught.value.code == code


# ---- the pages ---------------------------------------------------------------------------------------


def upload(client, content, name="readings.xlsx"):
    return client.post(reverse("activities:readings_import"), {"file": SimpleUploadedFile(name, content)})


def test_upload_preview_confirm(client, member, mine):
    client.force_login(member.user)
    content = xlsx([("J188-01", "日产油", day(1), 4.6, "t/d"), ("J188-01", "含水率", day(1), 85, "%")])

    response = upload(client, content)
    assert response.status_code == 302
    assert response["Location"] == reverse("activities:readings_import_confirm")

    preview = client.get(response["Location"])
    assert preview.status_code == 200
    report = preview.context["report"]
    assert (report.readings, report.ok) == (2, True)
    assert not Reading.objects.exists()

    confirm = client.post(reverse("activities:readings_import_confirm"), {"token": preview.context["token"]})
    assert confirm.status_code == 302
    assert Reading.objects.filter(asset=mine.asset, entered_by=member).count() == 2
    assert client.get(reverse("activities:readings_import_confirm")).status_code == 302  # nothing pending any more


def test_a_file_with_errors_lists_them_and_cannot_be_confirmed(client, member, mine, theirs):
    client.force_login(member.user)
    content = xlsx([("J188-01", "日产油", day(1), 4.6, "t/d"), ("J188-02", "日产油", day(1), 4.6, "t/d")])
    upload(client, content)

    preview = client.get(reverse("activities:readings_import_confirm"))
    page = preview.content.decode()
    assert 'data-row="3" data-code="out_of_scope"' in page
    assert 'data-testid="readings-confirm"' not in page

    forced = client.post(reverse("activities:readings_import_confirm"), {"token": preview.context["token"]})
    assert forced.status_code == 302
    assert not Reading.objects.exists()


def test_an_unreadable_upload_stays_on_the_form(client, member):
    client.force_login(member.user)
    response = upload(client, b"plain text", name="readings.txt")
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_the_template_lists_the_members_targets(client, member, mine, theirs):
    client.force_login(member.user)
    response = client.get(reverse("activities:readings_import_template"))

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == IMPORT_HEADERS
    assert rows[1:] == [
        ("J188-01", "日产油", None, None, "t/d"),
        ("J188-01", "含水率", None, None, "%"),
        ("J188-01", "月故障次数", None, None, "次/月"),
    ]
