"""Service activities (dedication days, theme activities, topic classes, pairing sessions): the rules
of activities_service, attendance and its history, registration, photos, the selectors, the record-
book section, the duty board's dedication-day count and the demo year."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from django.utils.translation import gettext
from PIL import Image

from activities.demo_service import build_service_activities
from activities.models import Activity, ActivityAttendance, ActivityPhoto
from activities.sections.service import activity_entries, activity_totals
from activities.selectors import duties as duties_selectors
from activities.selectors.service import (
    activity_calendar,
    attendance_sheet,
    dedication_days_attended,
    member_totals,
)
from activities.services.service import (
    Mark,
    activity_add_photo,
    activity_create,
    activity_register,
    activity_take_attendance,
    activity_unregister,
    activity_update,
    attendance_members,
)
from members.access import actor_for
from members.models import CommitteeRole, Member
from members.recordbook import Period, record_book
from tests.factories import MemberFactory, TeamLinkFactory

from .factories_service import ActivityAttendanceFactory, ActivityFactory, at

Kind = Activity.Kind
State = Activity.State
Task = Activity.Task
DAY = dt.date(2026, 3, 14)


def actor(member_or_user):
    return actor_for(getattr(member_or_user, "user", member_or_user))


def create(by, **fields):
    fields.setdefault("branch", by.branch)
    fields.setdefault("kind", Kind.DEDICATION_DAY)
    fields.setdefault("title", "党员奉献日：平整井场")
    fields.setdefault("starts_at", at(DAY, 10))
    fields.setdefault("ends_at", at(DAY, 12, 30))
    fields.setdefault("place", "检188-12井场")
    fields.setdefault("organiser", by)
    if fields["kind"] == Kind.DEDICATION_DAY:
        fields.setdefault("task", Task.LEVEL_WELL_SITES)
    return activity_create(actor=actor(by), **fields)


def errors_of(excinfo) -> dict:
    return {field: [e.message % (e.params or {}) for e in errs] for field, errs in excinfo.value.error_dict.items()}


def messages_of(excinfo) -> list[str]:
    return excinfo.value.messages


def jpeg_with_exif(size=(1200, 900)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (44.0, 30.0, 0.0)}  # GPS: somewhere near Karamay
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


@pytest.fixture
def held(secretary):
    """A held dedication day of 2.5 hours in the personas' branch."""
    return create(secretary, state=State.HELD)


# ---- creating and changing ---------------------------------------------------------------------


def test_secretary_and_committee_create_activities_of_every_kind(secretary, committee_member):
    day = create(secretary)
    lesson = create(
        committee_member, kind=Kind.TOPIC_CLASS, title="抽油机井平衡调整", teacher="唐光辉", organiser=committee_member
    )
    theme = create(secretary, kind=Kind.THEME_ACTIVITY, title="重温入党誓词")
    pairing = create(secretary, kind=Kind.PAIRING_SESSION, title="民汉搭档：巡检实操")
    assert {a.kind for a in (day, lesson, theme, pairing)} == set(Kind.values)
    assert day.state == State.PLANNED and day.length_hours == 2.5
    assert lesson.teacher == "唐光辉"
    assert day.history.count() == 1


@pytest.mark.parametrize("who", ["group_leader", "member", "admin_user"])
def test_others_cannot_create_activities(request, secretary, who):
    person = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        activity_create(
            actor=actor(person),
            branch=secretary.branch,
            kind=Kind.THEME_ACTIVITY,
            title="x",
            starts_at=at(DAY, 10),
            ends_at=at(DAY, 11),
            place="p",
            organiser=secretary,
        )
    assert not Activity.objects.exists()


def test_outsider_cannot_create_in_another_branch(outsider, secretary):
    with pytest.raises(PermissionDenied):
        create(outsider, branch=secretary.branch, organiser=secretary)


def test_an_activity_must_end_after_it_starts(secretary):
    with pytest.raises(ValidationError) as excinfo:
        create(secretary, ends_at=at(DAY, 9))
    assert errors_of(excinfo) == {"ends_at": [gettext("An activity must end after it starts.")]}
    with pytest.raises(ValidationError) as excinfo:
        create(secretary, ends_at=at(DAY, 10))
    assert errors_of(excinfo) == {"ends_at": [gettext("An activity must end after it starts.")]}
    with pytest.raises(ValidationError) as excinfo:
        create(secretary, ends_at=at(DAY + dt.timedelta(days=2), 10))
    assert errors_of(excinfo) == {
        "ends_at": [gettext("An activity lasts at most 24 hours; record a longer one day by day.")]
    }
    assert not Activity.objects.exists()


