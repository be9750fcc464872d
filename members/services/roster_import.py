"""Roster import and export for one branch: the actions behind the secretary's import and export pages.

The rules of an import (matching, blank cells, groups and teams, duplicates) live in
members/resources.py, which the admin shares. Here: reading an upload, the preview, the import itself
(one transaction, all rows or none), the export, the template to download, and keeping an upload
between its preview and its confirmation.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
import os
import re
import secrets
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from branch.models import Branch

from ..models import Member
from ..resources import (
    COLUMNS,
    ETHNICITY_LABELS,
    EXAMPLE_ID_CARD,
    GENDER_LABELS,
    HEADERS,
    REQUIRED_FOR_NEW,
    STATUS_LABELS,
    MemberRosterResource,
    RosterDataset,
    cell_number_format,
    column_widths,
    read_roster,
    write_roster_csv,
    write_roster_xlsx,
)

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
FILE_FORMATS = ("xlsx", "csv")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
UPLOAD_MAX_AGE = dt.timedelta(days=1)


@dataclass(frozen=True)
class RowError:
    """One problem with one row, or with the whole import when `row` is None."""

    row: int | None  # as the spreadsheet shows it: the header is row 1
    column: str  # the Chinese header, or "" when the problem is the row as a whole
    code: str  # stable, for tests and callers; the message is for people
    message: str
    value: str = ""


@dataclass(frozen=True)
class RowChange:
    row: int
    member: str
    columns: tuple[str, ...]


@dataclass
class RosterReport:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    blank: int = 0
    errors: list[RowError] = field(default_factory=list)
    changes: list[RowChange] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    saved: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def bad_rows(self) -> int:
        return len({error.row for error in self.errors})


def roster_file_format(filename: str) -> str:
    """'xlsx' or 'csv' from a file name; ValidationError for anything else."""
    extension = Path(filename or "").suffix.lower().lstrip(".")
    if extension not in FILE_FORMATS:
        raise ValidationError(
            _("Upload an .xlsx or .csv file. Save other formats (such as .xls or .et) as .xlsx first."),
            code="extension",
        )
    return extension


def roster_read(*, content: bytes, filename: str) -> RosterDataset:
    """Read an uploaded roster. Raises ValidationError when the file is empty, too large, of another
    type, unreadable or without the roster's header row."""
    file_format = roster_file_format(filename)
    if not content:
        raise ValidationError(_("The file is empty."), code="empty")
    if len(content) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is larger than %(limit)d MB."), code="too_large", params={"limit": MAX_UPLOAD_BYTES >> 20}
        )
    return read_roster(content, file_format)


def roster_preview(*, branch: Branch, content: bytes, filename: str) -> RosterReport:
    """What importing this file into the branch would do, with every error. Saves nothing.

    Raises ValidationError when the file itself cannot be read (see roster_read)."""
    return _apply(branch=branch, content=content, filename=filename, user=None, dry_run=True)


def roster_import(*, branch: Branch, content: bytes, filename: str, user=None) -> RosterReport:
    """Import the file into the branch in one transaction: every row or none.

    New members are created without a login (user=None); accounts are given separately. Updated and new
    members get a history entry each, by `user`. `report.saved` is False, and nothing was written, when
    any row has an error. Raises ValidationError when the file itself cannot be read."""
    report = _apply(branch=branch, content=content, filename=filename, user=user, dry_run=False)
    logger.info(
        "Roster import into branch %s by user %s: saved=%s new=%d updated=%d unchanged=%d errors=%d",
        branch.pk,
        getattr(user, "pk", None),
        report.saved,
        report.new,
        report.updated,
        report.unchanged,
        len(report.errors),
    )
    return report


def _apply(*, branch, content, filename, user, dry_run) -> RosterReport:
    dataset = roster_read(content=content, filename=filename)
    resource = MemberRosterResource(branch=branch, user=user)
    result = resource.import_data(
        dataset,
        dry_run=dry_run,
        use_transactions=True,
        rollback_on_validation_errors=True,
        raise_errors=False,
        user=user,
    )
    report = RosterReport(
        new=result.totals["new"],
        updated=result.totals["update"],
        unchanged=result.totals["skip"] - resource.blank_rows,
        blank=resource.blank_rows,
        errors=_errors(result, dataset),
        ignored_columns=dataset.ignored_columns,
    )
    report.saved = not dry_run and report.ok
    first_data_row = dataset.header_row + 1
    report.changes = [
        RowChange(row=number, member=result.rows[number - first_data_row].object_repr, columns=tuple(columns))
        for number, columns in sorted(resource.changes.items())
    ]
    return report


