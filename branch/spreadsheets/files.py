"""Spreadsheet files: an upload's checks, finding the header row, reading .xlsx and .csv (whatever
Excel, WPS or LibreOffice wrote), and writing .xlsx, .csv and fill-in templates.

What differs between one kind of sheet and another (the roster, the asset registry) is its
`SheetLayout`: its headers, the other names people give them, the key columns, which columns hold
text or dates. Headers and cell values are the file format, not interface text: they stay Chinese
whatever language the page is shown in. Error messages are interface text and go through gettext.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import logging
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from tablib import Dataset

from .cells import is_blank

logger = logging.getLogger(__name__)

FILE_FORMATS = ("xlsx", "csv")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_DATA_ROWS = 20_000
_MAX_SHEET_ROWS = 200_000  # blank rows included; guards against sheets formatted down to row 1,048,576
_HEADER_SEARCH_ROWS = 10  # a title row or two may sit above the headers
_HEADER_NOISE = re.compile(r"\s|[*＊:：]|[(（]必填[)）]")
_TEMPLATE_ROWS = 2000  # how far down a template's drop-down lists and text formats reach


@dataclass(frozen=True)
class SheetLayout:
    """The columns of one kind of spreadsheet."""

    headers: tuple[str, ...]  # in the order of exported files and templates
    key_headers: tuple[str, ...]  # a file needs one of these to say which record a row is about
    # Raised when no key column is present. Params: `columns` (the key headers joined), `first` and
    # `second` (the first two of them).
    no_key_message: str
    aliases: Mapping[str, str] = field(default_factory=dict)  # other names for the same columns
    text_headers: tuple[str, ...] = ()  # stored as text in .xlsx, so that no digit is lost
    date_headers: tuple[str, ...] = ()
    widths: Mapping[str, float] = field(default_factory=dict)
    default_width: float = 11
    max_rows: int = MAX_DATA_ROWS

    def canonical_header(self, value) -> str | None:
        """The header a header cell stands for, or None when it is not one of ours."""
        if not isinstance(value, str):
            return None
        text = _HEADER_NOISE.sub("", value)
        text = self.aliases.get(text, text)
        return text if text in self.headers else None

    def number_format(self, header: str) -> str | None:
        if header in self.text_headers:
            return "@"
        if header in self.date_headers:
            return "yyyy-mm-dd"
        return None

    def column_widths(self, headers) -> dict[str, float]:
        from openpyxl.utils import get_column_letter

        return {get_column_letter(i): self.widths.get(h, self.default_width) for i, h in enumerate(headers, start=1)}


class SheetDataset(Dataset):
    """A sheet read from a file: the recognised columns only, with where the header was found."""

    def __init__(self, *rows, headers, header_row: int, ignored_columns: list[str]):
        super().__init__(*rows, headers=headers)
        self.header_row = header_row
        self.ignored_columns = ignored_columns


# ---- reading -----------------------------------------------------------------------------------------


def file_format_of(filename: str) -> str:
    """'xlsx' or 'csv' from a file name; ValidationError for anything else."""
    extension = Path(filename or "").suffix.lower().lstrip(".")
    if extension not in FILE_FORMATS:
        raise ValidationError(
            _("Upload an .xlsx or .csv file. Save other formats (such as .xls or .et) as .xlsx first."),
            code="extension",
        )
    return extension


def read_upload(content: bytes, filename: str, layout: SheetLayout, *, max_bytes: int = MAX_UPLOAD_BYTES):
    """Read an uploaded sheet. Raises ValidationError when the file is empty, too large, of another
    type, unreadable or without a header row."""
    file_format = file_format_of(filename)
    if not content:
        raise ValidationError(_("The file is empty."), code="empty")
    if len(content) > max_bytes:
        raise ValidationError(
            _("The file is larger than %(limit)d MB."), code="too_large", params={"limit": max_bytes >> 20}
        )
    return read_sheet(content, file_format, layout)


def _unreadable(kind: str) -> ValidationError:
    if kind == "xlsx":
        message = _(
            "This file cannot be read as an Excel workbook (.xlsx). If it is an old .xls or a WPS .et file, "
            "open it and save it as .xlsx."
        )
    else:
        message = _("This file cannot be read as a CSV file. Save the sheet as “CSV UTF-8” and try again.")
    return ValidationError(message, code="unreadable")


def read_sheet(content: bytes, file_format: str, layout: SheetLayout) -> SheetDataset:
    """Read a sheet from the bytes of an .xlsx or .csv file.

    The header row is the first row (of the first ten) naming at least two of the layout's columns, on
    the first sheet that has one: an instructions sheet or a title row above the headers does not get
    in the way. Unknown columns are dropped and listed in `ignored_columns`. Raises ValidationError (in
    the user's language) when the file cannot be read or has no usable header.
    """
    try:
        if file_format == "xlsx":
            dataset = next(filter(None, (_read_table(rows, layout) for rows in _xlsx_sheets(content))), None)
        else:
            dataset = _read_table(_csv_rows(content, layout), layout)
    except ValidationError:
        raise
    except Exception as exc:  # a parser fed an arbitrary upload can fail in many ways; none is our bug
        logger.info("Unreadable spreadsheet (%s)", file_format, exc_info=True)
        raise _unreadable(file_format) from exc
    if dataset is None:
        raise ValidationError(
            _("No header row found. The first row must name the columns: %(headers)s."),
            code="no_header",
            params={"headers": "、".join(layout.headers)},
        )
    return dataset


def _xlsx_sheets(content: bytes):
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    for sheet in workbook.worksheets:
        if getattr(sheet, "sheet_state", "visible") != "visible" or not hasattr(sheet, "iter_rows"):
            continue
        sheet.reset_dimensions()  # some writers record wrong dimensions, which truncates rows
        yield sheet.iter_rows(values_only=True)


def _csv_rows(content: bytes, layout: SheetLayout):
    text = decode_csv(content)
    first_line = next((line for line in io.StringIO(text) if line.strip()), "")
    delimiter = max(
        ",\t;", key=lambda d: sum(layout.canonical_header(cell) is not None for cell in first_line.split(d))
    )
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def decode_csv(content: bytes) -> str:
    """UTF-8 with or without BOM (Excel's “CSV UTF-8”, LibreOffice, WPS), UTF-16 (Excel's “Unicode
    text”) and GB 18030, a superset of GBK (the plain “CSV” of Excel on Chinese Windows)."""
    if content.startswith(codecs.BOM_UTF8):
        return content[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict")
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return content.decode("utf-16")
    for encoding in ("utf-8", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(
        _("The text encoding of this CSV file is not recognised. Save it as “CSV UTF-8” and try again."),
        code="encoding",
    )


def _find_header(rows, layout: SheetLayout) -> tuple[int, tuple, list[str | None]] | None:
    for number, cells in enumerate(itertools.islice(rows, _HEADER_SEARCH_ROWS), start=1):
        columns = [layout.canonical_header(cell) for cell in cells]
        if sum(column is not None for column in columns) >= 2:
            return number, cells, columns
    return None


def _read_table(rows, layout: SheetLayout) -> SheetDataset | None:
    rows = iter(rows)
    found = _find_header(rows, layout)
    if found is None:
        return None
    header_row, cells, columns = found
    keep = [i for i, column in enumerate(columns) if column]
    headers = [columns[i] for i in keep]
    if duplicates := sorted({h for h in headers if headers.count(h) > 1}, key=layout.headers.index):
        raise ValidationError(
            _("These columns appear more than once: %(columns)s."),
            code="duplicate_column",
            params={"columns": "、".join(duplicates)},
        )
    if not set(layout.key_headers) & set(headers):
        keys = layout.key_headers
        raise ValidationError(
            layout.no_key_message,
            code="no_key_column",
            params={"columns": "、".join(keys), "first": keys[0], "second": keys[1 % len(keys)]},
        )
    ignored = [str(cell).strip() for cell, col in zip(cells, columns, strict=True) if not col and not is_blank(cell)]
    data, pending_blank, blank_row = [], 0, (None,) * len(keep)
    width, every_column = len(columns), keep == list(range(len(columns)))
    for number, cells in enumerate(rows, start=header_row + 1):
        if every_column and len(cells) == width:
            values = tuple(cells)
        else:
            values = tuple(cells[i] if i < len(cells) else None for i in keep)
        if all(is_blank(v) for v in values):
            pending_blank += 1  # kept only if data follows, so trailing formatted rows cost nothing
        else:
            data.extend(itertools.repeat(blank_row, pending_blank))
            pending_blank = 0
            data.append(values)
        if len(data) > layout.max_rows or number > _MAX_SHEET_ROWS:
            raise ValidationError(
                _("The file has more than %(limit)d rows; split it into smaller files."),
                code="too_many_rows",
                params={"limit": layout.max_rows},
            )
    return SheetDataset(*data, headers=headers, header_row=header_row, ignored_columns=ignored)


# ---- writing -----------------------------------------------------------------------------------------


def write_xlsx(dataset: Dataset, *, sheet_title: str, layout: SheetLayout) -> bytes:
    """An .xlsx of a dataset: text columns stored as text, dates as dates, the header row frozen."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    sheet.freeze_panes = "A2"
    for letter, width in layout.column_widths(dataset.headers).items():
        sheet.column_dimensions[letter].width = width
    bold = Font(bold=True)
    header_cells = []
    for header in dataset.headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    formats = [layout.number_format(header) for header in dataset.headers]
    for row in dataset:
        cells = []
        for value, number_format in zip(row, formats, strict=True):
            cell = WriteOnlyCell(sheet, value=None if value == "" else value)
            if cell.data_type == "f":  # openpyxl takes text starting with = for a formula; a name is text
                cell.data_type = "s"
            if number_format:
                cell.number_format = number_format
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_csv(dataset: Dataset) -> bytes:
    """CSV in UTF-8 with a BOM, which Excel needs to show Chinese; dates as 1985-06-15."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(dataset.headers)
    for row in dataset:
        writer.writerow([csv_cell(value) for value in row])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    # A spreadsheet would run "=…", "+…", "-…" and "@…" as formulas; the apostrophe keeps them text, and
    # cell_value() drops it again on import.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


@dataclass
class Template:
    """A fill-in workbook: the headers and one example row, drop-down lists for the columns with fixed
    values (fed from a hidden sheet) and an instructions sheet. Only the first sheet is read on import.
    Every mapping is keyed by header."""

    layout: SheetLayout
    sheet_title: str
    example: Mapping[str, object]
    example_comment: str  # on the example row: replace it or delete it
    required: Collection[str]  # headers in red, marked as `required_label` in the instructions
    required_label: str
    notes: Mapping[str, str]  # how to fill in each column
    general: list[str]  # the instructions below the columns
    choices: Mapping[str, list[str]] = field(default_factory=dict)

    def render(self) -> bytes:
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = self.sheet_title
        self._fill(sheet)
        self._add_choices(sheet, workbook.create_sheet(gettext("Choices")))
        self._fill_instructions(workbook.create_sheet(gettext("Instructions")))
        workbook.active = 0
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    def _fill(self, sheet) -> None:
        from openpyxl.comments import Comment
        from openpyxl.styles import Font

        headers = self.layout.headers
        sheet.append(list(headers))
        sheet.append([self.example.get(header) for header in headers])
        sheet.freeze_panes = "A2"
        for cell in sheet[1]:
            cell.font = Font(bold=True, color="C00000" if cell.value in self.required else None)
        sheet["A2"].comment = Comment(self.example_comment, "Hongqi")
        for letter, width in self.layout.column_widths(headers).items():
            sheet.column_dimensions[letter].width = width
        for index, header in enumerate(headers, start=1):
            if number_format := self.layout.number_format(header):
                # On the column, so that cells typed in later keep the format too (text for ID numbers).
                letter = sheet.cell(row=1, column=index).column_letter
                sheet.column_dimensions[letter].number_format = number_format
                sheet.cell(row=2, column=index).number_format = number_format

    def _add_choices(self, sheet, choices) -> None:
        from openpyxl.utils import get_column_letter, quote_sheetname
        from openpyxl.worksheet.datavalidation import DataValidation

        choices.sheet_state = "hidden"
        headers = list(self.layout.headers)
        for number, (header, values) in enumerate(self.choices.items(), start=1):
            letter = get_column_letter(number)
            choices.cell(row=1, column=number, value=header)
            for row, value in enumerate(values, start=2):
                choices.cell(row=row, column=number, value=value)
            if not values:
                continue
            source = f"{quote_sheetname(choices.title)}!${letter}$2:${letter}${len(values) + 1}"
            validation = DataValidation(type="list", formula1=source, allow_blank=True, showErrorMessage=True)
            validation.error = gettext("Choose a value from the list.")
            sheet.add_data_validation(validation)
            target = get_column_letter(headers.index(header) + 1)
            validation.add(f"{target}2:{target}{_TEMPLATE_ROWS}")

    def _fill_instructions(self, sheet) -> None:
        from openpyxl.styles import Alignment, Font

        sheet.append([gettext("Column"), gettext("Required"), gettext("How to fill it in")])
        for header in self.layout.headers:
            needed = self.required_label if header in self.required else gettext("no")
            sheet.append([header, needed, self.notes.get(header, "")])
        sheet.append([])
        for line in self.general:
            sheet.append([line])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.column_dimensions["A"].width = 14
        sheet.column_dimensions["B"].width = 16
        sheet.column_dimensions["C"].width = 90
        for row in sheet.iter_rows(min_row=2, min_col=3, max_col=3):
            row[0].alignment = Alignment(wrap_text=True, vertical="top")
