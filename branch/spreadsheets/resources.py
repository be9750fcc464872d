"""A spreadsheet applied to the records of one branch, all rows or none, with every bad row reported.

`BranchSheetResource` is the django-import-export resource both the secretaries' pages and the admin
use. What it guarantees, whatever the model:

- a blank cell never overwrites what is stored (columns are declared with `saves_null_values=False`
  and widgets read a blank as None); a fully blank row is skipped;
- every cell of a row is read and every problem reported, with the spreadsheet's own row number and
  an error code, not just the first;
- rows are checked in memory after a few queries made up front (a subclass's `before_import`), so
  the number of queries does not grow with the rows;
- writes are bulk, keep django-simple-history rows, and happen only when no row is bad.

A subclass declares its columns with `column()`, sets `layout`, `columns`, `key_attributes` and the
messages, loads what it needs in `before_import` and finds a row's existing record in
`find_instance`. `run_import()` runs it and sums up the result as an `ImportReport`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
from dataclasses import dataclass, field
from typing import ClassVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.results import Result
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .cells import CellError, is_blank
from .files import SheetDataset, SheetLayout

logger = logging.getLogger(__name__)


def column(attribute: str, header: str, widget: widgets.Widget) -> fields.Field:
    # saves_null_values=False: a blank cell (None) leaves the stored value alone.
    return fields.Field(attribute=attribute, column_name=header, widget=widget, saves_null_values=False)


@dataclass
class RowContext:
    """What the resource learns about the row being imported before the model instance is checked."""

    number: int  # as the spreadsheet shows it, the header being row 1
    blank: bool
    keys: dict = field(default_factory=dict)  # the key cells, once read
    filled: set = field(default_factory=set)  # attributes the row gives a value
    before: tuple | None = None  # an existing record's values before the row was applied
    problems: dict[str, list[ValidationError]] = field(default_factory=dict)

    def add(self, key: str, message, code: str, **params) -> None:
        self.problems.setdefault(key, []).append(ValidationError(message, code=code, params=params))


class SheetResult(Result):
    """django-import-export numbers data rows from 1; the admin and our reports show spreadsheet rows."""

    def __init__(self, *args, row_offset: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        self.row_offset = row_offset

    def append_invalid_row(self, number, row, validation_error):
        super().append_invalid_row(number + self.row_offset, row, validation_error)

    def append_error_row(self, number, row, errors):
        super().append_error_row(number + self.row_offset, row, errors)


class BranchSheetResource(resources.ModelResource):
    """The records of one branch as a spreadsheet. `branch` is required to import; export works
    without it."""

    layout: ClassVar[SheetLayout]
    columns: ClassVar[dict[str, str]]  # attribute -> header
    key_attributes: ClassVar[tuple[str, ...]]  # the columns that say which record a row is about
    required_for_new: ClassVar[tuple[str, ...]] = ()
    required_message = _("%(column)s is required.")  # params: column
    same_record_message = _("Row %(row)d is about the same record.")  # params: row
    change_reason = _("Spreadsheet import")  # on the history rows
    extra_update_fields: ClassVar[tuple[str, ...]] = ()  # written on update besides the file's columns

    class Meta:
        use_bulk = True
        batch_size = None  # write once, after every row has been checked
        skip_diff = True  # we compare the few imported fields ourselves (see skip_row)
        skip_html_diff = True
        clean_model_instances = False  # full_clean() would query per row for the unique fields
        use_transactions = True
        report_skipped = True

    def __init__(self, *, branch=None, user=None, **kwargs):
        super().__init__(**kwargs)
        self.branch, self.user = branch, user
        self.blank_rows = 0
        self.bad_rows = 0
        self.changes: dict[int, list[str]] = {}  # row number -> headers an update changes
        self._row_offset = 1
        self._write_failed = False

    # -- setting up ----------------------------------------------------------------------------------

    def import_data(self, dataset, *args, **kwargs):
        self._row_offset = getattr(dataset, "header_row", 1)
        return super().import_data(dataset, *args, **kwargs)

    def get_result_class(self):
        return functools.partial(SheetResult, row_offset=self._row_offset)

    def before_import(self, dataset, **kwargs):
        """Subclasses load what their checks need here, after calling this."""
        if self.branch is None:
            raise ValueError(f"{type(self).__name__} needs a branch to import into.")
        self.user = kwargs.get("user") or self.user
        self._now = timezone.now()
        self._today = timezone.localdate()
        dataset.headers = [self.layout.canonical_header(header) or header for header in dataset.headers]
        present = set(dataset.headers)
        model = self._meta.model
        self._fields = [f for f in self.get_import_fields() if f.column_name in present]
        self._update_fields = list(dict.fromkeys([*(f.attribute for f in self._fields), *self.extra_update_fields]))
        self._compared = [model._meta.get_field(f.attribute).attname for f in self._fields]
        # Foreign keys are set by id: the descriptor's checks cost more than the rest of a cell.
        self._targets = [
            (f, f.attribute, attname if attname != f.attribute else None)
            for f, attname in zip(self._fields, self._compared, strict=True)
        ]
        self._key_fields = [self.fields[attribute] for attribute in self.key_attributes]
        # value -> first row it appeared on, to report repeats within the file
        self._seen = {attribute: {} for attribute in self.key_attributes} | {"pk": {}}

    def after_import(self, dataset, result, **kwargs):
        pass  # ModelResource resets primary-key sequences here; we never import primary keys

    # -- one row ---------------------------------------------------------------------------------------

    def import_row(self, row, instance_loader, **kwargs):
        self._row = RowContext(
            number=kwargs["row_number"] + self._row_offset, blank=all(is_blank(v) for v in row.values())
        )
        row_result = super().import_row(row, instance_loader, **kwargs)
        if not row_result.is_valid():
            self.bad_rows += 1
            self.changes.pop(self._row.number, None)
        elif self._row.blank:
            self.blank_rows += 1
        return row_result

    def init_instance(self, row=None):
        return self._meta.model(branch_id=self.branch.pk)

    def get_instance(self, instance_loader, row):
        """The existing record this row is about, found in memory; None for a new one."""
        ctx = self._row
        if ctx.blank:
            return None
        return self.find_instance(ctx, self.read_keys(ctx, row))

    def find_instance(self, ctx: RowContext, keys: dict):
        """The record the keys point at, or None; problems go to `ctx.add()`. Subclasses call
        `check_repeats()` here."""
        raise NotImplementedError

    def read_keys(self, ctx: RowContext, row) -> dict:
        """The row's key cells (None when blank, absent or unreadable). The values read are kept for
        import_instance(); unreadable ones are read again there, to report."""
        keys = {}
        for field_ in self._key_fields:
            keys[field_.attribute] = None
            if field_.column_name in row:
                with contextlib.suppress(ValueError, ValidationError):
                    keys[field_.attribute] = ctx.keys[field_.attribute] = field_.widget.clean(row[field_.column_name])
        return keys

    def check_repeats(self, ctx: RowContext, keys: dict) -> None:
        """Each record and each key value may appear on one row of the file only. `keys` may hold the
        record's "pk"."""
        repeats = {}
        for attribute, value in keys.items():
            if value is not None:
                first = self._seen[attribute].setdefault(value, ctx.number)
                if first != ctx.number:
                    repeats[attribute] = first
        if "pk" in repeats:
            ctx.add(NON_FIELD_ERRORS, self.same_record_message, code="duplicate_in_file", row=repeats["pk"])
            return
        for attribute, first in repeats.items():
            ctx.add(
                attribute,
                _("Row %(row)d has the same %(column)s."),
                code="duplicate_in_file",
                row=first,
                column=self.columns[attribute],
            )

    def after_init_instance(self, instance, new, row, **kwargs):
        if not new:
            self._row.before = self._snapshot(instance)

    def _snapshot(self, instance) -> tuple:
        return tuple(getattr(instance, attname) for attname in self._compared)

    def import_instance(self, instance, row, **kwargs):
        """Apply every cell, collecting all errors of the row (with their codes) rather than the first.

        Equivalent to Field.save() for our fields (no defaults, no readonly, saves_null_values=False),
        called directly because this loop runs for every cell of 10,000-row files."""
        errors = {}
        known, filled = self._row.keys, self._row.filled
        for field_, attribute, id_attribute in self._targets:
            try:
                value = known[attribute] if attribute in known else field_.widget.clean(row[field_.column_name])
            except CellError as exc:
                errors[attribute] = exc.as_validation_error()
            except ValidationError as exc:
                errors[attribute] = exc
            else:
                if value is not None:  # a blank cell leaves the stored value alone
                    filled.add(attribute)
                    if id_attribute:
                        setattr(instance, id_attribute, value.pk)
                    else:
                        setattr(instance, attribute, value)
        if errors:
            raise ValidationError(errors)
        self.complete_instance(instance, self._row)

    def complete_instance(self, instance, ctx: RowContext) -> None:
        """After every cell of a good row is applied, before the row is compared with what is stored:
        for values that follow from others."""

    def skip_row(self, instance, original, row, import_validation_errors=None):
        ctx = self._row
        if ctx.blank:
            return True
        if import_validation_errors or ctx.problems or instance.pk is None:
            return False
        after = self._snapshot(instance)
        if after == ctx.before:
            return True
        self.changes[ctx.number] = [
            f.column_name for f, old, new in zip(self._fields, ctx.before, after, strict=True) if old != new
        ]
        return False

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors: dict[str, list[ValidationError]] = {}
        for key, error in (import_validation_errors or {}).items():
            errors.setdefault(key, []).extend(error if isinstance(error, list) else error.error_list)
        for key, problems in self._row.problems.items():
            errors.setdefault(key, []).extend(problems)
        if instance.pk is None:
            # The cells, not the instance: the model's defaults must not fill in a required blank.
            for attribute in self.required_for_new:
                if attribute not in errors and attribute not in self._row.filled:
                    errors[attribute] = [
                        ValidationError(
                            self.required_message, code="required", params={"column": self.columns[attribute]}
                        )
                    ]
        self.check_instance(instance, errors)
        if errors:
            raise ValidationError(errors)

    def check_instance(self, instance, errors: dict[str, list[ValidationError]]) -> None:
        """Rules across columns; add to `errors` (attribute or NON_FIELD_ERRORS -> errors)."""

    # -- writing ---------------------------------------------------------------------------------------

    def _may_write(self, dry_run: bool) -> bool:
        return not (dry_run or self.bad_rows or self._write_failed)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if self.create_instances and self._may_write(dry_run):
            self._write(result, raise_errors, self.create_with_history, self.create_instances, self._meta.model)
        self.create_instances.clear()

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if self.update_instances and self._may_write(dry_run):
            self._write(
                result,
                raise_errors,
                self.update_with_history,
                self.update_instances,
                self._meta.model,
                self._update_fields,
            )
        self.update_instances.clear()

    def create_with_history(self, *args, **kwargs):
        return bulk_create_with_history(*args, **kwargs)

    def update_with_history(self, *args, **kwargs):
        return bulk_update_with_history(*args, **kwargs)

    def _write(self, result, raise_errors, write, *args):
        try:
            write(
                *args,
                batch_size=500,
                default_user=self.user,
                default_change_reason=str(self.change_reason),
                default_date=self._now,
            )
        except DatabaseError as exc:
            # Someone changed the records between our reads and this write (a unique key taken). The
            # whole import is rolled back; the caller reports it.
            self._write_failed = True
            self.handle_import_error(result, exc, raise_errors)

    # -- export ----------------------------------------------------------------------------------------

    def get_queryset(self):
        queryset = self._meta.model.objects.all()
        return queryset.filter(branch=self.branch) if self.branch else queryset


