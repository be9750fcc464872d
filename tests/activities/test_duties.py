"""Committee duties: logging guidance visits to the linked team, the duty board, its pages and access."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from PIL import Image

import activities.selectors.duties as duties_selectors
from activities.demo_duties import build_duties
from activities.models import GuidanceVisit
from activities.sections.duties import guidance_entries
from activities.selectors.duties import Status, days_left, duty_board
from activities.services.duties import guidance_visit_log
from members.models import CommitteeRole, Member
from members.recordbook import Period
from tests.factories import BranchFactory, CommitteeRoleFactory, MemberFactory, WorkTeamFactory

from .factories_duties import GuidanceVisitFactory, committee_member_with_team, jpeg_with_gps, link_team

TODAY = dt.date(2026, 11, 25)  # six days left in November, today included
EARLY = dt.date(2026, 11, 10)


@pytest.fixture(autouse=True)
def _dedication_days_not_recorded(request, monkeypatch):
    """Most tests here are about guidance visits: they run as for a branch that records no dedication
    days, so only the guidance duty decides the status. Tests marked `counts_dedication_days` use the
    real count (activities.selectors.service)."""
    if request.node.get_closest_marker("counts_dedication_days") is None:
        monkeypatch.setattr(duties_selectors, "count_dedication_days", lambda *args: None)


@pytest.fixture
def linked(committee_member, team):
    """The committee persona, linked to the persona team since 2024."""
    link_team(committee_member, team=team)
    return committee_member


def row_of(board, member):
    return next(row for row in board.rows if row.member.pk == member.pk)


# ---- the service --------------------------------------------------------------------------------


def test_committee_member_logs_a_visit_to_the_linked_team_with_a_clean_photo(linked, team):
    today = timezone.localdate()
    visit = guidance_visit_log(
        member=linked,
        visited_on=today,
        guidance="  讲解冬季井口保温要求 ",
        problems="保温层破损",
        follow_up="维修班处理",
        photo=jpeg_with_gps(),
    )
    visit.refresh_from_db()
    assert (visit.member, visit.work_team, visit.visited_on) == (linked, team, today)
    assert visit.guidance == "讲解冬季井口保温要求"
    with visit.photo.open("rb") as f, Image.open(f) as photo:
        assert photo.format == "JPEG"
        assert not photo.getexif()  # no GPS position, no camera data
    assert visit.history.count() == 1


def test_only_an_active_committee_seat_may_log(member, team):
    link_team(member, team=team)
    with pytest.raises(ValidationError) as err:
        guidance_visit_log(member=member, visited_on=timezone.localdate(), guidance="x")
    assert err.value.code == "not_committee"

    seat = CommitteeRoleFactory(member=member, role=CommitteeRole.Role.PUBLICITY)
    seat.ended_on = dt.date(2025, 1, 1)
    seat.save()
    with pytest.raises(ValidationError) as err:
        guidance_visit_log(member=member, visited_on=timezone.localdate(), guidance="x")
    assert err.value.code == "not_committee"
    assert not GuidanceVisit.objects.exists()


def test_a_committee_member_without_a_linked_team_is_told_so(committee_member):
    with pytest.raises(ValidationError) as err:
        guidance_visit_log(member=committee_member, visited_on=timezone.localdate(), guidance="x")
    assert err.value.code == "no_linked_team"


def test_visits_to_another_team_are_refused(linked, team, branch):
    other_team = WorkTeamFactory(branch=branch, name="注水班")
    with pytest.raises(ValidationError) as err:
        guidance_visit_log(member=linked, visited_on=timezone.localdate(), guidance="x", work_team=other_team)
    assert err.value.error_dict["work_team"][0].code == "not_linked_team"
    # Naming the linked team itself is fine.
    visit = guidance_visit_log(member=linked, visited_on=timezone.localdate(), guidance="x", work_team=team)
    assert visit.work_team == team


def test_dates_in_the_future_or_before_the_link_are_refused(committee_member, team):
    link_team(committee_member, team=team, started_on=dt.date(2025, 3, 1))
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as err:
        guidance_visit_log(member=committee_member, visited_on=tomorrow, guidance="x")
    assert err.value.error_dict["visited_on"][0].code == "future"
    with pytest.raises(ValidationError) as err:
        guidance_visit_log(member=committee_member, visited_on=dt.date(2025, 2, 28), guidance="x")
    assert err.value.error_dict["visited_on"][0].code == "before_link"
    assert not GuidanceVisit.objects.exists()


def test_a_file_that_is_not_an_image_or_an_empty_guidance_is_refused(linked):
    fake = SimpleUploadedFile("visit.jpg", b"not a picture", content_type="image/jpeg")
    with pytest.raises(ValidationError) as err:
        guidance_visit_log(member=linked, visited_on=timezone.localdate(), guidance="x", photo=fake)
    assert err.value.error_dict["photo"][0].code == "photo_unreadable"
    with pytest.raises(ValidationError) as err:
        guidance_visit_log(member=linked, visited_on=timezone.localdate(), guidance="   ")
    assert "guidance" in err.value.error_dict
    assert not GuidanceVisit.objects.exists()


# ---- the board ----------------------------------------------------------------------------------


def test_days_left_counts_today():
    assert days_left(dt.date(2026, 11, 24), dt.date(2026, 11, 30)) == 7
    assert days_left(dt.date(2026, 11, 30), dt.date(2026, 11, 30)) == 1


@pytest.mark.parametrize(
    ("visits", "today", "expected"),
    [
        ([dt.date(2026, 11, 3)], TODAY, Status.ON_TRACK),  # visited this month
        ([dt.date(2026, 10, 20)], EARLY, Status.ON_TRACK),  # plenty of time left
        ([dt.date(2026, 10, 20)], dt.date(2026, 11, 23), Status.ON_TRACK),  # eight days left
        ([dt.date(2026, 10, 20)], dt.date(2026, 11, 24), Status.DUE_SOON),  # seven days left
        ([dt.date(2026, 10, 20)], TODAY, Status.DUE_SOON),
        ([dt.date(2026, 9, 20)], EARLY, Status.OVERDUE),  # October went by without a visit
        ([], TODAY, Status.OVERDUE),
        ([dt.date(2026, 11, 12)], TODAY, Status.ON_TRACK),  # October missed, but this month is done
    ],
)
def test_guidance_status(linked, team, visits, today, expected):
    for day in visits:
        GuidanceVisitFactory(member=linked, work_team=team, visited_on=day)
    row = row_of(duty_board(linked.branch, today), linked)
    assert row.guidance_status == expected
    assert row.status == expected  # dedication days are not recorded yet: they do not count


def test_the_duty_starts_with_the_first_full_month_of_the_link(branch):
    new, _link = committee_member_with_team(branch, started_on=dt.date(2026, 11, 5))
    recent, _link = committee_member_with_team(
        branch, role=CommitteeRole.Role.DISCIPLINE, started_on=dt.date(2026, 10, 10)
    )
    board = duty_board(branch, TODAY)
    assert row_of(board, new).status == Status.ON_TRACK  # nothing owed in a month begun mid-way
    assert not row_of(board, new).owes_this_month
    assert row_of(board, recent).status == Status.DUE_SOON  # November is owed, October was not
    assert not row_of(board, recent).owed_last_month


def test_only_visits_to_the_linked_team_count(linked, team, branch):
    elsewhere = WorkTeamFactory(branch=branch, name="维修班")
    GuidanceVisitFactory(member=linked, work_team=elsewhere, visited_on=dt.date(2026, 11, 3))
    GuidanceVisitFactory(member=linked, work_team=team, visited_on=dt.date(2026, 10, 3))
    GuidanceVisitFactory(member=linked, work_team=team, visited_on=dt.date(2026, 10, 23))
    row = row_of(duty_board(branch, TODAY), linked)
    assert (row.visits_this_month, row.visits_last_month) == (0, 2)
    assert row.last_visit_on == dt.date(2026, 10, 23)
    assert row.status == Status.DUE_SOON


def test_board_lists_active_committee_members_only(branch, secretary, committee_member, member):
    ended, _link = committee_member_with_team(branch, role=CommitteeRole.Role.DEPUTY)
    ended.committee_roles.update(ended_on=dt.date(2026, 1, 1))
    archived, _link = committee_member_with_team(branch, role=CommitteeRole.Role.DISCIPLINE)
    Member.objects.filter(pk=archived.pk).update(archived_on=dt.date(2026, 6, 1))
    CommitteeRoleFactory(role=CommitteeRole.Role.PUBLICITY)  # another branch
    board = duty_board(branch, TODAY)
    assert [row.member for row in board.rows] == [secretary, committee_member]  # in role order
    assert {row.status for row in board.rows} == {Status.NO_TEAM}


def test_dedication_days_show_as_not_recorded_until_counted(linked, team):
    GuidanceVisitFactory(member=linked, work_team=team, visited_on=dt.date(2026, 11, 3))
    board = duty_board(linked.branch, TODAY)
    row = row_of(board, linked)
    assert not board.dedication_recorded
    assert (row.dedication_days, row.dedication_status) == (None, Status.NOT_RECORDED)


def test_dedication_days_plug_in_without_changing_the_board(linked, team, branch, monkeypatch):
    other, other_link = committee_member_with_team(branch, role=CommitteeRole.Role.DISCIPLINE)
    for who, where in [(linked, team), (other, other_link.work_team)]:
        GuidanceVisitFactory(member=who, work_team=where, visited_on=dt.date(2026, 11, 3))
    calls = []

    def counter(member_ids, start, end):
        calls.append((start, end))
        if start == dt.date(2026, 10, 1):  # this quarter: only `linked` joined one
            return {linked.pk: 1}
        return {linked.pk: 2}  # last quarter: `other` joined none

    monkeypatch.setattr(duties_selectors, "count_dedication_days", counter)
    board = duty_board(branch, TODAY)
    assert board.dedication_recorded
    assert calls == [(dt.date(2026, 10, 1), dt.date(2026, 12, 31)), (dt.date(2026, 7, 1), dt.date(2026, 9, 30))]
    assert (row_of(board, linked).dedication_days, row_of(board, linked).status) == (1, Status.ON_TRACK)
    assert row_of(board, other).dedication_days == 0
    assert row_of(board, other).dedication_status == Status.OVERDUE
    assert row_of(board, other).status == Status.OVERDUE  # the worse of the two duties


def test_board_query_count_is_constant(branch, django_assert_num_queries):
    def add_members(n, roles):
        for role in roles[:n]:
            member, link = committee_member_with_team(branch, role=role)
            for month in range(1, 12):
                GuidanceVisitFactory(member=member, work_team=link.work_team, visited_on=dt.date(2026, month, 5))

    roles = [CommitteeRole.Role.DEPUTY, CommitteeRole.Role.ORGANISATION, CommitteeRole.Role.PUBLICITY]
    add_members(1, roles)
    with django_assert_num_queries(3):
        assert len(duty_board(branch, TODAY).rows) == 1
    add_members(3, [CommitteeRole.Role.SECRETARY, CommitteeRole.Role.DISCIPLINE, roles[1]])
    with django_assert_num_queries(3):
        assert len(duty_board(branch, TODAY).rows) == 4


# ---- pages --------------------------------------------------------------------------------------


def test_board_page_shows_each_committee_member_and_status(client, linked, secretary, django_assert_max_num_queries):
    client.force_login(secretary.user)
    response = client.get(reverse("activities:duty_board"))
    assert response.status_code == 200
    rows = {row.member: row for row in response.context["board"].rows}
    assert set(rows) == {secretary, linked}
    html = response.content.decode()
    assert linked.name in html
    assert gettext("not recorded yet") in html
    assert f'data-testid="duty-{linked.pk}"' in html
    with django_assert_max_num_queries(15) as small:
        client.get(reverse("activities:duty_board"))
    for role in (CommitteeRole.Role.DEPUTY, CommitteeRole.Role.DISCIPLINE, CommitteeRole.Role.PUBLICITY):
        member, link = committee_member_with_team(secretary.branch, role=role)
        GuidanceVisitFactory.create_batch(4, member=member, work_team=link.work_team)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("activities:duty_board"))
    assert len(response.context["board"].rows) == 5


def test_guidance_form_logs_a_visit_and_returns_to_the_board(client, linked, team):
    client.force_login(linked.user)
    url = reverse("activities:guidance_add")
    response = client.get(url)
    assert response.status_code == 200
    assert team.name in response.content.decode()
    today = timezone.localdate()
    response = client.post(
        url,
        {"visited_on": today.isoformat(), "guidance": "学习操作规程", "problems": "", "photo": jpeg_with_gps()},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("activities:duty_board")
    visit = GuidanceVisit.objects.get()
    assert (visit.member, visit.work_team, visit.visited_on, visit.guidance) == (linked, team, today, "学习操作规程")
    assert visit.photo.name.startswith("guidance/")
    board = client.get(response["Location"])
    assert row_of(board.context["board"], linked).visits_this_month == 1


def test_guidance_form_shows_the_service_errors(client, linked):
    client.force_login(linked.user)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(reverse("activities:guidance_add"), {"visited_on": tomorrow.isoformat(), "guidance": "x"})
    assert response.status_code == 200
    assert response.context["form"].has_error("visited_on", "future")
    assert not GuidanceVisit.objects.exists()


def test_guidance_form_without_a_linked_team_explains_why(client, committee_member):
    client.force_login(committee_member.user)
    response = client.post(
        reverse("activities:guidance_add"), {"visited_on": timezone.localdate().isoformat(), "guidance": "x"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not GuidanceVisit.objects.exists()


def test_guidance_list_and_detail(client, secretary, linked, team, other_member):
    mine = GuidanceVisitFactory(member=linked, work_team=team, guidance="检查巡井路线", problems="记录不全")
    theirs = GuidanceVisitFactory(member=secretary, work_team=team, guidance="组织学习")
    client.force_login(secretary.user)
    response = client.get(reverse("activities:guidance_list"))
    assert [v.pk for v in response.context["page"]] == sorted([mine.pk, theirs.pk], reverse=True)
    response = client.get(reverse("activities:guidance_list"), {"member": linked.pk})
    assert [v.pk for v in response.context["page"]] == [mine.pk]
    response = client.get(reverse("activities:guidance_detail", args=[mine.pk]))
    assert response.status_code == 200
    assert "记录不全" in response.content.decode()


def test_guidance_list_query_count_is_constant(client, secretary, linked, team, django_assert_max_num_queries):
    GuidanceVisitFactory(member=linked, work_team=team)
    client.force_login(secretary.user)
    with django_assert_max_num_queries(15) as small:
        client.get(reverse("activities:guidance_list"))
    GuidanceVisitFactory.create_batch(30, member=linked, work_team=team)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("activities:guidance_list"))


# ---- access -------------------------------------------------------------------------------------

OK, REDIRECT, FORBIDDEN, NOT_FOUND = 200, 302, 403, 404

# persona -> (board, add form, list, our visit's page)
ACCESS = {
    "anonymous": (REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    "admin": (OK, FORBIDDEN, OK, OK),  # reads everything, logs nothing
    "secretary": (OK, OK, OK, OK),
    "committee": (OK, OK, OK, OK),
    "group_leader": (FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "member": (FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "outsider": (OK, OK, OK, NOT_FOUND),  # their own branch's board; our visit does not exist for them
}


@pytest.mark.parametrize("persona", list(ACCESS))
def test_access_matrix(client, personas, linked, team, persona):
    visit = GuidanceVisitFactory(member=linked, work_team=team)
    urls = [
        reverse("activities:duty_board"),
        reverse("activities:guidance_add"),
        reverse("activities:guidance_list"),
        reverse("activities:guidance_detail", args=[visit.pk]),
    ]
    if personas[persona] is not None:
        client.force_login(personas[persona])
    for url, expected in zip(urls, ACCESS[persona], strict=True):
        response = client.get(url)
        assert response.status_code == expected, f"{persona} GET {url}"
        if expected == REDIRECT:
            assert "/login/" in response["Location"]


def test_members_cannot_post_a_visit(client, member, group_leader):
    for person in (member, group_leader):
        client.force_login(person.user)
        response = client.post(
            reverse("activities:guidance_add"), {"visited_on": timezone.localdate().isoformat(), "guidance": "x"}
        )
        assert response.status_code == 403
    assert not GuidanceVisit.objects.exists()


def test_outsider_sees_nothing_of_another_branch(client, outsider, linked, team):
    visit = GuidanceVisitFactory(member=linked, work_team=team, guidance="本支部的指导")
    client.force_login(outsider.user)
    board = client.get(reverse("activities:duty_board"))
    assert board.context["board"].branch == outsider.branch
    assert linked.name not in board.content.decode()
    assert "本支部的指导" not in client.get(reverse("activities:guidance_list")).content.decode()
    assert client.get(reverse("activities:guidance_list"), {"member": linked.pk}).status_code == 404
    assert client.get(reverse("activities:duty_board"), {"branch": linked.branch_id}).context["board"].branch == (
        outsider.branch
    )
    assert client.get(reverse("activities:guidance_detail", args=[visit.pk])).status_code == 404


def test_admin_chooses_the_branch(client, admin_user, linked, outsider):
    client.force_login(admin_user)
    response = client.get(reverse("activities:duty_board"), {"branch": outsider.branch_id})
    assert response.context["board"].branch == outsider.branch
    response = client.get(reverse("activities:duty_board"), {"branch": linked.branch_id})
    assert [row.member for row in response.context["board"].rows] == [linked]
    assert client.get(reverse("activities:duty_board"), {"branch": "999999"}).status_code == 404
    assert client.get(reverse("activities:duty_board"), {"branch": "x"}).status_code == 404


# ---- record book and demo -----------------------------------------------------------------------


def test_record_book_section_lists_visits_in_one_query(linked, team, django_assert_num_queries):
    GuidanceVisitFactory(member=linked, work_team=team, visited_on=dt.date(2026, 3, 5), problems="功图异常")
    GuidanceVisitFactory(member=linked, work_team=team, visited_on=dt.date(2025, 3, 5))
    GuidanceVisitFactory(visited_on=dt.date(2026, 3, 5))  # someone else's
    with django_assert_num_queries(1):
        entries = guidance_entries(linked, Period(2026))
    assert [e.date for e in entries] == [dt.date(2026, 3, 5)]
    assert team.name in entries[0].title
    assert "功图异常" in entries[0].detail


def test_record_book_page_shows_the_guidance_section(client, linked, team):
    GuidanceVisitFactory(member=linked, work_team=team, guidance="指导班组安全经验分享")
    client.force_login(linked.user)
    response = client.get(reverse("members:detail", args=[linked.pk]))
    assert "指导班组安全经验分享" in response.content.decode()


@pytest.fixture
def demo_branch(db):
    from branch.demo import build_demo_branch

    return build_demo_branch(password="demo-only", today=TODAY).branch


def test_demo_duties_are_idempotent_and_show_someone_overdue(demo_branch):
    members = list(Member.objects.filter(branch=demo_branch).order_by("employee_number"))
    # seed_demo (the fixture) already built the visits; they cover most of a year for five people.
    created = GuidanceVisit.objects.filter(member__branch=demo_branch).count()
    assert created >= 5 * 11
    visits = list(GuidanceVisit.objects.order_by("member_id", "visited_on").values_list("member_id", "visited_on"))
    assert build_duties(branch=demo_branch, members=members, today=TODAY) == 0
    assert all(day <= TODAY for _m, day in visits)

    board = duty_board(demo_branch, TODAY)
    assert len(board.rows) == 5
    statuses = [row.status for row in board.rows]
    assert statuses[-1] == Status.OVERDUE
    assert statuses.count(Status.OVERDUE) == 1
    assert all(row.visits_last_month for row in board.rows[:-1])
    # Deterministic: built again from nothing, the same visits on the same days.
    GuidanceVisit.history.all().delete()
    GuidanceVisit.objects.all().delete()
    assert build_duties(branch=demo_branch, members=members, today=TODAY) == created
    assert visits == list(
        GuidanceVisit.objects.order_by("member_id", "visited_on").values_list("member_id", "visited_on")
    )


def test_demo_duties_without_a_committee_do_nothing(db):
    branch = BranchFactory()
    assert build_duties(branch=branch, members=[MemberFactory(branch=branch)], today=TODAY) == 0


@pytest.mark.counts_dedication_days
def test_dedication_days_attended_count_toward_the_quarter(linked, team):
    from tests.activities.factories_service import ActivityAttendanceFactory, ActivityFactory, at

    GuidanceVisitFactory(member=linked, work_team=team, visited_on=TODAY)
    row = row_of(duty_board(linked.branch, TODAY), linked)
    assert row.dedication_days == 0
    assert row.status != Status.ON_TRACK  # guidance is done, but no dedication day yet this quarter
    day = ActivityFactory(branch=linked.branch, starts_at=at(TODAY.replace(day=3), 9))
    ActivityAttendanceFactory(activity=day, member=linked)
    row = row_of(duty_board(linked.branch, TODAY), linked)
    assert row.dedication_days == 1
    assert row.status == Status.ON_TRACK