def test_kind_specific_fields(secretary, outsider):
    with pytest.raises(ValidationError) as excinfo:
        create(secretary, task="")
    assert errors_of(excinfo) == {"task": [gettext("Choose the task of the dedication day.")]}
    with pytest.raises(ValidationError) as excinfo:
        create(secretary, task=Task.OTHER)
    assert errors_of(excinfo) == {"description": [gettext("Say what the other work is.")]}
    assert create(secretary, task=Task.OTHER, description="清理积雪").pk
    with pytest.raises(ValidationError) as excinfo:
        create(secretary, kind=Kind.TOPIC_CLASS)
    assert errors_of(excinfo) == {"teacher": [gettext("A topic class needs its teacher.")]}
    with pytest.raises(ValidationError) as excinfo:
        create(secretary, kind=Kind.THEME_ACTIVITY, task=Task.TIDY_STORES, teacher="唐光辉")
    assert errors_of(excinfo) == {
        "task": [gettext("Only a dedication day has a task.")],
        "teacher": [gettext("Only a topic class has a teacher.")],
    }
    with pytest.raises(ValidationError) as excinfo:
        create(secretary, organiser=outsider)
    assert errors_of(excinfo) == {"organiser": [gettext("The organiser must be a current member of the branch.")]}


def test_a_future_activity_cannot_be_held(secretary):
    soon = timezone.now() + dt.timedelta(days=3)
    with pytest.raises(ValidationError) as excinfo:
        create(secretary, starts_at=soon, ends_at=soon + dt.timedelta(hours=2), state=State.HELD)
    assert errors_of(excinfo) == {"state": [gettext("An activity that has not started yet cannot be marked as held.")]}


def test_changing_the_length_moves_default_hours_and_keeps_reasons(secretary, member, other_member, held):
    marks = {member.pk: Mark(True), other_member.pk: Mark(True, Decimal("1.0"), "提前离开：井口抢修")}
    activity_take_attendance(actor=actor(secretary), activity=held, marks=marks)
    activity_update(actor=actor(secretary), activity=held, ends_at=at(DAY, 13))
    rows = {row.member_id: row for row in held.attendance.all()}
    assert rows[member.pk].hours == Decimal("3.0")
    assert (rows[other_member.pk].hours, rows[other_member.pk].hours_reason) == (Decimal("1.0"), "提前离开：井口抢修")
    assert rows[member.pk].history.count() == 2  # created, then moved with the activity


def test_an_activity_with_attendees_cannot_be_cancelled(secretary, member, held):
    activity_take_attendance(actor=actor(secretary), activity=held, marks={member.pk: Mark(True)})
    with pytest.raises(ValidationError) as excinfo:
        activity_update(actor=actor(secretary), activity=held, state=State.CANCELLED)
    assert errors_of(excinfo) == {
        "state": [gettext("Attendees are recorded as present, so the activity cannot be cancelled.")]
    }


def test_group_leader_and_member_cannot_edit(secretary, group_leader, member, held):
    for person in (group_leader, member):
        with pytest.raises(PermissionDenied):
            activity_update(actor=actor(person), activity=held, title="改了")
    held.refresh_from_db()
    assert held.title == "党员奉献日：平整井场"


# ---- attendance --------------------------------------------------------------------------------


def test_attendance_defaults_hours_and_marks_the_activity_held(secretary, member, other_member):
    activity = create(secretary)  # planned, in the past: attendance turns it held
    activity_take_attendance(
        actor=actor(secretary), activity=activity, marks={member.pk: Mark(True), other_member.pk: Mark(False)}
    )
    activity.refresh_from_db()
    assert activity.state == State.HELD
    row = ActivityAttendance.objects.get(activity=activity)
    assert (row.member, row.present, row.hours, row.hours_reason) == (member, True, Decimal("2.5"), "")


