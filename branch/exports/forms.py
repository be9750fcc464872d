"""Forms of the export pages. What a report asks for is its exporter's own form (`form_class`); these
add the format, and for a schedule how often and whether the quarter moves on with each run."""

from __future__ import annotations

from contextlib import suppress

from django import forms
from django.utils.translation import gettext_lazy as _

from branch.models import ExportFormat, ScheduledExport
from branch.quarters import Quarter

from .base import Exporter


def exporter_form(exporter: Exporter, data, *, actor, branch, query=None) -> forms.Form | None:
    """The report's own form, bound to `data` (None: unbound), or None when it asks for nothing.
    An unbound form starts from the query string's values of its fields, so a page can link to a
    report with its quarter filled in (?quarter=2026Q3)."""
    if exporter.form_class is None:
        return None
    form = exporter.form_class(data, actor=actor, branch=branch)
    if data is None and query:
        form.initial.update({name: query[name] for name in form.fields if name in query})
    return form


def asks_for_quarter(form: forms.Form | None) -> bool:
    """Whether the report's form asks for a quarter: a field named "quarter", or one that reads
    "2026Q3" as a Quarter. Asked of the fields rather than their classes: the reports' forms live in
    apps branch/ does not import."""
    if form is None:
        return False
    for name, field in form.fields.items():
        if name == "quarter":
            return True
        with suppress(Exception):  # any other field refuses the probe in its own way
            if isinstance(field.to_python("2000Q1"), Quarter):
                return True
    return False


class FormatForm(forms.Form):
    file_format = forms.ChoiceField(label=_("file format"), widget=forms.RadioSelect)

    def __init__(self, *args, formats=ExportFormat.values, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["file_format"]
        field.choices = [(value, label) for value, label in ExportFormat.choices if value in formats]
        field.initial = field.choices[0][0] if field.choices else None


class ScheduleForm(FormatForm):
    frequency = forms.ChoiceField(
        label=_("how often"), choices=ScheduledExport.Frequency.choices, widget=forms.RadioSelect
    )
    rolling_quarter = forms.BooleanField(
        label=_("Each run makes the report of the quarter before the run date"),
        help_text=_("Leave this on for a quarterly report; turn it off to make the quarter chosen above every time."),
        required=False,
        initial=True,
    )

    def __init__(self, *args, offer_rolling_quarter: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["frequency"].initial = ScheduledExport.Frequency.QUARTERLY
        if not offer_rolling_quarter:
            del self.fields["rolling_quarter"]
