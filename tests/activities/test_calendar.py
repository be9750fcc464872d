"""The compliance calendar of organisation life: periods by branch frequency, what each cell says,
a constant number of queries, the party group page, and the reminders for meetings not held."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Meeting, MeetingAttendance
from activities.reminders import notify
from activities.selectors.meetings import (
    Status,
    compliance_calendar,
    group_page,
    period_containing,
    periods_of_year,
    previous_period,
    reminders,
)
from branch.models import Notification
from members.models import CommitteeRole, Member
from tests.factories import MemberFactory, PartyGroupFactory, StudyRecordFactory

from .factories_meetings import MeetingAttendanceFactory, MeetingFactory

Kind = Meeting.Kind
TODAY = dt.date(2026, 5, 15)


def row_of(calendar, kind, group=None):
    return next(r for r in calendar.rows if r.kind == kind and r.party_group == group)


def statuses(row):
    return [c.status for c in row.cells]


# ---- periods --------------------------------------------------------------------------------------


def test_periods_follow_the_frequency():
    assert [p.label for p in periods_of_year(2026, 1)][:3] == ["2026-01", "2026-02", "2026-03"]
    assert len(periods_of_year(2026, 1)) == 12
    assert [(p.label, p.start, p.end) for p in periods_of_year(2026, 3)][0] == (
        "2026Q1",
        dt.date(2026, 1, 1),
        dt.date(2026, 3, 31),
    )
    assert [p.label for p in periods_of_year(2026, 6)] == ["2026H1", "2026H2"]
    assert [p.label for p in periods_of_year(2026, 12)] == ["2026"]
    assert [p.months for p in periods_of_year(2026, 2)] == [2] * 6
    # Five does not divide twelve: the year ends with a shorter period.
    assert [(p.start.month, p.end.month) for p in periods_of_year(2026, 5)] == [(1, 5), (6, 10), (11, 12)]
    assert [p.label for p in periods_of_year(2026, 0)] == ["2026"]


def test_previous_period_crosses_the_year():
    assert previous_period(dt.date(2026, 1, 5), 1).label == "2025-12"
    assert previous_period(dt.date(2026, 2, 1), 3).label == "2025Q4"
    assert previous_period(dt.date(2026, 5, 15), 3).label == "2026Q1"
    assert period_containing(dt.date(2026, 12, 31), 1).label == "2026-12"


# ---- the calendar ---------------------------------------------------------------------------------


def test_cells_say_held_missing_due_or_future(branch, group_a, group_b):
    MeetingFactory(branch=branch, kind=Kind.THEME_DAY, held_on=dt.date(2026, 1, 20))
    MeetingFactory(branch=branch, kind=Kind.THEME_DAY, held_on=dt.date(2026, 3, 5))
    MeetingFactory(branch=branch, kind=Kind.THEME_DAY, held_on=dt.date(2026, 3, 25))  # two in one month
    MeetingFactory(branch=branch, kind=Kind.GENERAL, held_on=dt.date(2026, 2, 10), has_vote=True, below_quorum=True)
    MeetingFactory(branch=branch, kind=Kind.GROUP, party_group=group_a, held_on=dt.date(2026, 5, 2))
    calendar = compliance_calendar(branch, year=2026, today=TODAY)

    theme = row_of(calendar, Kind.THEME_DAY)
    assert statuses(theme)[:6] == [Status.HELD, Status.MISSING, Status.HELD, Status.MISSING, Status.DUE, Status.FUTURE]
    assert len(theme.cells[2].meetings) == 2
    assert [c.period.label for c in theme.missing] == ["2026-02", "2026-04"]
    assert theme.due.period.label == "2026-05"

    general = row_of(calendar, Kind.GENERAL)
    assert statuses(general) == [Status.HELD, Status.DUE, Status.FUTURE, Status.FUTURE]
    assert general.cells[0].below_quorum and general.cells[0].tone == "warning"
    assert [c.period.months for c in general.cells] == [3, 3, 3, 3]
    assert [m.topic for m in calendar.below_quorum] == [general.cells[0].meetings[0].topic]

    group_a_row, group_b_row = row_of(calendar, Kind.GROUP, group_a), row_of(calendar, Kind.GROUP, group_b)
    assert statuses(group_a_row)[:5] == [Status.MISSING] * 4 + [Status.HELD]
    assert statuses(group_b_row)[:5] == [Status.MISSING] * 4 + [Status.DUE]
    # committee Jan–Apr, group A and group B Jan–Apr, the lecture's Q1, the theme day's Feb and Apr
    assert calendar.missing_count == 4 + 4 + 4 + 1 + 2


def test_rows_follow_three_meetings_and_one_lecture(branch, group_a, group_b):
    calendar = compliance_calendar(branch, year=2026, today=TODAY)
    assert [(r.kind, r.label) for r in calendar.rows] == [
        (Kind.GENERAL, str(Kind.GENERAL.label)),
        (Kind.COMMITTEE, str(Kind.COMMITTEE.label)),
        (Kind.GROUP, group_a.name),
        (Kind.GROUP, group_b.name),
        (Kind.LECTURE, str(Kind.LECTURE.label)),
        (Kind.THEME_DAY, str(Kind.THEME_DAY.label)),
    ]


def test_frequencies_are_branch_settings(branch):
    branch.general_meeting_months = 6
    branch.committee_meeting_months = 0
    branch.save()
    MeetingFactory(branch=branch, kind=Kind.COMMITTEE, held_on=dt.date(2026, 2, 3))
    calendar = compliance_calendar(branch, year=2026, today=TODAY)
    assert [c.period.label for c in row_of(calendar, Kind.GENERAL).cells] == ["2026H1", "2026H2"]
    committee = row_of(calendar, Kind.COMMITTEE)
    assert statuses(committee) == [Status.HELD]  # not required, but what was held shows
    Meeting.objects.all().delete()
    assert statuses(row_of(compliance_calendar(branch, year=2026, today=TODAY), Kind.COMMITTEE)) == [
        Status.NOT_REQUIRED
    ]


def test_other_years_and_branches_stay_out(branch, outsider):
    MeetingFactory(branch=branch, kind=Kind.LECTURE, held_on=dt.date(2025, 12, 31))
    MeetingFactory(branch=outsider.branch, kind=Kind.LECTURE, held_on=dt.date(2026, 2, 1))
    lecture = row_of(compliance_calendar(branch, year=2026, today=TODAY), Kind.LECTURE)
    assert statuses(lecture) == [Status.MISSING, Status.DUE, Status.FUTURE, Status.FUTURE]
    past = row_of(compliance_calendar(branch, year=2025, today=TODAY), Kind.LECTURE)
    assert statuses(past) == [Status.MISSING] * 3 + [Status.HELD]


def test_a_group_leader_sees_only_their_groups_row(branch, group_a, group_b):
    calendar = compliance_calendar(branch, year=2026, today=TODAY, only_group_id=group_a.pk)
    assert [(r.kind, r.party_group) for r in calendar.rows] == [(Kind.GROUP, group_a)]


def _busy_year(branch, groups, members):
    """Every kind in every month, each with attendance."""
    for month in range(1, 13):
        day = dt.date(2025, month, 15)
        meetings = [MeetingFactory(branch=branch, kind=kind, held_on=day) for kind in (Kind.GENERAL, Kind.LECTURE)]
        meetings += [MeetingFactory(branch=branch, kind=kind, held_on=day) for kind in (Kind.COMMITTEE, Kind.THEME_DAY)]
        meetings += [MeetingFactory(branch=branch, kind=Kind.GROUP, party_group=g, held_on=day) for g in groups]
        for meeting in meetings:
            for member in members:
                MeetingAttendanceFactory(meeting=meeting, member=member)


def test_calendar_costs_two_queries_whatever_the_data(branch, secretary, group_a, django_assert_num_queries):
    with django_assert_num_queries(2):
        small = compliance_calendar(branch, year=2025, today=TODAY)
    groups = [group_a, *PartyGroupFactory.create_batch(4, branch=branch)]
    members = MemberFactory.create_batch(5, branch=branch, party_group=group_a)
    _busy_year(branch, groups, members)
    with django_assert_num_queries(2):
        large = compliance_calendar(branch, year=2025, today=TODAY)
    assert small.missing_count > 0 and large.missing_count == 0
    assert len(large.rows) == 4 + len(groups)


def test_calendar_page_query_count_is_constant(client, secretary, group_a, django_assert_max_num_queries):
    client.force_login(secretary.user)
    url = reverse("activities:calendar") + "?year=2025"
    client.get(url)  # warm the session
    with django_assert_max_num_queries(12) as small:
        response = client.get(url)
    assert response.status_code == 200
    groups = [group_a, *PartyGroupFactory.create_batch(4, branch=secretary.branch)]
    _busy_year(secretary.branch, groups, MemberFactory.create_batch(5, branch=secretary.branch, party_group=group_a))
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.context["calendar"].missing_count == 0
    held_cells = 4 + 12 + 12 * len(groups) + 4 + 12  # general and lecture by quarter, the rest by month
    assert response.content.decode().count('data-status="held"') == held_cells


# ---- the calendar page ----------------------------------------------------------------------------


def test_calendar_page_links_missing_cells_to_a_prefilled_form(client, secretary, group_a):
    client.force_login(secretary.user)
    year = timezone.localdate().year - 1
    response = client.get(reverse("activities:calendar"), {"year": year})
    calendar = response.context["calendar"]
    assert calendar.year == year
    assert all(r.can_record for r in calendar.rows)
    html = response.content.decode()
    assert f"kind=group&amp;party_group={group_a.pk}&amp;held_on={year}-01-31" in html
    form = client.get(
        reverse("activities:meeting_create"), {"kind": "group", "party_group": group_a.pk, "held_on": f"{year}-01-31"}
    ).context["form"]
    assert (form.initial["kind"], form.initial["party_group"], form.initial["held_on"]) == (
        "group",
        str(group_a.pk),
        f"{year}-01-31",
    )


def test_calendar_page_for_a_group_leader_shows_their_group(client, group_leader, group_a, group_b):
    client.force_login(group_leader.user)
    response = client.get(reverse("activities:calendar"))
    rows = response.context["calendar"].rows
    assert [(r.kind, r.group_id, r.can_record) for r in rows] == [(Kind.GROUP, group_a.pk, True)]


def test_a_bad_year_falls_back_to_this_year(client, secretary):
    client.force_login(secretary.user)
    response = client.get(reverse("activities:calendar"), {"year": "abc"})
    assert response.context["calendar"].year == timezone.localdate().year
    assert client.get(reverse("activities:calendar"), {"branch": "abc"}).status_code == 404


def test_administrator_chooses_a_branch_then_reads_its_calendar(client, admin_user, secretary, outsider):
    client.force_login(admin_user)
    response = client.get(reverse("activities:calendar"))
    assert {b.pk for b in response.context["branches"]} == {secretary.branch.pk, outsider.branch.pk}
    response = client.get(reverse("activities:calendar"), {"branch": outsider.branch.pk})
    assert response.context["calendar"].branch == outsider.branch
    assert not any(r.can_record for r in response.context["calendar"].rows)


# ---- the party group page -------------------------------------------------------------------------


def test_group_page_shows_members_quarter_and_overdue(client, group_leader, group_a, member, secretary, branch):
    today = timezone.localdate()
    quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    meeting = MeetingFactory(branch=branch, kind=Kind.GROUP, party_group=group_a, held_on=quarter_start)
    MeetingAttendanceFactory(meeting=meeting, member=member)
    MeetingAttendanceFactory(meeting=meeting, member=group_leader, presence=MeetingAttendance.Presence.EXCUSED)
    lecture = MeetingFactory(branch=branch, kind=Kind.LECTURE, held_on=quarter_start)
    MeetingAttendanceFactory(meeting=lecture, member=secretary)  # counts as a meeting, not as the group's
    StudyRecordFactory(member=member, studied_on=quarter_start, hours=Decimal("2.5"), status="confirmed")
    StudyRecordFactory(member=member, studied_on=quarter_start, hours=3, status="submitted")
    StudyRecordFactory(member=member, studied_on=quarter_start - dt.timedelta(days=1), hours=9, status="confirmed")
    leaver = MemberFactory(branch=branch, party_group=group_a, archived_on=today, archive_reason="died")

    client.force_login(group_leader.user)
    response = client.get(reverse("activities:group_detail", args=[group_a.pk]))
    page = response.context["page"]
    rows = {r.member: r for r in page.members}
    assert set(rows) == {secretary, group_leader, member}  # not the member who left
    assert leaver not in rows
    assert (rows[member].meetings_present, rows[member].meetings_recorded) == (1, 1)
    assert (rows[group_leader].meetings_present, rows[group_leader].meetings_recorded) == (0, 1)
    assert (rows[secretary].meetings_present, rows[secretary].group_meetings_present) == (1, 0)
    assert rows[member].study_hours == Decimal("2.5")
    assert page.study_waiting == 1
    assert page.quarter_meetings == [meeting] and page.quarter_meetings[0].present_count == 1
    assert page.group.leader_name == group_leader.name
    assert set(page.absent_all_quarter) == {secretary, group_leader}
    # Overdue: every month of this year before this one without a group meeting, except the quarter's first.
    held_month = quarter_start.month
    expected = [m for m in range(1, today.month) if m != held_month]
    assert [c.period.start.month for c in page.overdue] == expected
    assert response.context["can_record"] and response.context["can_review_study"]
    assert not response.context["can_manage_members"]


def test_group_page_links_the_secretary_to_moving_members(client, secretary, group_a, member):
    client.force_login(secretary.user)
    response = client.get(reverse("activities:group_detail", args=[group_a.pk]))
    assert response.context["can_manage_members"]
    assert reverse("members:edit", args=[member.pk]) in response.content.decode()


def test_group_page_query_count_is_constant(client, secretary, group_a, django_assert_max_num_queries):
    client.force_login(secretary.user)
    url = reverse("activities:group_detail", args=[group_a.pk])
    client.get(url)
    with django_assert_max_num_queries(14) as small:
        client.get(url)
    members = MemberFactory.create_batch(8, branch=secretary.branch, party_group=group_a)
    today = timezone.localdate()
    for month in range(1, today.month + 1):
        meeting = MeetingFactory(
            branch=secretary.branch, kind=Kind.GROUP, party_group=group_a, held_on=dt.date(today.year, month, 1)
        )
        for m in members:
            MeetingAttendanceFactory(meeting=meeting, member=m)
            StudyRecordFactory(member=m, studied_on=dt.date(today.year, month, 1), status="confirmed")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert len(response.context["page"].members) == 1 + 8


def test_group_page_selector_uses_five_queries(group_a, member, django_assert_num_queries):
    group = type(group_a).objects.select_related("branch").get(pk=group_a.pk)
    with django_assert_num_queries(5):
        group_page(group, today=TODAY)


# ---- reminders ------------------------------------------------------------------------------------


@pytest.fixture
def staffed(secretary, group_leader, group_a, group_b, committee_member):
    """The secretary, group A's leader; group B has no leader."""
    return secretary


