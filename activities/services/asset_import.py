"""Asset import and export for one branch: the actions behind the secretary's import and export pages.

The rules of an import (matching by code, blank cells, the hard-to-manage reason, duplicates) live in
activities/resources.py, which the admin shares; reading files, the all-or-nothing run and keeping an
upload between its preview and its confirmation are branch/spreadsheets'. Here: the preview, the import
itself (one transaction, all rows or none), the export and the template to download.

Kept apart from services/assets.py because the resource applies that module's rules to every row.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from branch.models import Branch
from branch.spreadsheets import (
    ImportReport,
    SheetDataset,
    Template,
    UploadStore,
    read_upload,
    run_import,
    write_csv,
    write_xlsx,
)
from branch.spreadsheets.cells import NO, YES

from ..models import Asset
from ..resources import (
    ASSET_LAYOUT,
    COLUMNS,
    EXAMPLE_CODE,
    HARD,
    KIND_LABELS,
    REQUIRED_FOR_NEW,
    STATUS_LABELS,
    AssetResource,
)

logger = logging.getLogger(__name__)


def asset_read(*, content: bytes, filename: str) -> SheetDataset:
    """Read an uploaded asset file. Raises ValidationError when the file is empty, too large, of
    another type, unreadable or without the registry's header row."""
    return read_upload(content, filename, ASSET_LAYOUT)


def asset_preview(*, branch: Branch, content: bytes, filename: str) -> ImportReport:
    """What importing this file into the branch would do, with every error. Saves nothing.

    Raises ValidationError when the file itself cannot be read (see asset_read)."""
    return _apply(branch=branch, content=content, filename=filename, user=None, dry_run=True)


def asset_import(*, branch: Branch, content: bytes, filename: str, user=None) -> ImportReport:
    """Import the file into the branch in one transaction: every row or none.

    New and changed assets get a history entry each, by `user`. `report.saved` is False, and nothing
    was written, when any row has an error. Raises ValidationError when the file itself cannot be read."""
    report = _apply(branch=branch, content=content, filename=filename, user=user, dry_run=False)
    logger.info(
        "Asset import into branch %s by user %s: saved=%s new=%d updated=%d unchanged=%d errors=%d",
        branch.pk,
        getattr(user, "pk", None),
        report.saved,
        report.new,
        report.updated,
        report.unchanged,
        len(report.errors),
    )
    return report


def _apply(*, branch, content, filename, user, dry_run) -> ImportReport:
    dataset = asset_read(content=content, filename=filename)
    return run_import(
        AssetResource(branch=branch, user=user),
        dataset,
        dry_run=dry_run,
        user=user,
        not_saved_message=_("The assets changed while this file was being imported, so nothing was saved. Try again."),
    )


# ---- export and template ---------------------------------------------------------------------------


def asset_export(*, branch: Branch, file_format: str) -> bytes:
    """All the branch's assets, retired ones included, as .xlsx or .csv with the import's headers, so
    that importing the file unchanged changes nothing."""
    assets = Asset.objects.filter(branch=branch).order_by("code")
    dataset = AssetResource(branch=branch).export(queryset=assets, force_native_type=file_format == "xlsx")
    if file_format == "xlsx":
        return write_xlsx(dataset, sheet_title=gettext("Assets"), layout=ASSET_LAYOUT)
    return write_csv(dataset)


def asset_export_filename(*, branch: Branch, file_format: str, today: dt.date) -> str:
    return f"{branch.name}-{gettext('assets')}-{today:%Y%m%d}.{file_format}"


def asset_template() -> bytes:
    """The .xlsx to fill in: the headers, one example row, drop-down lists and an instructions sheet.

    Only the first sheet is read on import, so the template imports as it is once the example row has
    been replaced (a file still holding the example row is refused)."""
    example = {
        "code": EXAMPLE_CODE,
        "kind": KIND_LABELS[Asset.Kind.OIL_WELL],
        "station": "检188-1计量站",
        "status": STATUS_LABELS[Asset.Status.IN_SERVICE],
        "hard_to_manage": YES,
        "hard_reason": "出砂严重，易卡泵",
    }
    notes = {
        "code": gettext(
            "The asset's code, such as J188-12: unique in the branch. Existing assets are found by it; "
            "case, spaces and full-width characters do not matter."
        ),
        "kind": "、".join(KIND_LABELS.values()),
        "station": gettext("The station or area the asset belongs to."),
        "status": gettext("%(choices)s; empty means %(default)s for a new asset.")
        % {"choices": "、".join(STATUS_LABELS.values()), "default": STATUS_LABELS[Asset.Status.IN_SERVICE]},
        "hard_to_manage": gettext("%(yes)s or %(no)s; empty means %(no)s for a new asset.") % {"yes": YES, "no": NO},
        "hard_reason": gettext(
            "Required when %(column)s is %(yes)s, and only then. Writing %(no)s clears the stored reason."
        )
        % {"column": HARD, "yes": YES, "no": NO},
    }
    return Template(
        layout=ASSET_LAYOUT,
        sheet_title=gettext("Assets"),
        example={COLUMNS[attribute]: value for attribute, value in example.items()},
        example_comment=gettext("Example row: replace it with your wells and equipment, or delete it."),
        required={COLUMNS[attribute] for attribute in REQUIRED_FOR_NEW},
        required_label=gettext("for new assets"),
        notes={COLUMNS[attribute]: note for attribute, note in notes.items()},
        general=[
            gettext("Fill in the first sheet. Row 1 holds the column names: do not change them."),
            gettext("Replace the example row with your wells and equipment, or delete it."),
            gettext("An empty cell never erases what is stored, and empty rows are skipped."),
            gettext(
                "After uploading you see a preview; nothing is saved until you confirm, and nothing at all "
                "while any row has an error."
            ),
        ],
        choices={
            COLUMNS["kind"]: list(KIND_LABELS.values()),
            COLUMNS["status"]: list(STATUS_LABELS.values()),
            COLUMNS["hard_to_manage"]: [YES, NO],
        },
    ).render()


# ---- keeping an upload between preview and confirmation --------------------------------------------

_uploads = UploadStore("HONGQI_ASSET_UPLOAD_DIR", "hongqi-assets")


def asset_upload_store(content: bytes) -> str:
    """Keep an upload for its confirmation; returns the token to find it again. Forgets uploads older
    than a day."""
    return _uploads.store(content)


def asset_upload_load(token: str) -> bytes | None:
    return _uploads.load(token)


def asset_upload_discard(token: str) -> None:
    _uploads.discard(token)
