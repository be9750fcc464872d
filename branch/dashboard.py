"""The branch dashboard: the secretary's landing page, gathered from the apps' own selectors.

Each panel asks the selector of the page where the work is done, so the dashboard and that page never
disagree: the compliance calendar (activities/selectors/meetings.py), the duty board (duties.py), the
red-flag board's attainment (redflag.py), appeals and care occasions (appeals.py, care.py) and the
pipeline's "due this month" list (members/pipeline.py). Only the charts' month-by-month counts are
the dashboard's own (branch/selectors.py).

Which day the figures are "as of":
- a quarter's panels (meetings, duties, red-flag attainment) are read as of today in the current
  quarter and as of the quarter's last day for an earlier one;
- appeals and care occasions open or overdue, and the pipeline's steps due this month, are always as
  of today: they are work still to do, whatever quarter is being looked at (the appeals panel adds
  the chosen quarter's figures);
- the charts cover the twelve months ending with the as-of day's month.

The whole dashboard costs a fixed number of queries whatever the data (tests/branch/test_dashboard.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from activities.models import Appeal, CareOccasion, Meeting, RedFlagAssignment
from activities.selectors import appeals as appeal_selectors
from activities.selectors import care as care_selectors
from activities.selectors.duties import DutyBoard, duty_board
from activities.selectors.duties import Status as DutyStatus
from activities.selectors.meetings import Cell, Row, compliance_calendar
from activities.selectors.meetings import Status as MeetingStatus
from activities.selectors.redflag import AMBER, COLOURS, RED, TONES, AssignmentStatus, assignment_statuses, colour_label
from members.pipeline import PipelineRow, Step, add_months, due_this_month, pipeline_rows

from .models import Branch
from .quarters import Quarter
from .selectors import BranchOverview, activity_by_month, branch_overview, month_starts, red_flag_attainment_by_month

CHART_MONTHS = 12

# ---- organisation life --------------------------------------------------------------------------


@dataclass
class ComplianceRow:
    """A requirement of the compliance calendar with its periods that overlap the quarter."""

    row: Row
    cells: list[Cell]

    @property
    def kind_label(self) -> str:
        return str(Meeting.Kind(self.row.kind).label)

    @property
    def group_name(self) -> str:
        return self.row.party_group.name if self.row.party_group else ""


@dataclass
class CompliancePanel:
    year: int
    rows: list[ComplianceRow]

    def _count(self, status: str) -> int:
        return sum(1 for row in self.rows for cell in row.cells if cell.status == status)

    @property
    def held(self) -> int:
        return self._count(MeetingStatus.HELD)

    @property
    def missing(self) -> int:
        return self._count(MeetingStatus.MISSING)

    @property
    def due(self) -> int:
        return self._count(MeetingStatus.DUE)


def compliance_panel(branch: Branch, quarter: Quarter, today: dt.date) -> CompliancePanel:
    """The quarter's cells of the year's compliance calendar: a monthly requirement has three, a
    quarterly one one, a half-yearly or yearly one the period that contains the quarter. Two queries."""
    calendar = compliance_calendar(branch, year=quarter.year, today=today)
    rows = [
        ComplianceRow(
            row=row, cells=[c for c in row.cells if c.period.start <= quarter.end and c.period.end >= quarter.start]
        )
        for row in calendar.rows
    ]
    return CompliancePanel(year=quarter.year, rows=rows)


# ---- the committee's duties ---------------------------------------------------------------------


@dataclass
class DutyPanel:
    board: DutyBoard

    @property
    def counts(self) -> dict[str, int]:
        return self.board.counts()

    @property
    def rows(self):
        """Committee members, the most urgent first (the board's own order within a status)."""
        return sorted(self.board.rows, key=lambda row: -DutyStatus.SEVERITY[row.status])


# ---- red-flag work ------------------------------------------------------------------------------


@dataclass
class RedFlagTile:
    colour: str
    count: int

    @property
    def tone(self) -> str:
        return TONES[self.colour]

    @property
    def label(self) -> str:
        return colour_label(self.colour)


@dataclass
class RedFlagPanel:
    statuses: list[AssignmentStatus]
    counts: dict[str, int]  # colour -> assignments

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def month(self) -> dt.date | None:
        """The latest complete month the attainment is of (most assignments share it)."""
        return max((s.month for s in self.statuses if s.month), default=None)

    @property
    def attention(self) -> list[AssignmentStatus]:
        """Assignments below or close to target, the furthest below first."""
        return sorted((s for s in self.statuses if s.colour in (RED, AMBER)), key=lambda s: s.percent)

    @property
    def tiles(self) -> list[RedFlagTile]:
        return [RedFlagTile(colour, self.counts[colour]) for colour in COLOURS]


def red_flag_panel(branch: Branch, quarter: Quarter, today: dt.date) -> RedFlagPanel:
    """The branch's assignments coloured as the red-flag board colours them (the attainment of their
    latest complete month). In the current quarter: the active assignments, as on the board. For an
    earlier quarter: those active on its last day, with the attainment of its last month at most.
    Three queries."""
    assignments = RedFlagAssignment.objects.filter(asset__branch=branch)
    if quarter.end >= today:
        assignments, as_of = assignments.filter(ended_on__isnull=True), today
    else:
        assignments = assignments.filter(started_on__lte=quarter.end).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=quarter.end)
        )
        # The board reads "the last complete month before today": the day after the quarter makes
        # that the quarter's last month.
        as_of = quarter.next().start
    statuses = assignment_statuses(assignments.order_by("asset__code"), as_of)
    counts = dict.fromkeys(COLOURS, 0)
    for status in statuses:
        counts[status.colour] += 1
    return RedFlagPanel(statuses=statuses, counts=counts)


