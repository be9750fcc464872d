"""Forms of the reports (branch/exports): what each exporter asks for before a job starts.

Every export form is built as `form_class(data, actor=..., branch=...)` and validates input only; the
exporters turn its cleaned data into JSON-safe parameters and check them again when the job runs.
`QuarterField`, `ExportForm` and `QuarterExportForm` serve activities/exporters.py too.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branch.quarters import Quarter, validate_past_or_current

from .access import visible_members
from .models import Member
from .recordbook import Period


class QuarterField(forms.Field):
    """A quarter typed as 2026Q3 (or 2026-3, 2026 Q3); a quarter that has not begun is refused."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("quarter"))
        kwargs.setdefault("help_text", _("Write it as 2026Q3."))
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "placeholder": "2026Q3", "maxlength": "10"}

    def prepare_value(self, value):
        return str(value) if isinstance(value, Quarter) else value

    def to_python(self, value) -> Quarter | None:
        if isinstance(value, Quarter):
            return value
        text = str(value or "").strip()
        return Quarter.parse(text) if text else None

    def validate(self, value):
        super().validate(value)
        if value is not None:
            validate_past_or_current(value)


class ExportForm(forms.Form):
    """Keeps who asks and for which branch, for the choices that depend on them."""

    def __init__(self, *args, actor=None, branch=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor, self.branch = actor, branch


class QuarterExportForm(ExportForm):
    quarter = QuarterField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"].initial = str(Quarter.current())


class RosterExportForm(ExportForm):
    include_archived = forms.BooleanField(
        label=_("include people who left the branch"),
        required=False,
        help_text=_("Their rows cannot be imported again; leave this off for a roster to edit and re-import."),
    )


QUARTER_CHOICES = [("", _("whole year")), ("1", _("Q1")), ("2", _("Q2")), ("3", _("Q3")), ("4", _("Q4"))]


class RecordBookExportForm(ExportForm):
    """One member's record book for a year, or a quarter of it. The member list holds only the people
    the actor may see in this branch: a member sees only themself."""

    member = forms.ModelChoiceField(label=_("member"), queryset=None)
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("quarter"), coerce=int, required=False, empty_value=None, choices=QUARTER_CHOICES
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        members = visible_members(self.actor) if self.actor is not None else Member.objects.none()
        if self.branch is not None:
            members = members.filter(branch=self.branch)
        self.fields["member"].queryset = members.order_by("name", "employee_number")
        if self.actor is not None and self.actor.member is not None:
            self.fields["member"].initial = self.actor.member.pk
        self.fields["year"].initial = timezone.localdate().year

    def clean(self):
        data = super().clean()
        year, quarter = data.get("year"), data.get("quarter")
        if year is None:
            return data
        try:
            data["period"] = validate_period(Period(year, quarter))
        except forms.ValidationError as error:
            self.add_error("quarter" if quarter else "year", error)
        return data


def validate_period(period: Period) -> Period:
    """Refuse a year or a quarter that has not begun."""
    if period.quarter is not None:
        validate_past_or_current(Quarter(period.year, period.quarter))
    elif period.year is not None and period.year > timezone.localdate().year:
        raise forms.ValidationError(
            _("%(year)s has not begun yet: choose this year or an earlier one."),
            code="future_year",
            params={"year": period.year},
        )
    return period
