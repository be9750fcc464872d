"""The committee's duties to their linked teams (联点班组), as a board and as reminders.

Each committee member guides their linked work team at least once a month (每月必须指导一次) and joins
at least one dedication day a quarter (每季至少参与一次奉献日). `duty_board()` says, per active
committee member, where they stand today; `reminders()` is the reminder job's collector for this
module (activities/reminders.py): guidance visits owed by committee members, and the development
pipeline's due steps for the secretary.

Rules, written once here:
- A month is owed from the first full calendar month of the member's current team link: a link that
  starts on the 10th owes nothing that month. Only visits to the currently linked team count.
- Guidance status: a visit this month → on track; none this month and none last month → overdue;
  none this month and at most DUE_SOON_DAYS left (today included) → due soon; otherwise on track.
  A visit this month turns a member green again even after a missed month (the miss stays visible
  in the "last month" column): the board is about what can still be done.
- Dedication days follow the same rules per quarter, counted from the committee seat, once they are
  recorded (see `count_dedication_days`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.reminders import Reminder
from branch.models import Branch
from members.models import CommitteeRole, Member, TeamLink
from members.pipeline import add_months, due_this_month, pipeline_rows

from ..models import GuidanceVisit

DUE_SOON_DAYS = 7


class Status:
    """A duty's state on the board; `TONES` gives its Bootstrap colour, `SEVERITY` its weight."""

    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    NO_TEAM = "no_team"  # a committee member without a linked team: nothing to measure
    NOT_RECORDED = "not_recorded"  # dedication days, until they are recorded

    LABELS = {
        ON_TRACK: gettext_lazy("on track"),
        DUE_SOON: gettext_lazy("due soon"),
        OVERDUE: gettext_lazy("overdue"),
        NO_TEAM: gettext_lazy("no linked team"),
        NOT_RECORDED: gettext_lazy("not recorded yet"),
    }
    TONES = {
        ON_TRACK: "success",
        DUE_SOON: "warning",
        OVERDUE: "danger",
        NO_TEAM: "secondary",
        NOT_RECORDED: "secondary",
    }
    SEVERITY = {ON_TRACK: 0, NOT_RECORDED: 0, NO_TEAM: 1, DUE_SOON: 2, OVERDUE: 3}


# ---- periods ------------------------------------------------------------------------------------


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    start = day.replace(day=1)
    return start, add_months(start, 1) - dt.timedelta(days=1)


def quarter_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    start = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return start, add_months(start, 3) - dt.timedelta(days=1)


def days_left(today: dt.date, end: dt.date) -> int:
    """Days from today to the end of the period, today included (the 24th of a 30-day month: 7)."""
    return (end - today).days + 1


def period_status(*, done: int, done_before: int, owed_since: dt.date, today: dt.date, quarterly: bool) -> str:
    """The status of a monthly (or quarterly) duty; `owed_since` is when the duty began."""
    start, end = quarter_bounds(today) if quarterly else month_bounds(today)
    previous_start = add_months(start, -3 if quarterly else -1)
    if done:
        return Status.ON_TRACK
    if done_before == 0 and owed_since <= previous_start:
        return Status.OVERDUE
    if owed_since <= start and days_left(today, end) <= DUE_SOON_DAYS:
        return Status.DUE_SOON
    return Status.ON_TRACK


# ---- dedication days: the plug ------------------------------------------------------------------


def count_dedication_days(member_ids: list[int], start: dt.date, end: dt.date) -> dict[int, int] | None:
    """How many dedication days (党员奉献日) each member attended between start and end (inclusive),
    as {member_id: days}; members without any may be missing. (A None here would mean "not recorded",
    which the board still understands, for a branch that does not record dedication days.)"""
    from .service import dedication_days_attended

    return dedication_days_attended(member_ids, start, end)


# ---- the board ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DutyRow:
    member: Member
    seat: CommitteeRole
    link: TeamLink | None
    visits_this_month: int
    visits_last_month: int
    owes_this_month: bool  # the link covers the whole month
    owed_last_month: bool
    last_visit_on: dt.date | None
    guidance_status: str
    dedication_days: int | None  # this quarter; None: not recorded yet
    dedication_status: str

    @property
    def status(self) -> str:
        return max((self.guidance_status, self.dedication_status), key=Status.SEVERITY.__getitem__)

    @property
    def status_label(self):
        return Status.LABELS[self.status]

    @property
    def tone(self) -> str:
        return Status.TONES[self.status]

    @property
    def guidance_label(self):
        return Status.LABELS[self.guidance_status]

    @property
    def guidance_tone(self) -> str:
        return Status.TONES[self.guidance_status]

    @property
    def dedication_label(self):
        return Status.LABELS[self.dedication_status]

    @property
    def dedication_tone(self) -> str:
        return Status.TONES[self.dedication_status]