# ---- the report --------------------------------------------------------------------------------------


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
    label: str  # the record as people know it: a member's name, an asset's code
    columns: tuple[str, ...]


@dataclass
class ImportReport:
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


def run_import(
    resource: BranchSheetResource,
    dataset: SheetDataset,
    *,
    dry_run: bool,
    user=None,
    not_saved_message: str,
    change_class: type[RowChange] = RowChange,
) -> ImportReport:
    """Import (or, with dry_run, only check) the dataset in one transaction: every row or none.
    `report.saved` is False, and nothing was written, when any row has an error. `not_saved_message`
    explains a write that failed because the records changed meanwhile."""
    result = resource.import_data(
        dataset,
        dry_run=dry_run,
        use_transactions=True,
        rollback_on_validation_errors=True,
        raise_errors=False,
        user=user,
    )
    report = ImportReport(
        new=result.totals["new"],
        updated=result.totals["update"],
        unchanged=result.totals["skip"] - resource.blank_rows,
        blank=resource.blank_rows,
        errors=_errors(result, dataset, resource, not_saved_message),
        ignored_columns=dataset.ignored_columns,
    )
    report.saved = not dry_run and report.ok
    first_data_row = dataset.header_row + 1
    report.changes = [
        change_class(row=number, label=result.rows[number - first_data_row].object_repr, columns=tuple(columns))
        for number, columns in sorted(resource.changes.items())
    ]
    return report


