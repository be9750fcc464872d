"""The record book's "meetings attended" section: a member's organisation life (三会一课, 主题党日)."""

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.models import Member
from members.recordbook import Entry, Period, Section, Total, register

from ..models import MeetingAttendance

Presence = MeetingAttendance.Presence
_TONES = {Presence.PRESENT: "success", Presence.EXCUSED: "secondary", Presence.ABSENT: "danger"}


def meeting_entries(member: Member, period: Period) -> list[Entry]:
    """Every meeting the member is on the attendance list of, with their presence. One query."""
    rows = (
        MeetingAttendance.objects.filter(member=member, **period.date_filter("meeting__held_on"))
        .select_related("meeting", "meeting__party_group")
        .order_by("-meeting__held_on", "-meeting_id")
    )
    return [
        Entry(
            section="meetings",
            date=row.meeting.held_on,
            title=f"{row.meeting.get_kind_display()}: {row.meeting.topic}",
            detail=row.meeting.party_group.name if row.meeting.party_group else "",
            status=row.get_presence_display(),
            status_tone=_TONES[row.presence],
        )
        for row in rows
    ]


def meeting_totals(member: Member, period: Period) -> list[Total]:
    figures = MeetingAttendance.objects.filter(member=member, **period.date_filter("meeting__held_on")).aggregate(
        present=Count("pk", filter=Q(presence=Presence.PRESENT)), recorded=Count("pk")
    )
    return [Total(_("Meetings attended"), f"{figures['present']} / {figures['recorded']}")]


def register_sections() -> None:
    register(Section("meetings", gettext_lazy("Meetings attended"), 30, meeting_entries, meeting_totals))
