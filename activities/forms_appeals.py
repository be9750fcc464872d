"""Forms for opinion forums and appeals. They validate input; activities/services/appeals.py applies
the rules (dates, transitions, who may)."""

from django import forms
from django.core.validators import FileExtensionValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branch.models import WorkTeam
from members.forms import DateInput
from members.models import Employee, Member

from .forms_meetings import ATTACHMENT_EXTENSIONS, ATTACHMENT_MAX_BYTES, ATTACHMENT_MAX_FILES, MultipleFileField
from .models import Appeal, Forum


def _appeal_field(name, **kwargs):
    return Appeal._meta.get_field(name).formfield(**kwargs)


def _attachments_field():
    field = MultipleFileField(
        label=_("attachments"),
        required=False,
        help_text=_("Optional: letters, photos, documents (PDF, Word, Excel, picture or text); at most 10 MB each."),
    )
    field.validators.append(FileExtensionValidator(ATTACHMENT_EXTENSIONS))
    return field


def _clean_files(files):
    files = files or []
    if len(files) > ATTACHMENT_MAX_FILES:
        raise forms.ValidationError(_("Attach at most 10 files at a time."), code="attachment_count")
    if any(f.size > ATTACHMENT_MAX_BYTES for f in files):
        raise forms.ValidationError(_("An attachment is larger than 10 MB."), code="attachment_size")
    return files


def branch_members(branch):
    return Member.objects.filter(branch=branch).active().order_by("employee_number")


class ForumForm(forms.Form):
    held_on = forms.DateField(label=_("held on"), widget=DateInput())
    work_team = forms.ModelChoiceField(label=_("work team"), queryset=WorkTeam.objects.none())
    members_present = forms.ModelMultipleChoiceField(
        label=_("branch members present"),
        queryset=Member.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    employees_present = forms.ModelMultipleChoiceField(
        label=_("employees present"),
        queryset=Employee.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    new_employees = forms.CharField(
        label=_("other employees present"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Employees not on record yet: one name a line; they join the forum's work team."),
    )
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, branch, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["work_team"].queryset = WorkTeam.objects.filter(branch=branch)
        self.fields["members_present"].queryset = branch_members(branch)
        self.fields["employees_present"].queryset = Employee.objects.filter(branch=branch).select_related("work_team")
        self.initial.setdefault("held_on", timezone.localdate())

    def clean_new_employees(self):
        return [line.strip() for line in self.cleaned_data["new_employees"].splitlines() if line.strip()]


class RequesterFields(forms.Form):
    """Choose an employee on record, or type a new one's name and team (created on saving)."""

    requester = forms.ModelChoiceField(
        label=_("requester"),
        queryset=Employee.objects.none(),
        required=False,
        help_text=_("An employee on record; or leave empty and give a new one's name and team below."),
    )
    new_name = forms.CharField(label=_("new employee's name"), max_length=50, required=False)
    new_team = forms.ModelChoiceField(
        label=_("new employee's work team"), queryset=WorkTeam.objects.none(), required=False
    )

    def __init__(self, *args, branch, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requester"].queryset = Employee.objects.filter(branch=branch).select_related("work_team")
        self.fields["new_team"].queryset = WorkTeam.objects.filter(branch=branch)

    def clean(self):
        data = super().clean()
        chosen, typed = data.get("requester"), (data.get("new_name") or "").strip()
        if chosen and typed:
            raise forms.ValidationError(_("Choose an employee on record or type a new one, not both."), code="both")
        if not chosen and not typed:
            self.add_error("requester", forms.ValidationError(_("Choose the employee or type a new one."), code="none"))
        return data


class AppealForm(RequesterFields):
    forum = forms.ModelChoiceField(label=_("forum"), queryset=Forum.objects.none(), required=False)
    channel = _appeal_field("channel")
    received_on = forms.DateField(
        label=_("received on"),
        widget=DateInput(),
        required=False,
        help_text=_("Empty: the day of the forum, or today."),
    )
    content = _appeal_field("content", widget=forms.Textarea(attrs={"rows": 4}))
    category = _appeal_field("category")
    handler = forms.ModelChoiceField(label=_("handled by (liaison)"), queryset=Member.objects.none())
    deadline = forms.DateField(
        label=_("answer by"),
        widget=DateInput(),
        required=False,
        help_text=_("Empty: the branch's usual number of days after it was received."),
    )
    attachments = _attachments_field()

    field_order = ["forum", "channel", "received_on", "requester", "new_name", "new_team", "content", "category"]

    def __init__(self, *args, branch, **kwargs):
        super().__init__(*args, branch=branch, **kwargs)
        self.fields["forum"].queryset = Forum.objects.filter(branch=branch).select_related("work_team")
        # Liaisons (联络员) first: passing on employees' requests is their role.
        self.fields["handler"].queryset = branch_members(branch).order_by("-is_liaison", "employee_number")

    def clean_attachments(self):
        return _clean_files(self.cleaned_data.get("attachments"))


class AppealUpdateForm(forms.Form):
    status = _appeal_field("status")
    answer = forms.CharField(label=_("answer"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    answered_on = forms.DateField(
        label=_("answered on"), widget=DateInput(), required=False, help_text=_("Empty: today.")
    )
    closed_on = forms.DateField(label=_("closed on"), widget=DateInput(), required=False, help_text=_("Empty: today."))
    satisfaction = forms.TypedChoiceField(
        label=_("requester's satisfaction"),
        choices=[("", "—"), *Appeal.Satisfaction.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    handler = forms.ModelChoiceField(label=_("handled by (liaison)"), queryset=Member.objects.none())
    deadline = forms.DateField(label=_("answer by"), widget=DateInput())
    attachments = _attachments_field()

    def __init__(self, *args, appeal, may_reassign: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (value, label) for value, label in Appeal.Status.choices if _forward(appeal.status, value)
        ]
        if may_reassign:
            self.fields["handler"].queryset = branch_members(appeal.branch_id).order_by(
                "-is_liaison", "employee_number"
            )
        else:
            del self.fields["handler"], self.fields["deadline"]
        for name in ("status", "answer", "answered_on", "closed_on", "satisfaction", "handler", "deadline"):
            if name in self.fields:
                self.initial.setdefault(name, getattr(appeal, name + ("_id" if name == "handler" else "")))

    def clean_attachments(self):
        return _clean_files(self.cleaned_data.get("attachments"))


def _forward(current: str, value: str) -> bool:
    order = Appeal.Status.values
    return order.index(value) >= order.index(current)


class AppealFilterForm(forms.Form):
    q = forms.CharField(label=_("search"), required=False)
    status = forms.ChoiceField(label=_("status"), choices=[("", "—"), *Appeal.Status.choices], required=False)
    category = forms.ChoiceField(label=_("category"), choices=[("", "—"), *Appeal.Category.choices], required=False)
    channel = forms.ChoiceField(label=_("channel"), choices=[("", "—"), *Appeal.Channel.choices], required=False)
    handler = forms.ModelChoiceField(label=_("handled by (liaison)"), queryset=Member.objects.none(), required=False)
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100, required=False)
    quarter = forms.TypedChoiceField(
        label=_("quarter"), choices=[("", "—"), *((q, f"Q{q}") for q in range(1, 5))], coerce=int, required=False
    )
    overdue = forms.BooleanField(label=_("overdue only"), required=False)

    def __init__(self, *args, handlers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = handlers


class FiguresYearForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
