"""Organisation life as spreadsheets, for the admin site: meetings, their attendance, and committee
members' guidance visits.

A meeting is named by its date, kind and (for a party group meeting) its group; a member by employee
number; a work team by name. Headers and cell values are Chinese literals: they are the file format.
Importing attendance, or changing whether a meeting votes, sets the meeting's below-quorum flag as
recording it on the page does (activities/services/meetings.py), from what is loaded up front.
"""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_update_with_history

from branch.models import PartyGroup, WorkTeam
from branch.spreadsheets import ChoiceWidget, DateWidget, TextWidget, YesNoWidget
from branch.spreadsheets.records import RecordSheetResource, column, name_column
from members.models import CommitteeRole, Member
from members.resources_records import branch_members, group_column, member_column, team_column

from .models import GuidanceVisit, Meeting, MeetingAttendance
from .services import meetings as meeting_rules

KIND_LABELS = {
    Meeting.Kind.GENERAL: "支部党员大会",
    Meeting.Kind.COMMITTEE: "支委会",
    Meeting.Kind.GROUP: "党小组会",
    Meeting.Kind.LECTURE: "党课",
    Meeting.Kind.THEME_DAY: "主题党日",
}
KIND_ALIASES = {
    "党员大会": Meeting.Kind.GENERAL,
    "支部大会": Meeting.Kind.GENERAL,
    "支部委员会": Meeting.Kind.COMMITTEE,
    "支委会议": Meeting.Kind.COMMITTEE,
    "党小组会议": Meeting.Kind.GROUP,
    "主题党日活动": Meeting.Kind.THEME_DAY,
}
PRESENCE_LABELS = {
    MeetingAttendance.Presence.PRESENT: "出席",
    MeetingAttendance.Presence.EXCUSED: "请假",
    MeetingAttendance.Presence.ABSENT: "缺席",
}
PRESENCE_ALIASES = {
    "到会": MeetingAttendance.Presence.PRESENT,
    "参加": MeetingAttendance.Presence.PRESENT,
    "参会": MeetingAttendance.Presence.PRESENT,
    "事假": MeetingAttendance.Presence.EXCUSED,
    "病假": MeetingAttendance.Presence.EXCUSED,
    "未到": MeetingAttendance.Presence.ABSENT,
}


def _kind_widget() -> ChoiceWidget:
    return ChoiceWidget(KIND_LABELS, aliases=KIND_ALIASES, code="invalid_kind")


def meeting_label(meeting: Meeting) -> str:
    group = f" {meeting.party_group.name}" if meeting.party_group_id else ""
    return f"{meeting.held_on.isoformat()} {KIND_LABELS[meeting.kind]}{group}"


class QuorumBook:
    """Whether meetings of a branch fall below quorum, worked out in memory from the branch's members,
    committee seats and attendance (three queries, whatever the number of meetings)."""

    def __init__(self, branch, attendance: list[MeetingAttendance] | None = None):
        self.members = list(Member.objects.filter(branch=branch).values_list("pk", "status", "archived_on"))
        self.seats = list(
            CommitteeRole.objects.filter(branch=branch).values_list("member_id", "started_on", "ended_on")
        )
        if attendance is None:
            attendance = MeetingAttendance.objects.filter(meeting__branch=branch).only(
                "meeting_id", "member_id", "presence"
            )
        self.present: dict[int, set[int]] = defaultdict(set)
        for row in attendance:
            self.mark(row)

    def mark(self, attendance: MeetingAttendance) -> None:
        present = self.present[attendance.meeting_id]
        if attendance.presence == MeetingAttendance.Presence.PRESENT:
            present.add(attendance.member_id)
        else:
            present.discard(attendance.member_id)

    def entitled(self, meeting: Meeting) -> set[int]:
        """As meeting_rules.entitled_member_ids(), without its queries."""
        day = meeting.held_on
        if meeting.kind == Meeting.Kind.GENERAL:
            return {
                pk for pk, status, left in self.members if status == Member.Status.FULL and (left is None or left > day)
            }
        if meeting.kind == Meeting.Kind.COMMITTEE:
            return {pk for pk, started, ended in self.seats if started <= day and (ended is None or ended > day)}
        return set()

    def below_quorum(self, meeting: Meeting) -> bool:
        if not meeting_rules.quorum_applies(meeting.kind, meeting.has_vote):
            return False
        quorum = meeting_rules.quorum_from(
            applies=True, entitled_ids=self.entitled(meeting), present_ids=self.present.get(meeting.pk, ())
        )
        return not quorum.met


