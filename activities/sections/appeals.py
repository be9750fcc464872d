"""The record book's "appeals handled" section: the appeals a member handled as liaison (联络员).

An entry shows the category, the channel and where the appeal stands, not what was asked nor who
asked: a group leader reads their group's record books, and members see nothing of others' appeals.
The entry links to the appeal, which opens only for those allowed to see it.
"""

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.models import Member
from members.recordbook import Entry, Period, Section, Total, register

from ..models import Appeal

Status = Appeal.Status
_TONES = {
    Status.RECEIVED: "secondary",
    Status.IN_PROGRESS: "primary",
    Status.ANSWERED: "success",
    Status.CLOSED: "success",
}


def appeal_entries(member: Member, period: Period) -> list[Entry]:
    """One query."""
    rows = Appeal.objects.filter(handler=member, **period.date_filter("received_on")).order_by("-received_on", "-pk")
    return [
        Entry(
            section="appeals",
            date=appeal.received_on,
            title=_("Appeal handled as liaison: %(category)s") % {"category": appeal.get_category_display()},
            detail=appeal.get_channel_display(),
            status=appeal.get_status_display(),
            status_tone=_TONES[appeal.status],
            url=reverse("activities:appeal_detail", args=[appeal.pk]),
        )
        for appeal in rows
    ]


def appeal_totals(member: Member, period: Period) -> list[Total]:
    answered = Q(status__in=(Status.ANSWERED, Status.CLOSED))
    figures = Appeal.objects.filter(handler=member, **period.date_filter("received_on")).aggregate(
        handled=Count("pk"),
        on_time=Count("pk", filter=answered & Q(answered_on__lte=F("deadline"))),
    )
    return [Total(_("Appeals handled (answered on time)"), f"{figures['handled']} ({figures['on_time']})")]


def register_sections() -> None:
    register(Section("appeals", gettext_lazy("Appeals handled"), 65, appeal_entries, appeal_totals))
