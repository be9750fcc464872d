"""Record-book sections for recognition: the innovation projects a member took part in, with their
awards and patents, and the published 五带头标兵 selections that chose them."""

from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.models import Member
from members.recordbook import Entry, Period, Section, register

from ..models import Innovation, InnovationAward, ModelSelection, Nomination, Patent


def _in_period(period: Period, day) -> bool:
    return period.year is None or period.start <= day <= period.end


def innovation_entries(member: Member, period: Period) -> list[Entry]:
    """The projects (dated by their start), their awards and patents (dated when given), each in the
    period on its own date. Three queries whatever the number of projects."""
    projects = (
        Innovation.objects.filter(Q(members=member) | Q(lead=member))
        .distinct()
        .prefetch_related(
            Prefetch("awards", queryset=InnovationAward.objects.order_by("awarded_on")),
            Prefetch("patents", queryset=Patent.objects.order_by("granted_on")),
        )
        .order_by("-started_on")
    )
    entries = []
    for project in projects:
        url = reverse("activities:innovation_detail", args=[project.pk])
        if _in_period(period, project.started_on):
            role = _("lead") if project.lead_id == member.pk else _("member")
            entries.append(
                Entry(
                    section="innovations",
                    date=project.started_on,
                    title=project.title,
                    detail=" · ".join([project.get_kind_display(), role]),
                    status=project.get_status_display(),
                    status_tone="success" if project.status == Innovation.Status.DONE else "secondary",
                    url=url,
                )
            )
        for award in project.awards.all():
            if _in_period(period, award.awarded_on):
                entries.append(
                    Entry(
                        section="innovations",
                        date=award.awarded_on,
                        title=f"{award.name} · {project.title}",
                        detail=award.level,
                        status=_("award"),
                        status_tone="warning",
                        url=url,
                    )
                )
        for patent in project.patents.all():
            if _in_period(period, patent.granted_on):
                entries.append(
                    Entry(
                        section="innovations",
                        date=patent.granted_on,
                        title=f"{patent.get_kind_display()} {patent.number}",
                        detail=project.title,
                        status=_("patent"),
                        status_tone="info",
                        url=url,
                    )
                )
    return entries


def model_member_entries(member: Member, period: Period) -> list[Entry]:
    """Published selections that chose the member, dated when published. One query."""
    chosen = Nomination.objects.filter(
        member=member,
        selected=True,
        selection__state=ModelSelection.State.PUBLISHED,
        **period.date_filter("selection__published_on"),
    ).select_related("selection")
    return [
        Entry(
            section="model_members",
            date=n.selection.published_on,
            title=n.selection.title,
            detail=n.reason,
            status=_("model member"),
            status_tone="danger",
            url=reverse("activities:selection_detail", args=[n.selection_id]),
        )
        for n in chosen
    ]


def register_sections() -> None:
    register(Section("innovations", gettext_lazy("Innovation"), 52, innovation_entries))
    register(Section("model_members", gettext_lazy("Model members"), 54, model_member_entries))