# ---- meetings ------------------------------------------------------------------------------------------


class MeetingResource(RecordSheetResource):
    """The branch's meetings, party lectures and theme days, by date, kind and group."""

    sheet_title = _("Meetings")
    key_attributes = ("held_on", "kind", "party_group")
    optional_keys = ("party_group",)
    required_for_new = ("held_on", "kind", "topic")
    derived_fields = ("below_quorum",)
    same_record_message = _("Row %(row)d is about the same meeting.")

    held_on = column("held_on", "日期", DateWidget())
    kind = column("kind", "类型", _kind_widget())
    party_group = group_column()
    topic = column("topic", "主题", TextWidget(200, normalize=lambda text: " ".join(text.split())))
    minutes = column("minutes", "会议记录", TextWidget(20000))
    has_vote = column("has_vote", "表决事项", YesNoWidget())
    export_select_related = ("party_group",)
    export_ordering = ("held_on", "pk")

    class Meta:
        model = Meeting
        fields = import_order = export_order = ("held_on", "kind", "party_group", "topic", "minutes", "has_vote")

    def load(self):
        self.fill(PartyGroup.objects.filter(branch=self.branch), "party_group")
        self._quorum = QuorumBook(self.branch)
        return Meeting.objects.filter(branch=self.branch).select_related("party_group")

    def after_init_instance(self, instance, new, row, **kwargs):
        super().after_init_instance(instance, new, row, **kwargs)
        self._stored = None if new else (instance.kind, instance.has_vote, instance.held_on)

    def complete_instance(self, instance, ctx) -> None:
        # As on the page: worked out again when what it depends on changes, not on every import.
        if self._stored != (instance.kind, instance.has_vote, instance.held_on):
            instance.below_quorum = self._quorum.below_quorum(instance)

    def check_instance(self, instance, errors) -> None:
        fields = {name: getattr(instance, name) for name in ("kind", "held_on", "has_vote")}
        fields["party_group"] = instance.party_group if instance.party_group_id else None
        try:
            meeting_rules._check(self.branch.pk, fields)
        except ValidationError as exc:
            self.merge(errors, exc)


# ---- attendance ----------------------------------------------------------------------------------------


