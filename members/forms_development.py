"""One small form per pipeline step; members/views/pipeline.py pairs each with its service."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .forms import DateInput
from .models import Development, Member


def _full_members(branch, exclude):
    return Member.objects.filter(branch=branch, status=Member.Status.FULL, archived_on__isnull=True).exclude(
        pk=exclude.pk
    )


class _StepForm(forms.Form):
    def __init__(self, *args, development: Development | None, member: Member, **kwargs):
        self.development, self.member = development, member
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = DateInput()
                field.initial = field.initial or timezone.localdate


class ApplyForm(_StepForm):
    applied_on = forms.DateField(label=_("application submitted on"))


class TalkForm(_StepForm):
    talked_on = forms.DateField(label=_("talk with the branch on"))


class ActivistForm(_StepForm):
    activist_on = forms.DateField(label=_("became an activist on"))
    contacts = forms.ModelMultipleChoiceField(
        label=_("contacts (培养联系人)"), queryset=Member.objects.none(), help_text=_("One or two full members.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contacts"].queryset = _full_members(self.member.branch, self.member)


class ContactReviewForm(_StepForm):
    contact = forms.ModelChoiceField(label=_("contact"), queryset=Member.objects.none())
    reviewed_on = forms.DateField(label=_("written on"))
    motive = forms.CharField(label=_("motive for joining"), widget=forms.Textarea(attrs={"rows": 2}))
    conduct = forms.CharField(label=_("conduct"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = self.development.contacts.all() if self.development else Member.objects.none()


class BranchReviewForm(_StepForm):
    reviewed_on = forms.DateField(label=_("reviewed on"))
    conclusion = forms.CharField(label=_("conclusion"), widget=forms.Textarea(attrs={"rows": 2}))


class CandidateForm(_StepForm):
    candidate_on = forms.DateField(label=_("became a candidate on"))


class PreparationForm(_StepForm):
    sponsors = forms.ModelMultipleChoiceField(
        label=_("sponsors (入党介绍人)"),
        queryset=Member.objects.none(),
        required=False,
        help_text=_("Two full members."),
    )
    political_review_on = forms.DateField(label=_("political review passed on"), required=False)
    training_days = forms.IntegerField(label=_("training days"), min_value=0, max_value=365, initial=0)
    training_hours = forms.IntegerField(label=_("training class hours"), min_value=0, max_value=2000, initial=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["political_review_on"].initial = None
        self.fields["sponsors"].queryset = _full_members(self.member.branch, self.member)
        if self.development and not self.is_bound:
            self.initial.update(
                sponsors=list(self.development.sponsors.all()),
                political_review_on=self.development.political_review_on,
                training_days=self.development.training_days,
                training_hours=self.development.training_hours,
            )


class AdmitForm(_StepForm):
    admitted_on = forms.DateField(label=_("admitted by the branch meeting on"))


class ProbationForm(_StepForm):
    outcome = forms.ChoiceField(label=_("end of probation"), choices=Development.ProbationOutcome.choices)
    decided_on = forms.DateField(label=_("decided on"))
    extension_months = forms.IntegerField(
        label=_("extend by (months)"),
        required=False,
        min_value=1,
        max_value=24,
        help_text=_("Only for an extension."),
    )
