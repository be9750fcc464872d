"""Service activity pages: who may open what (URL × persona), the forms' errors, the phone checklist,
registering, photos, and constant query counts on the calendar and the attendance page."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from PIL import Image

from activities.models import Activity, ActivityAttendance, ActivityPhoto
from tests.factories import TEST_PASSWORD, MemberFactory, PartyGroupFactory

from .factories_service import ActivityAttendanceFactory, ActivityFactory, at

OK, REDIRECT, FORBIDDEN, NOT_FOUND = 200, 302, 403, 404
Kind = Activity.Kind
State = Activity.State


def login(client, member_or_user):
    user = getattr(member_or_user, "user", member_or_user)
    client.login(username=user.username, password=TEST_PASSWORD)


@pytest.fixture
def held(secretary):
    return ActivityFactory(branch=secretary.branch, organiser=secretary, starts_at=at(dt.date(2026, 3, 14), 10))


@pytest.fixture
def planned(secretary):
    soon = timezone.now() + dt.timedelta(days=5)
    return ActivityFactory(
        branch=secretary.branch,
        organiser=secretary,
        state=State.PLANNED,
        starts_at=soon,
        ends_at=soon + dt.timedelta(hours=2),
    )


@pytest.fixture
def elsewhere(outsider):
    return ActivityFactory(branch=outsider.branch, organiser=outsider)


# ---- the permission matrix ---------------------------------------------------------------------

# url name -> (method, persona -> expected status)
MATRIX = {
    "calendar": {
        "anonymous": REDIRECT, "admin": OK, "secretary": OK, "committee": OK,
        "group_leader": OK, "member": OK, "outsider": OK,
    },
    "create": {
        "anonymous": REDIRECT, "admin": FORBIDDEN, "secretary": OK, "committee": OK,
        "group_leader": FORBIDDEN, "member": FORBIDDEN, "outsider": OK,
    },
    "detail": {
        "anonymous": REDIRECT, "admin": OK, "secretary": OK, "committee": OK,
        "group_leader": OK, "member": OK, "outsider": NOT_FOUND,
    },
    "edit": {
        "anonymous": REDIRECT, "admin": FORBIDDEN, "secretary": OK, "committee": OK,
        "group_leader": FORBIDDEN, "member": FORBIDDEN, "outsider": NOT_FOUND,
    },
    "attendance": {
        "anonymous": REDIRECT, "admin": FORBIDDEN, "secretary": OK, "committee": OK,
        "group_leader": OK, "member": FORBIDDEN, "outsider": NOT_FOUND,
    },
    "attendance_post": {
        "anonymous": REDIRECT, "admin": FORBIDDEN, "secretary": REDIRECT, "committee": REDIRECT,
        "group_leader": REDIRECT, "member": FORBIDDEN, "outsider": NOT_FOUND,
    },
    "register": {  # POST; success redirects to the activity
        "anonymous": REDIRECT, "admin": FORBIDDEN, "secretary": REDIRECT, "committee": REDIRECT,
        "group_leader": REDIRECT, "member": REDIRECT, "outsider": NOT_FOUND,
    },
    "photo_add": {
        "anonymous": REDIRECT, "admin": FORBIDDEN, "secretary": OK, "committee": OK,
        "group_leader": OK, "member": FORBIDDEN, "outsider": NOT_FOUND,
    },
    "other_branch_detail": {
        "anonymous": REDIRECT, "admin": OK, "secretary": NOT_FOUND, "committee": NOT_FOUND,
        "group_leader": NOT_FOUND, "member": NOT_FOUND, "outsider": OK,
    },
}  # fmt: skip
CASES = [(name, persona, status) for name, row in MATRIX.items() for persona, status in row.items()]


@pytest.mark.parametrize(("name", "persona", "expected"), CASES)
def test_permission_matrix(client, personas, held, planned, elsewhere, name, persona, expected):
    urls = {
        "calendar": ("get", reverse("activities:activity_calendar")),
        "create": ("get", reverse("activities:activity_create")),
        "detail": ("get", reverse("activities:activity_detail", args=[held.pk])),
        "edit": ("get", reverse("activities:activity_edit", args=[held.pk])),
        "attendance": ("get", reverse("activities:activity_attendance", args=[held.pk])),
        "attendance_post": ("post", reverse("activities:activity_attendance", args=[held.pk])),
        "register": ("post", reverse("activities:activity_register", args=[planned.pk])),
        "photo_add": ("get", reverse("activities:activity_photo_add", args=[held.pk])),
        "other_branch_detail": ("get", reverse("activities:activity_detail", args=[elsewhere.pk])),
    }
    if personas[persona] is not None:
        login(client, personas[persona])
    method, url = urls[name]
    response = getattr(client, method)(url)
    assert response.status_code == expected
    if expected == REDIRECT and persona == "anonymous":
        assert response.url.startswith(reverse("login"))


def test_forbidden_posts_change_nothing(client, member, other_member, held, planned):
    login(client, member)
    url = reverse("activities:activity_attendance", args=[held.pk])
    assert client.post(url, {f"p{other_member.pk}": "on"}).status_code == FORBIDDEN
    edit = reverse("activities:activity_edit", args=[held.pk])
    assert client.post(edit, {"title": "改了"}).status_code == FORBIDDEN
    assert not ActivityAttendance.objects.filter(activity=held).exists()
    held.refresh_from_db()
    assert held.title != "改了"


def test_group_leader_cannot_mark_another_group(client, group_leader, other_member, held):
    login(client, group_leader)
    url = reverse("activities:activity_attendance", args=[held.pk])
    page = client.get(url)
    assert other_member.name not in page.content.decode()
    client.post(url, {f"p{other_member.pk}": "on", f"h{other_member.pk}": "2.5"})
    assert not ActivityAttendance.objects.filter(member=other_member).exists()


# ---- creating and editing ----------------------------------------------------------------------


def form_data(**overrides):
    data = {
        "kind": Kind.DEDICATION_DAY,
        "title": "党员奉献日：整理库房",
        "state": State.PLANNED,
        "day": "2026-03-14",
        "start_time": "10:00",
        "end_time": "12:30",
        "place": "检188作业区库房",
        "task": Activity.Task.TIDY_STORES,
        "description": "",
        "teacher": "",
    }
    return {**data, **overrides}


def test_secretary_creates_an_activity(client, secretary):
    login(client, secretary)
    response = client.post(reverse("activities:activity_create"), form_data(organiser=secretary.pk))
    activity = Activity.objects.get()
    assert response.status_code == REDIRECT and response.url == reverse(
        "activities:activity_detail", args=[activity.pk]
    )
    assert timezone.localtime(activity.starts_at).strftime("%Y-%m-%d %H:%M") == "2026-03-14 10:00"
    assert activity.length_hours == 2.5


def test_an_activity_ending_before_it_starts_is_refused_with_a_clear_error(client, secretary):
    login(client, secretary)
    response = client.post(reverse("activities:activity_create"), form_data(organiser=secretary.pk, end_time="09:00"))
    assert response.status_code == OK
    assert response.context["form"].errors == {"end_time": [gettext("An activity must end after it starts.")]}
    assert gettext("An activity must end after it starts.") in response.content.decode()
    assert not Activity.objects.exists()


def test_committee_edits_an_activity(client, committee_member, held):
    login(client, committee_member)
    url = reverse("activities:activity_edit", args=[held.pk])
    assert client.get(url).context["form"].initial["start_time"] == dt.time(10, 0)
    response = client.post(url, form_data(organiser=held.organiser_id, state=State.HELD, title="平整井场"))
    assert response.status_code == REDIRECT
    held.refresh_from_db()
    assert held.title == "平整井场"


# ---- attendance --------------------------------------------------------------------------------


def test_group_leader_takes_attendance_with_an_exception(client, group_leader, member, secretary, held):
    login(client, group_leader)
    url = reverse("activities:activity_attendance", args=[held.pk])
    page = client.get(url)
    assert [g.label for g, _ in page.context["form"].groups()] == ["第一党小组"]
    response = client.post(
        url,
        {
            f"p{member.pk}": "on",
            f"h{member.pk}": "2.5",
            f"p{group_leader.pk}": "on",
            f"h{group_leader.pk}": "1.5",
            f"r{group_leader.pk}": "提前离开：接班",
            f"h{secretary.pk}": "2.5",  # not ticked: absent
        },
    )
    assert response.status_code == REDIRECT
    rows = {r.member_id: r for r in ActivityAttendance.objects.filter(activity=held)}
    assert set(rows) == {member.pk, group_leader.pk}
    assert (rows[group_leader.pk].hours, rows[group_leader.pk].hours_reason) == (Decimal("1.5"), "提前离开：接班")


def test_hours_above_the_length_without_a_reason_show_a_clear_error(client, secretary, member, held):
    login(client, secretary)
    url = reverse("activities:activity_attendance", args=[held.pk])
    response = client.post(url, {f"p{member.pk}": "on", f"h{member.pk}": "6"})
    assert response.status_code == OK
    message = gettext(
        "%(name)s: %(hours)s hours is more than the activity lasted (%(length)s hours); give a reason."
    ) % {"name": member.name, "hours": Decimal("6.0"), "length": Decimal("2.5")}
    assert message in response.content.decode()
    assert not ActivityAttendance.objects.exists()


def test_all_present_without_javascript_saves_the_group_and_returns(client, group_leader, member, secretary, held):
    login(client, group_leader)
    url = reverse("activities:activity_attendance", args=[held.pk])
    response = client.post(url, {"all_present": str(group_leader.party_group_id)})
    assert response.status_code == REDIRECT and response.url == url
    present = set(ActivityAttendance.objects.filter(activity=held, present=True).values_list("member_id", flat=True))
    assert present == {group_leader.pk, member.pk, secretary.pk}


def test_attendance_page_for_a_planned_activity_goes_back(client, secretary, planned):
    login(client, secretary)
    response = client.get(reverse("activities:activity_attendance", args=[planned.pk]), follow=True)
    assert gettext("Attendance can be taken once the activity has started.") in response.content.decode()


def test_attendance_page_query_count_is_constant(
    client, secretary, group_a, group_b, held, django_assert_max_num_queries
):
    login(client, secretary)
    url = reverse("activities:activity_attendance", args=[held.pk])
    client.get(url)  # warm the session
    with django_assert_max_num_queries(30) as small:
        assert client.get(url).status_code == OK
    group_c = PartyGroupFactory(branch=secretary.branch, name="第三党小组")
    groups = [group_a, group_b, group_c]
    people = [MemberFactory(branch=secretary.branch, party_group=groups[i % 3]) for i in range(56)]
    for person in people[::2]:
        ActivityAttendanceFactory(activity=held, member=person)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert len(response.context["sheet"].rows) == 57
    assert [g.label for g in response.context["sheet"].groups] == ["第一党小组", "第三党小组", "第二党小组"]


# ---- the calendar and the activity page --------------------------------------------------------


def test_calendar_query_count_is_constant_for_a_year(client, member, secretary, django_assert_max_num_queries):
    login(client, member)
    url = reverse("activities:activity_calendar") + "?year=2026"
    ActivityFactory(branch=secretary.branch, starts_at=at(dt.date(2026, 1, 10), 10))
    client.get(url)
    with django_assert_max_num_queries(20) as small:
        client.get(url)
    for month in range(1, 13):
        for day in (5, 12, 19, 26):
            activity = ActivityFactory(
                branch=secretary.branch,
                kind=Kind.THEME_ACTIVITY if day == 12 else Kind.DEDICATION_DAY,
                starts_at=at(dt.date(2026, month, day), 10),
            )
            ActivityAttendanceFactory(activity=activity, member=member)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.context["calendar"].count == 49
    assert response.context["calendar"].mine.dedication_days == 36


def test_member_sees_their_own_participation_only(client, member, other_member, held):
    ActivityAttendanceFactory(activity=held, member=member, hours=Decimal("2.0"), hours_reason="迟到")
    ActivityAttendanceFactory(activity=held, member=other_member)
    login(client, member)
    page = client.get(reverse("activities:activity_detail", args=[held.pk]))
    content = page.content.decode()
    assert [row.member for row in page.context["attendance"]] == [member]
    assert other_member.name not in content
    assert page.context["counts"]["present"] == 2
    assert "迟到" in content


def test_member_registers_from_the_calendar(client, member, planned):
    login(client, member)
    calendar = client.get(reverse("activities:activity_calendar"))
    assert reverse("activities:activity_register", args=[planned.pk]) in calendar.content.decode()
    response = client.post(reverse("activities:activity_register", args=[planned.pk]))
    assert response.status_code == REDIRECT
    assert ActivityAttendance.objects.get(member=member, activity=planned).registered
    client.post(reverse("activities:activity_register", args=[planned.pk]), {"action": "withdraw"})
    assert not ActivityAttendance.objects.filter(member=member).exists()


def test_registering_for_a_held_activity_says_why_not(client, member, held):
    login(client, member)
    response = client.post(reverse("activities:activity_register", args=[held.pk]), follow=True)
    assert (
        gettext("Registration is open only for planned activities that have not started.") in response.content.decode()
    )
    assert not ActivityAttendance.objects.exists()


# ---- photos ------------------------------------------------------------------------------------


def test_photo_upload_and_refusals(client, secretary, held, settings):
    login(client, secretary)
    url = reverse("activities:activity_photo_add", args=[held.pk])
    response = client.post(url, {"image": SimpleUploadedFile("notes.txt", b"just text", "text/plain")})
    assert response.status_code == OK
    assert gettext("This file is not a readable image.") in response.content.decode()
    settings.HONGQI_PHOTO_MAX_BYTES = 1024
    buffer = io.BytesIO()
    Image.effect_noise((200, 200), 90).convert("RGB").save(buffer, format="JPEG", quality=95)
    response = client.post(url, {"image": SimpleUploadedFile("big.jpg", buffer.getvalue(), "image/jpeg")})
    assert response.status_code == OK
    assert "MB" in response.content.decode()
    assert not ActivityPhoto.objects.exists()
    settings.HONGQI_PHOTO_MAX_BYTES = 5 * 1024 * 1024
    response = client.post(
        url, {"image": SimpleUploadedFile("ok.jpg", buffer.getvalue(), "image/jpeg"), "caption": "库房"}
    )
    assert response.status_code == REDIRECT
    photo = ActivityPhoto.objects.get()
    assert photo.caption == "库房" and photo.thumbnail
    detail = client.get(reverse("activities:activity_detail", args=[held.pk]))
    assert photo.thumbnail.url in detail.content.decode()