def _by_user(found):
    out = {}
    for r in found:
        out.setdefault(r.user_id, {})[r.key] = r
    return out


def test_reminders_for_the_previous_period_without_a_meeting(branch, staffed, group_leader, group_a, group_b):
    today = dt.date(2026, 5, 3)  # previous month April, previous quarter Q1
    MeetingFactory(branch=branch, kind=Kind.COMMITTEE, held_on=dt.date(2026, 4, 30))
    MeetingFactory(branch=branch, kind=Kind.LECTURE, held_on=dt.date(2026, 2, 1))
    MeetingFactory(branch=branch, kind=Kind.GROUP, party_group=group_b, held_on=dt.date(2026, 4, 1))
    MeetingFactory(branch=branch, kind=Kind.THEME_DAY, held_on=dt.date(2026, 5, 2))  # this month: not April's
    found = _by_user(reminders(branch, today))
    secretary_keys = set(found[staffed.user_id])
    assert secretary_keys == {
        "meeting:general:0:2026Q1",
        f"meeting:group:{group_a.pk}:2026-04",
        "meeting:theme_day:0:2026-04",
    }
    leader = found[group_leader.user_id]
    assert set(leader) == {f"meeting:group:{group_a.pk}:2026-04"}
    assert leader[f"meeting:group:{group_a.pk}:2026-04"].url == reverse("activities:group_detail", args=[group_a.pk])
    assert found[staffed.user_id]["meeting:general:0:2026Q1"].url == reverse("activities:calendar") + "?year=2026"
    assert set(found) == {staffed.user_id, group_leader.user_id}  # the committee member is not told