def _errors(result, dataset: RosterDataset) -> list[RowError]:
    errors = []
    present = set(dataset.headers)
    for invalid in result.invalid_rows:
        values = dict(zip(result.diff_headers, invalid.values, strict=True))
        error = invalid.error
        error_dict = error.error_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.error_list}
        for key, error_list in error_dict.items():
            column = COLUMNS.get(key, "")
            value = _display(values.get(column)) if column in present else ""
            for error in error_list:
                message = next(iter(error))
                errors.append(RowError(invalid.number, column, error.code or "invalid", message, value))
    for error_row in result.error_rows:  # anything but a ValidationError is a bug of ours
        for error in error_row.errors:
            logger.error("Roster row %s failed", error_row.number, exc_info=error.error)
        message = gettext("This row could not be processed; please tell the administrator.")
        errors.append(RowError(error_row.number, "", "unexpected", message))
    for error in result.base_errors:
        logger.error("Roster import failed", exc_info=error.error)
        message = gettext("The roster changed while this file was being imported, so nothing was saved. Try again.")
        errors.append(RowError(None, "", "not_saved", message))
    order = {header: i for i, header in enumerate(HEADERS)}
    return sorted(errors, key=lambda e: (e.row or 0, order.get(e.column, -1)))


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        value = value.date()
    return value.isoformat() if isinstance(value, dt.date) else str(value)


# ---- export and template ---------------------------------------------------------------------------


def roster_export(*, branch: Branch, file_format: str) -> bytes:
    """The branch's current members (not those who left) as .xlsx or .csv, with the import's headers,
    so that importing the file unchanged changes nothing."""
    members = (
        Member.objects.filter(branch=branch)
        .active()
        .select_related("party_group", "work_team")
        .order_by("employee_number")
    )
    resource = MemberRosterResource(branch=branch)
    dataset = resource.export(queryset=members, force_native_type=file_format == "xlsx")
    if file_format == "xlsx":
        return write_roster_xlsx(dataset, sheet_title=gettext("Roster"))
    return write_roster_csv(dataset)


def roster_export_filename(*, branch: Branch, file_format: str, today: dt.date) -> str:
    return f"{branch.name}-{gettext('roster')}-{today:%Y%m%d}.{file_format}"


def roster_template(*, branch: Branch) -> bytes:
    """The .xlsx to fill in: the headers, one example row, drop-down lists and an instructions sheet.

    Only the first sheet is read on import, so the template imports as it is once the example row has
    been replaced (a file still holding the example row is refused)."""
    from openpyxl import Workbook

    groups = list(branch.party_groups.values_list("name", flat=True))
    teams = list(branch.work_teams.values_list("name", flat=True))
    workbook = Workbook()
    roster = workbook.active
    roster.title = gettext("Roster")
    _fill_roster_sheet(roster, groups, teams)
    choices = workbook.create_sheet(gettext("Choices"))
    _add_choices(roster, choices, groups, teams)
    _fill_instructions(workbook.create_sheet(gettext("Instructions")), groups, teams)
    workbook.active = 0
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_TEMPLATE_ROWS = 2000  # how far down the drop-down lists and text formats reach


def _fill_roster_sheet(sheet, groups: list[str], teams: list[str]) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    example = {
        "name": "古丽·买买提",
        "gender": GENDER_LABELS[Member.Gender.FEMALE],
        "ethnicity": ETHNICITY_LABELS["05"],
        "birth_date": dt.date(1949, 12, 31),  # as in the example ID card number
        "employee_number": "j000001",
        "phone": "13912345678",
        "id_card_number": EXAMPLE_ID_CARD,
        "status": STATUS_LABELS[Member.Status.FULL],
        "joined_on": dt.date(1975, 7, 1),
        "party_group": groups[0] if groups else None,
        "work_team": teams[0] if teams else None,
    }
    sheet.append(list(HEADERS))
    sheet.append([example[attribute] for attribute in COLUMNS])
    sheet.freeze_panes = "A2"
    required = {COLUMNS[attribute] for attribute in REQUIRED_FOR_NEW}
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="C00000" if cell.value in required else None)
    sheet["A2"].comment = Comment(gettext("Example row: replace it with your members, or delete it."), "Hongqi")
    for letter, width in column_widths(HEADERS).items():
        sheet.column_dimensions[letter].width = width
    for index, header in enumerate(HEADERS, start=1):
        if number_format := cell_number_format(header):
            # On the column, so that cells typed in later keep the format too (text for ID numbers).
            letter = sheet.cell(row=1, column=index).column_letter
            sheet.column_dimensions[letter].number_format = number_format
            sheet.cell(row=2, column=index).number_format = number_format