def _errors(result, dataset: SheetDataset, resource: BranchSheetResource, not_saved_message) -> list[RowError]:
    errors = []
    present = set(dataset.headers)
    for invalid in result.invalid_rows:
        values = dict(zip(result.diff_headers, invalid.values, strict=True))
        error = invalid.error
        error_dict = error.error_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.error_list}
        for key, error_list in error_dict.items():
            column_name = resource.columns.get(key, "")
            value = _display(values.get(column_name)) if column_name in present else ""
            for error in error_list:
                message = next(iter(error))
                errors.append(RowError(invalid.number, column_name, error.code or "invalid", message, value))
    for error_row in result.error_rows:  # anything but a ValidationError is a bug of ours
        for error in error_row.errors:
            logger.error("Spreadsheet row %s failed", error_row.number, exc_info=error.error)
        message = gettext("This row could not be processed; please tell the administrator.")
        errors.append(RowError(error_row.number, "", "unexpected", message))
    for error in result.base_errors:
        logger.error("Spreadsheet import failed", exc_info=error.error)
        errors.append(RowError(None, "", "not_saved", str(not_saved_message)))
    order = {header: i for i, header in enumerate(resource.layout.headers)}
    return sorted(errors, key=lambda e: (e.row or 0, order.get(e.column, -1)))


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        value = value.date()
    return value.isoformat() if isinstance(value, dt.date) else str(value)
