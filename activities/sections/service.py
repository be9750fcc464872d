"""The record book's "activities" section: the dedication days, theme activities, topic classes and
pairing sessions a member attended or registered for, with their hours."""

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.models import Member
from members.recordbook import Entry, Period, Section, Total, register

from ..models import Activity, ActivityAttendance
from ..selectors.service import datetime_bounds

State = Activity.State


def _rows(member: Member, period: Period):
    rows = ActivityAttendance.objects.filter(member=member).exclude(activity__state=State.CANCELLED)
    if period.year is not None:
        begin, after = datetime_bounds(period.start, period.end)
        rows = rows.filter(activity__starts_at__gte=begin, activity__starts_at__lt=after)
    return rows


def _status(row: ActivityAttendance) -> tuple[str, str]:
    if row.present:
        return _("attended"), "success"
    if row.activity.state == State.PLANNED:
        return _("registered"), "info"
    return _("registered, absent"), "danger"


def activity_entries(member: Member, period: Period) -> list[Entry]:
    """Every activity the member attended or registered for in the period. One query."""
    rows = _rows(member, period).select_related("activity").order_by("-activity__starts_at", "-activity_id")
    entries = []
    for row in rows:
        activity = row.activity
        status, tone = _status(row)
        detail = [activity.get_kind_display(), activity.place]
        if activity.task:
            detail.append(activity.get_task_display())
        if activity.teacher:
            detail.append(_("teacher: %(name)s") % {"name": activity.teacher})
        if row.present:
            hours = _("%(hours)s hours") % {"hours": row.hours}
            detail.append(f"{hours} ({row.hours_reason})" if row.hours_reason else hours)
        entries.append(
            Entry(
                section="activities",
                date=timezone.localtime(activity.starts_at).date(),
                title=activity.title,
                detail=" · ".join(filter(None, detail)),
                status=status,
                status_tone=tone,
                url=reverse("activities:activity_detail", args=[activity.pk]),
            )
        )
    return entries


def activity_totals(member: Member, period: Period) -> list[Total]:
    """Hours and dedication days attended in the period, counted in the database. One query."""
    figures = _rows(member, period).aggregate(
        hours=Sum("hours", filter=Q(present=True)),
        dedication_days=Count("pk", filter=Q(present=True, activity__kind=Activity.Kind.DEDICATION_DAY)),
    )
    return [
        Total(_("Activity hours"), figures["hours"] or 0, _("h")),
        Total(_("Dedication days"), figures["dedication_days"]),
    ]


def register_sections() -> None:
    register(
        Section("activities", gettext_lazy("Activities and dedication days"), 35, activity_entries, activity_totals)
    )