def _add_choices(roster, choices, groups: list[str], teams: list[str]) -> None:
    """Drop-down lists for the columns with fixed values, fed from a hidden sheet."""
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    lists = {
        "gender": list(GENDER_LABELS.values()),
        "ethnicity": list(ETHNICITY_LABELS.values()),
        "status": list(STATUS_LABELS.values()),
        "party_group": groups,
        "work_team": teams,
    }
    choices.sheet_state = "hidden"
    attributes = list(COLUMNS)
    for number, (attribute, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(number)
        choices.cell(row=1, column=number, value=attribute)
        for row, value in enumerate(values, start=2):
            choices.cell(row=row, column=number, value=value)
        if not values:
            continue
        source = f"{quote_sheetname(choices.title)}!${letter}$2:${letter}${len(values) + 1}"
        validation = DataValidation(type="list", formula1=source, allow_blank=True, showErrorMessage=True)
        validation.error = gettext("Choose a value from the list.")
        roster.add_data_validation(validation)
        target = get_column_letter(attributes.index(attribute) + 1)
        validation.add(f"{target}2:{target}{_TEMPLATE_ROWS}")


def _fill_instructions(sheet, groups: list[str], teams: list[str]) -> None:
    from openpyxl.styles import Alignment, Font

    none = gettext("(none yet)")
    notes = {
        "name": gettext(
            "Names with a middle dot are written 艾力·买买提; any dot your input method gives is accepted."
        ),
        "gender": gettext("男 or 女."),
        "ethnicity": gettext("The full name, such as 汉族 or 维吾尔族; 汉 or 维吾尔 also work."),
        "birth_date": gettext("A date, such as 1985-06-15, 1985/6/15 or 1985年6月15日."),
        "employee_number": gettext(
            "Existing members are found by employee number or ID card number, never by name. If the two "
            "belong to different members, the row is refused."
        ),
        "phone": gettext("An 11-digit mobile number, or a landline number with its area code."),
        "id_card_number": gettext(
            "18 characters. Keep this column formatted as text: spreadsheets keep only 15 digits of a number."
        ),
        "status": "、".join(STATUS_LABELS.values()),
        "joined_on": gettext("A date; leave it empty for people not yet admitted."),
        "party_group": gettext("One of the branch's party groups: %(names)s.") % {"names": "、".join(groups) or none},
        "work_team": gettext("One of the branch's work teams: %(names)s.") % {"names": "、".join(teams) or none},
    }
    general = [
        gettext("Fill in the first sheet. Row 1 holds the column names: do not change them."),
        gettext("Replace the example row with your members, or delete it."),
        gettext("An empty cell never erases what is stored, and empty rows are skipped."),
        gettext(
            "After uploading you see a preview; nothing is saved until you confirm, and nothing at all "
            "while any row has an error."
        ),
    ]
    required = {COLUMNS[attribute] for attribute in REQUIRED_FOR_NEW}
    sheet.append([gettext("Column"), gettext("Required"), gettext("How to fill it in")])
    for attribute, header in COLUMNS.items():
        needed = gettext("for new members") if header in required else gettext("no")
        sheet.append([header, needed, notes[attribute]])
    sheet.append([])
    for line in general:
        sheet.append([line])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 16
    sheet.column_dimensions["C"].width = 90
    for row in sheet.iter_rows(min_row=2, min_col=3, max_col=3):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")


# ---- keeping an upload between preview and confirmation --------------------------------------------
# The file waits in a private temporary folder under a random token that only the uploader's session
# knows. Not MEDIA_ROOT: the web server publishes that folder, and a roster holds ID card numbers.

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


def _upload_dir() -> Path:
    folder = Path(getattr(settings, "HONGQI_ROSTER_UPLOAD_DIR", None) or Path(tempfile.gettempdir()) / "hongqi-roster")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def roster_upload_store(content: bytes) -> str:
    """Keep an upload for its confirmation; returns the token to find it again. Forgets uploads older
    than a day."""
    folder = _upload_dir()
    cutoff = time.time() - UPLOAD_MAX_AGE.total_seconds()
    for old in folder.glob("*.upload"):
        with contextlib.suppress(FileNotFoundError):  # another worker may be sweeping too
            if old.stat().st_mtime < cutoff:
                old.unlink()
    token = secrets.token_urlsafe(24)
    descriptor = os.open(folder / f"{token}.upload", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
    return token


def roster_upload_load(token: str) -> bytes | None:
    if not _TOKEN.match(token or ""):
        return None
    try:
        return (_upload_dir() / f"{token}.upload").read_bytes()
    except FileNotFoundError:
        return None


def roster_upload_discard(token: str) -> None:
    if _TOKEN.match(token or ""):
        (_upload_dir() / f"{token}.upload").unlink(missing_ok=True)
