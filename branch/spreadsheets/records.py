"""Any model of a branch as a spreadsheet, for the admin site: rows name their record, and the records
they refer to, by natural keys people can type (an employee number, an asset code, a team's name, a
meeting's date and kind), never by database ids.

`RecordSheetResource` is a `BranchSheetResource` (blank cells never overwrite, every bad row reported
with its spreadsheet row number, nothing saved while any row is bad, bulk writes with history, a
fixed number of queries) that adds what the roster and the asset registry did not need:

- a key of several cells (`key_attributes`), some of them optional (`optional_keys`);
- columns that are not model fields ("virtual" cells such as an activity's date and start time, or
  the cells naming a meeting): their values wait in `self.cells` for `complete_instance()`, and they
  are exported through a getter;
- read-only columns, exported for people to read (a member's name next to the employee number) and
  ignored on import;
- many-to-many columns (employee numbers separated by 、), written after the rows, with history;
- models without a history.

A subclass declares its columns with `column()`, lists them in `Meta.fields`, loads its lookups and
returns the existing records in `load()`, and resolves references spanning several cells in
`natural_key()` or `complete_instance()`. `sheet_admin()` makes the admin mixin.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import ClassVar

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import DatabaseError, models
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export import fields, widgets
from import_export.forms import ConfirmImportForm, ImportForm
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .admin import BranchSheetAdminMixin, SheetCSV, SheetXLSX
from .cells import CellError, DateWidget, TextWidget
from .files import SheetLayout
from .lookups import LookupWidget, ManyLookupWidget
from .resources import BranchSheetResource, RowContext


class SheetField(fields.Field):
    """A column: a model field, or a virtual cell whose exported value comes from `getter`."""

    def __init__(self, *, getter: Callable | None = None, **kwargs):
        super().__init__(**kwargs)
        self.getter = getter

    def get_value(self, instance):
        return self.getter(instance) if self.getter else super().get_value(instance)


def column(attribute: str, header: str, widget: widgets.Widget, *, getter=None, readonly: bool = False) -> SheetField:
    """A column. `attribute` is a model field, or the name of a virtual cell (then give `getter` to
    export it); `readonly` columns are exported and ignored on import (`attribute` may follow
    relations: "member__name")."""
    # saves_null_values=False: a blank cell (None) leaves the stored value alone.
    return SheetField(
        attribute=attribute,
        column_name=header,
        widget=widget,
        getter=getter,
        readonly=readonly,
        saves_null_values=False,
    )


def name_column(attribute: str = "member__name", header: str = "姓名") -> SheetField:
    """A person's name beside their employee number, for people to read; ignored on import."""
    return column(attribute, header, TextWidget(50), readonly=True)


# ---- the resource ------------------------------------------------------------------------------------

NO_KEY_MESSAGE = _("The file needs the columns %(columns)s to know which record each row is about.")
FUTURE_DATE = _("This date is in the future.")
DATE_BEFORE = _("This date is before %(column)s.")
AMBIGUOUS_RECORD = _("%(count)d records match this row; correct them one by one in the admin first.")