# ---- appeals and care ---------------------------------------------------------------------------


@dataclass
class AppealPanel:
    received: int  # open, not yet taken up
    in_progress: int
    overdue: int  # open past their deadline
    quarter: appeal_selectors.QuarterFigures  # the appeals received in the chosen quarter

    @property
    def open(self) -> int:
        return self.received + self.in_progress


def appeal_panel(branch: Branch, quarter: Quarter, today: dt.date) -> AppealPanel:
    """Appeals open and overdue today (the appeal list's rules) and the quarter's figures (the
    figures page's). Two queries, three on SQLite (the median)."""
    appeals = Appeal.objects.filter(branch=branch)
    Status = Appeal.Status
    now = appeals.aggregate(
        received=Count("pk", filter=Q(status=Status.RECEIVED)),
        in_progress=Count("pk", filter=Q(status=Status.IN_PROGRESS)),
        overdue=Count("pk", filter=appeal_selectors.overdue_q(today)),
    )
    figures = appeal_selectors.quarter_figures(appeals, year=quarter.year, today=today)[quarter.number - 1]
    return AppealPanel(quarter=figures, **now)


@dataclass
class CarePanel:
    open: int  # occasions without a visit yet
    overdue: int  # of those, past the branch's days to visit
    reported: int  # occasions reported in the chosen quarter
    within_days: int


def care_panel(branch: Branch, quarter: Quarter, today: dt.date) -> CarePanel:
    """Care occasions (五一定) open and overdue today, as the care list filters them, and how many
    were reported in the quarter. Three queries."""
    occasions = CareOccasion.objects.filter(branch=branch)
    return CarePanel(
        open=care_selectors.occasion_list(occasions, today=today, state=care_selectors.OPEN).count(),
        overdue=care_selectors.overdue_occasions(branch, today).count(),
        reported=occasions.filter(**quarter.date_filter("reported_on")).count(),
        within_days=branch.care_visit_within_days,
    )


# ---- the development pipeline -------------------------------------------------------------------