def test_hours_other_than_the_length_need_a_reason(secretary, member, other_member, held):
    with pytest.raises(ValidationError) as excinfo:
        activity_take_attendance(
            actor=actor(secretary),
            activity=held,
            marks={member.pk: Mark(True, Decimal("4.0")), other_member.pk: Mark(True, Decimal("1.0"))},
        )
    assert messages_of(excinfo) == [
        gettext("%(name)s: %(hours)s hours is more than the activity lasted (%(length)s hours); give a reason.")
        % {"name": member.name, "hours": Decimal("4.0"), "length": Decimal("2.5")},
        gettext("%(name)s: %(hours)s hours differs from the activity's length (%(length)s hours); give a reason.")
        % {"name": other_member.name, "hours": Decimal("1.0"), "length": Decimal("2.5")},
    ]
    assert not ActivityAttendance.objects.exists()  # nothing saved
    activity_take_attendance(
        actor=actor(secretary), activity=held, marks={member.pk: Mark(True, Decimal("4.0"), "留下清理收尾")}
    )
    assert ActivityAttendance.objects.get().hours == Decimal("4.0")


def test_the_default_figure_drops_a_stale_reason(secretary, member, held):
    activity_take_attendance(actor=actor(secretary), activity=held, marks={member.pk: Mark(True, Decimal("2.5"), "x")})
    assert ActivityAttendance.objects.get().hours_reason == ""


def test_group_leader_takes_attendance_for_their_group_only(group_leader, member, other_member, held):
    with pytest.raises(ValidationError) as excinfo:
        activity_take_attendance(actor=actor(group_leader), activity=held, marks={other_member.pk: Mark(True)})
    assert messages_of(excinfo) == [gettext("Only members on your checklist can be marked.")]
    activity_take_attendance(actor=actor(group_leader), activity=held, marks={member.pk: Mark(True)})
    assert list(held.attendance.values_list("member_id", flat=True)) == [member.pk]
    assert set(attendance_members(held, group_leader.party_group_id)) == {group_leader, member, held.organiser}


@pytest.mark.parametrize("who", ["member", "admin_user", "outsider"])
def test_others_cannot_take_attendance(request, member, held, who):
    with pytest.raises(PermissionDenied):
        activity_take_attendance(
            actor=actor(request.getfixturevalue(who)), activity=held, marks={member.pk: Mark(True)}
        )


def test_no_attendance_before_the_start_or_when_cancelled(secretary, member):
    soon = timezone.now() + dt.timedelta(days=3)
    planned = create(secretary, starts_at=soon, ends_at=soon + dt.timedelta(hours=2))
    with pytest.raises(ValidationError) as excinfo:
        activity_take_attendance(actor=actor(secretary), activity=planned, marks={member.pk: Mark(True)})
    assert messages_of(excinfo) == [gettext("Attendance can be taken once the activity has started.")]
    cancelled = create(secretary, state=State.CANCELLED)
    with pytest.raises(ValidationError) as excinfo:
        activity_take_attendance(actor=actor(secretary), activity=cancelled, marks={member.pk: Mark(True)})
    assert messages_of(excinfo) == [gettext("The activity was cancelled; it has no attendance.")]


def test_edits_to_past_attendance_are_kept_in_history(secretary, group_leader, member, held):
    activity_take_attendance(actor=actor(group_leader), activity=held, marks={member.pk: Mark(True)})
    activity_take_attendance(
        actor=actor(secretary), activity=held, marks={member.pk: Mark(True, Decimal("1.5"), "提前离开")}
    )
    activity_take_attendance(actor=actor(secretary), activity=held, marks={member.pk: Mark(False)})
    assert not held.attendance.exists()  # not registered, not present: off the list
    history = ActivityAttendance.history.filter(activity_id=held.pk).order_by("history_date", "history_id")
    assert [(h.history_type, h.present, h.hours, h.hours_reason) for h in history] == [
        ("+", True, Decimal("2.5"), ""),
        ("~", True, Decimal("1.5"), "提前离开"),
        ("-", True, Decimal("1.5"), "提前离开"),
    ]


# ---- registration ------------------------------------------------------------------------------


def test_member_registers_for_a_planned_activity_and_withdraws(secretary, member):
    soon = timezone.now() + dt.timedelta(days=3)
    planned = create(secretary, starts_at=soon, ends_at=soon + dt.timedelta(hours=2))
    activity_register(actor=actor(member), activity=planned)
    activity_register(actor=actor(member), activity=planned)  # twice: nothing more
    row = ActivityAttendance.objects.get()
    assert (row.member, row.registered, row.present) == (member, True, False)
    activity_unregister(actor=actor(member), activity=planned)
    assert not ActivityAttendance.objects.exists()