@dataclass(frozen=True)
class DutyBoard:
    branch: Branch
    today: dt.date
    month_start: dt.date
    month_end: dt.date
    quarter_start: dt.date
    quarter_end: dt.date
    rows: list[DutyRow]
    dedication_recorded: bool

    @property
    def days_left_in_month(self) -> int:
        return days_left(self.today, self.month_end)

    @property
    def last_month(self) -> dt.date:
        return add_months(self.month_start, -1)

    @property
    def quarter_label(self) -> str:
        return f"{self.quarter_start.year}Q{(self.quarter_start.month - 1) // 3 + 1}"

    def counts(self) -> dict[str, int]:
        tally = {Status.ON_TRACK: 0, Status.DUE_SOON: 0, Status.OVERDUE: 0}
        for row in self.rows:
            if row.status in tally:
                tally[row.status] += 1
        return tally


_ROLE_ORDER = {role: i for i, role in enumerate(CommitteeRole.Role.values)}


def _visit_counts(member_ids: list[int], today: dt.date) -> dict[tuple[int, int], dict]:
    """Per (member, team): visits this month, last month and the latest visit, in one query."""
    month_start, month_end = month_bounds(today)
    previous_start = add_months(month_start, -1)
    rows = (
        GuidanceVisit.objects.filter(member_id__in=member_ids, visited_on__lte=month_end)
        .values("member_id", "work_team_id")
        .annotate(
            this_month=Count("pk", filter=Q(visited_on__gte=month_start)),
            last_month=Count("pk", filter=Q(visited_on__gte=previous_start, visited_on__lt=month_start)),
            latest=Max("visited_on"),
        )
        .order_by()
    )
    return {(r["member_id"], r["work_team_id"]): r for r in rows}


def duty_board(branch: Branch, today: dt.date) -> DutyBoard:
    """Every active committee member of the branch with their duties as of today: three queries
    (seats, team links, visit counts) whatever the number of members or visits, plus what the
    dedication-day counter costs once it is on."""
    month_start, month_end = month_bounds(today)
    quarter_start, quarter_end = quarter_bounds(today)
    seats = sorted(
        CommitteeRole.objects.filter(
            branch=branch, ended_on__isnull=True, member__archived_on__isnull=True
        ).select_related("member"),
        key=lambda seat: (_ROLE_ORDER.get(seat.role, 99), seat.member.employee_number),
    )
    member_ids = [seat.member_id for seat in seats]
    links = {
        link.member_id: link
        for link in TeamLink.objects.filter(member_id__in=member_ids, ended_on__isnull=True).select_related("work_team")
    }
    visits = _visit_counts(member_ids, today) if member_ids else {}
    this_quarter = count_dedication_days(member_ids, quarter_start, quarter_end)
    last_quarter = None
    if this_quarter is not None:
        previous_quarter = add_months(quarter_start, -3)
        last_quarter = count_dedication_days(member_ids, previous_quarter, quarter_start - dt.timedelta(days=1))

    rows = []
    for seat in seats:
        link = links.get(seat.member_id)
        counts = visits.get((seat.member_id, link.work_team_id), {}) if link else {}
        this_month, last_month = counts.get("this_month", 0), counts.get("last_month", 0)
        if link is None:
            guidance = Status.NO_TEAM
        else:
            guidance = period_status(
                done=this_month, done_before=last_month, owed_since=link.started_on, today=today, quarterly=False
            )
        dedication_days = None if this_quarter is None else this_quarter.get(seat.member_id, 0)
        if dedication_days is None:
            dedication = Status.NOT_RECORDED
        else:
            dedication = period_status(
                done=dedication_days,
                done_before=(last_quarter or {}).get(seat.member_id, 0),
                owed_since=seat.started_on,
                today=today,
                quarterly=True,
            )
        rows.append(
            DutyRow(
                member=seat.member,
                seat=seat,
                link=link,
                visits_this_month=this_month,
                visits_last_month=last_month,
                owes_this_month=link is not None and link.started_on <= month_start,
                owed_last_month=link is not None and link.started_on <= add_months(month_start, -1),
                last_visit_on=counts.get("latest"),
                guidance_status=guidance,
                dedication_days=dedication_days,
                dedication_status=dedication,
            )
        )
    return DutyBoard(
        branch=branch,
        today=today,
        month_start=month_start,
        month_end=month_end,
        quarter_start=quarter_start,
        quarter_end=quarter_end,
        rows=rows,
        dedication_recorded=this_quarter is not None,
    )