class MeetingAttendanceResource(RecordSheetResource):
    """Who was at each meeting: the meeting by date, kind and group, the member by employee number."""

    sheet_title = _("Meeting attendance")
    key_attributes = ("meeting_held_on", "meeting_kind", "meeting_group", "member")
    optional_keys = ("meeting_group",)
    required_for_new = ("meeting_held_on", "meeting_kind", "member", "presence")
    derived_fields = ("meeting",)
    same_record_message = _("Row %(row)d is about the same member at the same meeting.")

    meeting_held_on = column("meeting_held_on", "会议日期", DateWidget(), getter=lambda a: a.meeting.held_on)
    meeting_kind = column("meeting_kind", "会议类型", _kind_widget(), getter=lambda a: a.meeting.kind)
    meeting_group = group_column("meeting_group", getter=lambda a: a.meeting.party_group)
    member = member_column()
    member_name = name_column()
    presence = column(
        "presence", "出席情况", ChoiceWidget(PRESENCE_LABELS, aliases=PRESENCE_ALIASES, code="invalid_presence")
    )
    export_select_related = ("meeting__party_group", "member")
    export_ordering = ("meeting__held_on", "meeting__pk", "member__employee_number")

    class Meta:
        model = MeetingAttendance
        fields = import_order = export_order = (
            "meeting_held_on",
            "meeting_kind",
            "meeting_group",
            "member",
            "member_name",
            "presence",
        )

    @classmethod
    def branch_path(cls) -> str:
        return "meeting__branch"

    def load(self):
        self.fill(branch_members(self), "member")
        self.fill(PartyGroup.objects.filter(branch=self.branch), "meeting_group")
        self._meetings = {m.pk: m for m in Meeting.objects.filter(branch=self.branch).select_related("party_group")}
        self._meetings_by_key = defaultdict(list)
        for meeting in self._meetings.values():
            self._meetings_by_key[(meeting.held_on, meeting.kind, meeting.party_group_id)].append(meeting)
        attendance = list(MeetingAttendance.objects.filter(meeting__branch=self.branch).select_related("member"))
        for row in attendance:
            row.meeting = self._meetings[row.meeting_id]
        self._quorum = QuorumBook(self.branch, attendance)
        return attendance

    def instance_key(self, instance) -> tuple:
        return (instance.meeting_id, instance.member_id)

    def natural_key(self, ctx, keys) -> tuple | None:
        held_on, kind, group = keys["meeting_held_on"], keys["meeting_kind"], keys["meeting_group"]
        if held_on is None or kind is None:
            return None
        found = self._meetings_by_key.get((held_on, kind, group.pk if group else None), [])
        if len(found) != 1:
            label = f"{held_on.isoformat()} {KIND_LABELS[kind]}{f' {group.name}' if group else ''}"
            message = (
                _("There is no meeting %(meeting)s in the branch.")
                if not found
                else _("The branch has %(count)d meetings %(meeting)s; correct them in the admin first.")
            )
            ctx.add("meeting_held_on", message, code="unknown_meeting", meeting=label, count=len(found))
            return None
        self.cells["meeting"] = found[0]
        if keys["member"] is None:
            return None
        return (found[0].pk, keys["member"].pk)

    def complete_instance(self, instance, ctx) -> None:
        if "meeting" in self.cells:
            instance.meeting = self.cells["meeting"]

    def after_write(self, created, updated) -> None:
        """The quorum of the meetings whose attendance changed."""
        for attendance in [*created, *updated]:
            self._quorum.mark(attendance)
        changed = []
        for pk in {attendance.meeting_id for attendance in [*created, *updated]}:
            meeting = self._meetings[pk]
            below = self._quorum.below_quorum(meeting)
            if below != meeting.below_quorum:
                meeting.below_quorum = below
                changed.append(meeting)
        if changed:
            bulk_update_with_history(
                changed,
                Meeting,
                ["below_quorum"],
                batch_size=500,
                default_user=self.user,
                default_change_reason=str(self.change_reason),
                default_date=self._now,
            )


# ---- guidance visits -----------------------------------------------------------------------------------


class GuidanceVisitResource(RecordSheetResource):
    """Committee members' visits to their linked work teams."""

    sheet_title = _("Guidance visits")
    key_attributes = ("member", "work_team", "visited_on")
    required_for_new = (*key_attributes, "guidance")
    same_record_message = _("Row %(row)d is about the same visit.")

    member = member_column()
    member_name = name_column()
    work_team = team_column()
    visited_on = column("visited_on", "指导日期", DateWidget())
    guidance = column("guidance", "指导内容", TextWidget(5000))
    problems = column("problems", "发现问题", TextWidget(5000))
    follow_up = column("follow_up", "跟进情况", TextWidget(5000))
    export_select_related = ("member", "work_team")
    export_ordering = ("visited_on", "pk")

    class Meta:
        model = GuidanceVisit
        fields = import_order = export_order = (
            "member",
            "member_name",
            "work_team",
            "visited_on",
            "guidance",
            "problems",
            "follow_up",
        )

    @classmethod
    def branch_path(cls) -> str:
        return "member__branch"

    def load(self):
        self.fill(branch_members(self), "member")
        self.fill(WorkTeam.objects.filter(branch=self.branch), "work_team")
        return GuidanceVisit.objects.filter(member__branch=self.branch).select_related("member", "work_team")

    def check_instance(self, instance, errors) -> None:
        self.check_not_future(instance, errors, "visited_on")