def test_registration_is_closed_once_started_or_held(member, held):
    with pytest.raises(ValidationError) as excinfo:
        activity_register(actor=actor(member), activity=held)
    assert messages_of(excinfo) == [gettext("Registration is open only for planned activities that have not started.")]


@pytest.mark.parametrize("who", ["admin_user", "outsider"])
def test_admin_and_outsiders_cannot_register(request, secretary, who):
    soon = timezone.now() + dt.timedelta(days=3)
    planned = create(secretary, starts_at=soon, ends_at=soon + dt.timedelta(hours=2))
    with pytest.raises(PermissionDenied):
        activity_register(actor=actor(request.getfixturevalue(who)), activity=planned)


def test_a_registered_absentee_stays_on_the_list(secretary, member):
    soon = timezone.now() + dt.timedelta(days=3)
    activity = create(secretary, starts_at=soon, ends_at=soon + dt.timedelta(hours=2))
    activity_register(actor=actor(member), activity=activity)
    Activity.objects.filter(pk=activity.pk).update(starts_at=at(DAY, 10), ends_at=at(DAY, 12))
    activity.refresh_from_db()
    activity_take_attendance(actor=actor(secretary), activity=activity, marks={member.pk: Mark(False)})
    row = ActivityAttendance.objects.get()
    assert (row.registered, row.present, row.hours) == (True, False, 0)


# ---- photos ------------------------------------------------------------------------------------


def test_photos_are_stripped_of_exif_and_get_a_thumbnail(secretary, held):
    upload = SimpleUploadedFile("现场.jpg", jpeg_with_exif(), content_type="image/jpeg")
    photo = activity_add_photo(actor=actor(secretary), activity=held, upload=upload, caption="平整井场")
    photo.refresh_from_db()
    with photo.image.open("rb") as f, Image.open(f) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert image.size == (1200, 900)
    with photo.thumbnail.open("rb") as f, Image.open(f) as thumb:
        assert max(thumb.size) == 256
    assert photo.image.name.startswith("activities/") and photo.thumbnail.name.startswith("activities/thumbnails/")


def test_group_leader_adds_photos_a_member_cannot(group_leader, member, held):
    upload = SimpleUploadedFile("a.png", b"", content_type="image/png")
    with pytest.raises(PermissionDenied):
        activity_add_photo(actor=actor(member), activity=held, upload=upload)
    png = io.BytesIO()
    Image.new("RGB", (40, 30)).save(png, format="PNG")
    activity_add_photo(
        actor=actor(group_leader), activity=held, upload=SimpleUploadedFile("a.png", png.getvalue(), "image/png")
    )
    assert ActivityPhoto.objects.count() == 1


def test_not_an_image_or_too_large_is_refused(secretary, held):
    with pytest.raises(ValidationError) as excinfo:
        activity_add_photo(
            actor=actor(secretary),
            activity=held,
            upload=SimpleUploadedFile("x.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg"),
        )
    assert errors_of(excinfo) == {"image": [gettext("This file is not a readable image.")]}
    with override_settings(HONGQI_PHOTO_MAX_BYTES=1024 * 1024), pytest.raises(ValidationError) as excinfo:
        activity_add_photo(
            actor=actor(secretary),
            activity=held,
            upload=SimpleUploadedFile("big.jpg", b"\xff" * (1024 * 1024 + 1), content_type="image/jpeg"),
        )
    assert [e.code for e in excinfo.value.error_dict["image"]] == ["photo_size"]
    assert not ActivityPhoto.objects.exists()


# ---- selectors ---------------------------------------------------------------------------------


