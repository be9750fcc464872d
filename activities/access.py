"""Who may do what with the branch's activities: meetings, guidance visits, red-flag work.

Roles come from members.access (one Actor per request); this module maps them to the activities'
capabilities and gives the scopes. As elsewhere: a capability the role lacks is 403, an object
outside the actor's scope is 404.
"""

import enum

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from members.access import Actor, Role

from .models import Asset, GuidanceVisit, Meeting, RedFlagAssignment


class Can(enum.StrEnum):
    VIEW_MEETINGS = "view_meetings"  # the compliance calendar and meeting records (leaders: their group's)
    MANAGE_MEETINGS = "manage_meetings"  # record any meeting and its attendance
    RECORD_GROUP_MEETINGS = "record_group_meetings"  # a group leader records their group's meetings
    LOG_GUIDANCE = "log_guidance"  # a committee member logs visits to their linked team
    VIEW_DUTIES = "view_duties"  # the committee's duty board
    MANAGE_ASSETS = "manage_assets"  # the registry of wells and equipment, its import and export
    MANAGE_ASSIGNMENTS = "manage_assignments"  # red-flag assignments and their targets
    VIEW_RED_FLAG = "view_red_flag"  # the board, charts and readings, within scope
    ENTER_READINGS = "enter_readings"  # within scope: own asset, the group's, the branch's


_CAPS: dict[Role, frozenset[Can]] = {
    Role.MEMBER: frozenset({Can.VIEW_RED_FLAG, Can.ENTER_READINGS}),
    Role.GROUP_LEADER: frozenset({Can.VIEW_RED_FLAG, Can.ENTER_READINGS, Can.VIEW_MEETINGS, Can.RECORD_GROUP_MEETINGS}),
    Role.COMMITTEE: frozenset(
        {
            Can.VIEW_RED_FLAG,
            Can.ENTER_READINGS,
            Can.VIEW_MEETINGS,
            Can.MANAGE_MEETINGS,
            Can.RECORD_GROUP_MEETINGS,
            Can.LOG_GUIDANCE,
            Can.VIEW_DUTIES,
        }
    ),
    Role.SECRETARY: frozenset(Can),
    # The administrator reads everything here and changes data in the admin site.
    Role.ADMIN: frozenset({Can.VIEW_MEETINGS, Can.VIEW_DUTIES, Can.VIEW_RED_FLAG}),
}


def can(actor: Actor, capability: Can) -> bool:
    return any(capability in _CAPS[role] for role in actor.roles)


def require(actor: Actor, capability: Can) -> None:
    if not can(actor, capability):
        raise PermissionDenied


def meetings_visible_to(actor: Actor) -> QuerySet[Meeting]:
    if actor.is_admin:
        return Meeting.objects.all()
    if actor.member is None:
        return Meeting.objects.none()
    if actor.is_committee:
        return Meeting.objects.filter(branch_id=actor.branch_id)
    if actor.leads_group_id:
        return Meeting.objects.filter(branch_id=actor.branch_id, party_group_id=actor.leads_group_id)
    return Meeting.objects.none()


def guidance_visible_to(actor: Actor) -> QuerySet[GuidanceVisit]:
    if actor.is_admin:
        return GuidanceVisit.objects.all()
    if actor.member is None:
        return GuidanceVisit.objects.none()
    if actor.is_committee:
        return GuidanceVisit.objects.filter(member__branch_id=actor.branch_id)
    return GuidanceVisit.objects.none()


def assets_visible_to(actor: Actor) -> QuerySet[Asset]:
    """Committee and secretary: the branch's assets; a group leader: those assigned to the group's
    members; a member: the asset(s) they are responsible for now."""
    if actor.is_admin:
        return Asset.objects.all()
    if actor.member is None:
        return Asset.objects.none()
    if actor.is_committee:
        return Asset.objects.filter(branch_id=actor.branch_id)
    active = Q(assignments__ended_on__isnull=True)
    if actor.leads_group_id:
        scope = Q(assignments__member__party_group_id=actor.leads_group_id) | Q(assignments__member=actor.member)
    else:
        scope = Q(assignments__member=actor.member)
    return Asset.objects.filter(branch_id=actor.branch_id).filter(active & scope).distinct()


def assignments_visible_to(actor: Actor) -> QuerySet[RedFlagAssignment]:
    if actor.is_admin:
        return RedFlagAssignment.objects.all()
    if actor.member is None:
        return RedFlagAssignment.objects.none()
    if actor.is_committee:
        return RedFlagAssignment.objects.filter(asset__branch_id=actor.branch_id)
    if actor.leads_group_id:
        return RedFlagAssignment.objects.filter(
            Q(member__party_group_id=actor.leads_group_id) | Q(member=actor.member), asset__branch_id=actor.branch_id
        )
    return RedFlagAssignment.objects.filter(member=actor.member)
