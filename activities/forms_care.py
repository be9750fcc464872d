"""Forms for 五一定 care: reporting an occasion and recording a visit. They validate input;
activities/services/care.py applies the rules."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.forms import DateInput
from members.models import Employee, Member

from .forms_appeals import RequesterFields, branch_members
from .models import CareOccasion, CareVisit


class CareReportForm(RequesterFields):
    kind = CareOccasion._meta.get_field("kind").formfield()
    occurred_on = forms.DateField(label=_("happened on"), widget=DateInput())
    reported_on = forms.DateField(
        label=_("reported on"), widget=DateInput(), required=False, help_text=_("Empty: today.")
    )
    details = forms.CharField(
        label=_("details"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For illness and hardship only the committee and the secretary see the details."),
    )

    field_order = ["requester", "new_name", "new_team", "kind", "occurred_on", "reported_on", "details"]

    def __init__(self, *args, branch, **kwargs):
        super().__init__(*args, branch=branch, **kwargs)
        self.fields["requester"].label = _("employee")
        self.fields["requester"].queryset = Employee.objects.filter(branch=branch).select_related("work_team")
        self.initial.setdefault("occurred_on", timezone.localdate())


class CareVisitForm(forms.Form):
    visited_on = forms.DateField(label=_("visited on"), widget=DateInput())
    visitors = forms.ModelMultipleChoiceField(
        label=_("visitors"), queryset=Member.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    brought = CareVisit._meta.get_field("brought").formfield()
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, branch, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visitors"].queryset = branch_members(branch)
        self.initial.setdefault("visited_on", timezone.localdate())


class CareFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("state"),
        choices=[("", "—"), ("open", _("not visited yet")), ("overdue", _("overdue")), ("visited", _("visited"))],
        required=False,
    )
    kind = forms.ChoiceField(label=_("occasion"), choices=[("", "—"), *CareOccasion.Kind.choices], required=False)