@dataclass
class PipelinePanel:
    today: dt.date
    due: list[tuple[PipelineRow, Step]]  # soonest first, overdue ones included
    in_pipeline: int

    @property
    def overdue(self) -> int:
        return sum(1 for _row, step in self.due if step.is_overdue(self.today))


def pipeline_panel(branch: Branch, today: dt.date) -> PipelinePanel:
    """The pipeline page's "due this month or overdue" list. Five queries."""
    rows = pipeline_rows(branch, today)
    return PipelinePanel(today=today, due=due_this_month(rows, today), in_pipeline=len(rows))


# ---- charts -------------------------------------------------------------------------------------


def chart_data(branch: Branch, as_of: dt.date, today: dt.date) -> dict:
    """What static/js/dashboard.js draws: per month of the twelve ending with `as_of`'s month, the
    service activities held, their attendance and the meetings held; and the share of red-flag
    assignments on target. The month still running has no attainment yet (null), as on the board.
    Three queries. Every list is as long as `labels`."""
    months = month_starts(as_of, CHART_MONTHS)
    activity = activity_by_month(branch, months)
    as_of_month_end = add_months(as_of.replace(day=1), 1) - dt.timedelta(days=1)
    last = min(as_of_month_end, today.replace(day=1) - dt.timedelta(days=1))
    attainment = red_flag_attainment_by_month(branch, months[0], last) if last >= months[0] else {}
    return {
        "labels": [f"{m:%Y-%m}" for m in months],
        "activities": [activity[m].activities for m in months],
        "attendance": [activity[m].attendance for m in months],
        "meetings": [activity[m].meetings for m in months],
        "attained_percent": [attainment[m].attained_percent if m in attainment else None for m in months],
        "attained": [attainment[m].attained if m in attainment else 0 for m in months],
        "assessed": [attainment[m].assessed if m in attainment else 0 for m in months],
        "text": {
            "activities": _("service activities held"),
            "attendance": _("attendance at them"),
            "meetings": _("meetings held"),
            "attained_percent": _("assignments on target (%)"),
            "assessed": _("assignments with readings"),
        },
    }


# ---- the whole page -----------------------------------------------------------------------------


@dataclass
class Dashboard:
    branch: Branch
    quarter: Quarter
    today: dt.date
    as_of: dt.date  # the day the quarter's panels are read on
    overview: BranchOverview
    compliance: CompliancePanel
    duties: DutyPanel
    red_flag: RedFlagPanel
    appeals: AppealPanel
    care: CarePanel
    pipeline: PipelinePanel
    charts: dict = field(default_factory=dict)

    @property
    def chart_rows(self) -> list[tuple]:
        """The charts' figures month by month, for the table under them (and for print)."""
        c = self.charts
        return list(
            zip(c["labels"], c["activities"], c["attendance"], c["meetings"], c["attained_percent"], strict=True)
        )

    @property
    def is_current(self) -> bool:
        return self.quarter == Quarter.of(self.today)

    @property
    def previous_quarter(self) -> Quarter:
        return self.quarter.previous()

    @property
    def next_quarter(self) -> Quarter | None:
        following = self.quarter.next()
        return None if following.is_future(self.today) else following


def as_of_day(quarter: Quarter, today: dt.date) -> dt.date:
    return min(quarter.end, today)


def branch_dashboard(branch: Branch, *, quarter: Quarter, today: dt.date) -> Dashboard:
    """Every panel of the dashboard for `quarter` (not a future one: the view refuses those)."""
    as_of = as_of_day(quarter, today)
    return Dashboard(
        branch=branch,
        quarter=quarter,
        today=today,
        as_of=as_of,
        overview=branch_overview(branch),
        compliance=compliance_panel(branch, quarter, today),
        duties=DutyPanel(board=duty_board(branch, as_of)),
        red_flag=red_flag_panel(branch, quarter, today),
        appeals=appeal_panel(branch, quarter, today),
        care=care_panel(branch, quarter, today),
        pipeline=pipeline_panel(branch, today),
        charts=chart_data(branch, as_of, today),
    )