def test_calendar_groups_a_year_by_month_with_the_viewers_part(secretary, member, django_assert_num_queries):
    january = ActivityFactory(branch=secretary.branch, starts_at=at(dt.date(2026, 1, 10), 10))
    ActivityAttendanceFactory(activity=january, member=member)
    ActivityFactory(branch=secretary.branch, starts_at=at(dt.date(2026, 1, 24), 10), kind=Kind.THEME_ACTIVITY)
    ActivityFactory(branch=secretary.branch, starts_at=at(dt.date(2026, 7, 1), 0, 30))  # 7/1 in Beijing, 6/30 UTC
    ActivityFactory(branch=secretary.branch, starts_at=at(dt.date(2025, 12, 31), 10))  # last year
    ActivityFactory(starts_at=at(dt.date(2026, 1, 10), 10))  # another branch
    viewer = actor(member)
    with django_assert_num_queries(2):
        calendar = activity_calendar(viewer, year=2026)
    assert [len(m.activities) for m in calendar.months] == [2, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0]
    first = calendar.months[0].activities[0]
    assert (first.pk, first.present_count, first.my_present, first.my_hours) == (january.pk, 1, True, Decimal("2.5"))
    assert (calendar.mine.activities, calendar.mine.hours, calendar.mine.dedication_days) == (1, Decimal("2.5"), 1)
    assert activity_calendar(viewer, year=2026, kind=Kind.THEME_ACTIVITY).count == 1


def test_attendance_sheet_groups_by_party_group(secretary, group_leader, member, other_member, held):
    ActivityAttendanceFactory(activity=held, member=member)
    sheet = attendance_sheet(held, attendance_members(held))
    labels = [(g.label, [r.member for r in g.rows]) for g in sheet.groups]
    assert labels == [
        ("第一党小组", sorted([secretary, group_leader, member], key=lambda m: m.employee_number)),
        ("第二党小组", [other_member]),
    ]
    assert sheet.present_count == 1


def test_attendance_sheet_costs_two_queries(secretary, group_a, held, django_assert_num_queries):
    MemberFactory.create_batch(40, branch=secretary.branch, party_group=group_a)
    members = attendance_members(held)
    with django_assert_num_queries(2):
        sheet = attendance_sheet(held, members)
    assert len(sheet.rows) == 41


