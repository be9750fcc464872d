"""The branch dashboard: each panel against factory data, the quarter parameter, who may see it, the
charts' data and what the page costs in queries.

The panels are tested through branch.dashboard with a fixed day (20 November 2026, in 2026Q4); the
page through the view, with dates counted from today."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, Appeal, Indicator, Meeting, Reading
from activities.selectors.meetings import Status as MeetingStatus
from branch.dashboard import branch_dashboard, care_panel, chart_data, pipeline_panel
from branch.quarters import Quarter
from branch.selectors import activity_by_month, month_starts, red_flag_attainment_by_month
from members.models import CommitteeRole, Development, Member
from members.pipeline import add_months
from tests.activities.factories_appeals import AppealFactory, CareOccasionFactory, CareVisitFactory
from tests.activities.factories_duties import GuidanceVisitFactory, committee_member_with_team
from tests.activities.factories_meetings import MeetingFactory
from tests.activities.factories_redflag import AssetFactory, AssignmentFactory, daily_readings
from tests.activities.factories_service import ActivityAttendanceFactory, ActivityFactory, at
from tests.factories import BranchFactory, MemberFactory, PartyGroupFactory

TODAY = dt.date(2026, 11, 20)
Q4 = Quarter(2026, 4)
Kind = Meeting.Kind


def dashboard(branch, quarter=Q4, today=TODAY):
    return branch_dashboard(branch, quarter=quarter, today=today)


# ---- organisation life ----------------------------------------------------------------------------


def _cells(panel):
    """{(kind, group id): [(period label, status), ...]} for the quarter."""
    return {(r.row.kind, r.row.group_id): [(c.period.label, c.status) for c in r.cells] for r in panel.rows}


def test_compliance_shows_the_quarters_periods_held_missing_and_due(branch, group_a, group_b):
    # The branch's defaults: general meeting and party lecture quarterly, the rest monthly.
    MeetingFactory(branch=branch, kind=Kind.COMMITTEE, held_on=dt.date(2026, 10, 5))
    MeetingFactory(branch=branch, kind=Kind.COMMITTEE, held_on=dt.date(2026, 11, 3))
    MeetingFactory(branch=branch, kind=Kind.GROUP, party_group=group_a, held_on=dt.date(2026, 10, 10))
    MeetingFactory(branch=branch, kind=Kind.THEME_DAY, held_on=dt.date(2026, 10, 15))
    MeetingFactory(branch=branch, kind=Kind.GENERAL, held_on=dt.date(2026, 11, 2))
    MeetingFactory(branch=branch, kind=Kind.LECTURE, held_on=dt.date(2026, 9, 2))  # last quarter
    MeetingFactory(kind=Kind.LECTURE, held_on=dt.date(2026, 10, 2))  # another branch's

    panel = dashboard(branch).compliance

    H, M, D, F = MeetingStatus.HELD, MeetingStatus.MISSING, MeetingStatus.DUE, MeetingStatus.FUTURE
    assert _cells(panel) == {
        (Kind.GENERAL, None): [("2026Q4", H)],
        (Kind.COMMITTEE, None): [("2026-10", H), ("2026-11", H), ("2026-12", F)],
        (Kind.GROUP, group_a.pk): [("2026-10", H), ("2026-11", D), ("2026-12", F)],
        (Kind.GROUP, group_b.pk): [("2026-10", M), ("2026-11", D), ("2026-12", F)],
        (Kind.LECTURE, None): [("2026Q4", D)],
        (Kind.THEME_DAY, None): [("2026-10", H), ("2026-11", D), ("2026-12", F)],
    }
    assert (panel.held, panel.missing, panel.due) == (5, 1, 4)


def test_compliance_of_an_earlier_quarter_reads_its_own_periods(branch, group_a):
    MeetingFactory(branch=branch, kind=Kind.LECTURE, held_on=dt.date(2026, 9, 2))
    MeetingFactory(branch=branch, kind=Kind.COMMITTEE, held_on=dt.date(2026, 8, 2))

    panel = dashboard(branch, quarter=Quarter(2026, 3)).compliance

    cells = _cells(panel)
    assert cells[(Kind.LECTURE, None)] == [("2026Q3", MeetingStatus.HELD)]
    assert cells[(Kind.COMMITTEE, None)] == [
        ("2026-07", MeetingStatus.MISSING),
        ("2026-08", MeetingStatus.HELD),
        ("2026-09", MeetingStatus.MISSING),
    ]
    assert panel.due == 0  # every period of Q3 has ended


# ---- duties -----------------------------------------------------------------------------------------


def test_duties_panel_counts_the_duty_board_and_puts_the_overdue_first(branch):
    diligent, link = committee_member_with_team(branch, role=CommitteeRole.Role.SECRETARY)
    idle, _link = committee_member_with_team(branch, role=CommitteeRole.Role.PUBLICITY)
    GuidanceVisitFactory(member=diligent, work_team=link.work_team, visited_on=dt.date(2026, 11, 5))
    dedication_day = ActivityFactory(branch=branch, starts_at=at(dt.date(2026, 10, 17), 9))
    for person in (diligent, idle):
        ActivityAttendanceFactory(activity=dedication_day, member=person)

    panel = dashboard(branch).duties

    assert panel.counts == {"on_track": 1, "due_soon": 0, "overdue": 1}
    assert [(row.member, row.status) for row in panel.rows] == [(idle, "overdue"), (diligent, "on_track")]
    assert panel.rows[1].visits_this_month == 1
    assert panel.rows[1].dedication_days == 1


# ---- red-flag work ----------------------------------------------------------------------------------


def _assignment(branch, oil_per_day, *, month=dt.date(2026, 10, 1), days=10, **kwargs):
    assignment = AssignmentFactory(asset=AssetFactory(branch=branch), **kwargs)
    if oil_per_day is not None:
        Reading.objects.bulk_create(
            daily_readings(
                assignment.asset, Indicator.OIL_OUTPUT, month, month + dt.timedelta(days=days - 1), oil_per_day
            )
        )
    return assignment


def test_red_flag_panel_colours_assignments_as_the_board_does(branch):
    on_target = _assignment(branch, "5.5")  # the target is 5 t/d
    close = _assignment(branch, "4.6")  # 92 %
    below = _assignment(branch, "3.0")  # 60 %
    _assignment(branch, None)  # no readings yet
    _assignment(branch, "5.5", ended_on=dt.date(2026, 11, 1))  # ended: not on the board
    _assignment(BranchFactory(), "5.5")  # another branch's

    panel = dashboard(branch).red_flag

    assert panel.counts == {"green": 1, "amber": 1, "red": 1, "none": 1}
    assert panel.total == 4
    assert panel.month == dt.date(2026, 10, 1)
    assert [s.assignment for s in panel.attention] == [below, close]
    assert on_target not in [s.assignment for s in panel.attention]
    assert [(t.colour, t.count) for t in panel.tiles] == [("green", 1), ("amber", 1), ("red", 1), ("none", 1)]


def test_red_flag_panel_of_an_earlier_quarter_reads_its_last_month(branch):
    improving = _assignment(branch, "3.0", month=dt.date(2026, 9, 1))  # red in September
    Reading.objects.bulk_create(
        daily_readings(improving.asset, Indicator.OIL_OUTPUT, dt.date(2026, 10, 1), dt.date(2026, 10, 10), "6")
    )
    _assignment(branch, "5.5", month=dt.date(2026, 9, 1), ended_on=dt.date(2026, 10, 15))  # active on 30 Sep
    _assignment(branch, "5.5", month=dt.date(2026, 9, 1), ended_on=dt.date(2026, 9, 15))  # ended before

    now = dashboard(branch).red_flag
    then = dashboard(branch, quarter=Quarter(2026, 3)).red_flag

    assert now.counts["green"] == 1 and now.total == 1
    assert then.month == dt.date(2026, 9, 1)
    assert then.counts == {"green": 1, "amber": 0, "red": 1, "none": 0}


# ---- appeals and care -------------------------------------------------------------------------------


def test_appeals_panel_open_and_overdue_today_and_the_quarters_figures(branch):
    AppealFactory(branch=branch, received_on=dt.date(2026, 11, 15))  # due by 30 Nov
    AppealFactory(
        branch=branch,
        received_on=dt.date(2026, 10, 1),
        status=Appeal.Status.IN_PROGRESS,  # due by 16 Oct: overdue
    )
    AppealFactory(
        branch=branch,
        received_on=dt.date(2026, 10, 5),
        status=Appeal.Status.ANSWERED,
        answer="已解决",
        answered_on=dt.date(2026, 10, 10),
    )
    AppealFactory(branch=branch, received_on=dt.date(2026, 8, 1))  # Q3, still open and overdue
    AppealFactory(received_on=dt.date(2026, 10, 1))  # another branch's

    panel = dashboard(branch).appeals

    assert (panel.received, panel.in_progress, panel.overdue, panel.open) == (2, 1, 2, 3)
    assert (panel.quarter.received, panel.quarter.answered, panel.quarter.median_days) == (3, 1, 5.0)
    assert dashboard(branch, quarter=Quarter(2026, 3)).appeals.quarter.received == 1


def test_care_panel_open_overdue_and_reported_this_quarter(branch):
    CareOccasionFactory(branch=branch, occurred_on=dt.date(2026, 11, 17), reported_on=dt.date(2026, 11, 18))
    CareOccasionFactory(branch=branch, occurred_on=dt.date(2026, 11, 1), reported_on=dt.date(2026, 11, 1))
    CareVisitFactory(occasion=CareOccasionFactory(branch=branch, reported_on=dt.date(2026, 10, 5)))
    CareOccasionFactory(branch=branch, occurred_on=dt.date(2026, 6, 1), reported_on=dt.date(2026, 6, 2))
    CareOccasionFactory(occurred_on=dt.date(2026, 11, 1), reported_on=dt.date(2026, 11, 1))  # elsewhere

    panel = care_panel(branch, Q4, TODAY)

    assert (panel.open, panel.overdue, panel.reported, panel.within_days) == (3, 2, 3, 7)


# ---- the pipeline -----------------------------------------------------------------------------------


def _applicant(branch, applied_on, status=Member.Status.APPLICANT, **dates):
    person = MemberFactory(branch=branch, status=status, party_group=None)
    return Development.objects.create(member=person, applied_on=applied_on, **dates)


def test_pipeline_panel_lists_the_pipeline_pages_due_steps(branch):
    late = _applicant(branch, dt.date(2026, 10, 1))  # talk due by 31 Oct: overdue
    _applicant(branch, dt.date(2026, 11, 10))  # talk due by 10 Dec: not this month
    ending = _applicant(
        branch,
        dt.date(2024, 1, 1),
        status=Member.Status.PROBATIONARY,
        talked_on=dt.date(2024, 1, 20),
        admitted_on=dt.date(2025, 10, 25),  # probation ends 25 Oct 2026; decide by 24 Nov
    )
    _applicant(BranchFactory(), dt.date(2026, 10, 1))

    panel = pipeline_panel(branch, TODAY)

    assert [(row.development, step.key) for row, step in panel.due] == [(late, "talk"), (ending, "probation")]
    assert panel.overdue == 1
    assert panel.in_pipeline == 3


# ---- charts -----------------------------------------------------------------------------------------


def test_month_starts_are_the_twelve_months_ending_with_the_day():
    months = month_starts(dt.date(2026, 2, 14))
    assert months[0] == dt.date(2025, 3, 1) and months[-1] == dt.date(2026, 2, 1) and len(months) == 12


def test_activity_by_month_counts_held_activities_attendance_and_meetings(branch):
    october = ActivityFactory(branch=branch, starts_at=at(dt.date(2026, 10, 1), 0, 30))  # local time
    ActivityAttendanceFactory.create_batch(3, activity=october)
    ActivityAttendanceFactory(activity=october, present=False)
    ActivityFactory(branch=branch, starts_at=at(dt.date(2026, 10, 20), 9), kind=Activity.Kind.TOPIC_CLASS)
    ActivityFactory(branch=branch, starts_at=at(dt.date(2026, 10, 21), 9), state=Activity.State.CANCELLED)
    ActivityFactory(branch=branch, starts_at=at(dt.date(2026, 9, 30), 23, 30))  # still September here
    ActivityFactory(starts_at=at(dt.date(2026, 10, 5), 9))  # another branch's
    MeetingFactory(branch=branch, kind=Kind.COMMITTEE, held_on=dt.date(2026, 10, 31))
    MeetingFactory(branch=branch, kind=Kind.THEME_DAY, held_on=dt.date(2026, 10, 1))

    months = month_starts(dt.date(2026, 11, 1))
    figures = activity_by_month(branch, months)

    october_figures = figures[dt.date(2026, 10, 1)]
    assert (october_figures.activities, october_figures.attendance, october_figures.meetings) == (2, 3, 2)
    assert figures[dt.date(2026, 9, 1)].activities == 1
    assert figures[dt.date(2026, 11, 1)].activities == 0


def test_red_flag_attainment_by_month_is_the_share_on_target(branch):
    first = _assignment(branch, "5.5", month=dt.date(2026, 9, 1), days=30)  # green in September
    Reading.objects.bulk_create(
        daily_readings(first.asset, Indicator.OIL_OUTPUT, dt.date(2026, 10, 1), dt.date(2026, 10, 5), "3")
    )
    _assignment(branch, "4.0", month=dt.date(2026, 10, 1))  # red in October
    late = _assignment(branch, None, started_on=dt.date(2026, 10, 3))
    # Readings before the assignment started do not count.
    Reading.objects.bulk_create(
        daily_readings(late.asset, Indicator.OIL_OUTPUT, dt.date(2026, 9, 1), dt.date(2026, 10, 2), "1")
    )
    Reading.objects.bulk_create(
        daily_readings(late.asset, Indicator.OIL_OUTPUT, dt.date(2026, 10, 3), dt.date(2026, 10, 9), "6")
    )

    months = red_flag_attainment_by_month(branch, dt.date(2026, 9, 1), dt.date(2026, 10, 31))

    september, october = months[dt.date(2026, 9, 1)], months[dt.date(2026, 10, 1)]
    assert (september.attained, september.assessed, september.attained_percent) == (1, 1, 100.0)
    assert (october.attained, october.below, october.assessed) == (1, 2, 3)
    assert october.attained_percent == 33.3


def test_chart_data_has_one_value_per_month_and_no_attainment_for_the_running_month(branch):
    _assignment(branch, "5.5", month=dt.date(2026, 10, 1))
    Reading.objects.create(asset=AssetFactory(branch=branch), reading_on=TODAY, value=Decimal("1"))
    MeetingFactory(branch=branch, held_on=dt.date(2026, 11, 2))

    data = chart_data(branch, TODAY, TODAY)

    assert data["labels"] == [f"{m:%Y-%m}" for m in month_starts(TODAY)]
    for key in ("activities", "attendance", "meetings", "attained_percent", "attained", "assessed"):
        assert len(data[key]) == 12, key
    assert data["meetings"][-1] == 1
    assert data["attained_percent"][-2:] == [100.0, None]
    assert data["attained_percent"][0] is None  # no readings then
    # An earlier quarter: the twelve months ending with its last month, all complete.
    earlier = chart_data(branch, dt.date(2026, 9, 30), TODAY)
    assert earlier["labels"][-1] == "2026-09"


# ---- the page ---------------------------------------------------------------------------------------


def overview_url(branch, quarter=None):
    url = reverse("branch:overview", args=[branch.pk])
    return f"{url}?quarter={quarter}" if quarter else url


def _chart_json(response) -> dict:
    html = response.content.decode()
    match = re.search(r'<script id="dashboard-chart-data" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(match[1])


def test_dashboard_shows_every_panel_with_links_to_where_the_work_is_done(client, secretary, group_a):
    today = timezone.localdate()
    client.force_login(secretary.user)
    response = client.get(overview_url(secretary.branch))
    assert response.status_code == 200
    html = response.content.decode()
    for panel in (
        "members",
        "compliance",
        "duties",
        "red-flag",
        "appeals",
        "care",
        "pipeline",
        "activity-chart",
        "attainment-chart",
    ):
        assert f'data-testid="panel-{panel}"' in html, panel
    for href in (
        reverse("members:list"),
        f"{reverse('activities:calendar')}?year={today.year}",
        reverse("activities:duty_board"),
        f"{reverse('activities:red_flag_board')}?colour=red",
        f"{reverse('activities:appeal_list')}?status=received",
        f"{reverse('activities:appeal_list')}?overdue=1",
        f"{reverse('activities:care_list')}?state=overdue",
        reverse("members:pipeline"),
        reverse("activities:activity_calendar"),
    ):
        assert f'href="{href}' in html, href
    assert response.context["dashboard"].quarter == Quarter.of(today)


def test_dashboard_scripts_are_vendored_files_and_data(client, secretary):
    client.force_login(secretary.user)
    html = client.get(overview_url(secretary.branch)).content.decode()
    assert "static/vendor/chartjs-4.6.1/chart.umd.min.js" in html
    assert "static/js/dashboard.js" in html
    # No inline code: every script is a file or JSON data.
    for tag in re.findall(r"<script[^>]*>", html):
        assert " src=" in tag or 'type="application/json"' in tag, tag
    assert "cdn" not in html.lower()


def test_chart_json_has_twelve_months_ending_this_month(client, secretary):
    today = timezone.localdate()
    ActivityAttendanceFactory.create_batch(
        2, activity=ActivityFactory(branch=secretary.branch, starts_at=at(today.replace(day=1), 10))
    )
    client.force_login(secretary.user)
    data = _chart_json(client.get(overview_url(secretary.branch)))
    assert set(data) == {
        "labels",
        "activities",
        "attendance",
        "meetings",
        "attained_percent",
        "attained",
        "assessed",
        "text",
    }
    assert data["labels"][-1] == f"{today:%Y-%m}" and len(data["labels"]) == 12
    assert data["activities"][-1] == 1 and data["attendance"][-1] == 2
    assert all(len(data[key]) == 12 for key in data if key != "text")
    assert all(isinstance(n, int) for n in data["activities"] + data["attendance"] + data["meetings"])
    assert all(p is None or 0 <= p <= 100 for p in data["attained_percent"])
    assert set(data["text"]) == {"activities", "attendance", "meetings", "attained_percent", "assessed"}


def test_an_earlier_quarter_by_parameter(client, secretary):
    today = timezone.localdate()
    earlier = Quarter.of(today).previous()
    MeetingFactory(branch=secretary.branch, kind=Kind.LECTURE, held_on=earlier.start)
    client.force_login(secretary.user)
    response = client.get(overview_url(secretary.branch, earlier))
    assert response.status_code == 200
    board = response.context["dashboard"]
    assert board.quarter == earlier and board.as_of == earlier.end and not board.is_current
    lecture = next(r for r in board.compliance.rows if r.row.kind == Kind.LECTURE)
    assert [c.status for c in lecture.cells] == [MeetingStatus.HELD]
    assert _chart_json(response)["labels"][-1] == f"{earlier.end:%Y-%m}"
    html = response.content.decode()
    assert f'<option value="{earlier}" selected>' in html
    assert f'href="?quarter={Quarter.of(today)}"' in html  # the way back to the current quarter


@pytest.mark.parametrize("wanted", ["next", "2099Q1", "tomorrow", "2026Q5"])
def test_a_future_or_unreadable_quarter_is_refused_with_a_message(client, secretary, wanted):
    today = timezone.localdate()
    if wanted == "next":
        wanted = str(Quarter.of(today).next())
    client.force_login(secretary.user)
    url = overview_url(secretary.branch)
    response = client.get(f"{url}?quarter={wanted}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302 and response["Location"] == url
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    messages = [str(m) for m in page.context["messages"]]
    assert len(messages) == 1
    if wanted.endswith(("Q1", "Q2", "Q3", "Q4")):
        assert "has not begun yet" in messages[0]
    else:
        assert "is not a quarter" in messages[0] or "Give a quarter as 2026Q3" in messages[0]
    assert page.context["dashboard"].quarter == Quarter.of(today)


OK, REDIRECT, FORBIDDEN, NOT_FOUND = 200, 302, 403, 404
# persona -> (own branch's dashboard, another branch's dashboard)
MATRIX = {
    "anonymous": (REDIRECT, REDIRECT),
    "admin": (OK, OK),
    "secretary": (OK, NOT_FOUND),
    "committee": (OK, NOT_FOUND),
    "group_leader": (FORBIDDEN, FORBIDDEN),
    "member": (FORBIDDEN, FORBIDDEN),
    "outsider": (NOT_FOUND, OK),
}


@pytest.mark.parametrize("persona", MATRIX)
@pytest.mark.parametrize("quarter", [None, "previous"])
def test_who_may_see_the_dashboard(client, personas, secretary, outsider, persona, quarter):
    wanted = Quarter.of(timezone.localdate()).previous() if quarter else None
    user = personas[persona]
    if user is not None:
        client.force_login(user)
    for branch, expected in zip((secretary.branch, outsider.branch), MATRIX[persona], strict=True):
        response = client.get(overview_url(branch, wanted))
        assert response.status_code == expected, f"{persona} on {branch}"
        if expected == REDIRECT:
            assert "/login/" in response["Location"]
        if expected != OK:
            assert "panel-compliance" not in response.content.decode()


def test_the_administrator_is_sent_to_the_branch_they_look_at(client, admin_user, secretary):
    client.force_login(admin_user)
    html = client.get(overview_url(secretary.branch)).content.decode()
    branch = secretary.branch.pk
    assert f"{reverse('activities:calendar')}?year={timezone.localdate().year}&amp;branch={branch}" in html
    assert f"{reverse('activities:duty_board')}?branch={branch}" in html
    # The pipeline pages are the branch committee's: no link the administrator could not follow.
    assert 'data-testid="pipeline-link"' not in html


def test_the_committee_sees_the_same_dashboard_as_the_secretary(client, secretary, committee_member):
    client.force_login(committee_member.user)
    response = client.get(overview_url(secretary.branch))
    assert response.status_code == 200
    assert 'data-testid="pipeline-link"' in response.content.decode()


# ---- query count ------------------------------------------------------------------------------------

# Measured with the data below: the session and the actor (4), members (2), the compliance calendar
# (2), the duty board (5), red-flag attainment (3), appeals (3 on SQLite: the median takes a query of
# its own; 2 on PostgreSQL), care (3), the pipeline (5), the charts (3) and the navbar's unread count.
DASHBOARD_QUERIES = 32


def make_data(branch, groups, today: dt.date, role):
    """A bit of everything the dashboard reads, dated around today; `role` is the new committee seat."""
    month = today.replace(day=1)
    last_month = add_months(month, -1)
    group = PartyGroupFactory(branch=branch)
    groups.append(group)
    people = MemberFactory.create_batch(3, branch=branch, party_group=group)
    seat, link = committee_member_with_team(branch, role=role)
    GuidanceVisitFactory(member=seat, work_team=link.work_team, visited_on=month)
    activity = ActivityFactory(branch=branch, starts_at=at(month, 10))
    for person in [*people, seat]:
        ActivityAttendanceFactory(activity=activity, member=person)
    MeetingFactory(branch=branch, kind=Kind.GROUP, party_group=group, held_on=last_month)
    MeetingFactory(branch=branch, kind=Kind.COMMITTEE, held_on=month)
    _assignment(branch, "4.0", month=last_month, member=people[0])
    _assignment(
        branch,
        "5.5",
        month=last_month,
        member=people[1],
        targets={Indicator.OIL_OUTPUT: "5", Indicator.WATER_CUT: "80"},
    )
    AppealFactory(branch=branch, received_on=today - dt.timedelta(days=40), handler=people[2])
    AppealFactory(branch=branch, received_on=today, status=Appeal.Status.IN_PROGRESS, handler=people[2])
    AppealFactory(
        branch=branch,
        received_on=today,
        status=Appeal.Status.ANSWERED,
        answer="已答复",
        answered_on=today,
        satisfaction=Appeal.Satisfaction.VERY_SATISFIED,
        handler=people[2],
    )
    CareOccasionFactory(
        branch=branch, occurred_on=today - dt.timedelta(days=20), reported_on=today - dt.timedelta(days=20)
    )
    CareVisitFactory(occasion=CareOccasionFactory(branch=branch, occurred_on=today, reported_on=today))
    _applicant(branch, today - dt.timedelta(days=40))
    _applicant(
        branch,
        today - dt.timedelta(days=400),
        status=Member.Status.ACTIVIST,
        talked_on=today - dt.timedelta(days=390),
        activist_on=today - dt.timedelta(days=380),
    )


def test_the_dashboard_costs_the_same_queries_whatever_the_data(
    client, secretary, group_a, group_b, django_assert_max_num_queries, django_assert_num_queries
):
    today = timezone.localdate()
    groups = [group_a, group_b]
    client.force_login(secretary.user)
    url = overview_url(secretary.branch)
    make_data(secretary.branch, groups, today, CommitteeRole.Role.PUBLICITY)
    client.get(url)  # warm the session
    with django_assert_max_num_queries(DASHBOARD_QUERIES) as once:
        response = client.get(url)
    assert response.status_code == 200
    measured = len(once.captured_queries)

    make_data(secretary.branch, groups, today, CommitteeRole.Role.DISCIPLINE)
    with django_assert_num_queries(measured):
        response = client.get(url)
    board = response.context["dashboard"]
    # The second round of data really is on the page: twice the assignments, appeals, steps.
    assert board.red_flag.total == 4
    assert board.appeals.overdue == 2
    assert len(board.pipeline.due) == 2
    # An earlier quarter costs no more (a query or two less where it has nothing to read).
    with django_assert_max_num_queries(measured):
        client.get(overview_url(secretary.branch, Quarter.of(today).previous()))
