"""Organisation life (三会一课 and 主题党日): recording meetings, their attendance and attachments.

Every write to a meeting goes through this module, so its rules live in one place:

- Who records: the secretary and the committee record any meeting of their branch; a group leader
  records their own group's meetings (党小组会) and nothing else (`may_record`). PermissionDenied
  otherwise; the views turn it into 403.
- A meeting cannot be dated in the future: it records what was held, not a plan.
- Only a party group meeting names a party group, and it must be a group of the meeting's branch.
- Only a branch general meeting (支部党员大会) or a committee meeting (支委会) votes.
- Who may be on the attendance list (`eligible_members`): the branch's party members (full and
  probationary) who had not left on the day, narrowed to the group for a group meeting and to the
  committee seats held on the day for a committee meeting. People already on the list stay
  eligible, so a member who later moved to another group is not lost from an old meeting.
- The kind and the group of a meeting cannot change once attendance is recorded: the list was drawn
  for them.
- Quorum (`quorum_for`), stored in Meeting.below_quorum after every change so that lists and the
  calendar need no extra query: a general meeting that votes needs more than half of the voting
  members present — voting members are the full members (正式党员) of the branch on the day;
  probationary members (预备党员) attend but have no vote. A committee meeting always needs more than
  half of the committee seats held on the day, whether or not it votes: the committee decides as a
  body (集体领导), and the branch work rules (支部工作条例) let it meet only with more than half of its
  members. Excused and absent people do not count as present. A meeting below quorum is kept and
  flagged, never refused: the record must say what happened. Until attendance is recorded, a
  meeting that needs a quorum is below it (nobody is on record as present).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from branch.models import Branch, PartyGroup
from members.access import Actor
from members.models import CommitteeRole, Member

from ..access import Can, can
from ..models import Meeting, MeetingAttachment, MeetingAttendance

Kind = Meeting.Kind
Presence = MeetingAttendance.Presence

VOTING_KINDS = (Kind.GENERAL, Kind.COMMITTEE)
MEETING_FIELDS = ("kind", "party_group", "held_on", "topic", "minutes", "has_vote")


# ---- who may record ---------------------------------------------------------------------------


def may_record(actor: Actor, *, branch_id: int, kind: str, party_group_id: int | None) -> bool:
    """Whether the actor may record (create, change, take attendance of) such a meeting."""
    if actor.member is None or actor.branch_id != branch_id:
        return False
    if can(actor, Can.MANAGE_MEETINGS):
        return True
    return (
        kind == Kind.GROUP
        and can(actor, Can.RECORD_GROUP_MEETINGS)
        and party_group_id is not None
        and party_group_id == actor.leads_group_id
    )


def may_record_meeting(actor: Actor, meeting: Meeting) -> bool:
    return may_record(actor, branch_id=meeting.branch_id, kind=meeting.kind, party_group_id=meeting.party_group_id)


def _require(actor: Actor, *, branch_id: int, kind: str, party_group_id: int | None) -> None:
    if not may_record(actor, branch_id=branch_id, kind=kind, party_group_id=party_group_id):
        raise PermissionDenied


# ---- who attends, who counts ------------------------------------------------------------------


def _active_on(day: dt.date) -> Q:
    # A member who left on the day of the meeting was no longer there.
    return Q(archived_on__isnull=True) | Q(archived_on__gt=day)


def committee_member_ids(branch_id: int, day: dt.date) -> QuerySet:
    """Members holding a committee seat of the branch on the day (a seat runs from its start to the
    day before it ended)."""
    return (
        CommitteeRole.objects.filter(branch_id=branch_id, started_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
        .values("member_id")
    )


def eligible_members(meeting: Meeting) -> QuerySet[Member]:
    """The people who belong on this meeting's attendance list, in roster order."""
    expected = Q(branch_id=meeting.branch_id, status__in=Member.PARTY_STATUSES) & _active_on(meeting.held_on)
    if meeting.kind == Kind.GROUP:
        expected &= Q(party_group_id=meeting.party_group_id)
    elif meeting.kind == Kind.COMMITTEE:
        expected &= Q(pk__in=committee_member_ids(meeting.branch_id, meeting.held_on))
    already = Q(pk__in=MeetingAttendance.objects.filter(meeting_id=meeting.pk).values("member_id"))
    return Member.objects.filter(expected | already).order_by("employee_number")


