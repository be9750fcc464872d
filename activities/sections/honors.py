"""Record-book sections contributed by the activities app."""

from django.utils.translation import gettext_lazy

from members.models import Member
from members.recordbook import Entry, Period, Section, register

from ..models import Honor


def honor_entries(member: Member, period: Period) -> list[Entry]:
    return [
        Entry(
            section="honors",
            date=h.awarded_on,
            title=h.title,
            detail=" · ".join(filter(None, [h.get_level_display(), h.awarded_by])),
            status_tone="warning",
        )
        for h in Honor.objects.filter(member=member, **period.date_filter("awarded_on"))
    ]


def register_sections() -> None:
    register(Section("honors", gettext_lazy("Honours"), 50, honor_entries))
