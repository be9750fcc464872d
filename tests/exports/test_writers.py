"""The .xlsx and .csv writers: layout, formats, leading zeros, progress, and no half-written files."""

import csv
import datetime as dt
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from branch.exports import writers
from branch.exports.base import Column, Sheet

COLUMNS = [
    Column("工号", 10, "text"),
    Column("姓名", 14, "text"),
    Column("积分", 8, "int"),
    Column("金额", 11, "decimal"),
    Column("达标率", 9, "percent"),
    Column("入党日期", 12, "date"),
    Column("登记时间", 17, "datetime"),
]
ROW = [
    "000123",
    '=HYPERLINK("x")',
    7,
    Decimal("1234.5"),
    Decimal("0.875"),
    dt.date(2010, 7, 1),
    timezone.make_aware(dt.datetime(2026, 7, 1, 8, 30)),
]


def sheet(rows, **kwargs):
    return Sheet(name=kwargs.pop("name", "名册"), columns=COLUMNS, rows=rows, **kwargs)


def test_xlsx_layout_formats_and_leading_zeros(tmp_path):
    path = tmp_path / "out.xlsx"
    rows = writers.write_xlsx(path, [sheet([ROW, [None] * 7], title="检188采油作业区党支部 2026Q3")])
    assert rows == 2
    ws = openpyxl.load_workbook(path)["名册"]
    assert ws["A1"].value == "检188采油作业区党支部 2026Q3"
    assert ws["A1"].font.b and ws["A1"].font.sz > ws["A2"].font.sz
    assert [c.value for c in ws[2]] == [c.header for c in COLUMNS]
    assert all(c.font.b for c in ws[2])
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref == "A2:G4"
    a, b, c, d, e, f, g = ws[3]
    assert (a.value, a.data_type) == ("000123", "s")  # leading zeros kept: written as text
    assert (b.value, b.data_type) == ('=HYPERLINK("x")', "s")  # data, never a formula
    assert (c.value, c.number_format) == (7, "0")
    assert (d.value, d.number_format) == (1234.5, "0.00")
    assert (e.value, e.number_format) == (0.875, "0.0%")
    assert (f.value.date(), f.number_format) == (dt.date(2010, 7, 1), "yyyy-mm-dd")
    # Aware datetimes are written as the branch's clock shows them (Asia/Shanghai), not UTC.
    assert (g.value, g.number_format) == (dt.datetime(2026, 7, 1, 8, 30), "yyyy-mm-dd hh:mm")
    assert all(cell.value is None for cell in ws[4])
    assert ws.column_dimensions["A"].width == pytest.approx(10, abs=1)
    assert ws.column_dimensions["G"].width == pytest.approx(17, abs=1)


def test_xlsx_text_columns_write_other_values_as_text(tmp_path):
    path = tmp_path / "out.xlsx"
    writers.write_xlsx(
        path, [Sheet(name="表", columns=[Column("编号"), Column("日期")], rows=[[42, dt.date(2026, 1, 2)]])]
    )
    ws = openpyxl.load_workbook(path)["表"]
    assert (ws["A2"].value, ws["B2"].value) == ("42", "2026-01-02")


def test_xlsx_empty_sheet_has_title_and_header(tmp_path):
    path = tmp_path / "empty.xlsx"
    assert writers.write_xlsx(path, [sheet([], title="标题")]) == 0
    ws = openpyxl.load_workbook(path)["名册"]
    assert ws["A1"].value == "标题"
    assert [c.value for c in ws[2]] == [c.header for c in COLUMNS]
    assert ws.max_row == 2
    assert ws.freeze_panes == "A3"


def test_xlsx_without_title_freezes_below_the_header(tmp_path):
    path = tmp_path / "out.xlsx"
    writers.write_xlsx(path, [sheet([ROW])])
    ws = openpyxl.load_workbook(path)["名册"]
    assert ws["A1"].value == "工号"
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:G2"


def test_sheet_names_are_sanitised_and_unique(tmp_path):
    names = ["a/b:c*d?[e]\\f", "名册", "名册", "x" * 40, "'quoted'", ""]
    result = writers.sheet_names(names)
    assert result[0] == "a_b_c_d__e__f"
    assert result[1:3] == ["名册", "名册(2)"]
    assert result[3] == "x" * 31
    assert result[4] == "quoted"
    assert result[5] == "Sheet6"
    assert len({name.casefold() for name in result}) == len(result)
    path = tmp_path / "names.xlsx"
    writers.write_xlsx(path, [Sheet(name=n, columns=[Column("A")], rows=[]) for n in names])
    assert openpyxl.load_workbook(path).sheetnames == result


def test_progress_is_called_every_thousand_rows_and_at_the_end(tmp_path):
    calls = []
    rows = ([f"{n:06d}"] for n in range(2500))
    total = writers.write_xlsx(
        tmp_path / "p.xlsx", [Sheet(name="表", columns=[Column("编号")], rows=rows)], calls.append
    )
    assert total == 2500
    assert calls == [1000, 2000, 2500]


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_a_failure_leaves_no_file_and_keeps_an_older_one(tmp_path, file_format):
    def rows():
        yield ROW
        raise RuntimeError("boom")

    target = tmp_path / f"out.{file_format}"
    with pytest.raises(RuntimeError):
        writers.write(target, file_format, [sheet(rows())])
    assert list(tmp_path.iterdir()) == []  # neither the target nor a temporary file

    target.write_bytes(b"the file of yesterday")
    with pytest.raises(RuntimeError):
        writers.write(target, file_format, [sheet(rows())])
    assert list(tmp_path.iterdir()) == [target]
    assert target.read_bytes() == b"the file of yesterday"


def test_too_many_rows_for_excel_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(writers, "EXCEL_MAX_ROWS", 5)
    with pytest.raises(ValidationError) as error:
        writers.write_xlsx(tmp_path / "big.xlsx", [sheet([ROW] * 10)])
    assert error.value.code == "too_many_rows"
    assert list(tmp_path.iterdir()) == []


def test_csv_has_a_bom_the_first_sheet_only_and_plain_values(tmp_path):
    path = tmp_path / "out.csv"
    other = Sheet(name="汇总", columns=[Column("合计")], rows=[["9"]])
    assert writers.write_csv(path, [sheet([ROW, [None] * 7]), other]) == 2
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    assert lines[0] == [c.header for c in COLUMNS]
    # Dates ISO, Decimals plain, a formula-looking text defused, empty cells empty.
    assert lines[1] == ["000123", '\'=HYPERLINK("x")', "7", "1234.5", "0.875", "2010-07-01", "2026-07-01 08:30"]
    assert lines[2] == [""] * 7
    assert len(lines) == 3


def test_csv_of_no_sheet_is_an_empty_file(tmp_path):
    path = tmp_path / "none.csv"
    assert writers.write_csv(path, []) == 0
    assert path.read_bytes() == b""
