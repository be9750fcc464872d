"""The member-side sections of the record book: study, pairings, development, committee work.

Each function takes one query whatever the number of rows (see members/recordbook.py)."""

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import CommitteeRole, Development, Member, Pairing, StudyRecord, TeamLink
from .recordbook import Entry, Period, Section, Total, register

_STUDY_TONES = {
    StudyRecord.Status.CONFIRMED: "success",
    StudyRecord.Status.SUBMITTED: "warning",
    StudyRecord.Status.RETURNED: "danger",
}


def study_entries(member: Member, period: Period) -> list[Entry]:
    records = StudyRecord.objects.filter(member=member, **period.date_filter("studied_on")).only(
        "pk", "studied_on", "topic", "form", "hours", "status", "return_reason", "member_id"
    )
    return [
        Entry(
            section="study",
            date=r.studied_on,
            title=r.topic,
            detail=_("%(form)s, %(hours)s h") % {"form": r.get_form_display(), "hours": r.hours}
            + (f" — {r.return_reason}" if r.status == StudyRecord.Status.RETURNED and r.return_reason else ""),
            status=r.get_status_display(),
            status_tone=_STUDY_TONES[r.status],
            url=reverse("members:study_edit", args=[r.pk]) if r.status != StudyRecord.Status.CONFIRMED else "",
        )
        for r in records
    ]


def study_totals(member: Member, period: Period) -> list[Total]:
    confirmed = Q(status=StudyRecord.Status.CONFIRMED)
    figures = StudyRecord.objects.filter(member=member, **period.date_filter("studied_on")).aggregate(
        hours=Sum("hours", filter=confirmed), count=Count("pk", filter=confirmed)
    )
    return [
        Total(_("Study hours (confirmed)"), figures["hours"] or 0, _("h")),
        Total(_("Study records (confirmed)"), figures["count"]),
    ]


def pairing_entries(member: Member, period: Period) -> list[Entry]:
    pairings = (
        Pairing.objects.filter(Q(mentor=member) | Q(mentee=member), **period.date_filter("started_on"))
        .select_related("mentor", "mentee")
        .order_by("-started_on")
    )
    entries = []
    for p in pairings:
        partner = p.mentee if p.mentor_id == member.pk else p.mentor
        entries.append(
            Entry(
                section="pairings",
                date=p.started_on,
                title=f"{p.get_kind_display()}: {partner.name}",
                detail=p.goal,
                status=_("ended %(date)s") % {"date": p.ended_on} if p.ended_on else _("ongoing"),
                status_tone="secondary" if p.ended_on else "info",
            )
        )
    return entries


def development_entries(member: Member, period: Period) -> list[Entry]:
    dev = Development.objects.filter(member=member).first()
    if dev is None:
        return []
    steps = [
        (dev.applied_on, _("Submitted the application to join the Party")),
        (dev.talked_on, _("Talk with the branch")),
        (dev.activist_on, _("Became an activist")),
        (dev.candidate_on, _("Became a candidate for admission")),
        (dev.admitted_on, _("Admitted as a probationary member")),
    ]
    if dev.probation_decided_on:
        steps.append((dev.probation_decided_on, dev.get_probation_outcome_display()))
    start, end = period.start, period.end
    return [
        Entry(section="development", date=day, title=str(title))
        for day, title in steps
        if day and (start is None or start <= day <= end)
    ]


def committee_entries(member: Member, period: Period) -> list[Entry]:
    entries = [
        Entry(
            section="committee",
            date=role.started_on,
            title=role.get_role_display(),
            status=_("until %(date)s") % {"date": role.ended_on} if role.ended_on else _("current"),
            status_tone="secondary" if role.ended_on else "success",
        )
        for role in CommitteeRole.objects.filter(member=member, **period.date_filter("started_on"))
    ]
    entries += [
        Entry(
            section="committee",
            date=link.started_on,
            title=_("Linked work team: %(team)s") % {"team": link.work_team.name},
            status=_("until %(date)s") % {"date": link.ended_on} if link.ended_on else _("current"),
            status_tone="secondary" if link.ended_on else "success",
        )
        for link in TeamLink.objects.filter(member=member, **period.date_filter("started_on")).select_related(
            "work_team"
        )
    ]
    return entries


def register_member_sections() -> None:
    register(Section("study", gettext_lazy("Study records"), 20, study_entries, study_totals))
    register(Section("pairings", gettext_lazy("Pairings"), 40, pairing_entries))
    register(Section("development", gettext_lazy("Joining the Party"), 60, development_entries))
    register(Section("committee", gettext_lazy("Committee work"), 70, committee_entries))
