"""Roster import and export for one branch: the actions behind the secretary's import and export pages.

The rules of an import (matching, blank cells, groups and teams, duplicates) live in
members/resources.py, which the admin shares; reading files, the all-or-nothing run and keeping an
upload between its preview and its confirmation are branch/spreadsheets'. Here: the preview, the import
itself (one transaction, all rows or none), the export and the template to download.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from branch.models import Branch
from branch.spreadsheets import (
    CONTENT_TYPES,
    FILE_FORMATS,
    MAX_UPLOAD_BYTES,
    ImportReport,
    RowError,
    SheetDataset,
    Template,
    UploadStore,
    file_format_of,
    read_upload,
    run_import,
    write_csv,
    write_xlsx,
)
from branch.spreadsheets import RowChange as _RowChange
from branch.spreadsheets.uploads import UPLOAD_MAX_AGE

from ..models import Member
from ..resources import (
    COLUMNS,
    ETHNICITY_LABELS,
    EXAMPLE_ID_CARD,
    GENDER_LABELS,
    REQUIRED_FOR_NEW,
    ROSTER_LAYOUT,
    STATUS_LABELS,
    MemberRosterResource,
)

__all__ = [
    "CONTENT_TYPES",
    "FILE_FORMATS",
    "MAX_UPLOAD_BYTES",
    "UPLOAD_MAX_AGE",
    "RosterReport",
    "RowChange",
    "RowError",
    "roster_export",
    "roster_export_filename",
    "roster_file_format",
    "roster_import",
    "roster_preview",
    "roster_read",
    "roster_template",
    "roster_upload_discard",
    "roster_upload_load",
    "roster_upload_store",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RowChange(_RowChange):
    @property
    def member(self) -> str:
        return self.label


RosterReport = ImportReport


def roster_file_format(filename: str) -> str:
    """'xlsx' or 'csv' from a file name; ValidationError for anything else."""
    return file_format_of(filename)


def roster_read(*, content: bytes, filename: str) -> SheetDataset:
    """Read an uploaded roster. Raises ValidationError when the file is empty, too large, of another
    type, unreadable or without the roster's header row."""
    return read_upload(content, filename, ROSTER_LAYOUT)


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
    return run_import(
        MemberRosterResource(branch=branch, user=user),
        dataset,
        dry_run=dry_run,
        user=user,
        not_saved_message=_("The roster changed while this file was being imported, so nothing was saved. Try again."),
        change_class=RowChange,
    )


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
        return write_xlsx(dataset, sheet_title=gettext("Roster"), layout=ROSTER_LAYOUT)
    return write_csv(dataset)


def roster_export_filename(*, branch: Branch, file_format: str, today: dt.date) -> str:
    return f"{branch.name}-{gettext('roster')}-{today:%Y%m%d}.{file_format}"


def roster_template(*, branch: Branch) -> bytes:
    """The .xlsx to fill in: the headers, one example row, drop-down lists and an instructions sheet.

    Only the first sheet is read on import, so the template imports as it is once the example row has
    been replaced (a file still holding the example row is refused)."""
    groups = list(branch.party_groups.values_list("name", flat=True))
    teams = list(branch.work_teams.values_list("name", flat=True))
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
    choices = {
        "gender": list(GENDER_LABELS.values()),
        "ethnicity": list(ETHNICITY_LABELS.values()),
        "status": list(STATUS_LABELS.values()),
        "party_group": groups,
        "work_team": teams,
    }
    return Template(
        layout=ROSTER_LAYOUT,
        sheet_title=gettext("Roster"),
        example={COLUMNS[attribute]: value for attribute, value in example.items()},
        example_comment=gettext("Example row: replace it with your members, or delete it."),
        required={COLUMNS[attribute] for attribute in REQUIRED_FOR_NEW},
        required_label=gettext("for new members"),
        notes={COLUMNS[attribute]: note for attribute, note in _notes(groups, teams).items()},
        general=[
            gettext("Fill in the first sheet. Row 1 holds the column names: do not change them."),
            gettext("Replace the example row with your members, or delete it."),
            gettext("An empty cell never erases what is stored, and empty rows are skipped."),
            gettext(
                "After uploading you see a preview; nothing is saved until you confirm, and nothing at all "
                "while any row has an error."
            ),
        ],
        choices={COLUMNS[attribute]: values for attribute, values in choices.items()},
    ).render()


def _notes(groups: list[str], teams: list[str]) -> dict[str, str]:
    none = gettext("(none yet)")
    return {
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


# ---- keeping an upload between preview and confirmation --------------------------------------------
# A roster holds ID card numbers: see branch/spreadsheets/uploads.py for where and how it waits.

_uploads = UploadStore("HONGQI_ROSTER_UPLOAD_DIR", "hongqi-roster")


def roster_upload_store(content: bytes) -> str:
    """Keep an upload for its confirmation; returns the token to find it again. Forgets uploads older
    than a day."""
    return _uploads.store(content)


def roster_upload_load(token: str) -> bytes | None:
    return _uploads.load(token)


def roster_upload_discard(token: str) -> None:
    _uploads.discard(token)
