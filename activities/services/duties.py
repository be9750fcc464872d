"""Writes for the committee's duties: logging a guidance visit to the linked team (联点班组).

Only visits to one's own currently linked team are logged. The seed's duty is "guide your linked
team at least once a month"; a visit elsewhere would count for nothing on the duty board and would
blur whose team was guided. A committee member who is moved to another team is re-linked first (the
secretary ends the old TeamLink and starts a new one in the admin), then logs visits there.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branch.models import WorkTeam
from members.models import CommitteeRole, Member, TeamLink
from members.services.photos import clean_photo

from ..models import GuidanceVisit


def current_link(member: Member) -> TeamLink | None:
    """The member's active team link with its team, or None."""
    return TeamLink.objects.filter(member=member, ended_on__isnull=True).select_related("work_team").first()


@transaction.atomic
def guidance_visit_log(
    *,
    member: Member,
    visited_on: dt.date,
    guidance: str,
    problems: str = "",
    follow_up: str = "",
    photo=None,
    work_team: WorkTeam | None = None,
) -> GuidanceVisit:
    """Log a committee member's guidance visit to their linked work team.

    Guarantees: the visitor holds an active committee seat and is not archived; the visit is to the
    team they are linked to now (`work_team`, when given, must be that team; by default it is); it is
    dated no later than today and no earlier than the link began; a photo is stored re-encoded as
    JPEG without EXIF or GPS data (members.services.photos.clean_photo).

    Raises ValidationError: code "not_committee", "no_linked_team", or field errors on
    `work_team`, `visited_on`, `guidance`, `photo`.
    """
    if member.is_archived or not CommitteeRole.objects.filter(member=member, ended_on__isnull=True).exists():
        raise ValidationError(_("Only a member of the branch committee logs guidance visits."), code="not_committee")
    link = current_link(member)
    if link is None:
        raise ValidationError(
            _("You are not linked to a work team yet; the branch secretary links committee members to teams."),
            code="no_linked_team",
        )
    if work_team is not None and work_team.pk != link.work_team_id:
        raise ValidationError(
            {
                "work_team": ValidationError(
                    _("Guidance visits are logged for your own linked team (%(team)s) only."),
                    code="not_linked_team",
                    params={"team": link.work_team.name},
                )
            }
        )
    if visited_on > timezone.localdate():
        raise ValidationError(
            {"visited_on": ValidationError(_("A guidance visit cannot be dated in the future."), code="future")}
        )
    if visited_on < link.started_on:
        raise ValidationError(
            {
                "visited_on": ValidationError(
                    _("You were linked to %(team)s on %(date)s; the visit cannot be earlier."),
                    code="before_link",
                    params={"team": link.work_team.name, "date": f"{link.started_on:%Y-%m-%d}"},
                )
            }
        )
    visit = GuidanceVisit(
        member=member,
        work_team=link.work_team,
        visited_on=visited_on,
        guidance=(guidance or "").strip(),
        problems=(problems or "").strip(),
        follow_up=(follow_up or "").strip(),
    )
    if photo:
        try:
            visit.photo = clean_photo(photo)
        except ValidationError as error:
            raise ValidationError({"photo": error}) from None
    visit.full_clean(exclude=["photo"])
    visit.save()
    return visit
