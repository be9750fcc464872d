"""Reading recognition: innovations, honours, publicity, 五带头标兵 selections, the rules and the wall.

Scopes, as everywhere: the administrator reads every branch; the committee reads its branch; a
member reads the branch's honours, rules and selections, but only the innovation projects they take
part in and, until a selection is published, only the nominations they made themselves. Every
function says what it loads, so pages cost a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from branch.models import Branch
from members.access import Actor

from ..access import Can, can
from ..models import (
    Activity,
    ActivityPhoto,
    BranchRule,
    Honor,
    Innovation,
    ModelSelection,
    Nomination,
    Publicity,
)

WALL_ACTIVITY_DAYS = 90
WALL_HONORS = 12
WALL_ACTIVITIES = 8
WALL_PHOTOS_PER_ACTIVITY = 4


# ---- scopes ---------------------------------------------------------------------------------------


def _in_branch(model, actor: Actor, branch_field: str = "branch_id") -> QuerySet:
    if actor.is_admin:
        return model.objects.all()
    if actor.member is None:
        return model.objects.none()
    return model.objects.filter(**{branch_field: actor.branch_id})


def innovations_visible_to(actor: Actor) -> QuerySet[Innovation]:
    """The committee: the branch's projects; a member: the projects they take part in or lead."""
    qs = _in_branch(Innovation, actor)
    if actor.is_admin or can(actor, Can.MANAGE_RECOGNITION):
        return qs
    if actor.member is None:
        return qs.none()
    mine = Innovation.objects.filter(Q(members=actor.member) | Q(lead=actor.member)).values("pk")
    return qs.filter(pk__in=mine)


def honors_visible_to(actor: Actor) -> QuerySet[Honor]:
    return _in_branch(Honor, actor)


def selections_visible_to(actor: Actor) -> QuerySet[ModelSelection]:
    return _in_branch(ModelSelection, actor)


def rules_visible_to(actor: Actor) -> QuerySet[BranchRule]:
    return _in_branch(BranchRule, actor)


def publicity_visible_to(actor: Actor) -> QuerySet[Publicity]:
    return _in_branch(Publicity, actor)


def branches_for_wall(actor: Actor) -> QuerySet[Branch]:
    """The branches whose wall a logged-in actor may open without it being public."""
    if actor.is_admin:
        return Branch.objects.all()
    if actor.member is None:
        return Branch.objects.none()
    return Branch.objects.filter(pk=actor.branch_id)


# ---- pages ----------------------------------------------------------------------------------------


def innovation_rows(actor: Actor) -> QuerySet[Innovation]:
    """The list: lead and branch joined, members prefetched, awards and patents counted (2 queries)."""
    return (
        innovations_visible_to(actor)
        .select_related("lead", "branch")
        .prefetch_related(Prefetch("members", queryset=_member_names()))
        .annotate(award_count=Count("awards", distinct=True), patent_count=Count("patents", distinct=True))
        .order_by("-started_on", "-pk")
    )


def innovation_page(actor: Actor) -> QuerySet[Innovation]:
    """One project with its members, awards and patents (4 queries)."""
    return (
        innovations_visible_to(actor)
        .select_related("lead", "branch")
        .prefetch_related(Prefetch("members", queryset=_member_names()), "awards", "patents")
    )


def _member_names():
    from members.models import Member

    return Member.objects.only("pk", "name", "branch_id").order_by("name")


def honor_rows(actor: Actor) -> QuerySet[Honor]:
    return honors_visible_to(actor).select_related("member", "branch").order_by("-awarded_on", "-pk")


def publicity_rows(actor: Actor) -> QuerySet[Publicity]:
    return publicity_visible_to(actor).select_related("member", "honor").order_by("-shared_on", "-pk")


def selection_rows(actor: Actor) -> QuerySet[ModelSelection]:
    return (
        selections_visible_to(actor)
        .select_related("branch")
        .annotate(
            nomination_count=Count("nominations", distinct=True),
            selected_count=Count("nominations", filter=Q(nominations__selected=True), distinct=True),
        )
        .order_by("-pk")
    )


def nominations_shown(actor: Actor, selection: ModelSelection) -> QuerySet[Nomination]:
    """The committee and the administrator see every nomination. A member sees the ones they made,
    and once the selection is published, the selected ones too: who put whom forward stays with the
    committee until then."""
    qs = selection.nominations.select_related("member", "member__work_team", "nominated_by").order_by(
        "-selected", "member__name"
    )
    if actor.is_admin or (can(actor, Can.MANAGE_RECOGNITION) and actor.branch_id == selection.branch_id):
        return qs
    if actor.member is None:
        return qs.none()
    shown = Q(nominated_by=actor.member)
    if selection.state == ModelSelection.State.PUBLISHED:
        shown |= Q(selected=True)
    return qs.filter(shown)


# ---- the wall (三上墙) -----------------------------------------------------------------------------


def quarter_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = dt.date(day.year, first_month, 1)
    end = dt.date(day.year + 1, 1, 1) if first_month == 10 else dt.date(day.year, first_month + 3, 1)
    return start, end - dt.timedelta(days=1)


@dataclass
class Wall:
    branch: Branch
    honors: list[Honor]
    rules: list[BranchRule]
    activities: list[Activity]
    models: list[Nomination]
    quarter_start: dt.date
    quarter_end: dt.date


def wall(branch: Branch, *, today: dt.date | None = None) -> Wall:
    """What the hall's screen shows, in 6 queries whatever the data. Only what was done and who was
    honoured: no attendance, no counts per member, nothing from a member's personal record but the
    name and work team (no phone, no ID number, no care details)."""
    today = today or timezone.localdate()
    honors = list(
        Honor.objects.filter(branch=branch)
        .select_related("member")
        .only("title", "level", "awarded_on", "awarded_by", "member__name")
        .order_by("-awarded_on", "-pk")[:WALL_HONORS]
    )
    rules = list(BranchRule.objects.filter(branch=branch).order_by("position", "pk"))
    since = timezone.now() - dt.timedelta(days=WALL_ACTIVITY_DAYS)
    activities = list(
        Activity.objects.filter(branch=branch, state=Activity.State.HELD, starts_at__gte=since)
        .only("kind", "title", "starts_at", "place", "task", "branch_id")
        .prefetch_related(
            Prefetch("photos", queryset=ActivityPhoto.objects.order_by("uploaded_at", "pk"), to_attr="wall_photos")
        )
        .order_by("-starts_at")[:WALL_ACTIVITIES]
    )
    for activity in activities:
        activity.wall_photos = activity.wall_photos[:WALL_PHOTOS_PER_ACTIVITY]
    start, end = quarter_bounds(today)
    models = list(
        Nomination.objects.filter(
            selection__branch=branch,
            selection__state=ModelSelection.State.PUBLISHED,
            selection__published_on__range=(start, end),
            selected=True,
        )
        .select_related("selection", "member__work_team")
        .only("selection__title", "selection__published_on", "member__name", "member__work_team__name")
        .order_by("-selection__published_on", "selection_id", "member__name")
    )
    return Wall(
        branch=branch,
        honors=honors,
        rules=rules,
        activities=activities,
        models=models,
        quarter_start=start,
        quarter_end=end,
    )