def quorum_applies(kind: str, has_vote: bool) -> bool:
    return kind == Kind.COMMITTEE or (kind == Kind.GENERAL and has_vote)


def entitled_member_ids(meeting: Meeting) -> set[int]:
    """Who counts for the quorum: voting members for a general meeting, the committee for a committee
    meeting; nobody for the other kinds."""
    if meeting.kind == Kind.GENERAL:
        return set(
            Member.objects.filter(branch_id=meeting.branch_id, status=Member.Status.FULL)
            .filter(_active_on(meeting.held_on))
            .values_list("pk", flat=True)
        )
    if meeting.kind == Kind.COMMITTEE:
        return set(committee_member_ids(meeting.branch_id, meeting.held_on).values_list("member_id", flat=True))
    return set()


@dataclass(frozen=True)
class Quorum:
    applies: bool
    entitled: int  # voting members, or committee seats
    present: int  # of those, present

    @property
    def needed(self) -> int:
        """The fewest present that make more than half."""
        return self.entitled // 2 + 1

    @property
    def met(self) -> bool:
        return not self.applies or self.present * 2 > self.entitled


def quorum_from(*, applies: bool, entitled_ids: Iterable[int], present_ids: Iterable[int]) -> Quorum:
    """The quorum arithmetic on plain ids (the demo builder uses it on rows not saved yet)."""
    entitled = set(entitled_ids)
    return Quorum(applies=applies, entitled=len(entitled), present=len(entitled & set(present_ids)))


def quorum_for(meeting: Meeting) -> Quorum:
    """The meeting's quorum as recorded now; two queries when it applies, none otherwise."""
    applies = quorum_applies(meeting.kind, meeting.has_vote)
    if not applies:
        return Quorum(applies=False, entitled=0, present=0)
    present = meeting.attendance.filter(presence=Presence.PRESENT).values_list("member_id", flat=True)
    return quorum_from(applies=True, entitled_ids=entitled_member_ids(meeting), present_ids=present)


def _refresh_quorum(meeting: Meeting) -> None:
    below = not quorum_for(meeting).met
    if below != meeting.below_quorum:
        meeting.below_quorum = below
        meeting.save(update_fields=["below_quorum"])


# ---- checks -----------------------------------------------------------------------------------


def _check(branch_id: int, fields: dict) -> None:
    errors: dict[str, list] = {}
    kind, group = fields.get("kind"), fields.get("party_group")
    held_on = fields.get("held_on")
    if held_on and held_on > timezone.localdate():
        errors.setdefault("held_on", []).append(
            ValidationError(_("A meeting cannot be dated in the future."), code="future")
        )
    if kind == Kind.GROUP and group is None:
        errors.setdefault("party_group", []).append(
            ValidationError(_("Choose the party group that met."), code="group_missing")
        )
    elif kind != Kind.GROUP and group is not None:
        errors.setdefault("party_group", []).append(
            ValidationError(_("Only a party group meeting names a party group."), code="group_not_allowed")
        )
    elif group is not None and group.branch_id != branch_id:
        errors.setdefault("party_group", []).append(
            ValidationError(_("This party group is not in the branch."), code="group_branch")
        )
    if fields.get("has_vote") and kind not in VOTING_KINDS:
        errors.setdefault("has_vote", []).append(
            ValidationError(_("Only a branch general meeting or a committee meeting votes."), code="vote_kind")
        )
    if errors:
        raise ValidationError(errors)


def _attach(meeting: Meeting, files: Iterable) -> None:
    for file in files:
        MeetingAttachment.objects.create(meeting=meeting, file=file)


# ---- writes -----------------------------------------------------------------------------------


@transaction.atomic
def meeting_create(
    *,
    actor: Actor,
    branch: Branch,
    kind: str,
    held_on: dt.date,
    topic: str,
    minutes: str = "",
    has_vote: bool = False,
    party_group: PartyGroup | None = None,
    attachments: Iterable = (),
) -> Meeting:
    """Record a meeting that was held. Raises PermissionDenied when the actor may not record this
    kind of meeting here, ValidationError (by field) when a rule above is broken."""
    _require(actor, branch_id=branch.pk, kind=kind, party_group_id=party_group.pk if party_group else None)
    fields = {
        "kind": kind,
        "party_group": party_group,
        "held_on": held_on,
        "topic": topic,
        "minutes": minutes,
        "has_vote": has_vote,
    }
    _check(branch.pk, fields)
    meeting = Meeting(branch=branch, **fields)
    meeting.full_clean()
    meeting.save()
    _attach(meeting, attachments)
    _refresh_quorum(meeting)
    return meeting


