"""The read side of red-flag work: attainment, the branch's board, an asset's chart, the record book's
assignments and the reminders about missing readings.

Attainment (达标率) of an indicator over a period compares the average of its readings with the
target: average / target when higher is better, target / average when lower is better (100 % when the
average is 0). Green from 100 %, amber from 90 %, red below; an assignment is as good as its worst
indicator. Averages and percentages are computed in the database (Avg grouped by TruncMonth or
TruncQuarter, the ratio in SQL), so pages cost the same number of queries whatever the years of
readings behind them.

"Latest attainment" is that of the last complete calendar month (the current month is still running)
in which the asset has readings taken under the assignment; the pages say which month it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Avg,
    Case,
    Count,
    DateField,
    DecimalField,
    Exists,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, NullIf, TruncMonth, TruncQuarter
from django.db.models.lookups import Exact, In, IsNull
from django.urls import reverse
from django.utils.translation import gettext as _

from branch.models import Branch
from members.access import Actor
from members.models import Member

from ..access import Can, assignments_visible_to, can
from ..models import Asset, AssignmentTarget, Indicator, Reading, RedFlagAssignment
from ..reminders import Reminder

GREEN, AMBER, RED, NO_DATA = "green", "amber", "red", "none"
GREEN_FROM, AMBER_FROM = 100, 90  # percent of target
COLOURS = (GREEN, AMBER, RED, NO_DATA)
TONES = {GREEN: "success", AMBER: "warning", RED: "danger", NO_DATA: "secondary"}
HIGHER_IS_BETTER = [i.value for i in Indicator if i.spec.higher_is_better]
DAILY = [i.value for i in Indicator if not i.spec.monthly]
# Looked up once: building Indicator(value) and reading its properties is slow enough to show on a
# board of 500 assets.
LABELS = {i.value: i.label for i in Indicator}
UNITS = {i.value: i.spec.unit for i in Indicator}
ORDER = {value: index for index, value in enumerate(Indicator.values)}
BASELINE_MONTHS = 12  # months of "before" shown on an asset's chart
REMIND_AFTER_DAYS = 3


def colour_of(percent: float | None) -> str:
    if percent is None:
        return NO_DATA
    if percent >= GREEN_FROM:
        return GREEN
    return AMBER if percent >= AMBER_FROM else RED


def colour_label(colour: str) -> str:
    return {
        GREEN: _("on target"),
        AMBER: _("close to target"),
        RED: _("below target"),
        NO_DATA: _("no complete month yet"),
    }[colour]


def attainment_sql(target, *, value: str = "value", indicator: str = "indicator"):
    """Percent of target as an SQL expression over reading rows grouped by indicator (and period);
    `target` is an expression constant within each group (a column of the target, or a Case on the
    indicator); `value` and `indicator` name the reading's value and the indicator.

    With a constant target, average/target = avg(value/target) and target/average = 1/avg(value/target),
    so the target only ever appears inside an aggregate: grouping never has to include it, and
    PostgreSQL, which computes every aggregate of a CASE, never divides by a zero target (NULLIF)."""
    average = Avg(value)
    # Floats: SQLite keeps whole decimals as integers and would divide them as integers.
    divisor = Cast(NullIf(target, Value(0), output_field=DecimalField(max_digits=10, decimal_places=2)), FloatField())
    ratio = Avg(Cast(value, FloatField()) / divisor)  # NULL when the target is 0
    higher = In(F(indicator), HIGHER_IS_BETTER)
    return Case(
        When(IsNull(average, True), then=Value(None)),
        When(higher & IsNull(ratio, True), then=Value(100.0)),  # any output attains a zero target
        When(higher, then=Value(100.0) * ratio),
        When(Exact(average, 0), then=Value(100.0)),  # none of what should be low: fully attained
        When(IsNull(ratio, True), then=Value(0.0)),  # some of what should be none
        default=Value(100.0) / ratio,
        output_field=FloatField(),
    )


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


# ---- attainment of assignments ---------------------------------------------------------------------


def targets_with_last_reading(today: dt.date) -> QuerySet[AssignmentTarget]:
    """Targets annotated through index seeks on (asset, indicator, date), with no date functions:

    - last_on: the last reading under the assignment before the current month (its month is the
      target's latest complete month);
    - latest_on / latest_value: the newest reading of the indicator, whenever it was taken.
    """
    readings = Reading.objects.filter(asset_id=OuterRef("assignment__asset_id"), indicator=OuterRef("indicator"))
    ends = Coalesce(OuterRef("assignment__ended_on"), Value(today), output_field=DateField())
    under = readings.filter(reading_on__gte=OuterRef("assignment__started_on"), reading_on__lte=ends)
    last = under.filter(reading_on__lt=_month_start(today)).order_by("-reading_on").values("reading_on")[:1]
    newest = readings.order_by("-reading_on")
    return AssignmentTarget.objects.annotate(
        last_on=Subquery(last),
        latest_on=Subquery(newest.values("reading_on")[:1]),
        latest_value=Subquery(newest.values("value")[:1]),
    )


def _month_window(target: AssignmentTarget) -> tuple[dt.date, dt.date]:
    """The days of the target's latest complete month that fall under its assignment."""
    month = _month_start(target.last_on)
    return max(month, target.assignment.started_on), target.last_on


def month_attainment(targets: list[AssignmentTarget]) -> dict[int, tuple[Decimal | None, float | None]]:
    """Average and percent of target of each target's latest complete month, by target id: one query,
    a join of the targets with their readings grouped by target. The windows are few (most targets
    share last month), so the condition stays short whatever the number of assets."""
    windows: dict[tuple[dt.date, dt.date], list[int]] = {}
    for target in targets:
        if target.last_on is not None:
            windows.setdefault(_month_window(target), []).append(target.pk)
    if not windows:
        return {}
    read = "assignment__asset__readings__"
    in_window = Q()
    for (first, last), ids in windows.items():
        in_window |= Q(pk__in=ids, **{f"{read}reading_on__range": (first, last)})
    rows = (
        AssignmentTarget.objects.filter(in_window, **{f"{read}indicator": F("indicator")})
        .values("pk")
        .annotate(
            average=Avg(f"{read}value"),
            percent=attainment_sql(F("target"), value=f"{read}value", indicator="indicator"),
        )
        .order_by()
    )
    return {row["pk"]: (_decimal(row["average"]), row["percent"]) for row in rows}


@dataclass(frozen=True)
class IndicatorAttainment:
    indicator: str
    target: Decimal
    month: dt.date | None  # the month `average` and `percent` are of (None: no complete month)
    average: Decimal | None
    percent: float | None
    latest_on: dt.date | None = None
    latest_value: Decimal | None = None

    @property
    def label(self) -> str:
        return LABELS[self.indicator]

    @property
    def unit(self) -> str:
        return UNITS[self.indicator]

    @property
    def higher_is_better(self) -> bool:
        return self.indicator in HIGHER_IS_BETTER

    @property
    def colour(self) -> str:
        return colour_of(self.percent)

    @property
    def tone(self) -> str:
        return TONES[self.colour]


@dataclass
class AssignmentStatus:
    """An assignment with the attainment of each target in its latest complete month."""

    assignment: RedFlagAssignment
    month: dt.date | None
    indicators: list[IndicatorAttainment] = field(default_factory=list)

    @property
    def asset(self) -> Asset:
        return self.assignment.asset

    @property
    def member(self) -> Member:
        return self.assignment.member

    @property
    def percent(self) -> float | None:
        """The worst indicator's percentage: the assignment's overall attainment."""
        values = [i.percent for i in self.indicators if i.percent is not None]
        return min(values) if values else None

    @property
    def colour(self) -> str:
        return colour_of(self.percent)

    @property
    def tone(self) -> str:
        return TONES[self.colour]

    @property
    def colour_label(self) -> str:
        return colour_label(self.colour)

    @property
    def latest_on(self) -> dt.date | None:
        dates = [i.latest_on for i in self.indicators if i.latest_on]
        return max(dates) if dates else None


def assignment_status(assignment: RedFlagAssignment, attained: dict, targets=None) -> AssignmentStatus:
    """The status from targets annotated by targets_with_last_reading() (given, or prefetched on the
    assignment) and the figures of month_attainment(). No query."""
    targets = sorted(assignment.targets.all() if targets is None else targets, key=lambda t: ORDER[t.indicator])
    months = [_month_start(t.last_on) for t in targets if t.last_on]
    month = max(months) if months else None
    indicators = []
    for t in targets:
        current = month is not None and t.last_on is not None and _month_start(t.last_on) == month
        average, percent = attained.get(t.pk, (None, None)) if current else (None, None)
        indicators.append(
            IndicatorAttainment(
                indicator=t.indicator,
                target=t.target,
                month=month if current else None,
                average=average,
                percent=None if percent is None else round(float(percent), 1),
                latest_on=t.latest_on,
                latest_value=_decimal(t.latest_value),
            )
        )
    return AssignmentStatus(assignment=assignment, month=month, indicators=indicators)


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


def assignment_statuses(assignments: QuerySet[RedFlagAssignment], today: dt.date) -> list[AssignmentStatus]:
    """Each assignment with its asset, member and latest attainment: three queries for any number of
    assignments and any years of readings."""
    assignments = list(
        assignments.select_related("asset", "member", "member__party_group").prefetch_related(
            Prefetch("targets", queryset=targets_with_last_reading(today).select_related("assignment"))
        )
    )
    attained = month_attainment([t for a in assignments for t in a.targets.all()])
    return [assignment_status(a, attained) for a in assignments]


# ---- the board ---------------------------------------------------------------------------------------


@dataclass
class Board:
    rows: list[AssignmentStatus]
    counts: dict[str, int]  # colour -> number of assignments, before the colour filter
    unassigned: list[Asset]  # hard-to-manage assets nobody is responsible for (managers only)
    month: dt.date | None  # the most recent month shown, for the page's heading

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def red_flag_board(actor: Actor, *, today: dt.date, query: str = "", colour: str = "") -> Board:
    """Every asset with an active assignment that the actor may see, with its member and latest
    attainment; `query` matches the asset's code or station or the member's name, `colour` keeps one
    colour. Three queries (four for those who manage assignments) whatever the number of assets and
    readings."""
    assignments = assignments_visible_to(actor).filter(ended_on__isnull=True)
    if query := query.strip():
        assignments = assignments.filter(
            Q(asset__code__icontains=query) | Q(asset__station__icontains=query) | Q(member__name__icontains=query)
        )
    rows = assignment_statuses(assignments.order_by("asset__code"), today)
    counts = dict.fromkeys(COLOURS, 0)
    for row in rows:
        counts[row.colour] += 1
    if colour in COLOURS:
        rows = [row for row in rows if row.colour == colour]
    unassigned = []
    if can(actor, Can.MANAGE_ASSIGNMENTS) and actor.branch_id:
        active = RedFlagAssignment.objects.filter(asset=OuterRef("pk"), ended_on__isnull=True)
        unassigned = list(
            Asset.objects.filter(branch_id=actor.branch_id, hard_to_manage=True)
            .exclude(status=Asset.Status.RETIRED)
            .exclude(Exists(active))
            .order_by("code")
        )
    months = [row.month for row in rows if row.month]
    return Board(rows=rows, counts=counts, unassigned=unassigned, month=max(months) if months else None)


# ---- one asset: its chart and tables -----------------------------------------------------------------


@dataclass
class PeriodAttainment:
    period: dt.date  # the first day of the month or quarter
    indicator: str
    phase: str  # "before" the assignment started, or "during" it
    average: Decimal
    readings: int
    percent: float | None

    @property
    def colour(self) -> str:
        return colour_of(self.percent)

    @property
    def tone(self) -> str:
        return TONES[self.colour]

    @property
    def label(self) -> str:
        return LABELS[self.indicator]

    @property
    def quarter_label(self) -> str:
        return f"{self.period.year}Q{(self.period.month - 1) // 3 + 1}"


@dataclass
class Gain:
    indicator: str
    before: Decimal | None
    during: Decimal | None

    @property
    def label(self) -> str:
        return LABELS[self.indicator]

    @property
    def unit(self) -> str:
        return UNITS[self.indicator]

    @property
    def change_percent(self) -> float | None:
        if self.before in (None, 0) or self.during is None:
            return None
        return round(float((self.during - self.before) / self.before * 100), 1)

    @property
    def improved(self) -> bool | None:
        if self.before is None or self.during is None:
            return None
        if Indicator(self.indicator).spec.higher_is_better:
            return self.during > self.before
        return self.during < self.before


@dataclass
class AssetSeries:
    """An asset's readings against one assignment: monthly and quarterly averages and attainment,
    before the start (up to 12 months) and during the assignment, plus the chart's data."""

    window_start: dt.date
    window_end: dt.date
    monthly: list[PeriodAttainment]
    quarterly: list[PeriodAttainment]
    gains: list[Gain]
    chart: dict


def _periods(readings, trunc, target_case, phase_case):
    rows = (
        readings.annotate(period=trunc, phase=phase_case)
        .values("indicator", "period", "phase")
        .annotate(average=Avg("value"), readings=Count("pk"))
        .annotate(percent=attainment_sql(target_case))
        .order_by("period", "indicator", "phase")
    )
    return [
        PeriodAttainment(
            period=r["period"],
            indicator=r["indicator"],
            phase=r["phase"],
            average=_decimal(r["average"]),
            readings=r["readings"],
            percent=None if r["percent"] is None else round(float(r["percent"]), 1),
        )
        for r in rows
    ]


def asset_series(asset: Asset, assignment: RedFlagAssignment | None, today: dt.date) -> AssetSeries:
    """Four queries. Without an assignment: the last 12 months, with no targets."""
    targets = {t.indicator: t.target for t in assignment.targets.all()} if assignment else {}
    end = (assignment.ended_on or today) if assignment else today
    start = assignment.started_on if assignment else end
    window_start = _add_months(_month_start(start), -BASELINE_MONTHS)
    readings = Reading.objects.filter(asset=asset, reading_on__range=(window_start, end))
    if targets:
        readings = readings.filter(indicator__in=targets)
    target_case = Case(
        *[When(indicator=indicator, then=Value(target)) for indicator, target in targets.items()],
        default=Value(None),
        output_field=DecimalField(max_digits=10, decimal_places=2),
    )
    during = Q(reading_on__gte=start) if assignment else Q(pk__in=[])
    phase_case = Case(When(during, then=Value("during")), default=Value("before"))
    monthly = _periods(readings, TruncMonth("reading_on"), target_case, phase_case)
    quarterly = _periods(readings, TruncQuarter("reading_on"), target_case, phase_case)
    averages = readings.values("indicator").annotate(
        before=Avg("value", filter=~during), during=Avg("value", filter=during)
    )
    by_indicator = {row["indicator"]: row for row in averages}
    indicators = sorted(set(targets) | set(by_indicator), key=Indicator.values.index)
    gains = [
        Gain(i, _decimal(by_indicator.get(i, {}).get("before")), _decimal(by_indicator.get(i, {}).get("during")))
        for i in indicators
    ]
    chart = _chart(window_start, end, start if assignment else None, monthly, indicators, targets)
    return AssetSeries(window_start, end, monthly, quarterly, gains, chart)


def _chart(first: dt.date, last: dt.date, start, monthly, indicators, targets) -> dict:
    """The data static/js/redflag-chart.js draws: one line chart per indicator, the months before the
    start in grey, the months of the assignment in red, the target dashed."""
    # From the first month with readings (at most 12 months before the start), so that an asset
    # without a baseline does not open on a year of empty months.
    first = max(first, min((row.period for row in monthly), default=_month_start(start or last)))
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = _add_months(month, 1)
    index = {m: i for i, m in enumerate(months)}
    series = []
    for indicator in indicators:
        before, during = [None] * len(months), [None] * len(months)
        for row in monthly:
            if row.indicator == indicator and row.period in index:
                line = during if row.phase == "during" else before
                line[index[row.period]] = float(row.average)
        target = targets.get(indicator)
        series.append(
            {
                "key": indicator,
                "label": f"{Indicator(indicator).label} ({Indicator(indicator).spec.unit})",
                "unit": Indicator(indicator).spec.unit,
                "before": before,
                "during": during,
                "target": None if target is None else float(target),
            }
        )
    return {
        "labels": [f"{m:%Y-%m}" for m in months],
        "start": f"{start:%Y-%m}" if start else None,
        "series": series,
        "text": {"before": _("before the assignment"), "during": _("under the assignment"), "target": _("target")},
    }


# ---- the record book ---------------------------------------------------------------------------------


def member_assignments(member: Member, *, today: dt.date, start=None, end=None) -> list[AssignmentStatus]:
    """The member's red-flag assignments that overlap the period (all when no period), newest first,
    each with its latest attainment. Two queries: the targets with their assignment and asset (every
    assignment has at least one target, the services see to it), then the month's figures."""
    targets = targets_with_last_reading(today).filter(assignment__member=member)
    if end is not None:
        targets = targets.filter(assignment__started_on__lte=end)
    if start is not None:
        targets = targets.filter(Q(assignment__ended_on__isnull=True) | Q(assignment__ended_on__gte=start))
    targets = list(targets.select_related("assignment__asset").order_by("-assignment__started_on", "assignment_id"))
    attained = month_attainment(targets)
    by_assignment: dict[int, list[AssignmentTarget]] = {}
    for target in targets:
        by_assignment.setdefault(target.assignment_id, []).append(target)
    return [assignment_status(group[0].assignment, attained, group) for group in by_assignment.values()]


# ---- reminders (collected by activities/reminders.py) --------------------------------------------


def reading_key(assignment_id: int, first_missing: dt.date) -> str:
    """One reminder per gap in an asset's readings, keyed by the first day without one."""
    return f"reading:{assignment_id}:{first_missing:%Y-%m-%d}"


def reminders(branch: Branch, today: dt.date) -> list[Reminder]:
    """Remind the responsible member when their asset, which has a daily target, has had no daily
    reading for REMIND_AFTER_DAYS full days (today, still running, does not count). One query."""
    daily_target = AssignmentTarget.objects.filter(assignment=OuterRef("pk"), indicator__in=DAILY)
    last = (
        Reading.objects.filter(asset=OuterRef("asset"), indicator__in=DAILY, reading_on__lte=today)
        .order_by("-reading_on")
        .values("reading_on")[:1]
    )
    assignments = (
        RedFlagAssignment.objects.filter(
            asset__branch=branch,
            ended_on__isnull=True,
            member__archived_on__isnull=True,
            member__user__isnull=False,
        )
        .filter(Exists(daily_target))
        .annotate(last_on=Subquery(last))
        .select_related("asset", "member")
    )
    limit = today - dt.timedelta(days=REMIND_AFTER_DAYS)
    result = []
    for assignment in assignments:
        after_last = assignment.last_on + dt.timedelta(days=1) if assignment.last_on else assignment.started_on
        first_missing = max(assignment.started_on, after_last)
        if first_missing > limit:
            continue
        days = (today - first_missing).days
        code = assignment.asset.code
        result.append(
            Reminder(
                user_id=assignment.member.user_id,
                key=reading_key(assignment.pk, first_missing),
                title=_("No reading of %(asset)s since %(date)s")
                % {"asset": code, "date": f"{first_missing:%Y-%m-%d}"},
                body=_("%(asset)s, your red-flag asset, has had no reading for %(days)d days. Enter today's reading.")
                % {"asset": code, "days": days},
                url=reverse("activities:reading_add", args=[assignment.asset_id]),
            )
        )
    return result
