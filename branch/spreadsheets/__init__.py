"""Spreadsheets in and out: the model-independent half of every import and export.

Branch work arrives as spreadsheets written in Excel, WPS or LibreOffice, and leaves as .xlsx or .csv
that import again unchanged. What every kind of sheet shares lives here, below members and activities
so that both can use it:

- cells.py: reading one cell (widgets that know spreadsheets' quirks, `CellError` with codes);
- files.py: an upload's checks, finding the header row, reading .xlsx and .csv in any of the encodings
  met in practice, writing .xlsx, .csv (formula-safe) and fill-in templates; a `SheetLayout` says what
  differs between one kind of sheet and another;
- resources.py: `BranchSheetResource`, the staged, all-or-nothing django-import-export resource for
  the records of one branch, and `run_import()` with its `ImportReport`;
- uploads.py: keeping an upload between its preview and its confirmation;
- admin.py (import it from there): the same import and export in the admin site.
"""

from .cells import CellError, ChoiceWidget, DateWidget, TextWidget, YesNoWidget, cell_value, digits_text, is_blank
from .files import (
    CONTENT_TYPES,
    FILE_FORMATS,
    MAX_UPLOAD_BYTES,
    SheetDataset,
    SheetLayout,
    Template,
    file_format_of,
    read_sheet,
    read_upload,
    write_csv,
    write_xlsx,
)
from .resources import (
    BranchSheetResource,
    ImportReport,
    RowChange,
    RowContext,
    RowError,
    SheetResult,
    column,
    run_import,
)
from .uploads import UploadStore

__all__ = [
    "CONTENT_TYPES",
    "FILE_FORMATS",
    "MAX_UPLOAD_BYTES",
    "BranchSheetResource",
    "CellError",
    "ChoiceWidget",
    "DateWidget",
    "ImportReport",
    "RowChange",
    "RowContext",
    "RowError",
    "SheetDataset",
    "SheetLayout",
    "SheetResult",
    "Template",
    "TextWidget",
    "UploadStore",
    "YesNoWidget",
    "cell_value",
    "column",
    "digits_text",
    "file_format_of",
    "is_blank",
    "read_sheet",
    "read_upload",
    "run_import",
    "write_csv",
    "write_xlsx",
]