def test_totals_and_dedication_days_count_present_only(secretary, member, other_member):
    q1 = ActivityFactory(branch=secretary.branch, starts_at=at(dt.date(2026, 2, 7), 10))
    q1b = ActivityFactory(branch=secretary.branch, starts_at=at(dt.date(2026, 3, 31), 23))  # last evening of Q1
    theme = ActivityFactory(branch=secretary.branch, kind=Kind.THEME_ACTIVITY, starts_at=at(dt.date(2026, 3, 1), 15))
    q2 = ActivityFactory(branch=secretary.branch, starts_at=at(dt.date(2026, 4, 1), 0, 30))  # first night of Q2
    cancelled = ActivityFactory(branch=secretary.branch, state=State.CANCELLED, starts_at=at(dt.date(2026, 2, 8), 10))
    for activity in (q1, q1b, theme, q2, cancelled):
        ActivityAttendanceFactory(activity=activity, member=member)
    ActivityAttendanceFactory(activity=q1, member=other_member, present=False, registered=True)
    counts = dedication_days_attended([member, other_member.pk], dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert counts == {member.pk: 2}
    totals = member_totals([member.pk], dt.date(2026, 1, 1), dt.date(2026, 3, 31))[member.pk]
    assert (totals.activities, totals.hours, totals.dedication_days) == (3, Decimal("7.5"), 2)
    assert dedication_days_attended([], dt.date(2026, 1, 1), dt.date(2026, 3, 31)) == {}


def test_dedication_days_plug_into_the_duty_board(branch, team, secretary, member, monkeypatch):
    """The board's plug takes this selector as is: `count_dedication_days = dedication_days_attended`."""
    TeamLinkFactory(member=secretary, work_team=team, started_on=dt.date(2025, 1, 1))
    CommitteeRole.objects.filter(member=secretary).update(started_on=dt.date(2025, 1, 1))
    day = ActivityFactory(branch=branch, starts_at=at(dt.date(2026, 10, 17), 10))
    ActivityAttendanceFactory(activity=day, member=secretary)
    monkeypatch.setattr(duties_selectors, "count_dedication_days", dedication_days_attended)
    board = duties_selectors.duty_board(branch, dt.date(2026, 11, 20))
    row = next(r for r in board.rows if r.member == secretary)
    assert board.dedication_recorded
    assert (row.dedication_days, row.dedication_status) == (1, duties_selectors.Status.ON_TRACK)


# ---- the record book ---------------------------------------------------------------------------


def test_record_book_lists_attendance_with_hours_and_totals(secretary, member, django_assert_num_queries):
    attended = ActivityFactory(branch=secretary.branch, starts_at=at(dt.date(2026, 2, 7), 10))
    ActivityAttendanceFactory(activity=attended, member=member, hours=Decimal("1.5"), hours_reason="提前离开")
    lesson = ActivityFactory(
        branch=secretary.branch, kind=Kind.TOPIC_CLASS, title="注水井洗井", starts_at=at(dt.date(2026, 5, 9), 16)
    )
    ActivityAttendanceFactory(activity=lesson, member=member)
    ActivityAttendanceFactory(
        activity=ActivityFactory(branch=secretary.branch, state=State.CANCELLED), member=member, present=True
    )
    ActivityAttendanceFactory(
        activity=ActivityFactory(branch=secretary.branch, starts_at=at(dt.date(2025, 6, 1), 10)), member=member
    )
    period = Period(2026)
    with django_assert_num_queries(1):
        entries = activity_entries(member, period)
    assert [e.title for e in entries] == ["注水井洗井", attended.title]
    assert entries[1].date == dt.date(2026, 2, 7)
    assert "1.5" in entries[1].detail and "提前离开" in entries[1].detail
    assert entries[0].status == gettext("attended")
    with django_assert_num_queries(1):
        totals = activity_totals(member, period)
    assert [t.value for t in totals] == [Decimal("4.0"), 1]  # 1.5 + 2.5 hours; one dedication day
    book = record_book(member, Period(2026, 1), only="activities")
    assert [e.title for e in book.timeline] == [attended.title]


# ---- the demo ----------------------------------------------------------------------------------


def _demo_people(branch, group_a, group_b, n=20):
    people = [MemberFactory(branch=branch, party_group=(group_a, group_b)[i % 2]) for i in range(n)]
    for i, role in enumerate([CommitteeRole.Role.SECRETARY, CommitteeRole.Role.DEPUTY]):
        CommitteeRole.objects.create(branch=branch, member=people[i], role=role, started_on=dt.date(2024, 3, 1))
    return people


def _snapshot(branch):
    return [
        (a.kind, a.title, a.state, a.starts_at, a.ends_at, a.organiser_id, a.task, a.teacher)
        for a in Activity.objects.filter(branch=branch).order_by("starts_at", "title")
    ], sorted(
        ActivityAttendance.objects.filter(activity__branch=branch).values_list(
            "activity__title", "activity__starts_at", "member_id", "present", "registered", "hours", "hours_reason"
        )
    )


def test_demo_builds_a_year_and_is_idempotent(branch, group_a, group_b):
    people = _demo_people(branch, group_a, group_b)
    today = dt.date(2026, 11, 20)
    created = build_service_activities(branch=branch, members=people, today=today)
    assert created > 0
    days = Activity.objects.filter(branch=branch, kind=Kind.DEDICATION_DAY).order_by("starts_at")
    months = [timezone.localtime(d.starts_at).strftime("%Y-%m") for d in days]
    assert months == [f"2025-{m:02d}" for m in range(11, 13)] + [f"2026-{m:02d}" for m in range(1, 13)]
    assert all(d.state == State.PLANNED for d in days if d.starts_at > at(today, 12))
    assert days.filter(state=State.PLANNED).exists() and days.filter(state=State.HELD).count() >= 12
    for kind in (Kind.THEME_ACTIVITY, Kind.TOPIC_CLASS, Kind.PAIRING_SESSION):
        assert Activity.objects.filter(branch=branch, kind=kind).exists()
    held_days = days.filter(state=State.HELD)
    share = ActivityAttendance.objects.filter(activity__in=held_days, present=True).count() / (
        held_days.count() * len(people)
    )
    assert 0.55 < share < 0.9  # most members come, not everybody
    assert ActivityAttendance.objects.exclude(hours_reason="").exists()  # a few leave early, with a reason
    for activity in Activity.objects.filter(branch=branch):
        activity.full_clean()
    assert build_service_activities(branch=branch, members=people, today=today) == 0
    assert Activity.objects.filter(branch=branch).count() == days.count() + 14


def test_demo_is_deterministic(branch, group_a, group_b):
    people = _demo_people(branch, group_a, group_b)
    today = dt.date(2026, 11, 20)
    build_service_activities(branch=branch, members=people, today=today)
    first = _snapshot(branch)
    ActivityAttendance.objects.all().delete()
    Activity.objects.all().delete()
    build_service_activities(branch=branch, members=people, today=today)
    assert _snapshot(branch) == first
    assert Member.objects.count() == 20
