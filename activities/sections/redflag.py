"""The record book's red-flag section: the member's assignments (asset, schedule, targets, latest
attainment). Two queries whatever the number of assignments and readings."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.models import Member
from members.recordbook import Entry, Period, Section, register

from ..selectors.redflag import AssignmentStatus, member_assignments


def _detail(status: AssignmentStatus) -> str:
    assignment = status.assignment
    targets = "、".join(f"{i.label} {i.target} {i.unit}" for i in status.indicators)
    parts = [
        _("Schedule: %(schedule)s") % {"schedule": assignment.schedule},
        _("Targets: %(targets)s") % {"targets": targets or "—"},
    ]
    if status.month is not None:
        attained = "、".join(f"{i.label} {i.percent} %" for i in status.indicators if i.percent is not None)
        parts.append(
            _("Attainment in %(month)s: %(attained)s") % {"month": f"{status.month:%Y-%m}", "attained": attained}
        )
    if assignment.ended_on:
        parts.append(_("ended %(date)s: %(reason)s") % {"date": assignment.ended_on, "reason": assignment.end_reason})
    return " · ".join(parts)


def red_flag_entries(member: Member, period: Period) -> list[Entry]:
    statuses = member_assignments(member, today=timezone.localdate(), start=period.start, end=period.end)
    entries = []
    for status in statuses:
        assignment, asset = status.assignment, status.assignment.asset
        active = assignment.ended_on is None
        entries.append(
            Entry(
                section="red_flag",
                date=assignment.started_on,
                title=_("Red-flag %(kind)s %(code)s") % {"kind": asset.get_kind_display(), "code": asset.code},
                detail=_detail(status),
                status=status.colour_label if active else _("ended"),
                status_tone=status.tone if active else "secondary",
                url=reverse("activities:asset_chart", args=[asset.pk]) if active else "",
            )
        )
    return entries


def register_sections() -> None:
    register(Section("red_flag", gettext_lazy("Red-flag wells and equipment"), 45, red_flag_entries))
