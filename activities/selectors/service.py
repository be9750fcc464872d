"""Reading service activities: the calendar of a year, an activity's attendance sheet grouped by party
group, members' totals, and the dedication-day count for the committee's duty board.

Each function says what it costs in queries; none grows with the number of activities or people.
Dates are the branch's local dates (settings.TIME_ZONE): an activity belongs to the day it starts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branch.models import PartyGroup
from members.access import Actor
from members.models import Member

from ..access import activities_visible_to
from ..models import Activity, ActivityAttendance

Kind = Activity.Kind
State = Activity.State


def datetime_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """From local midnight on `start` to local midnight after `end`: the days start..end inclusive,
    as a half-open range of aware datetimes (which an index on starts_at can use)."""
    tz = timezone.get_default_timezone()
    begin = timezone.make_aware(dt.datetime.combine(start, dt.time.min), tz)
    after = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min), tz)
    return begin, after


def _in_days(prefix: str, start: dt.date | None, end: dt.date | None) -> Q:
    if start is None or end is None:
        return Q()
    begin, after = datetime_bounds(start, end)
    return Q(**{f"{prefix}starts_at__gte": begin, f"{prefix}starts_at__lt": after})


# ---- the calendar ------------------------------------------------------------------------------


@dataclass
class CalendarMonth:
    month: dt.date  # the first of the month
    activities: list[Activity] = field(default_factory=list)


@dataclass
class MemberTotals:
    activities: int = 0
    hours: Decimal = Decimal(0)
    dedication_days: int = 0


@dataclass
class ActivityCalendar:
    year: int
    kind: str | None
    months: list[CalendarMonth]
    mine: MemberTotals | None  # the viewer's own participation this year; None without a member record

    @property
    def count(self) -> int:
        return sum(len(m.activities) for m in self.months)


def activity_calendar(actor: Actor, *, year: int, kind: str | None = None) -> ActivityCalendar:
    """The activities the actor may see that start in `year`, month by month, oldest first. Each
    activity carries `present_count`, `registered_count` and, for a viewer with a member record,
    `my_present`, `my_registered` and `my_hours`. Two queries (one without a member record)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    activities = (
        activities_visible_to(actor)
        .filter(_in_days("", start, end))
        .select_related("branch", "organiser")
        .annotate(
            present_count=Count("attendance", filter=Q(attendance__present=True)),
            registered_count=Count("attendance", filter=Q(attendance__registered=True)),
        )
        .order_by("starts_at", "pk")
    )
    if kind:
        activities = activities.filter(kind=kind)
    if actor.member is not None:
        mine = ActivityAttendance.objects.filter(activity=OuterRef("pk"), member=actor.member)
        activities = activities.annotate(
            my_present=Exists(mine.filter(present=True)),
            my_registered=Exists(mine.filter(registered=True)),
            my_hours=Subquery(mine.filter(present=True).values("hours")[:1]),
        )
    months = [CalendarMonth(dt.date(year, n, 1)) for n in range(1, 13)]
    for activity in activities:
        months[timezone.localtime(activity.starts_at).month - 1].activities.append(activity)
    totals = None
    if actor.member is not None:
        totals = member_totals([actor.member.pk], start, end).get(actor.member.pk, MemberTotals())
    return ActivityCalendar(year=year, kind=kind, months=months, mine=totals)


# ---- totals ------------------------------------------------------------------------------------


def member_totals(
    member_ids: Iterable[int], start: dt.date | None = None, end: dt.date | None = None
) -> dict[int, MemberTotals]:
    """Per member: activities attended, hours, dedication days, for activities starting between start
    and end (inclusive; all time when None). Cancelled activities never count. One query; members
    without any attendance are left out."""
    rows = (
        ActivityAttendance.objects.filter(member_id__in=list(member_ids), present=True)
        .exclude(activity__state=State.CANCELLED)
        .filter(_in_days("activity__", start, end))
        .values("member_id")
        .annotate(
            activities=Count("activity_id", distinct=True),
            hours=Sum("hours"),
            dedication_days=Count("activity_id", distinct=True, filter=Q(activity__kind=Kind.DEDICATION_DAY)),
        )
        .order_by()
    )
    return {
        r["member_id"]: MemberTotals(
            activities=r["activities"], hours=r["hours"] or Decimal(0), dedication_days=r["dedication_days"]
        )
        for r in rows
    }