def test_reminders_in_january_look_at_last_december(branch, staffed):
    keys = {r.key for r in reminders(branch, dt.date(2027, 1, 2))}
    assert "meeting:committee:0:2026-12" in keys
    assert "meeting:general:0:2026Q4" in keys


def test_no_reminder_when_nothing_is_required(branch, staffed):
    branch.general_meeting_months = branch.committee_meeting_months = branch.group_meeting_months = 0
    branch.party_lecture_months = branch.theme_day_months = 0
    branch.save()
    assert reminders(branch, TODAY) == []


def test_without_a_secretary_only_the_group_leader_is_reminded(branch, staffed, group_leader, group_a):
    CommitteeRole.objects.filter(member=staffed).update(ended_on=dt.date(2026, 1, 1))
    found = reminders(branch, TODAY)
    assert {(r.user_id, r.key) for r in found} == {(group_leader.user_id, f"meeting:group:{group_a.pk}:2026-04")}


def test_reminders_are_sent_once(branch, staffed, group_leader):
    first = notify(reminders(branch, TODAY))
    assert first == Notification.objects.filter(key__startswith="meeting:").count() > 0
    assert notify(reminders(branch, TODAY)) == 0
    assert Notification.objects.filter(user=group_leader.user, key__startswith="meeting:group:").count() == 1


def test_an_archived_secretary_is_not_reminded(branch, staffed):
    Member.objects.filter(pk=staffed.pk).update(archived_on=TODAY, archive_reason="transferred_out")
    assert all(r.user_id != staffed.user_id for r in reminders(branch, TODAY))
