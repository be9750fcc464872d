"""Organisation life as a compliance calendar (三会一课), the party group page, and the reminders for
meetings that were not held.

The calendar of a year has one row per requirement — the branch general meeting, the committee
meeting, one row per party group for its group meeting, the party lecture and the theme party day —
and one cell per period of the row's frequency (Branch.*_months: 1 = monthly, 3 = quarterly...).
Periods are counted from January, so a quarterly row has the cells Q1–Q4 and a two-monthly row
Jan–Feb, Mar–Apr...; a frequency that does not divide twelve ends the year with a shorter period.
A frequency of 0 means "not required": the row shows what was held and never anything missing.
The calendar reads the frequencies as they are now: changing a setting redraws past periods too.

The whole calendar costs two queries (the groups, the year's meetings) whatever the data.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branch.models import Branch, PartyGroup
from members.models import CommitteeRole, Member, StudyRecord
from members.pipeline import add_months

from ..models import Meeting, MeetingAttendance
from ..reminders import Reminder

Kind = Meeting.Kind

# The rows in the order of 三会一课: meetings of the branch, the committee and the groups, then the
# lecture and the theme party day; each with the Branch field that says how often it is due.
FREQUENCY_FIELDS = {
    Kind.GENERAL: "general_meeting_months",
    Kind.COMMITTEE: "committee_meeting_months",
    Kind.GROUP: "group_meeting_months",
    Kind.LECTURE: "party_lecture_months",
    Kind.THEME_DAY: "theme_day_months",
}
ROW_ORDER = (Kind.GENERAL, Kind.COMMITTEE, Kind.GROUP, Kind.LECTURE, Kind.THEME_DAY)


class Status:
    HELD = "held"
    MISSING = "missing"  # the period ended with no meeting
    DUE = "due"  # the current period, no meeting yet
    FUTURE = "future"
    NOT_REQUIRED = "not_required"


STATUS_LABELS = {
    Status.HELD: gettext_lazy("held"),
    Status.MISSING: gettext_lazy("missing"),
    Status.DUE: gettext_lazy("due"),
    Status.FUTURE: gettext_lazy("not yet"),
    Status.NOT_REQUIRED: gettext_lazy("not required"),
}
STATUS_TONES = {
    Status.HELD: "success",
    Status.MISSING: "danger",
    Status.DUE: "warning",
    Status.FUTURE: "light",
    Status.NOT_REQUIRED: "light",
}


# ---- periods ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarPeriod:
    start: dt.date
    end: dt.date  # the last day
    every: int  # the row's frequency in months; 0 = not required (the period is the year)

    @property
    def months(self) -> int:
        """Calendar months covered: the columns the cell spans."""
        return self.end.month - self.start.month + 1

    @property
    def label(self) -> str:
        """A stable name for the period, used in reminder keys: 2026-03, 2026Q1, 2026H1, 2026."""
        year, month = self.start.year, self.start.month
        if self.every == 1:
            return f"{year}-{month:02d}"
        if self.every == 3:
            return f"{year}Q{(month - 1) // 3 + 1}"
        if self.every == 6:
            return f"{year}H{1 if month <= 6 else 2}"
        if self.months == 12:
            return str(year)
        return f"{year}-{month:02d}..{self.end.month:02d}"

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def _span(every: int) -> int:
    # More than a year is read as once a year: the calendar is drawn a year at a time.
    return 12 if every <= 0 else min(every, 12)


def periods_of_year(year: int, every: int) -> list[CalendarPeriod]:
    span = _span(every)
    periods = []
    for first in range(1, 13, span):
        start = dt.date(year, first, 1)
        end = min(add_months(start, span), dt.date(year + 1, 1, 1)) - dt.timedelta(days=1)
        periods.append(CalendarPeriod(start=start, end=end, every=every))
    return periods


def period_containing(day: dt.date, every: int) -> CalendarPeriod:
    return next(p for p in periods_of_year(day.year, every) if day in p)


def previous_period(day: dt.date, every: int) -> CalendarPeriod:
    """The period that ended last before the one containing `day`."""
    return period_containing(period_containing(day, every).start - dt.timedelta(days=1), every)


# ---- the calendar -----------------------------------------------------------------------------


@dataclass
class Cell:
    period: CalendarPeriod
    status: str
    meetings: list[Meeting] = field(default_factory=list)

    @property
    def below_quorum(self) -> bool:
        return any(m.below_quorum for m in self.meetings)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def tone(self) -> str:
        if self.status == Status.HELD and self.below_quorum:
            return "warning"
        return STATUS_TONES[self.status]


@dataclass
class Row:
    kind: str
    every: int
    party_group: PartyGroup | None
    cells: list[Cell]
    can_record: bool = False  # set by the view for the person looking

    @property
    def label(self) -> str:
        return self.party_group.name if self.party_group else str(Kind(self.kind).label)

    @property
    def group_id(self) -> int | None:
        return self.party_group.pk if self.party_group else None

    @property
    def missing(self) -> list[Cell]:
        return [c for c in self.cells if c.status == Status.MISSING]

    @property
    def due(self) -> Cell | None:
        return next((c for c in self.cells if c.status == Status.DUE), None)


@dataclass
class Calendar:
    branch: Branch
    year: int
    today: dt.date
    rows: list[Row]

    @property
    def months(self) -> list[dt.date]:
        return [dt.date(self.year, m, 1) for m in range(1, 13)]

    @property
    def missing_count(self) -> int:
        return sum(len(row.missing) for row in self.rows)

    @property
    def below_quorum(self) -> list[Meeting]:
        return [m for row in self.rows for c in row.cells for m in c.meetings if m.below_quorum]


def _status(period: CalendarPeriod, meetings: list, today: dt.date) -> str:
    if meetings:
        return Status.HELD
    if period.every <= 0:
        return Status.NOT_REQUIRED
    if period.end < today:
        return Status.MISSING
    if today in period:
        return Status.DUE
    return Status.FUTURE


def _row(kind, every, group, meetings: list[Meeting], year: int, today: dt.date) -> Row:
    cells = []
    for period in periods_of_year(year, every):
        held = [m for m in meetings if m.held_on in period]
        cells.append(Cell(period=period, status=_status(period, held, today), meetings=held))
    return Row(kind=kind, every=every, party_group=group, cells=cells)


def groups_with_leaders(branch: Branch) -> QuerySet[PartyGroup]:
    """The branch's party groups in the order they were set up (names like 第一/第二/第三党小组 do not
    sort by their numbers), each with its leader's `leader_id`, `leader_name` and
    `leader_user_id` (None without a leader or login). One query."""
    leaders = Member.objects.filter(party_group=OuterRef("pk"), is_group_leader=True, archived_on__isnull=True)
    return (
        PartyGroup.objects.filter(branch=branch)
        .annotate(
            leader_id=Subquery(leaders.values("pk")[:1]),
            leader_name=Subquery(leaders.values("name")[:1]),
            leader_user_id=Subquery(leaders.values("user_id")[:1]),
        )
        .order_by("pk")
    )


def year_meetings(branch: Branch, year: int):
    """The branch's meetings of a year, oldest first, each with `present_count` (one query)."""
    return (
        Meeting.objects.filter(branch=branch, held_on__range=(dt.date(year, 1, 1), dt.date(year, 12, 31)))
        .annotate(present_count=Count("attendance", filter=Q(attendance__presence=MeetingAttendance.Presence.PRESENT)))
        .only("pk", "branch_id", "kind", "party_group_id", "held_on", "topic", "has_vote", "below_quorum")
        .order_by("held_on", "pk")
    )