class RecordSheetResource(BranchSheetResource):
    """Records of one branch by their natural keys. See the module's docstring."""

    key_attributes: ClassVar[tuple[str, ...]]  # the cells that together say which record a row is about
    optional_keys: ClassVar[tuple[str, ...]] = ()  # key cells that may be blank (then the part is None)
    derived_fields: ClassVar[tuple[str, ...]] = ()  # model fields complete_instance() sets from other cells
    m2m_written: ClassVar[tuple[str, ...]] = ()  # many-to-many fields complete_instance() may set without a column
    sheet_title: ClassVar = ""
    same_record_message = _("Row %(row)d is about the same record.")
    change_reason = _("Admin import")
    scoped: ClassVar[bool] = True  # the rows belong to the branch chosen on the import form
    export_select_related: ClassVar[tuple[str, ...]] = ()
    export_prefetch_related: ClassVar[tuple[str, ...]] = ()
    export_ordering: ClassVar[tuple[str, ...]] = ()
    layout: ClassVar[SheetLayout]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.layout = self.sheet_layout()
        self.columns = {name: field.column_name for name, field in self.fields.items()}
        self.cells: dict = {}  # the current row's virtual cells and resolved references
        self._created: list = []
        self._updated: list = []
        self._m2m_writes: list[tuple[models.Model, dict[str, list]]] = []

    @classmethod
    def sheet_layout(cls) -> SheetLayout:
        """The layout of this resource's files, made from its columns (once per class)."""
        if "layout" not in cls.__dict__:
            ordered = [cls.fields[name] for name in cls._meta.export_order]
            headers = tuple(field.column_name for field in ordered)
            cls.layout = SheetLayout(
                headers=headers,
                key_headers=tuple(cls.fields[a].column_name for a in cls.key_attributes),
                no_key_message=NO_KEY_MESSAGE,
                text_headers=tuple(
                    f.column_name for f in ordered if isinstance(f.widget, TextWidget | LookupWidget) and _is_text(f)
                ),
                date_headers=tuple(f.column_name for f in ordered if isinstance(f.widget, DateWidget)),
                widths={f.column_name: _width(f) for f in ordered},
            )
        return cls.layout

    # -- setting up ----------------------------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        if self.scoped and self.branch is None:
            raise ValueError(f"{type(self).__name__} needs a branch to import into.")
        self.user = kwargs.get("user") or self.user
        self._now, self._today = timezone.now(), timezone.localdate()
        dataset.headers = [self.layout.canonical_header(header) or header for header in dataset.headers]
        present = set(dataset.headers)
        model = self._meta.model
        self._fields = [f for f in self.get_import_fields() if f.column_name in present and not f.readonly]
        self._model_fields, self._m2m = set(), []
        for field_ in self._fields:
            try:
                model_field = model._meta.get_field(field_.attribute)
            except FieldDoesNotExist:
                continue
            if model_field.many_to_many:
                self._m2m.append(field_.attribute)
            else:
                self._model_fields.add(field_.attribute)
        self._m2m = list(dict.fromkeys([*self._m2m, *self.m2m_written]))
        names = [f.attribute for f in self._fields if f.attribute in self._model_fields] + list(self.derived_fields)
        self._update_fields = list(dict.fromkeys([*names, *self.extra_update_fields]))
        self._compared = [model._meta.get_field(name).attname for name in dict.fromkeys(names)]
        self._compared_headers = [self.columns.get(name, name) for name in dict.fromkeys(names)]
        self._key_fields = [self.fields[attribute] for attribute in self.key_attributes]
        self._history = hasattr(model, "history")
        # Many-to-many fields kept in the history: their links are recorded with every history row.
        self._m2m_history = (
            [f.name for f in getattr(model.history.model, "_history_m2m_fields", ())] if self._history else []
        )
        self._first_row: dict[tuple, int] = {}
        self._existing: dict[tuple, list] = defaultdict(list)
        for record in self.load():
            self._existing[self.instance_key(record)].append(record)
        # One query per many-to-many field: the links of the branch's records.
        self._stored_m2m: dict[str, dict[int, list]] = {}
        for name in dict.fromkeys([*self._m2m, *self._m2m_history]):
            field = model._meta.get_field(name)
            through, source = field.remote_field.through, field.m2m_field_name()
            self._stored_m2m[name] = defaultdict(list)
            for link in through.objects.filter(**{f"{source}__{self.branch_path()}": self.branch}):
                self._stored_m2m[name][getattr(link, f"{source}_id")].append(link)

    def load(self) -> Iterable[models.Model]:
        """Fill the widgets' lookups and return the branch's existing records (select what their
        __str__ needs), in a few queries whatever the size of the file."""
        raise NotImplementedError

    def instance_key(self, instance) -> tuple:
        """The natural key of a stored record, as natural_key() computes it from a row."""
        meta = self._meta.model._meta
        parts = []
        for attribute in self.key_attributes:
            try:
                parts.append(getattr(instance, meta.get_field(attribute).attname))
            except FieldDoesNotExist:
                parts.append(_key_part(getattr(instance, attribute)))
        return tuple(parts)

    def natural_key(self, ctx: RowContext, keys: dict) -> tuple | None:
        """The natural key of a row from its key cells, or None when a required part is missing.
        Resources whose key names a record through several cells resolve it here (into `self.cells`)
        and report a reference to nothing with `ctx.add()`."""
        if any(keys[a] is None for a in self.key_attributes if a not in self.optional_keys):
            return None
        return tuple(_key_part(keys[attribute]) for attribute in self.key_attributes)

    # -- one row ---------------------------------------------------------------------------------------

    def import_row(self, row, instance_loader, **kwargs):
        self.cells = {}
        return super().import_row(row, instance_loader, **kwargs)

    def init_instance(self, row=None):
        model = self._meta.model
        has_branch = any(f.name == "branch" for f in model._meta.concrete_fields)
        return model(branch_id=self.branch.pk) if has_branch and self.branch else model()

    def find_instance(self, ctx: RowContext, keys: dict):
        key = self.natural_key(ctx, keys)
        if key is None:
            return None
        first = self._first_row.setdefault(key, ctx.number)
        if first != ctx.number:
            ctx.add(NON_FIELD_ERRORS, self.same_record_message, code="duplicate_in_file", row=first)
        found = self._existing.get(key, [])
        if len(found) > 1:
            ctx.add(NON_FIELD_ERRORS, AMBIGUOUS_RECORD, code="ambiguous_record", count=len(found))
        return found[0] if found else None

    def import_instance(self, instance, row, **kwargs):
        """Apply every cell (model fields on the instance, the others to `self.cells`), collecting all
        errors of the row, then complete_instance() when they are all readable."""
        errors = {}
        known, filled = self._row.keys, self._row.filled
        for field_ in self._fields:
            attribute = field_.attribute
            try:
                value = known[attribute] if attribute in known else field_.widget.clean(row[field_.column_name])
            except CellError as exc:
                errors[attribute] = exc.as_validation_error()
            except ValidationError as exc:
                errors[attribute] = exc
            else:
                if value is None:  # a blank cell leaves the stored value alone
                    continue
                filled.add(attribute)
                if attribute in self._model_fields:
                    setattr(instance, attribute, value)
                else:
                    self.cells[attribute] = value
        if errors:
            raise ValidationError(errors)
        self.complete_instance(instance, self._row)

    def _snapshot(self, instance) -> tuple:
        values = tuple(getattr(instance, attname) for attname in self._compared)
        return values + tuple(frozenset(self._m2m_ids(instance, name)) for name in self._m2m)

    def _m2m_ids(self, instance, name) -> list[int]:
        if name in self.cells:
            return [record.pk for record in self.cells[name]]
        field = self._meta.model._meta.get_field(name)
        target = f"{field.m2m_reverse_field_name()}_id"
        return [getattr(link, target) for link in self._stored_m2m[name].get(instance.pk, ())]

    def skip_row(self, instance, original, row, import_validation_errors=None):
        ctx = self._row
        if ctx.blank:
            return True
        if import_validation_errors or ctx.problems or instance.pk is None:
            return False
        after = self._snapshot(instance)
        if after == ctx.before:
            return True
        headers = self._compared_headers + [self.columns[name] for name in self._m2m]
        self.changes[ctx.number] = [h for h, old, new in zip(headers, ctx.before, after, strict=True) if old != new]
        return False

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """As BranchSheetResource does, with the errors keyed by column header so that the admin shows
        them under the names people see in their file."""
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as exc:
            raise ValidationError(
                {self.columns.get(key, key): errors for key, errors in exc.error_dict.items()}
            ) from None

    def save_instance(self, instance, is_create, row, **kwargs):
        m2m = {name: self.cells[name] for name in self._m2m if name in self.cells}
        if m2m:
            self._m2m_writes.append((instance, m2m))
        super().save_instance(instance, is_create, row, **kwargs)

    def fill(self, records: Iterable, *names: str, extra_labels: tuple[Callable, ...] = ()) -> None:
        """Give the lookup columns `names` the records they choose from."""
        records = list(records)
        for name in names:
            self.fields[name].widget.load(records, *extra_labels)

    def check_not_future(self, instance, errors: dict, *attributes: str) -> None:
        for attribute in attributes:
            day = self.cells[attribute] if attribute in self.cells else getattr(instance, attribute, None)
            if day is not None and attribute not in errors and day > self._today:
                self.add_error(errors, attribute, FUTURE_DATE, "future")

    def check_order(self, instance, errors: dict, earlier: str, later: str) -> None:
        """`later` may not be before `earlier` (both model fields)."""
        first, second = getattr(instance, earlier), getattr(instance, later)
        if first is not None and second is not None and second < first and not {earlier, later} & set(errors):
            self.add_error(errors, later, DATE_BEFORE, "date_order", column=self.columns[earlier])

    @staticmethod
    def add_error(errors: dict, attribute: str, message, code: str, **params) -> None:
        errors.setdefault(attribute, []).append(ValidationError(message, code=code, params=params or None))

    def merge(self, errors: dict, exc: ValidationError, columns: dict[str, str] | None = None) -> None:
        """Add a service's ValidationError to `errors`, its fields renamed by `columns` (field ->
        attribute of a column); fields with no column count for the row as a whole."""
        found = exc.error_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.error_list}
        for key, messages_ in found.items():
            key = (columns or {}).get(key, key)
            errors.setdefault(key if key in self.columns else NON_FIELD_ERRORS, []).extend(messages_)

    # -- writing ---------------------------------------------------------------------------------------
    # Rows are written by BranchSheetResource's bulk_create() and bulk_update(); the many-to-many
    # columns, and the history of models that have them, after both (after_write()).

    def create_with_history(self, objs, model, **kwargs):
        if not self._history or self._m2m_history:
            self._created = model.objects.bulk_create(objs, batch_size=kwargs["batch_size"])
        else:
            self._created = bulk_create_with_history(objs, model, **kwargs)
        return self._created

    def update_with_history(self, objs, model, fields_, **kwargs):
        self._updated = list(objs)
        if not self._history or self._m2m_history:
            return model.objects.bulk_update(objs, fields_, batch_size=kwargs["batch_size"]) if fields_ else 0
        return bulk_update_with_history(objs, model, fields_, **kwargs)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """Deferred to bulk_update(): updates go first, so that a row ending a seat or an assignment
        frees it before the row that hands it over creates the next one."""

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        super().bulk_update(using_transactions, dry_run, raise_errors, batch_size=batch_size, result=result)
        super().bulk_create(using_transactions, dry_run, raise_errors, batch_size=batch_size, result=result)
        if self._may_write(dry_run) and (self._created or self._updated):
            try:
                links = self._write_links()
                if self._m2m_history:
                    self._write_history(links)
                self.after_write(self._created, self._updated)
            except DatabaseError as exc:
                self._write_failed = True
                self.handle_import_error(result, exc, raise_errors)

    def after_write(self, created: list, updated: list) -> None:
        """After the rows are written: for what follows from them (a meeting's quorum)."""

    def _write_links(self) -> dict[str, dict[int, list]]:
        """Replace the links of the many-to-many columns the rows give; returns every record's links
        by field and record id, as they are now."""
        model = self._meta.model
        links = {name: dict(stored) for name, stored in self._stored_m2m.items()}
        for name in self._m2m:
            field = model._meta.get_field(name)
            through, source, target = field.remote_field.through, field.m2m_field_name(), field.m2m_reverse_field_name()
            writes = [(instance, m2m[name]) for instance, m2m in self._m2m_writes if name in m2m]
            if not writes:
                continue
            through.objects.filter(**{f"{source}_id__in": [instance.pk for instance, _records in writes]}).delete()
            new = through.objects.bulk_create(
                [through(**{f"{source}_id": i.pk, f"{target}_id": r.pk}) for i, records in writes for r in records]
            )
            for instance, _records in writes:
                links[name][instance.pk] = []
            for link in new:
                links[name][getattr(link, f"{source}_id")].append(link)
        return links

    def _write_history(self, links: dict[str, dict[int, list]]) -> None:
        """The history rows of the written records with their links (simple_history's bulk functions
        know nothing of many-to-many fields)."""
        model = self._meta.model
        history = model.history
        for objs, update in ((self._created, False), (self._updated, True)):
            if not objs:
                continue
            rows = history.bulk_history_create(
                objs,
                update=update,
                default_user=self.user,
                default_change_reason=str(self.change_reason),
                default_date=self._now,
            )
            for name in self._m2m_history:
                m2m_history = getattr(history.model, name).model
                through_fields = [f.attname for f in model._meta.get_field(name).remote_field.through._meta.fields]
                m2m_history.objects.bulk_create(
                    [
                        m2m_history(history=row, **{f: getattr(link, f) for f in through_fields})
                        for row, obj in zip(rows or (), objs, strict=False)
                        for link in links[name].get(obj.pk, ())
                    ]
                )

    # -- export ----------------------------------------------------------------------------------------

    def get_queryset(self):
        queryset = self._meta.model.objects.all()
        if self.branch is not None and self.scoped:
            queryset = queryset.filter(**{self.branch_path(): self.branch})
        return queryset

    @classmethod
    def branch_path(cls) -> str:
        """How the model reaches its branch (branch, member__branch …)."""
        return "branch"

    def iter_queryset(self, queryset):
        # One evaluation, prefetches included: django-import-export pages a prefetching queryset by 100,
        # which costs queries per page; a branch's records fit in memory.
        yield from queryset

    def filter_export(self, queryset, **kwargs):
        if self.export_select_related:
            queryset = queryset.select_related(*self.export_select_related)
        if self.export_prefetch_related:
            queryset = queryset.prefetch_related(*self.export_prefetch_related)
        if self.export_ordering:
            queryset = queryset.order_by(*self.export_ordering)
        return queryset


