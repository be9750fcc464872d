"""Forms for meetings (三会一课). They validate input; activities/services/meetings.py applies the rules."""

from django import forms
from django.core.validators import FileExtensionValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branch.models import PartyGroup
from members.forms import DateInput

from .models import Meeting, MeetingAttendance

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_MAX_FILES = 10
ATTACHMENT_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "jpg", "jpeg", "png", "txt"]


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input: cleans each and gives a list (empty when none was chosen)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files if f]


def _model_field(name, **kwargs):
    return Meeting._meta.get_field(name).formfield(**kwargs)


class MeetingForm(forms.Form):
    """A meeting's record. A plain Form, not a ModelForm: the service compares the meeting as stored
    with the change, so the form must not write onto the instance."""

    kind = _model_field("kind")
    party_group = forms.ModelChoiceField(
        label=_("party group"),
        queryset=PartyGroup.objects.none(),
        required=False,
        help_text=_("Only for party group meetings."),
    )
    held_on = _model_field("held_on", widget=DateInput())
    topic = _model_field("topic")
    minutes = _model_field("minutes", widget=forms.Textarea(attrs={"rows": 6}))
    has_vote = _model_field("has_vote")
    attachments = MultipleFileField(
        label=_("attachments"),
        required=False,
        help_text=_(
            "Optional: minutes, sign-in sheets, photos (PDF, Word, Excel, PowerPoint, picture or text); "
            "up to 10 files of at most 10 MB each."
        ),
    )

    def __init__(self, *args, branch, group_only=None, **kwargs):
        """`group_only`: the party group of a leader who may record only their group's meetings."""
        super().__init__(*args, **kwargs)
        self.fields["attachments"].validators.append(FileExtensionValidator(ATTACHMENT_EXTENSIONS))
        if group_only is not None:
            self.fields["kind"].choices = [(Meeting.Kind.GROUP, Meeting.Kind.GROUP.label)]
            self.fields["party_group"].queryset = PartyGroup.objects.filter(pk=group_only.pk)
            self.fields["party_group"].required = True
            self.fields["party_group"].empty_label = None
            self.fields["has_vote"].disabled = True
        else:
            self.fields["party_group"].queryset = PartyGroup.objects.filter(branch=branch)
        self.initial.setdefault("held_on", timezone.localdate())

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        if len(files) > ATTACHMENT_MAX_FILES:
            raise forms.ValidationError(_("Attach at most 10 files at a time."), code="attachment_count")
        if any(f.size > ATTACHMENT_MAX_BYTES for f in files):
            raise forms.ValidationError(_("An attachment is larger than 10 MB."), code="attachment_size")
        return files


class AttendanceForm(forms.Form):
    """Present, excused or absent for each eligible member; everyone starts as present (or as
    recorded before), so the recorder only marks the exceptions."""

    def __init__(self, *args, members, recorded: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(members)
        for member in self.members:
            self.fields[self.field_name(member.pk)] = forms.ChoiceField(
                label=member.name,
                choices=MeetingAttendance.Presence.choices,
                initial=recorded.get(member.pk, MeetingAttendance.Presence.PRESENT),
                widget=forms.RadioSelect,
            )

    @staticmethod
    def field_name(member_id: int) -> str:
        return f"m{member_id}"

    @property
    def rows(self):
        """(member, bound field) in roster order, for the checklist."""
        return [(m, self[self.field_name(m.pk)]) for m in self.members]

    def presence(self) -> dict[int, str]:
        return {m.pk: self.cleaned_data[self.field_name(m.pk)] for m in self.members}


class CalendarYearForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)


class MeetingFilterForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100, required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=[("", "—"), *Meeting.Kind.choices], required=False)
    party_group = forms.ModelChoiceField(label=_("party group"), queryset=PartyGroup.objects.none(), required=False)

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party_group"].queryset = groups