def compliance_calendar(branch: Branch, *, year: int, today: dt.date, only_group_id: int | None = None) -> Calendar:
    """What was held and what is missing in each period of a year. `only_group_id` narrows the
    calendar to one party group's row (for its leader). Two queries."""
    groups = groups_with_leaders(branch)
    if only_group_id is not None:
        groups = groups.filter(pk=only_group_id)
    groups = list(groups)
    by_row: dict[tuple[str, int | None], list[Meeting]] = defaultdict(list)
    for meeting in year_meetings(branch, year):
        by_row[(meeting.kind, meeting.party_group_id)].append(meeting)
    rows = []
    for kind in ROW_ORDER:
        every = getattr(branch, FREQUENCY_FIELDS[kind])
        if kind == Kind.GROUP:
            rows += [_row(kind, every, g, by_row[(kind, g.pk)], year, today) for g in groups]
        elif only_group_id is None:
            rows.append(_row(kind, every, None, by_row[(kind, None)], year, today))
    return Calendar(branch=branch, year=year, today=today, rows=rows)


# ---- the party group page ---------------------------------------------------------------------


@dataclass
class GroupMemberRow:
    member: Member
    meetings_present: int = 0  # any meeting this quarter
    meetings_recorded: int = 0
    group_meetings_present: int = 0  # this group's meetings this quarter
    study_hours: Decimal = Decimal(0)
    study_waiting: int = 0


@dataclass
class GroupPage:
    group: PartyGroup
    quarter_start: dt.date
    quarter_end: dt.date
    members: list[GroupMemberRow]
    row: Row  # the group's meeting row of this year's calendar

    @property
    def quarter(self) -> int:
        return (self.quarter_start.month - 1) // 3 + 1

    @property
    def quarter_label(self) -> str:
        return f"{self.quarter_start.year}Q{self.quarter}"

    @property
    def quarter_meetings(self) -> list[Meeting]:
        return [m for c in self.row.cells for m in c.meetings if self.quarter_start <= m.held_on <= self.quarter_end]

    @property
    def overdue(self) -> list[Cell]:
        return self.row.missing

    @property
    def study_waiting(self) -> int:
        return sum(r.study_waiting for r in self.members)

    @property
    def absent_all_quarter(self) -> list[Member]:
        """Members recorded at none of this quarter's group meetings, when there were some."""
        if not self.quarter_meetings:
            return []
        return [r.member for r in self.members if r.group_meetings_present == 0 and r.member.is_party_member]