def _key_part(value):
    if isinstance(value, models.Model):
        return value.pk
    return value


def _is_text(field) -> bool:
    return getattr(field.widget, "text", True)


def _width(field) -> float:
    widget = field.widget
    if isinstance(widget, DateWidget):
        return 12
    if isinstance(widget, ManyLookupWidget):
        return 30
    if isinstance(widget, TextWidget) and widget.max_length > 100:
        return 40
    return max(11, len(field.column_name) * 2 + 2)


# ---- the admin ---------------------------------------------------------------------------------------


class RecordSheetAdminMixin(BranchSheetAdminMixin):
    """Set `resource_classes` and the formats (see `sheet_admin()`)."""

    def process_result(self, result, request):
        # The confirmation imports again; rows that went bad meanwhile (or a write that failed because
        # the records changed) save nothing, which must not be announced as a success.
        if result.has_errors() or result.has_validation_errors():
            messages.error(
                request,
                _("Nothing was imported: the records changed since the preview. Import the file again to see why."),
            )
            app_label, model_name = self.get_model_info()
            url = reverse(f"admin:{app_label}_{model_name}_import", current_app=self.admin_site.name)
            return HttpResponseRedirect(url)
        return super().process_result(result, request)


class UnscopedSheetAdminMixin(RecordSheetAdminMixin):
    """For records above the branches (the branches themselves): no branch to choose."""

    import_form_class = ImportForm
    confirm_form_class = ConfirmImportForm

    def get_import_resource_kwargs(self, request, **kwargs):
        return {"user": request.user}

    def get_confirm_form_initial(self, request, import_form):
        return super(BranchSheetAdminMixin, self).get_confirm_form_initial(request, import_form)  # skip the branch


def sheet_admin(resource_class: type[RecordSheetResource]) -> type[BranchSheetAdminMixin]:
    """The admin mixin for a resource: its import and export in .xlsx and .csv, with the branch chosen
    on the import form (unless the resource is not scoped to a branch)."""
    layout = resource_class.sheet_layout()
    name = resource_class.__name__.removesuffix("Resource")
    xlsx = type(f"{name}XLSX", (SheetXLSX,), {"layout": layout, "sheet_title": resource_class.sheet_title})
    csv = type(f"{name}CSV", (SheetCSV,), {"layout": layout})
    base = RecordSheetAdminMixin if resource_class.scoped else UnscopedSheetAdminMixin
    return type(
        f"{name}AdminMixin",
        (base,),
        {"resource_classes": [resource_class], "import_formats": [xlsx, csv], "export_formats": [xlsx, csv]},
    )
