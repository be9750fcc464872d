from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AssessmentItem, AssessmentScheme


class AdjustmentForm(forms.Form):
    item = forms.ModelChoiceField(queryset=AssessmentItem.objects.none(), label=_("item"))
    points = forms.DecimalField(label=_("points"), max_digits=5, decimal_places=1, min_value=0)
    reason = forms.CharField(label=_("reason"), max_length=300)

    def __init__(self, *args, scheme: AssessmentScheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = scheme.items.filter(active=True).exclude(rule=AssessmentItem.Rule.DEDUCTIONS)


class DeductionForm(forms.Form):
    points = forms.DecimalField(label=_("points taken off"), max_digits=5, decimal_places=1, min_value=0.1)
    reason = forms.CharField(label=_("reason"), max_length=300)
    happened_on = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}))


class SchemeForm(forms.ModelForm):
    class Meta:
        model = AssessmentScheme
        fields = ["excellent_from", "qualified_from", "basic_from", "excellent_share_percent"]

    def clean(self):
        data = super().clean()
        excellent, qualified, basic = (data.get(k) for k in ("excellent_from", "qualified_from", "basic_from"))
        if None not in (excellent, qualified, basic) and not excellent >= qualified >= basic:
            raise forms.ValidationError(_("The thresholds must go down from excellent to basically qualified."))
        return data


class ItemForm(forms.ModelForm):
    class Meta:
        model = AssessmentItem
        fields = ["name", "points", "target", "cap", "position", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = "form-check-input" if name == "active" else "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)


ItemFormSet = forms.modelformset_factory(AssessmentItem, form=ItemForm, extra=0, can_delete=False)