def group_page(group: PartyGroup, *, today: dt.date) -> GroupPage:
    """A party group: its members with their meetings and confirmed study this quarter, and its
    group-meeting calendar row for the year (what is missing). Five queries whatever the size."""
    start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = add_months(start, 3) - dt.timedelta(days=1)
    members = list(
        Member.objects.filter(party_group=group).active().select_related("work_team").order_by("employee_number")
    )
    rows = {m.pk: GroupMemberRow(member=m) for m in members}
    present = Q(presence=MeetingAttendance.Presence.PRESENT)
    attendance = (
        MeetingAttendance.objects.filter(member__in=rows, meeting__held_on__range=(start, end))
        .values("member_id")
        .annotate(
            present=Count("pk", filter=present),
            recorded=Count("pk"),
            group_present=Count("pk", filter=present & Q(meeting__party_group=group)),
        )
        .order_by()
    )
    for a in attendance:
        rows[a["member_id"]].meetings_present = a["present"]
        rows[a["member_id"]].meetings_recorded = a["recorded"]
        rows[a["member_id"]].group_meetings_present = a["group_present"]
    confirmed = Q(status=StudyRecord.Status.CONFIRMED, studied_on__range=(start, end))
    study = (
        StudyRecord.objects.filter(member__in=rows)
        .values("member_id")
        .annotate(
            hours=Sum("hours", filter=confirmed),
            waiting=Count("pk", filter=Q(status=StudyRecord.Status.SUBMITTED)),
        )
        .order_by()
    )
    for s in study:
        rows[s["member_id"]].study_hours = s["hours"] or Decimal(0)
        rows[s["member_id"]].study_waiting = s["waiting"]
    calendar = compliance_calendar(group.branch, year=today.year, today=today, only_group_id=group.pk)
    return GroupPage(
        group=calendar.rows[0].party_group,
        quarter_start=start,
        quarter_end=end,
        members=list(rows.values()),
        row=calendar.rows[0],
    )


# ---- reminders --------------------------------------------------------------------------------


def reminders(branch: Branch, today: dt.date) -> list[Reminder]:
    """For each requirement whose previous period ended without a meeting: a reminder to the branch
    secretary, and for a group meeting also to the group's leader. Keys name the kind, the group and
    the period, so each gap is told once. Three queries."""
    secretary_user_id = (
        CommitteeRole.objects.filter(
            branch=branch,
            role=CommitteeRole.Role.SECRETARY,
            ended_on__isnull=True,
            member__archived_on__isnull=True,
        )
        .values_list("member__user_id", flat=True)
        .first()
    )
    groups = list(groups_with_leaders(branch))
    requirements = []  # (kind, group or None, period)
    for kind in ROW_ORDER:
        every = getattr(branch, FREQUENCY_FIELDS[kind])
        if every > 0:
            period = previous_period(today, every)
            requirements += [(kind, group, period) for group in (groups if kind == Kind.GROUP else [None])]
    if not requirements:
        return []
    first = min(period.start for _kind, _group, period in requirements)
    held = list(
        Meeting.objects.filter(branch=branch, held_on__range=(first, today)).values_list(
            "kind", "party_group_id", "held_on"
        )
    )
    calendar_url = reverse("activities:calendar")
    out = []
    for kind, group, period in requirements:
        group_id = group.pk if group else None
        if any(k == kind and g == group_id and day in period for k, g, day in held):
            continue
        key = f"meeting:{kind}:{group_id or 0}:{period.label}"
        body = _("Record it if it was held; otherwise hold it as soon as possible.")
        if group is None:
            title = _("No %(kind)s was recorded for %(period)s.") % {"kind": Kind(kind).label, "period": period.label}
        else:
            title = _("%(group)s: no party group meeting was recorded for %(period)s.") % {
                "group": group.name,
                "period": period.label,
            }
        # The secretary sees the branch's calendar; the leader their group's page.
        links = {secretary_user_id: f"{calendar_url}?year={period.start.year}"}
        if group is not None and group.leader_user_id and group.leader_user_id != secretary_user_id:
            links[group.leader_user_id] = reverse("activities:group_detail", args=[group.pk])
        out += [
            Reminder(user_id=user_id, key=key, title=title, body=body, url=url)
            for user_id, url in links.items()
            if user_id is not None
        ]
    return out
