"""Forms of red-flag work. They validate input and nothing else; activities/services/redflag.py applies
the rules (overlaps, units, impossible values, duplicates)."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.forms import DateInput
from members.models import Member

from .models import Asset, Indicator, RedFlagAssignment
from .services.redflag import TargetInput


def target_field_name(indicator: str) -> str:
    return f"target_{indicator}"


def value_field_name(indicator: str) -> str:
    return f"value_{indicator}"


def _number_field(label, help_text="", required=False) -> forms.DecimalField:
    # No min/max validators here: the service refuses negative and impossible values with its own,
    # clearer messages. The attributes only pick the phone's number keyboard.
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        required=required,
        max_digits=10,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )


class TargetFieldsMixin:
    """One optional target field per indicator, labelled with its unit (定指标)."""

    def add_target_fields(self, initial: dict | None = None) -> None:
        initial = initial or {}
        for indicator in Indicator:
            spec = indicator.spec
            direction = _("higher is better") if spec.higher_is_better else _("lower is better")
            field = _number_field(
                _("target: %(indicator)s (%(unit)s)") % {"indicator": indicator.label, "unit": spec.unit},
                help_text=direction,
            )
            if spec.max_value is not None:
                field.widget.attrs["max"] = str(spec.max_value)
            field.initial = initial.get(indicator.value)
            self.fields[target_field_name(indicator.value)] = field

    @property
    def target_names(self) -> list[str]:
        return [target_field_name(i) for i in Indicator.values]

    def targets(self) -> list[TargetInput]:
        return [
            TargetInput(indicator, self.cleaned_data[target_field_name(indicator)], Indicator(indicator).spec.unit)
            for indicator in Indicator.values
            if self.cleaned_data.get(target_field_name(indicator)) is not None
        ]


class AssignmentForm(TargetFieldsMixin, forms.Form):
    asset = forms.ModelChoiceField(label=_("asset (定机)"), queryset=Asset.objects.none())
    member = forms.ModelChoiceField(label=_("responsible member (定人)"), queryset=Member.objects.none())
    fit_reason = forms.CharField(
        label=_("why this member fits"),
        max_length=200,
        help_text=_("岗位所需、党员所长: what the post needs, what the member brings."),
    )
    schedule = forms.CharField(
        label=_("schedule (定时)"),
        max_length=200,
        help_text=_("For example: inspection every Monday and Thursday at 10:00, reading every day."),
    )
    method = forms.CharField(
        label=_("method (定方法)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("How the member looks after the asset."),
    )
    started_on = forms.DateField(label=_("started on"), widget=DateInput(), initial=timezone.localdate)

    def __init__(self, *args, branch, **kwargs):
        super().__init__(*args, **kwargs)
        active = RedFlagAssignment.objects.filter(asset=OuterRef("pk"), ended_on__isnull=True)
        self.fields["asset"].queryset = (
            Asset.objects.filter(branch=branch).exclude(status=Asset.Status.RETIRED).exclude(Exists(active))
        )
        self.fields["member"].queryset = Member.objects.filter(branch=branch).active().party_members().order_by("name")
        self.fields["member"].label_from_instance = lambda m: f"{m.name} ({m.employee_number})"
        self.add_target_fields()


class TargetsForm(TargetFieldsMixin, forms.Form):
    def __init__(self, *args, initial_targets: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_target_fields(initial_targets)


class AssignmentEndForm(forms.Form):
    ended_on = forms.DateField(label=_("ended on"), widget=DateInput(), initial=timezone.localdate)
    end_reason = forms.CharField(
        label=_("reason for ending"), max_length=200, help_text=_("For example: transferred to another post.")
    )


class ReadingForm(forms.Form):
    """A day's readings of one asset, one field per target indicator (the phone form)."""

    reading_on = forms.DateField(label=_("date"), widget=DateInput(), initial=timezone.localdate)

    def __init__(self, *args, indicators: list[str], today, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        self.fields["reading_on"].widget.attrs["max"] = today.isoformat()
        for indicator in indicators:
            spec = Indicator(indicator).spec
            field = _number_field(f"{Indicator(indicator).label} ({spec.unit})")
            if spec.monthly:
                field.help_text = _("For the month of the date; enter it once, when the month is over.")
                field.widget.attrs.update(step="1", inputmode="numeric")
            if spec.max_value is not None:
                field.widget.attrs["max"] = str(spec.max_value)
            self.fields[value_field_name(indicator)] = field

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.values():
            raise ValidationError(_("Enter at least one reading."), code="empty")
        return cleaned

    def values(self) -> dict[str, Decimal]:
        return {
            indicator: self.cleaned_data[value_field_name(indicator)]
            for indicator in self.indicators
            if self.cleaned_data.get(value_field_name(indicator)) is not None
        }


class ReadingsUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Readings file"),
        help_text=_("An .xlsx or .csv file of at most 5 MB with the columns 设备编号, 指标, 日期, 数值 and 单位."),
    )


class BoardFilterForm(forms.Form):
    q = forms.CharField(label=_("asset, station or member"), required=False)
    colour = forms.ChoiceField(
        label=_("attainment"),
        required=False,
        choices=[
            ("", "—"),
            ("green", _("on target")),
            ("amber", _("close to target")),
            ("red", _("below target")),
            ("none", _("no complete month yet")),
        ],
    )