@transaction.atomic
def meeting_update(*, actor: Actor, meeting: Meeting, attachments: Iterable = (), **changes) -> Meeting:
    """Change a meeting's record and add attachments. The actor must be allowed to record the meeting
    both as it was and as it becomes. The kind and the group stay as they are once attendance is
    recorded (ValidationError)."""
    _require(actor, branch_id=meeting.branch_id, kind=meeting.kind, party_group_id=meeting.party_group_id)
    unknown = set(changes) - set(MEETING_FIELDS)
    if unknown:
        raise TypeError(f"meeting_update() got unexpected fields: {sorted(unknown)}")
    fields = {name: changes.get(name, getattr(meeting, name)) for name in MEETING_FIELDS}
    group = fields["party_group"]
    _require(actor, branch_id=meeting.branch_id, kind=fields["kind"], party_group_id=group.pk if group else None)
    _check(meeting.branch_id, fields)
    moved = fields["kind"] != meeting.kind or (group.pk if group else None) != meeting.party_group_id
    if moved and meeting.attendance.exists():
        raise ValidationError(
            _("Attendance is recorded for this meeting, so its kind and party group can no longer change."),
            code="attendance_recorded",
        )
    for name, value in fields.items():
        setattr(meeting, name, value)
    meeting.full_clean()
    meeting.save()
    _attach(meeting, attachments)
    _refresh_quorum(meeting)
    return meeting


@transaction.atomic
def meeting_record_attendance(*, actor: Actor, meeting: Meeting, presence: Mapping[int, str]) -> Meeting:
    """Set the meeting's attendance list to `presence` (member id → present/excused/absent): people
    left out are taken off the list. Everyone must be eligible (see `eligible_members`), else
    ValidationError and nothing changes. Recomputes the quorum flag."""
    _require(actor, branch_id=meeting.branch_id, kind=meeting.kind, party_group_id=meeting.party_group_id)
    if any(value not in Presence.values for value in presence.values()):
        raise ValidationError(_("Choose present, excused or absent for everyone."), code="presence")
    eligible = set(eligible_members(meeting).values_list("pk", flat=True))
    if set(presence) - eligible:
        # No names here: the ids may belong to people the recorder must not learn about.
        raise ValidationError(
            _("Only members who belong to this meeting can be on its attendance list."), code="not_eligible"
        )
    existing = {row.member_id: row for row in meeting.attendance.all()}
    new, changed = [], []
    for member_id, value in presence.items():
        row = existing.get(member_id)
        if row is None:
            new.append(MeetingAttendance(meeting=meeting, member_id=member_id, presence=value))
        elif row.presence != value:
            row.presence = value
            changed.append(row)
    if new:
        bulk_create_with_history(new, MeetingAttendance)
    if changed:
        bulk_update_with_history(changed, MeetingAttendance, ["presence"])
    for member_id, row in existing.items():
        if member_id not in presence:
            row.delete()  # one by one, so the history keeps who was taken off
    _refresh_quorum(meeting)
    return meeting


@transaction.atomic
def meeting_remove_attachment(*, actor: Actor, attachment: MeetingAttachment) -> None:
    """Delete an attachment and its file."""
    meeting = attachment.meeting
    _require(actor, branch_id=meeting.branch_id, kind=meeting.kind, party_group_id=meeting.party_group_id)
    file = attachment.file
    attachment.delete()
    # Remove the file only once the row is surely gone.
    transaction.on_commit(lambda: file.storage.delete(file.name))


@transaction.atomic
def meeting_delete(*, actor: Actor, meeting: Meeting) -> None:
    """Delete a meeting recorded by mistake, with its attendance and attachments. The history tables
    keep what was deleted and by whom."""
    _require(actor, branch_id=meeting.branch_id, kind=meeting.kind, party_group_id=meeting.party_group_id)
    files = [a.file for a in meeting.attachments.all()]
    meeting.delete()
    transaction.on_commit(lambda: [f.storage.delete(f.name) for f in files])
