"""Forms for service activities. They validate input; activities/services/service.py applies the rules."""

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.forms import DateInput
from members.models import Member

from .models import Activity, ActivityPhoto
from .services.service import Mark


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


def _model_field(name, **kwargs):
    return Activity._meta.get_field(name).formfield(**kwargs)


class ActivityForm(forms.Form):
    """An activity on the calendar: one day, from a start time to an end time. A plain Form, not a
    ModelForm: the service compares the activity as stored with the change."""

    kind = _model_field("kind")
    title = _model_field("title", help_text=_("For a topic class, its topic."))
    state = _model_field("state")
    day = forms.DateField(label=_("date"), widget=DateInput())
    start_time = forms.TimeField(label=_("starts at"), widget=TimeInput())
    end_time = forms.TimeField(label=_("ends at"), widget=TimeInput())
    place = _model_field("place")
    organiser = forms.ModelChoiceField(label=_("organiser"), queryset=Member.objects.none())
    task = _model_field("task", help_text=_("Dedication days only."))
    description = _model_field(
        "description",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was done, in your words; needed when the task is “other work”."),
    )
    teacher = _model_field("teacher", help_text=_("Topic classes only: who teaches."))

    # Where the service's errors about the stored fields show on this form.
    FIELD_FOR = {"starts_at": "start_time", "ends_at": "end_time"}

    def __init__(self, *args, branch, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organiser"].queryset = Member.objects.filter(branch=branch).active().order_by("employee_number")

    @classmethod
    def initial_for(cls, activity: Activity) -> dict:
        starts, ends = timezone.localtime(activity.starts_at), timezone.localtime(activity.ends_at)
        return {
            **{name: getattr(activity, name) for name in ("kind", "title", "state", "place", "task", "description")},
            "teacher": activity.teacher,
            "organiser": activity.organiser_id,
            "day": starts.date(),
            "start_time": starts.time().replace(second=0, microsecond=0),
            "end_time": ends.time().replace(second=0, microsecond=0),
        }

    def activity_fields(self) -> dict:
        """The cleaned data as the service takes it: `day` and the two times become aware datetimes."""
        data = dict(self.cleaned_data)
        day, start, end = data.pop("day"), data.pop("start_time"), data.pop("end_time")
        data["starts_at"] = timezone.make_aware(dt.datetime.combine(day, start))
        data["ends_at"] = timezone.make_aware(dt.datetime.combine(day, end))
        return data


class AttendanceForm(forms.Form):
    """One line per member of the checklist: present (a tick), hours and the reason for hours that
    differ from the activity's length. Hours start at the activity's length, so only exceptions
    need typing."""

    def __init__(self, *args, sheet, default_hours: Decimal, **kwargs):
        super().__init__(*args, **kwargs)
        self.sheet = sheet
        for row in sheet.rows:
            pk = row.member.pk
            att = row.attendance
            self.fields[f"p{pk}"] = forms.BooleanField(label=row.member.name, required=False, initial=row.present)
            self.fields[f"h{pk}"] = forms.DecimalField(
                label=_("hours"),
                required=False,
                min_value=0,
                max_value=Decimal("99.9"),
                decimal_places=1,
                initial=att.hours if row.present else default_hours,
            )
            self.fields[f"r{pk}"] = forms.CharField(
                label=_("reason for different hours"),
                required=False,
                max_length=200,
                initial=att.hours_reason if att else "",
            )

    def groups(self):
        """For the template: (sheet group, [(row, tick, hours, reason), ...])."""
        return [
            (
                group,
                [
                    (row, self[f"p{row.member.pk}"], self[f"h{row.member.pk}"], self[f"r{row.member.pk}"])
                    for row in group.rows
                ],
            )
            for group in self.sheet.groups
        ]

    def marks(self, *, all_present_group: str | None = None) -> dict[int, Mark]:
        """member id → Mark; `all_present_group` (a sheet group's key) ticks everyone in that group."""
        marks = {}
        for group in self.sheet.groups:
            for row in group.rows:
                pk = row.member.pk
                present = self.cleaned_data[f"p{pk}"] or group.key == all_present_group
                marks[pk] = Mark(
                    present=present, hours=self.cleaned_data[f"h{pk}"], hours_reason=self.cleaned_data[f"r{pk}"]
                )
        return marks


class PhotoForm(forms.Form):
    image = forms.FileField(
        label=_("photo"),
        help_text=_("JPEG, PNG or WebP, at most 5 MB; the location and camera data are removed."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    caption = forms.CharField(
        label=ActivityPhoto._meta.get_field("caption").verbose_name, max_length=200, required=False
    )


class CalendarFilterForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100, required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=[("", "—"), *Activity.Kind.choices], required=False)
