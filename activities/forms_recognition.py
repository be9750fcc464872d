"""Forms for recognition. They validate input; activities/services/recognition.py applies the rules."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.forms import DateInput
from members.models import Member

from .models import BranchRule, Honor, Innovation, InnovationAward, ModelSelection, Nomination, Patent, Publicity


def _field(model, name, **kwargs):
    return model._meta.get_field(name).formfield(**kwargs)


def _branch_members(branch):
    """The branch's current people, by name: the choices for every "who" field here."""
    return Member.objects.filter(branch=branch).active().order_by("name")


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class MemberMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class InnovationForm(forms.Form):
    """A plain Form: the service writes the project, members included."""

    kind = _field(Innovation, "kind")
    title = _field(Innovation, "title")
    lead = MemberChoiceField(label=_("lead"), queryset=Member.objects.none())
    members = MemberMultipleChoiceField(
        label=_("members"),
        queryset=Member.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("The lead is always included. Hold Ctrl (or ⌘) to choose several."),
    )
    problem = _field(Innovation, "problem", widget=forms.Textarea(attrs={"rows": 3}))
    solution = _field(Innovation, "solution", widget=forms.Textarea(attrs={"rows": 3}))
    result = _field(Innovation, "result", widget=forms.Textarea(attrs={"rows": 3}))
    status = _field(Innovation, "status")
    started_on = _field(Innovation, "started_on", widget=DateInput())

    def __init__(self, *args, branch, **kwargs):
        super().__init__(*args, **kwargs)
        people = _branch_members(branch)
        self.fields["lead"].queryset = people
        self.fields["members"].queryset = people
        self.initial.setdefault("started_on", timezone.localdate())

    @classmethod
    def initial_for(cls, innovation: Innovation) -> dict:
        initial = {name: getattr(innovation, name) for name in cls.base_fields if name not in ("lead", "members")}
        initial["lead"] = innovation.lead_id
        initial["members"] = [m.pk for m in innovation.members.all()]
        return initial


class AwardForm(forms.Form):
    name = _field(InnovationAward, "name")
    level = _field(InnovationAward, "level", help_text=_("For example: plant, oilfield company."))
    awarded_on = _field(InnovationAward, "awarded_on", widget=DateInput())


class PatentForm(forms.Form):
    number = _field(Patent, "number", help_text=_("For example ZL 2016 2 0123456.7"))
    kind = _field(Patent, "kind")
    granted_on = _field(Patent, "granted_on", widget=DateInput())


class HonorForm(forms.Form):
    member = MemberChoiceField(
        label=_("member"),
        queryset=Member.objects.none(),
        required=False,
        empty_label=_("— the branch itself —"),
    )
    title = _field(Honor, "title")
    level = _field(Honor, "level")
    awarded_on = _field(Honor, "awarded_on", widget=DateInput())
    awarded_by = _field(Honor, "awarded_by")
    citation = _field(Honor, "citation", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, branch, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = _branch_members(branch)


class PublicityForm(forms.Form):
    level = _field(Publicity, "level")
    title = _field(Publicity, "title")
    shared_on = _field(Publicity, "shared_on", widget=DateInput())
    link = _field(Publicity, "link", assume_scheme="https")
    member = MemberChoiceField(label=_("member"), queryset=Member.objects.none(), required=False)
    honor = forms.ModelChoiceField(label=_("honour"), queryset=Honor.objects.none(), required=False)

    def __init__(self, *args, branch, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = _branch_members(branch)
        self.fields["honor"].queryset = Honor.objects.filter(branch=branch).order_by("-awarded_on")
        self.initial.setdefault("shared_on", timezone.localdate())


class SelectionForm(forms.Form):
    title = _field(ModelSelection, "title")


class NominationForm(forms.Form):
    member = MemberChoiceField(label=_("member"), queryset=Member.objects.none())
    reason = _field(Nomination, "reason", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, selection: ModelSelection, nominator: Member, **kwargs):
        super().__init__(*args, **kwargs)
        # Party members of the branch, not oneself, not already nominated.
        self.fields["member"].queryset = (
            _branch_members(selection.branch)
            .party_members()
            .exclude(pk=nominator.pk)
            .exclude(nominations__selection=selection)
        )


class DecideForm(forms.Form):
    selected = forms.ModelMultipleChoiceField(
        label=_("chosen as model members"),
        queryset=Nomination.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, selection: ModelSelection, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["selected"].queryset = selection.nominations.select_related("member").order_by("member__name")
        self.fields["selected"].label_from_instance = lambda n: n.member.name


class RuleForm(forms.Form):
    title = _field(BranchRule, "title")
    body = _field(BranchRule, "body", widget=forms.Textarea(attrs={"rows": 8}))
    position = _field(BranchRule, "position", help_text=_("Rules are shown from the smallest number up."))
