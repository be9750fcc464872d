"""Attainment, computed in the database: the formula, the colours, which month is "latest", the
series of an asset's chart, the record book's section, the reminders and the demo."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.demo_redflag import build_red_flag
from activities.models import Asset, AssignmentTarget, Indicator, Reading, RedFlagAssignment
from activities.reminders import notify
from activities.selectors.redflag import (
    AMBER,
    GREEN,
    NO_DATA,
    RED,
    asset_series,
    assignment_statuses,
    colour_of,
    member_assignments,
    red_flag_board,
    reminders,
)
from branch.models import Notification
from members.access import actor_for
from members.recordbook import Period, record_book
from tests.factories import MemberFactory

from .factories_redflag import AssetFactory, AssignmentFactory, ReadingFactory, daily_readings

TODAY = dt.date(2026, 11, 24)
OIL, CUT, FAILURES, UPTIME = Indicator.OIL_OUTPUT, Indicator.WATER_CUT, Indicator.FAILURES, Indicator.UPTIME


def status_of(assignment, today=TODAY):
    return assignment_statuses(RedFlagAssignment.objects.filter(pk=assignment.pk), today)[0]


def month_of(asset, indicator, month: dt.date, values):
    """Readings on the first days of a month, one per value."""
    Reading.objects.bulk_create(
        Reading(asset=asset, indicator=indicator, reading_on=month + dt.timedelta(days=i), value=Decimal(str(v)))
        for i, v in enumerate(values)
    )


@pytest.mark.parametrize(
    ("percent", "colour"),
    [(None, NO_DATA), (100, GREEN), (135.2, GREEN), (99.9, AMBER), (90, AMBER), (89.9, RED), (0, RED)],
)
def test_colours(percent, colour):
    assert colour_of(percent) == colour


@pytest.mark.parametrize(
    ("indicator", "target", "values", "percent"),
    [
        (OIL, "5", [4, 6, 5.5], 103.3),  # higher is better: average / target = 5.1667 / 5
        (OIL, "5", [4.5, 4.5], 90.0),
        (OIL, "0", [3], 100.0),  # any output attains a zero target
        (CUT, "85", [90, 90], 94.4),  # lower is better: target / average
        (CUT, "85", [82], 103.7),
        (FAILURES, "1", [0], 100.0),  # average 0 of a lower-is-better indicator: 100 %
        (FAILURES, "1", [2], 50.0),
        (FAILURES, "0", [0], 100.0),
        (FAILURES, "0", [1], 0.0),
    ],
)
def test_attainment_formula(member, branch, indicator, target, values, percent):
    assignment = AssignmentFactory(
        asset__branch=branch, member=member, started_on=dt.date(2026, 1, 1), targets={indicator: target}
    )
    if Indicator(indicator).spec.monthly:
        ReadingFactory(asset=assignment.asset, indicator=indicator, reading_on=dt.date(2026, 10, 1), value=values[0])
    else:
        month_of(assignment.asset, indicator, dt.date(2026, 10, 1), values)

    status = status_of(assignment)

    assert status.month == dt.date(2026, 10, 1)
    assert status.indicators[0].percent == percent
    assert status.percent == percent


def test_latest_month_is_the_last_complete_month_with_readings(member, branch):
    assignment = AssignmentFactory(
        asset__branch=branch, member=member, started_on=dt.date(2026, 1, 1), targets={OIL: "5", CUT: "85"}
    )
    month_of(assignment.asset, OIL, dt.date(2026, 8, 1), [4, 4])  # 80 %
    month_of(assignment.asset, OIL, dt.date(2026, 9, 1), [5, 5.2])  # 102 %
    month_of(assignment.asset, CUT, dt.date(2026, 8, 1), [100])  # only in August
    month_of(assignment.asset, OIL, dt.date(2026, 11, 1), [1, 1])  # this month: not complete, not counted

    status = status_of(assignment)

    assert status.month == dt.date(2026, 9, 1)
    oil, cut = status.indicators
    assert (oil.indicator, oil.percent, oil.average, oil.month) == (OIL, 102.0, Decimal("5.10"), dt.date(2026, 9, 1))
    assert (cut.indicator, cut.percent, cut.month) == (CUT, None, None)  # no reading in September
    assert status.colour == GREEN  # the worst of the indicators read that month
    assert oil.latest_on == dt.date(2026, 11, 2)  # the newest reading, for "is it being read"
    assert status.latest_on == dt.date(2026, 11, 2)


def test_the_worst_indicator_decides(member, branch):
    assignment = AssignmentFactory(
        asset__branch=branch, member=member, started_on=dt.date(2026, 1, 1), targets={OIL: "5", CUT: "85"}
    )
    month_of(assignment.asset, OIL, dt.date(2026, 10, 1), [6])  # 120 %
    month_of(assignment.asset, CUT, dt.date(2026, 10, 1), [100])  # 85 %

    status = status_of(assignment)

    assert (status.percent, status.colour) == (85.0, RED)


def test_readings_before_the_start_do_not_count(member, branch):
    assignment = AssignmentFactory(asset__branch=branch, member=member, started_on=dt.date(2026, 10, 15))
    month_of(assignment.asset, OIL, dt.date(2026, 10, 1), [1] * 14 + [5] * 17)  # 1st–14th before the start

    status = status_of(assignment)

    assert status.month == dt.date(2026, 10, 1)
    assert status.indicators[0].percent == 100.0  # only the 15th to the 31st


def test_no_complete_month_yet(member, branch):
    assignment = AssignmentFactory(asset__branch=branch, member=member, started_on=dt.date(2026, 11, 3))
    month_of(assignment.asset, OIL, dt.date(2026, 10, 1), [6, 6])  # the baseline, before the start
    month_of(assignment.asset, OIL, dt.date(2026, 11, 3), [6])

    status = status_of(assignment)

    assert (status.month, status.percent, status.colour) == (None, None, NO_DATA)


def test_an_ended_assignment_is_judged_on_its_own_months_and_targets(member, other_member, branch):
    asset = AssetFactory(branch=branch)
    first = AssignmentFactory(asset=asset, member=member, started_on=dt.date(2026, 1, 1), targets={OIL: "4"})
    first.ended_on, first.end_reason = dt.date(2026, 7, 31), "调岗"
    first.save()
    second = AssignmentFactory(asset=asset, member=other_member, started_on=dt.date(2026, 8, 1), targets={OIL: "6"})
    month_of(asset, OIL, dt.date(2026, 7, 1), [4.4])  # under the first: 110 % of 4
    month_of(asset, OIL, dt.date(2026, 10, 1), [5.4])  # under the second: 90 % of 6

    statuses = {s.assignment.pk: s for s in assignment_statuses(RedFlagAssignment.objects.all(), TODAY)}

    assert (statuses[first.pk].month, statuses[first.pk].percent) == (dt.date(2026, 7, 1), 110.0)
    assert (statuses[second.pk].month, statuses[second.pk].percent) == (dt.date(2026, 10, 1), 90.0)


def test_board_lists_active_assignments_in_scope_with_counts(secretary, member, other_member, group_leader, branch):
    green = AssignmentFactory(
        asset__branch=branch, asset__code="J188-01", member=member, started_on=dt.date(2026, 1, 1)
    )
    red = AssignmentFactory(
        asset__branch=branch, asset__code="J188-02", member=other_member, started_on=dt.date(2026, 1, 1)
    )
    month_of(green.asset, OIL, dt.date(2026, 10, 1), [5.5])
    month_of(red.asset, OIL, dt.date(2026, 10, 1), [3])
    ended = AssignmentFactory(asset__branch=branch, asset__code="J188-03", member=member)
    ended.ended_on, ended.end_reason = dt.date(2026, 2, 1), "调岗"
    ended.save()
    AssetFactory(branch=branch, code="J188-09")  # hard to manage, nobody in charge

    board = red_flag_board(actor_for(secretary.user), today=TODAY)
    assert [row.asset.code for row in board.rows] == ["J188-01", "J188-02"]
    assert [row.colour for row in board.rows] == [GREEN, RED]
    assert board.counts == {GREEN: 1, AMBER: 0, RED: 1, NO_DATA: 0}
    assert [a.code for a in board.unassigned] == ["J188-03", "J188-09"]
    assert board.month == dt.date(2026, 10, 1)

    only_red = red_flag_board(actor_for(secretary.user), today=TODAY, colour=RED)
    assert [row.asset.code for row in only_red.rows] == ["J188-02"]
    assert only_red.counts[GREEN] == 1  # counts are of the whole board
    assert [r.asset.code for r in red_flag_board(actor_for(secretary.user), today=TODAY, query="j188-02").rows] == [
        "J188-02"
    ]
    assert [
        r.asset.code for r in red_flag_board(actor_for(secretary.user), today=TODAY, query=other_member.name).rows
    ] == ["J188-02"]

    mine = red_flag_board(actor_for(member.user), today=TODAY)
    assert [row.asset.code for row in mine.rows] == ["J188-01"]
    assert mine.unassigned == []  # members do not assign
    leader = red_flag_board(actor_for(group_leader.user), today=TODAY)  # leads group A: member, not other_member
    assert [row.asset.code for row in leader.rows] == ["J188-01"]


def test_board_queries_do_not_grow_with_assets_or_years(secretary, member, branch):
    """The issue's target: 500 assets with three years of daily readings cost the same number of
    queries as two assets with a few readings, and are aggregated in the database."""
    actor = actor_for(secretary.user)
    small = AssignmentFactory(asset__branch=branch, member=member, started_on=dt.date(2026, 1, 1))
    month_of(small.asset, OIL, dt.date(2026, 10, 1), [5, 6])
    with CaptureQueriesContext(connection) as few:
        red_flag_board(actor, today=TODAY)

    from .factories_redflag import insert_daily_readings

    assets = Asset.objects.bulk_create(
        Asset(branch=branch, code=f"B-{n:03d}", kind=Asset.Kind.OIL_WELL, hard_to_manage=True) for n in range(100, 599)
    )
    started = dt.date(2025, 6, 1)
    assignments = RedFlagAssignment.objects.bulk_create(
        RedFlagAssignment(
            asset=a, member=member, schedule="巡检", method="调参", fit_reason="懂机采", started_on=started
        )
        for a in assets
    )
    AssignmentTarget.objects.bulk_create(
        AssignmentTarget(assignment=a, indicator=OIL, target=Decimal("5")) for a in assignments
    )
    first = TODAY - dt.timedelta(days=3 * 365)
    insert_daily_readings([a.pk for a in assets], OIL, first, 3 * 365, 4.0, 5.2, started)
    assert Reading.objects.count() > 500_000

    with CaptureQueriesContext(connection) as many:
        board = red_flag_board(actor, today=TODAY)

    assert len(board.rows) == 500
    assert len(many.captured_queries) == len(few.captured_queries)
    row = next(r for r in board.rows if r.asset.code == "B-100")
    assert row.month == dt.date(2026, 10, 1)
    assert row.colour == GREEN  # 5.2 plus the weekly wobble, over 5


def test_asset_series_months_quarters_and_gains(member, branch):
    assignment = AssignmentFactory(
        asset__branch=branch, member=member, started_on=dt.date(2026, 6, 1), targets={OIL: "5", CUT: "85"}
    )
    asset = assignment.asset
    Reading.objects.bulk_create(daily_readings(asset, OIL, dt.date(2025, 6, 1), dt.date(2026, 5, 31), 4))
    Reading.objects.bulk_create(daily_readings(asset, OIL, dt.date(2026, 6, 1), dt.date(2026, 11, 23), 5.5))
    Reading.objects.bulk_create(daily_readings(asset, CUT, dt.date(2026, 3, 1), dt.date(2026, 11, 23), 90))
    ReadingFactory(asset=asset, indicator=Indicator.INJECTION, reading_on=dt.date(2026, 7, 1))  # not a target

    assignment = RedFlagAssignment.objects.prefetch_related("targets").get(pk=assignment.pk)
    with CaptureQueriesContext(connection) as queries:
        series = asset_series(asset, assignment, TODAY)

    assert len(queries.captured_queries) == 3  # months, quarters, before/after: aggregated in the database
    assert series.window_start == dt.date(2025, 6, 1)  # 12 months before the start
    months = {(p.period, p.indicator): p for p in series.monthly}
    may, june = months[(dt.date(2026, 5, 1), OIL)], months[(dt.date(2026, 6, 1), OIL)]
    assert (may.phase, may.average, may.readings, may.percent) == ("before", Decimal("4.00"), 31, 80.0)
    assert (june.phase, june.average, june.percent) == ("during", Decimal("5.50"), 110.0)
    assert months[(dt.date(2026, 6, 1), CUT)].percent == 94.4
    assert not any(p.indicator == Indicator.INJECTION for p in series.monthly)
    quarters = {(p.quarter_label, p.indicator, p.phase): p for p in series.quarterly}
    assert quarters[("2026Q2", OIL, "before")].readings == 61  # April and May
    assert quarters[("2026Q2", OIL, "during")].percent == 110.0  # June
    assert quarters[("2026Q1", OIL, "before")].percent == 80.0
    gains = {g.indicator: g for g in series.gains}
    assert (gains[OIL].before, gains[OIL].during, gains[OIL].change_percent, gains[OIL].improved) == (
        Decimal("4.00"),
        Decimal("5.50"),
        37.5,
        True,
    )
    chart = series.chart
    assert chart["labels"][0] == "2025-06" and chart["labels"][-1] == "2026-11"
    assert chart["start"] == "2026-06"
    oil = next(s for s in chart["series"] if s["key"] == OIL)
    assert oil["target"] == 5.0
    assert oil["before"][chart["labels"].index("2026-05")] == 4.0
    assert oil["during"][chart["labels"].index("2026-05")] is None
    assert oil["during"][chart["labels"].index("2026-11")] == 5.5


def test_record_book_section(member, branch, other_member):
    current = AssignmentFactory(
        asset__branch=branch, asset__code="J188-07", member=member, started_on=dt.date(2026, 3, 1)
    )
    month_of(current.asset, OIL, dt.date(2026, 10, 1), [5.2])
    old = AssignmentFactory(asset__branch=branch, asset__code="J188-02", member=member, started_on=dt.date(2024, 1, 1))
    old.ended_on, old.end_reason = dt.date(2024, 12, 31), "调岗"
    old.save()
    AssignmentFactory(asset__branch=branch, member=other_member)

    with CaptureQueriesContext(connection) as queries:
        book = record_book(member, Period(), only="red_flag")

    assert len(queries.captured_queries) == 2  # targets with assignments and assets; the month figures
    entries = book.sections[0].entries
    assert [e.title.split()[-1] for e in entries] == ["J188-07", "J188-02"]
    assert entries[0].status_tone == "success"
    assert "2026-10" in entries[0].detail and "104.0 %" in entries[0].detail
    assert current.schedule in entries[0].detail
    assert entries[0].url.endswith(f"/red-flag/assets/{current.asset_id}/")
    assert entries[1].url == ""  # the asset of an ended assignment is no longer theirs to open

    in_2024 = record_book(member, Period(2024), only="red_flag").sections[0].entries
    assert [e.title.split()[-1] for e in in_2024] == ["J188-02"]
    assert [s.assignment.asset.code for s in member_assignments(member, today=TODAY)] == ["J188-07", "J188-02"]


def test_reminders_after_three_days_without_a_reading(member, branch):
    assignment = AssignmentFactory(asset__branch=branch, member=member, started_on=dt.date(2026, 11, 1))
    ReadingFactory(asset=assignment.asset, reading_on=dt.date(2026, 11, 20))

    assert reminders(branch, dt.date(2026, 11, 23)) == []  # 21st and 22nd missing: not yet
    due = reminders(branch, dt.date(2026, 11, 24))  # 21st, 22nd, 23rd missing
    assert [(r.user_id, r.key) for r in due] == [(member.user_id, f"reading:{assignment.pk}:2026-11-21")]
    assert due[0].url.endswith(f"/red-flag/assets/{assignment.asset_id}/readings/new/")

    assert notify(due) == 1
    assert notify(reminders(branch, dt.date(2026, 11, 26))) == 0  # the same gap: never twice
    assert Notification.objects.get().user == member.user


def test_reminders_only_for_daily_targets_and_active_members(member, other_member, branch):
    monthly = AssignmentFactory(
        asset__branch=branch, member=member, started_on=dt.date(2026, 1, 1), targets={FAILURES: "1"}
    )
    ended = AssignmentFactory(asset__branch=branch, member=other_member, started_on=dt.date(2026, 1, 1))
    ended.ended_on, ended.end_reason = dt.date(2026, 6, 1), "调岗"
    ended.save()
    no_login = AssignmentFactory(asset__branch=branch, member=MemberFactory(branch=branch, user=None))
    fresh = AssignmentFactory(
        asset__branch=branch, member=member, started_on=dt.date(2026, 11, 22), targets={UPTIME: "95"}
    )

    assert reminders(branch, TODAY) == []
    assert monthly and no_login and fresh  # none of these is reminded about


def test_demo_builds_a_believable_year_once(secretary, branch):
    members = [secretary] + [MemberFactory(branch=branch) for _ in range(29)]

    created = build_red_flag(branch=branch, members=members, today=TODAY)

    assert created > 13_000
    assert Asset.objects.filter(branch=branch).count() == 21
    assert Asset.objects.filter(branch=branch, code__startswith="J188-").count() == 21
    board = red_flag_board(actor_for(secretary.user), today=TODAY)
    colours = {row.asset.code: row.colour for row in board.rows}
    assert len(colours) == 20
    assert colours["J188-09"] == RED and colours["J188-14"] == AMBER
    assert sum(c == GREEN for c in colours.values()) == 18
    assert [a.code for a in board.unassigned] == ["J188-12"]
    assert RedFlagAssignment.objects.filter(asset__code="J188-05").count() == 2
    gains = asset_series(
        Asset.objects.get(code="J188-01"),
        RedFlagAssignment.objects.prefetch_related("targets").get(asset__code="J188-01"),
        TODAY,
    ).gains
    oil = next(g for g in gains if g.indicator == OIL)
    assert oil.improved and oil.change_percent > 20

    assert build_red_flag(branch=branch, members=members, today=TODAY) == 0  # idempotent
    assert Asset.objects.filter(branch=branch).count() == 21
