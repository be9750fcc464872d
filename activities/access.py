"""Who may do what with the branch's activities: meetings, guidance visits, red-flag work.

Roles come from members.access (one Actor per request); this module maps them to the activities'
capabilities and gives the scopes. As elsewhere: a capability the role lacks is 403, an object
outside the actor's scope is 404.
"""

import enum

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from members.access import Actor, Role

from .models import Activity, Asset, GuidanceVisit, Meeting, RedFlagAssignment
from .models.appeals import Appeal
from .models.care import CareOccasion, CareVisit


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
    MANAGE_RECOGNITION = "manage_recognition"  # innovations, honours, publicity, 五带头标兵 selections
    NOMINATE = "nominate"  # put another member forward while a selection takes nominations
    MANAGE_APPEALS = "manage_appeals"  # forums and every appeal of the branch (a handler answers their own)
    MANAGE_CARE = "manage_care"  # report care occasions (五一定) and record visits
    VIEW_CARE_DETAILS = "view_care_details"  # the private details of illness and hardship
    # Service activities (dedication days, theme activities, topic classes, pairing sessions):
    MANAGE_ACTIVITIES = "manage_activities"  # create and edit the branch's activities, add photos
    TAKE_ATTENDANCE = "take_attendance"  # within scope: a group leader their group, the committee all
    REGISTER_FOR_ACTIVITY = "register_for_activity"  # a member signs up for a planned activity
    # Quarterly assessment (a member reads their own figures in their record book, within scope):
    VIEW_ASSESSMENT = "view_assessment"  # the branch's scores and evidence of a quarter
    MANAGE_ASSESSMENT = "manage_assessment"  # edit the scheme, adjust, deduct, lock a quarter


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
# The committee reads the assessment; only the secretary changes it (every capability). The
# administrator reads it for every branch and exports the workbooks.
_CAPS[Role.COMMITTEE] = _CAPS[Role.COMMITTEE] | {Can.VIEW_ASSESSMENT}
_CAPS[Role.ADMIN] = _CAPS[Role.ADMIN] | {Can.VIEW_ASSESSMENT}
# Recognition: the committee manages it (the secretary alone edits the wall's rules, checked in
# activities/services/recognition.py); every member may nominate. Added here, not in the dict
# above, so the edit stays small.
_CAPS[Role.MEMBER] = _CAPS[Role.MEMBER] | {Can.NOMINATE}
_CAPS[Role.GROUP_LEADER] = _CAPS[Role.GROUP_LEADER] | {Can.NOMINATE}
_CAPS[Role.COMMITTEE] = _CAPS[Role.COMMITTEE] | {Can.NOMINATE, Can.MANAGE_RECOGNITION}
# Appeals and care: the committee runs them; private care details stay with the committee (the
# secretary has every capability). Added here, not in the dict above, so the edit stays small.
_CAPS[Role.COMMITTEE] = _CAPS[Role.COMMITTEE] | {Can.MANAGE_APPEALS, Can.MANAGE_CARE, Can.VIEW_CARE_DETAILS}


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


def appeals_visible_to(actor: Actor) -> QuerySet[Appeal]:
    """Committee and secretary: the branch's appeals; any other member: the appeals they handle (as
    联络员); the administrator: every branch's, read only."""
    if actor.is_admin:
        return Appeal.objects.all()
    if actor.member is None:
        return Appeal.objects.none()
    if actor.is_committee:
        return Appeal.objects.filter(branch_id=actor.branch_id)
    return Appeal.objects.filter(branch_id=actor.branch_id, handler=actor.member)


def care_visible_to(actor: Actor) -> QuerySet[CareOccasion]:
    """Committee and secretary: the branch's care occasions; any other member: the occasions they
    visited; the administrator: every branch's. Private details are a capability, not a scope
    (Can.VIEW_CARE_DETAILS)."""
    if actor.is_admin:
        return CareOccasion.objects.all()
    if actor.member is None:
        return CareOccasion.objects.none()
    if actor.is_committee:
        return CareOccasion.objects.filter(branch_id=actor.branch_id)
    visited = CareVisit.objects.filter(visitors=actor.member).values("occasion_id")
    return CareOccasion.objects.filter(branch_id=actor.branch_id, pk__in=visited)


# Service activities. Added to the roles here, after the table, so the entries above stay as they
# are; the secretary has them through `frozenset(Can)`. Every member sees the branch's activities
# (`activities_visible_to`); the administrator reads them and changes nothing.
_CAPS[Role.MEMBER] = _CAPS[Role.MEMBER] | {Can.REGISTER_FOR_ACTIVITY}
_CAPS[Role.GROUP_LEADER] = _CAPS[Role.GROUP_LEADER] | {Can.REGISTER_FOR_ACTIVITY, Can.TAKE_ATTENDANCE}
_CAPS[Role.COMMITTEE] = _CAPS[Role.COMMITTEE] | {
    Can.REGISTER_FOR_ACTIVITY,
    Can.TAKE_ATTENDANCE,
    Can.MANAGE_ACTIVITIES,
}


def activities_visible_to(actor: Actor) -> QuerySet[Activity]:
    """The administrator: every branch's activities; anyone with a member record: their branch's
    (members need the calendar to register); nobody else anything."""
    if actor.is_admin:
        return Activity.objects.all()
    if actor.member is None:
        return Activity.objects.none()
    return Activity.objects.filter(branch_id=actor.branch_id)


def attendance_scope(actor: Actor, activity: Activity) -> int | bool:
    """Whose attendance the actor may take at this activity: True for everyone (the committee of the
    activity's branch), a party group id (a group leader: their own group), or False for nobody."""
    if actor.member is None or actor.branch_id != activity.branch_id or not can(actor, Can.TAKE_ATTENDANCE):
        return False
    if actor.is_committee:
        return True
    return actor.leads_group_id or False
