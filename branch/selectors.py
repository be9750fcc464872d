"""Read-side queries for branch pages. Each says what it loads, so pages keep a fixed query count."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, AssignmentTarget, Meeting
from activities.selectors.redflag import AMBER, GREEN, RED, attainment_sql, colour_of
from activities.selectors.service import datetime_bounds
from members.models import Member
from members.pipeline import add_months

from .models import Branch, PartyGroup

# Shown wherever members are grouped and someone has no party group yet (未分组).
UNGROUPED = _("No party group")


def branches_visible_to(actor) -> QuerySet[Branch]:
    if actor.is_admin:
        return Branch.objects.all()
    if actor.is_committee:
        return Branch.objects.filter(pk=actor.branch_id)
    return Branch.objects.none()


@dataclass
class GroupRow:
    name: str
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def cells(self) -> list[int]:
        """Counts in the order of Member.Status, for a table row."""
        return [self.by_status.get(status, 0) for status in Member.Status]


@dataclass
class BranchOverview:
    branch: Branch
    statuses: list[tuple[str, str]]
    groups: list[GroupRow]
    totals: dict[str, int]
    group_count: int  # the branch's party groups, without the 未分组 row

    @property
    def party_member_count(self) -> int:
        return sum(self.totals.get(status, 0) for status in Member.PARTY_STATUSES)

    @property
    def total(self) -> int:
        return sum(self.totals.values())

    @property
    def total_cells(self) -> list[int]:
        return [self.totals.get(status, 0) for status in Member.Status]


def branch_overview(branch: Branch) -> BranchOverview:
    """Members counted by party group and status, in two queries whatever the branch's size."""
    rows = (
        Member.objects.filter(branch=branch)
        .active()
        .values("party_group_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[int | None, dict[str, int]] = defaultdict(dict)
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row["party_group_id"]][row["status"]] = row["n"]
        totals[row["status"]] += row["n"]
    groups = [
        GroupRow(name=group.name, by_status=counts.get(group.pk, {}))
        # In the order they were set up: 第一/第二/第三党小组 do not sort by their numbers.
        for group in PartyGroup.objects.filter(branch=branch).order_by("pk")
    ]
    group_count = len(groups)
    if None in counts:
        groups.append(GroupRow(name=str(UNGROUPED), by_status=counts[None]))
    return BranchOverview(
        branch=branch,
        statuses=list(Member.Status.choices),
        groups=groups,
        totals=dict(totals),
        group_count=group_count,
    )


# ---- the dashboard's monthly series ------------------------------------------------------------
# Figures per calendar month for the dashboard's charts, each one grouped query whatever the years
# of data behind it. The panels' figures come from the apps' own selectors (branch/dashboard.py);
# only these month-by-month counts have no page of their own to borrow from.


def month_starts(last: dt.date, count: int = 12) -> list[dt.date]:
    """The first days of `count` calendar months ending with the month of `last`, oldest first."""
    index = last.year * 12 + last.month - 1
    return [dt.date(i // 12, i % 12 + 1, 1) for i in range(index - count + 1, index + 1)]


def _month_of(value) -> dt.date:
    """TruncMonth gives a date for a date column and an aware datetime (in the current time zone)
    for a datetime column."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date().replace(day=1) if timezone.is_aware(value) else value.date()
    return value


@dataclass
class MonthActivity:
    activities: int = 0  # service activities held (dedication days, theme activities, classes...)
    attendance: int = 0  # members present at them, counted per activity
    meetings: int = 0  # meetings held (三会一课), of every kind


def activity_by_month(branch: Branch, months: list[dt.date]) -> dict[dt.date, MonthActivity]:
    """Service activities held and their attendance, and meetings held, per month of `months` (first
    days, consecutive). Two queries. An activity belongs to the local day it starts; cancelled and
    still-planned activities do not count."""
    result = {month: MonthActivity() for month in months}
    if not months:
        return result
    first, last = months[0], add_months(months[-1], 1) - dt.timedelta(days=1)
    begin, after = datetime_bounds(first, last)
    activities = (
        Activity.objects.filter(branch=branch, state=Activity.State.HELD, starts_at__gte=begin, starts_at__lt=after)
        .annotate(month=TruncMonth("starts_at"))
        .values("month")
        .annotate(n=Count("pk", distinct=True), present=Count("attendance", filter=Q(attendance__present=True)))
        .order_by()
    )
    for row in activities:
        if (month := _month_of(row["month"])) in result:
            result[month].activities = row["n"]
            result[month].attendance = row["present"]
    meetings = (
        Meeting.objects.filter(branch=branch, held_on__range=(first, last))
        .annotate(month=TruncMonth("held_on"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in meetings:
        if (month := _month_of(row["month"])) in result:
            result[month].meetings = row["n"]
    return result


@dataclass
class MonthAttainment:
    attained: int = 0  # assignments whose every indicator reached its target that month (green)
    close: int = 0  # amber
    below: int = 0  # red

    @property
    def assessed(self) -> int:
        return self.attained + self.close + self.below

    @property
    def attained_percent(self) -> float | None:
        return round(100 * self.attained / self.assessed, 1) if self.assessed else None


def red_flag_attainment_by_month(branch: Branch, first: dt.date, last: dt.date) -> dict[dt.date, MonthAttainment]:
    """For each month from `first` to `last` (inclusive days; whole months are meant), the branch's
    red-flag assignments by the colour of their attainment that month, as the board colours them
    (activities/selectors/redflag.py: the worst indicator, readings taken under the assignment only).
    An assignment without readings in a month is not counted in it. One query: the targets joined
    with their readings, grouped by target and month, attainment computed in the database."""
    read = "assignment__asset__readings__"
    # One filter() call, so that every condition is on the same join with the readings.
    under_assignment = Q(
        Q(**{f"{read}indicator": F("indicator")}),
        Q(**{f"{read}reading_on__range": (first, last)}),
        Q(**{f"{read}reading_on__gte": F("assignment__started_on")}),
        Q(assignment__ended_on__isnull=True) | Q(**{f"{read}reading_on__lte": F("assignment__ended_on")}),
        assignment__asset__branch=branch,
    )
    rows = (
        AssignmentTarget.objects.filter(under_assignment)
        .annotate(month=TruncMonth(f"{read}reading_on"))
        .values("pk", "assignment_id", "month")
        .annotate(percent=attainment_sql(F("target"), value=f"{read}value", indicator="indicator"))
        .order_by()
    )
    worst: dict[tuple[int, dt.date], float] = {}
    for row in rows:
        if row["percent"] is None:
            continue
        key = (row["assignment_id"], _month_of(row["month"]))
        worst[key] = min(worst.get(key, row["percent"]), row["percent"])
    result: dict[dt.date, MonthAttainment] = defaultdict(MonthAttainment)
    for (_assignment, month), percent in worst.items():
        colour = colour_of(round(float(percent), 1))
        tally = result[month]
        if colour == GREEN:
            tally.attained += 1
        elif colour == AMBER:
            tally.close += 1
        elif colour == RED:
            tally.below += 1
    return dict(result)
