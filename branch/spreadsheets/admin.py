"""Import and export in the admin site: the administrator, who is above the branches, picks the
branch to import into on the import form. The files are read and written exactly as on the
secretaries' pages."""

from __future__ import annotations

from typing import ClassVar

from django import forms
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.forms import ConfirmImportForm, ImportForm

from branch.models import Branch

from .files import SheetLayout, read_sheet, write_csv, write_xlsx


class SheetXLSX(base_formats.XLSX):
    """Subclasses set `layout` and `sheet_title`."""

    layout: ClassVar[SheetLayout]
    sheet_title: ClassVar[str] = ""

    def create_dataset(self, in_stream):
        return read_sheet(in_stream, "xlsx", self.layout)

    def export_data(self, dataset, **kwargs):
        return write_xlsx(dataset, sheet_title=str(self.sheet_title), layout=self.layout)


class SheetCSV(base_formats.CSV):
    """Read as bytes so that we, not the admin, pick the encoding (GBK files are common)."""

    layout: ClassVar[SheetLayout]

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        return read_sheet(in_stream, "csv", self.layout)

    def export_data(self, dataset, **kwargs):
        return write_csv(dataset)


class BranchImportForm(ImportForm):
    branch = forms.ModelChoiceField(queryset=Branch.objects.all(), label=_("Branch"))


class BranchConfirmImportForm(ConfirmImportForm):
    branch = forms.ModelChoiceField(queryset=Branch.objects.all(), widget=forms.HiddenInput)


class BranchSheetAdminMixin(ImportExportMixin):
    """Set `resource_classes` (a BranchSheetResource), the formats, and `export_select_related`."""

    import_form_class = BranchImportForm
    confirm_form_class = BranchConfirmImportForm
    export_select_related: ClassVar[tuple[str, ...]] = ()

    def get_import_resource_kwargs(self, request, **kwargs):
        form = kwargs.get("form")
        branch = getattr(form, "cleaned_data", {}).get("branch") if form is not None else None
        return {"branch": branch, "user": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {}

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["branch"] = import_form.cleaned_data["branch"].pk
        return initial

    def get_export_data(self, file_format, request, queryset, **kwargs):
        # django-import-export keeps dates as dates only for its own xlsx class, not for subclasses.
        if not self.has_export_permission(request):
            raise PermissionDenied
        kwargs.pop("encoding", None)
        if self.export_select_related:
            queryset = queryset.select_related(*self.export_select_related)
        data = self.get_data_for_export(
            request, queryset, force_native_type=isinstance(file_format, SheetXLSX), **kwargs
        )
        return file_format.export_data(data)
