"""The record book's guidance visits: a committee member's visits to their linked team (联点班组)."""

from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.models import Member
from members.recordbook import Entry, Period, Section, register

from ..models import GuidanceVisit


def guidance_entries(member: Member, period: Period) -> list[Entry]:
    """One query, whatever the number of visits."""
    visits = (
        GuidanceVisit.objects.filter(member=member, **period.date_filter("visited_on"))
        .select_related("work_team")
        .only("pk", "visited_on", "guidance", "problems", "member_id", "work_team__name")
    )
    return [
        Entry(
            section="guidance",
            date=visit.visited_on,
            title=_("Guidance visit to %(team)s") % {"team": visit.work_team.name},
            detail=Truncator(visit.guidance).chars(120)
            + (f" — {_('problems found')}: {Truncator(visit.problems).chars(80)}" if visit.problems else ""),
            url=reverse("activities:guidance_detail", args=[visit.pk]),
        )
        for visit in visits
    ]


def register_sections() -> None:
    register(Section("guidance", gettext_lazy("Guidance visits"), 75, guidance_entries))
