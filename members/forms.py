"""Forms validate input and nothing else; services apply the business rules."""

from django import forms
from django.core.validators import FileExtensionValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branch.models import PartyGroup, WorkTeam

from .ethnicities import Ethnicity
from .models import CommitteeRole, CorrectionRequest, Member, StudyRecord
from .names import normalize_name
from .recordbook import sections
from .validators import normalize_id_card

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_EXTENSIONS = ["pdf", "doc", "docx", "jpg", "jpeg", "png", "txt"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class MemberForm(forms.ModelForm):
    photo = forms.ImageField(
        label=_("photo"), required=False, help_text=_("JPEG, PNG or WebP, at most 5 MB. Location data is removed.")
    )
    remove_photo = forms.BooleanField(label=_("remove the current photo"), required=False)

    class Meta:
        model = Member
        fields = [
            "name",
            "gender",
            "ethnicity",
            "birth_date",
            "employee_number",
            "id_card_number",
            "phone",
            "status",
            "joined_on",
            "party_group",
            "work_team",
            "is_group_leader",
            "is_publicist",
            "is_liaison",
            "is_server",
        ]
        widgets = {"birth_date": DateInput(), "joined_on": DateInput()}

    def __init__(self, *args, branch, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party_group"].queryset = PartyGroup.objects.filter(branch=branch)
        self.fields["work_team"].queryset = WorkTeam.objects.filter(branch=branch)
        if not (self.instance.pk and self.instance.photo):
            del self.fields["remove_photo"]

    def clean_id_card_number(self):
        return (self.cleaned_data.get("id_card_number") or "").strip().upper()


class ArchiveForm(forms.Form):
    archive_reason = forms.ChoiceField(label=_("reason for leaving"), choices=Member.ArchiveReason.choices)
    archived_on = forms.DateField(label=_("left on"), widget=DateInput(), initial=timezone.localdate)
    archive_note = forms.CharField(label=_("note on leaving"), max_length=200, required=False)


class RosterFilterForm(forms.Form):
    q = forms.CharField(label=_("name or employee number"), required=False)
    party_group = forms.ModelChoiceField(label=_("party group"), queryset=PartyGroup.objects.none(), required=False)
    work_team = forms.ModelChoiceField(label=_("work team"), queryset=WorkTeam.objects.none(), required=False)
    status = forms.ChoiceField(label=_("party status"), choices=[("", "—"), *Member.Status.choices], required=False)
    ethnicity = forms.ChoiceField(label=_("ethnicity"), choices=[("", "—"), *Ethnicity.choices], required=False)
    committee_role = forms.ChoiceField(
        label=_("committee role"), choices=[("", "—"), *CommitteeRole.Role.choices], required=False
    )
    archived = forms.BooleanField(label=_("show members who left"), required=False)

    def __init__(self, *args, branch_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party_group"].queryset = PartyGroup.objects.filter(branch_id__in=branch_ids)
        self.fields["work_team"].queryset = WorkTeam.objects.filter(branch_id__in=branch_ids)


class StudyRecordForm(forms.ModelForm):
    class Meta:
        model = StudyRecord
        fields = ["studied_on", "topic", "form", "hours", "notes", "attachment"]
        widgets = {"studied_on": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachment"].validators.append(FileExtensionValidator(ATTACHMENT_EXTENSIONS))
        self.fields["attachment"].help_text = _("Optional: PDF, Word, picture or text, at most 10 MB.")
        if not self.instance.pk:
            self.initial.setdefault("studied_on", timezone.localdate())

    def clean_attachment(self):
        attachment = self.cleaned_data.get("attachment")
        if attachment and getattr(attachment, "size", 0) > ATTACHMENT_MAX_BYTES:
            raise forms.ValidationError(_("The attachment is larger than 10 MB."), code="attachment_size")
        return attachment


class StudyReturnForm(forms.Form):
    reason = forms.CharField(label=_("reason for returning"), max_length=200)


class CorrectionForm(forms.ModelForm):
    """The member's personal fields, prefilled with today's values; only the changed ones are sent."""

    reason = forms.CharField(label=_("why the correction is needed"), max_length=200)

    class Meta:
        model = Member
        fields = list(CorrectionRequest.CORRECTABLE_FIELDS)
        widgets = {"birth_date": DateInput()}

    # Fold spellings as Member.save() does, so a variant of today's value is not a change.
    def clean_name(self):
        return normalize_name(self.cleaned_data.get("name"))

    def clean_id_card_number(self):
        return normalize_id_card(self.cleaned_data.get("id_card_number"))

    def validate_unique(self):
        # Uniqueness is checked again when the secretary approves; here it would only reveal
        # whether another member holds a number.
        pass

    def proposed(self) -> dict:
        return {name: self.cleaned_data[name] for name in CorrectionRequest.CORRECTABLE_FIELDS}


class CorrectionRejectForm(forms.Form):
    reason = forms.CharField(label=_("reason for rejecting"), max_length=200)


def _year_choices():
    this_year = timezone.localdate().year
    return [("", _("all years")), *[(str(y), str(y)) for y in range(this_year, this_year - 10, -1)]]


class BookFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("year"), coerce=int, required=False, empty_value=None)
    quarter = forms.TypedChoiceField(
        label=_("quarter"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", _("whole year")), ("1", "Q1"), ("2", "Q2"), ("3", "Q3"), ("4", "Q4")],
    )
    section = forms.ChoiceField(label=_("section"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _year_choices()
        self.fields["section"].choices = [("", _("timeline")), *[(s.key, s.title) for s in sections()]]

    def clean(self):
        data = super().clean()
        if data.get("quarter") and not data.get("year"):
            self.add_error("quarter", _("Choose a year for the quarter."))
        return data