def dedication_days_attended(members: Iterable[Member | int], start: dt.date, end: dt.date) -> dict[int, int]:
    """How many dedication days (党员奉献日) each member was present at between start and end
    (inclusive, by the local date the day started); cancelled ones do not count. One aggregate
    query, {member_id: days}; members with none are left out.

    Its signature is that of the duty board's plug, activities.selectors.duties.count_dedication_days."""
    ids = [getattr(m, "pk", m) for m in members]
    if not ids:
        return {}
    rows = (
        ActivityAttendance.objects.filter(member_id__in=ids, present=True, activity__kind=Kind.DEDICATION_DAY)
        .exclude(activity__state=State.CANCELLED)
        .filter(_in_days("activity__", start, end))
        .values("member_id")
        .annotate(days=Count("activity_id", distinct=True))
        .order_by()
    )
    return {r["member_id"]: r["days"] for r in rows}


# ---- the attendance sheet ----------------------------------------------------------------------


@dataclass
class SheetRow:
    member: Member
    attendance: ActivityAttendance | None

    @property
    def present(self) -> bool:
        return bool(self.attendance and self.attendance.present)

    @property
    def registered(self) -> bool:
        return bool(self.attendance and self.attendance.registered)


@dataclass
class SheetGroup:
    group: PartyGroup | None
    rows: list[SheetRow]

    @property
    def label(self):
        return self.group.name if self.group else _("no party group")

    @property
    def key(self) -> str:
        return str(self.group.pk) if self.group else "none"

    @property
    def present_count(self) -> int:
        return sum(row.present for row in self.rows)


@dataclass
class AttendanceSheet:
    activity: Activity
    groups: list[SheetGroup]

    @property
    def rows(self) -> list[SheetRow]:
        return [row for group in self.groups for row in group.rows]

    @property
    def present_count(self) -> int:
        return sum(group.present_count for group in self.groups)


def attendance_sheet(activity: Activity, members: QuerySet[Member]) -> AttendanceSheet:
    """The checklist of `members` (see services.service.attendance_members) with what is recorded for
    each, by party group (groups by name, members by employee number; people without a group last).
    Two queries, whatever the number of people."""
    people = list(members.select_related("party_group").order_by("employee_number"))
    recorded = {row.member_id: row for row in activity.attendance.filter(member_id__in=[m.pk for m in people])}
    by_group: dict[int | None, SheetGroup] = {}
    for person in people:
        group = by_group.setdefault(person.party_group_id, SheetGroup(person.party_group, []))
        group.rows.append(SheetRow(person, recorded.get(person.pk)))
    groups = sorted(by_group.values(), key=lambda g: (g.group is None, g.group.name if g.group else ""))
    return AttendanceSheet(activity=activity, groups=groups)


def attendance_list(activity: Activity, actor: Actor) -> list[ActivityAttendance]:
    """The attendance rows the actor may read on the activity's page: everyone for the committee of
    the branch and the administrator, their group (and themself) for a group leader, their own row
    for a member. One query."""
    rows = activity.attendance.select_related("member", "member__party_group").order_by(
        "member__party_group__name", "member__employee_number"
    )
    if actor.is_admin or (actor.is_committee and actor.branch_id == activity.branch_id):
        return list(rows)
    if actor.member is None or actor.branch_id != activity.branch_id:
        return []
    if actor.leads_group_id:
        return list(rows.filter(Q(member__party_group_id=actor.leads_group_id) | Q(member=actor.member)))
    return list(rows.filter(member=actor.member))