# ---- reminders (collected by activities/reminders.py) -------------------------------------------


def guidance_key(member_id: int, month: dt.date) -> str:
    """The notification key of one month's guidance visit: one reminder per member and month, ever."""
    return f"guidance:{member_id}:{month:%Y-%m}"


def guidance_reminders(branch: Branch, today: dt.date) -> list[Reminder]:
    """A reminder to each committee member who owes a guidance visit: this month's when at most
    DUE_SOON_DAYS remain without one, and last month's when it ended without one.

    The key names the month the visit was owed for, so each owed month is reminded about once: in
    its last week normally, or on the first run after it ended when the job was not running then
    (or the link's first full month had already passed its last week)."""
    board = duty_board(branch, today)
    url = reverse("activities:guidance_add")
    last_month = board.last_month
    reminders = []
    for row in board.rows:
        if row.link is None or not row.member.user_id:
            continue
        team = row.link.work_team.name
        if row.owed_last_month and row.visits_last_month == 0:
            reminders.append(
                Reminder(
                    user_id=row.member.user_id,
                    key=guidance_key(row.member.pk, last_month),
                    title=_("No guidance visit to %(team)s in %(month)s")
                    % {"team": team, "month": f"{last_month:%Y-%m}"},
                    body=_(
                        "No guidance visit to your linked team was logged for %(month)s. "
                        "Each committee member guides their linked team at least once a month."
                    )
                    % {"month": f"{last_month:%Y-%m}"},
                    url=url,
                )
            )
        if row.owes_this_month and row.visits_this_month == 0 and board.days_left_in_month <= DUE_SOON_DAYS:
            reminders.append(
                Reminder(
                    user_id=row.member.user_id,
                    key=guidance_key(row.member.pk, board.month_start),
                    title=_("Guidance visit to %(team)s due by %(date)s")
                    % {"team": team, "date": f"{board.month_end:%Y-%m-%d}"},
                    body=_("You have not logged a guidance visit to your linked team %(team)s this month.")
                    % {"team": team},
                    url=url,
                )
            )
    return reminders


def pipeline_key(development_id: int, step) -> str:
    return f"pipeline:{development_id}:{step.key}:{step.latest}"


def pipeline_reminders(branch: Branch, today: dt.date) -> list[Reminder]:
    """A reminder to the branch secretary for each pipeline step due this month or overdue (as the
    pipeline page lists them). A step is reminded about once per deadline: a new deadline (the next
    quarter's review) is a new thing."""
    secretary_user_id = (
        CommitteeRole.objects.filter(
            branch=branch,
            role=CommitteeRole.Role.SECRETARY,
            ended_on__isnull=True,
            member__archived_on__isnull=True,
            member__user__isnull=False,
        )
        .values_list("member__user_id", flat=True)
        .first()
    )
    if secretary_user_id is None:
        return []
    reminders = []
    for row, step in due_this_month(pipeline_rows(branch, today), today):
        if step.is_overdue(today):
            when = _("overdue since %(date)s") % {"date": f"{step.latest:%Y-%m-%d}"}
        else:
            when = _("due by %(date)s") % {"date": f"{step.latest:%Y-%m-%d}"}
        reminders.append(
            Reminder(
                user_id=secretary_user_id,
                key=pipeline_key(row.development.pk, step),
                title=f"{row.member.name}: {step.label} ({when})",
                body=_("Who acts: %(who)s.") % {"who": step.who},
                url=reverse("members:development", args=[row.member.pk]),
            )
        )
    return reminders


def reminders(branch: Branch, today: dt.date) -> list[Reminder]:
    """This module's collector for the reminder job: guidance visits, then pipeline steps."""
    return guidance_reminders(branch, today) + pipeline_reminders(branch, today)
