"""Organisation life (三会一课): recording meetings, attendance, quorum, attachments, who may do what,
the record-book section and the demo meetings."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from activities.demo_meetings import GAPS, build_meetings
from activities.models import Meeting, MeetingAttachment, MeetingAttendance
from activities.sections.meetings import meeting_entries, meeting_totals
from activities.selectors.meetings import reminders
from activities.services.meetings import (
    eligible_members,
    meeting_create,
    meeting_record_attendance,
    meeting_update,
    quorum_for,
)
from members.access import actor_for
from members.models import CommitteeRole, Member
from members.recordbook import Period, record_book
from tests.factories import CommitteeRoleFactory, MemberFactory, PartyGroupFactory

from .factories_meetings import MeetingAttachmentFactory, MeetingFactory

Kind = Meeting.Kind
PRESENT, EXCUSED, ABSENT = (
    MeetingAttendance.Presence.PRESENT,
    MeetingAttendance.Presence.EXCUSED,
    MeetingAttendance.Presence.ABSENT,
)
PAST = dt.date(2026, 3, 10)


def actor(member_or_user):
    user = getattr(member_or_user, "user", member_or_user)
    return actor_for(user)


def record(by, **fields):
    fields.setdefault("branch", by.branch)
    fields.setdefault("held_on", PAST)
    fields.setdefault("topic", "学习党章")
    return meeting_create(actor=actor(by), **fields)


def errors_of(excinfo) -> dict:
    return {field: [e.message % (e.params or {}) for e in errs] for field, errs in excinfo.value.error_dict.items()}


@pytest.fixture
def voters(branch, group_a, group_b):
    """Besides the personas: two more full members and two probationary members (no vote)."""
    full = MemberFactory.create_batch(2, branch=branch, party_group=group_b)
    probationary = MemberFactory.create_batch(2, branch=branch, party_group=group_b, status=Member.Status.PROBATIONARY)
    return full, probationary


# ---- recording ------------------------------------------------------------------------------------


def test_secretary_records_a_meeting_with_attachments(secretary):
    files = [
        SimpleUploadedFile("会议记录.pdf", b"%PDF-1.4 minutes", content_type="application/pdf"),
        SimpleUploadedFile("签到表.jpg", b"\xff\xd8\xff fake jpeg", content_type="image/jpeg"),
    ]
    meeting = record(secretary, kind=Kind.LECTURE, topic="书记讲党课", minutes="讲了三点", attachments=files)
    meeting.refresh_from_db()
    assert (meeting.kind, meeting.topic, meeting.minutes, meeting.held_on) == (
        Kind.LECTURE,
        "书记讲党课",
        "讲了三点",
        PAST,
    )
    assert meeting.party_group is None
    assert not meeting.below_quorum  # a lecture has no quorum
    names = sorted(a.file.name for a in meeting.attachments.all())
    assert len(names) == 2 and all(n.startswith("meetings/2026/") for n in names)
    assert meeting.history.count() >= 1


def test_a_meeting_cannot_be_dated_in_the_future(secretary):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        record(secretary, kind=Kind.THEME_DAY, held_on=tomorrow)
    assert errors_of(excinfo) == {"held_on": [gettext("A meeting cannot be dated in the future.")]}
    assert not Meeting.objects.exists()


def test_today_is_not_the_future(secretary):
    assert record(secretary, kind=Kind.THEME_DAY, held_on=timezone.localdate()).pk


def test_a_group_meeting_names_its_group_and_others_do_not(secretary, group_a, outsider):
    with pytest.raises(ValidationError) as excinfo:
        record(secretary, kind=Kind.GROUP)
    assert errors_of(excinfo) == {"party_group": [gettext("Choose the party group that met.")]}
    with pytest.raises(ValidationError) as excinfo:
        record(secretary, kind=Kind.LECTURE, party_group=group_a)
    assert errors_of(excinfo) == {"party_group": [gettext("Only a party group meeting names a party group.")]}
    with pytest.raises(ValidationError) as excinfo:
        record(secretary, kind=Kind.GROUP, party_group=outsider.party_group)
    assert errors_of(excinfo) == {"party_group": [gettext("This party group is not in the branch.")]}
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("kind", [Kind.GROUP, Kind.LECTURE, Kind.THEME_DAY])
def test_only_general_and_committee_meetings_vote(secretary, group_a, kind):
    with pytest.raises(ValidationError) as excinfo:
        record(secretary, kind=kind, party_group=group_a if kind == Kind.GROUP else None, has_vote=True)
    assert errors_of(excinfo) == {"has_vote": [gettext("Only a branch general meeting or a committee meeting votes.")]}


def test_group_leader_records_only_their_own_groups_meetings(group_leader, group_a, group_b):
    meeting = record(group_leader, kind=Kind.GROUP, party_group=group_a)
    assert meeting.party_group == group_a
    with pytest.raises(PermissionDenied):
        record(group_leader, kind=Kind.GROUP, party_group=group_b)
    for kind in (Kind.GENERAL, Kind.COMMITTEE, Kind.LECTURE, Kind.THEME_DAY):
        with pytest.raises(PermissionDenied):
            record(group_leader, kind=kind)
    with pytest.raises(PermissionDenied):  # nor turn their meeting into another group's
        meeting_update(actor=actor(group_leader), meeting=meeting, party_group=group_b)
    assert Meeting.objects.count() == 1


def test_members_the_administrator_and_other_branches_cannot_record(member, admin_user, outsider, branch, group_a):
    for who in (actor(member), actor_for(admin_user), actor(outsider)):
        with pytest.raises(PermissionDenied):
            meeting_create(actor=who, branch=branch, kind=Kind.THEME_DAY, held_on=PAST, topic="x")
        with pytest.raises(PermissionDenied):
            meeting_create(actor=who, branch=branch, kind=Kind.GROUP, party_group=group_a, held_on=PAST, topic="x")
    assert not Meeting.objects.exists()


def test_committee_member_records_any_meeting(committee_member, group_a):
    record(committee_member, kind=Kind.GENERAL)
    record(committee_member, kind=Kind.GROUP, party_group=group_a)
    assert Meeting.objects.count() == 2


# ---- quorum ---------------------------------------------------------------------------------------


def test_voting_general_meeting_needs_more_than_half_of_full_members(
    secretary, committee_member, group_leader, member, other_member, voters
):
    full, probationary = voters
    # Full members: the five personas of the branch and two more = 7; probationary members do not vote.
    meeting = record(secretary, kind=Kind.GENERAL, has_vote=True, topic="讨论接收预备党员")
    assert meeting.below_quorum  # nobody recorded present yet
    present = [secretary, committee_member, group_leader, *probationary]
    marks = {m.pk: PRESENT for m in present} | {m.pk: EXCUSED for m in [member, other_member, *full]}
    meeting_record_attendance(actor=actor(secretary), meeting=meeting, presence=marks)
    meeting.refresh_from_db()
    quorum = quorum_for(meeting)
    assert (quorum.entitled, quorum.present, quorum.needed, quorum.met) == (7, 3, 4, False)
    assert meeting.below_quorum  # recorded, flagged
    marks[member.pk] = PRESENT
    meeting_record_attendance(actor=actor(secretary), meeting=meeting, presence=marks)
    meeting.refresh_from_db()
    assert not meeting.below_quorum
    assert quorum_for(meeting).present == 4


def test_exactly_half_is_not_a_quorum(secretary, committee_member, group_leader, member):
    meeting = record(secretary, kind=Kind.GENERAL, has_vote=True)
    marks = {secretary.pk: PRESENT, committee_member.pk: PRESENT, group_leader.pk: ABSENT, member.pk: EXCUSED}
    meeting_record_attendance(actor=actor(secretary), meeting=meeting, presence=marks)
    meeting.refresh_from_db()
    assert (quorum_for(meeting).entitled, meeting.below_quorum) == (4, True)


def test_general_meeting_without_a_vote_has_no_quorum(secretary, member):
    meeting = record(secretary, kind=Kind.GENERAL)
    meeting_record_attendance(actor=actor(secretary), meeting=meeting, presence={member.pk: PRESENT})
    meeting.refresh_from_db()
    assert not meeting.below_quorum
    assert not quorum_for(meeting).applies
    # Deciding afterwards that it voted brings the check in.
    meeting = meeting_update(actor=actor(secretary), meeting=meeting, has_vote=True)
    meeting.refresh_from_db()
    assert meeting.below_quorum


def test_committee_meeting_always_needs_more_than_half_of_the_seats_held_that_day(
    branch, secretary, committee_member, member, other_member
):
    # A third seat held on the day, a seat that ended before it and one that began after it.
    deputy = MemberFactory(branch=branch)
    CommitteeRoleFactory(member=deputy, role=CommitteeRole.Role.DEPUTY, started_on=dt.date(2025, 1, 1))
    CommitteeRoleFactory(
        member=member, role=CommitteeRole.Role.PUBLICITY, started_on=dt.date(2024, 1, 1), ended_on=dt.date(2026, 1, 1)
    )
    CommitteeRoleFactory(member=other_member, role=CommitteeRole.Role.DISCIPLINE, started_on=dt.date(2026, 6, 1))
    meeting = record(secretary, kind=Kind.COMMITTEE, has_vote=False)
    assert meeting.below_quorum
    assert set(eligible_members(meeting)) == {secretary, committee_member, deputy}
    meeting_record_attendance(
        actor=actor(secretary), meeting=meeting, presence={secretary.pk: PRESENT, committee_member.pk: ABSENT}
    )
    meeting.refresh_from_db()
    assert (quorum_for(meeting).entitled, quorum_for(meeting).present, meeting.below_quorum) == (3, 1, True)
    meeting_record_attendance(
        actor=actor(secretary),
        meeting=meeting,
        presence={secretary.pk: PRESENT, committee_member.pk: PRESENT, deputy.pk: EXCUSED},
    )
    meeting.refresh_from_db()
    assert not meeting.below_quorum


def test_members_who_left_before_the_meeting_do_not_count(secretary, member, other_member):
    Member.objects.filter(pk=member.pk).update(archived_on=PAST - dt.timedelta(days=1), archive_reason="died")
    Member.objects.filter(pk=other_member.pk).update(archived_on=PAST + dt.timedelta(days=1), archive_reason="died")
    meeting = record(secretary, kind=Kind.GENERAL, has_vote=True)
    eligible = set(eligible_members(meeting))
    assert other_member in eligible and member not in eligible
    meeting_record_attendance(
        actor=actor(secretary), meeting=meeting, presence={secretary.pk: PRESENT, other_member.pk: PRESENT}
    )
    assert quorum_for(meeting).entitled == 2
    with pytest.raises(ValidationError):
        meeting_record_attendance(actor=actor(secretary), meeting=meeting, presence={member.pk: PRESENT})


# ---- attendance -----------------------------------------------------------------------------------


def test_a_group_meetings_attendees_are_in_that_group(group_leader, group_a, member, other_member, secretary):
    meeting = record(group_leader, kind=Kind.GROUP, party_group=group_a)
    assert set(eligible_members(meeting)) == {secretary, group_leader, member}
    with pytest.raises(ValidationError) as excinfo:
        meeting_record_attendance(
            actor=actor(group_leader), meeting=meeting, presence={member.pk: PRESENT, other_member.pk: PRESENT}
        )
    assert excinfo.value.messages == [gettext("Only members who belong to this meeting can be on its attendance list.")]
    assert not MeetingAttendance.objects.exists()


def test_people_outside_the_branch_or_the_party_cannot_attend(secretary, outsider, branch):
    activist = MemberFactory(branch=branch, status=Member.Status.ACTIVIST)
    meeting = record(secretary, kind=Kind.THEME_DAY)
    for stranger in (outsider, activist):
        with pytest.raises(ValidationError):
            meeting_record_attendance(actor=actor(secretary), meeting=meeting, presence={stranger.pk: PRESENT})


def test_attendance_is_replaced_and_its_history_kept(secretary, member, other_member):
    meeting = record(secretary, kind=Kind.THEME_DAY)
    meeting_record_attendance(
        actor=actor(secretary), meeting=meeting, presence={member.pk: PRESENT, other_member.pk: PRESENT}
    )
    meeting_record_attendance(actor=actor(secretary), meeting=meeting, presence={member.pk: EXCUSED})
    assert dict(meeting.attendance.values_list("member_id", "presence")) == {member.pk: EXCUSED}
    history = MeetingAttendance.history.filter(meeting_id=meeting.pk).order_by("history_id")
    assert [h.history_type for h in history] == ["+", "+", "~", "-"]


def test_a_bad_presence_value_is_refused(secretary, member):
    meeting = record(secretary, kind=Kind.THEME_DAY)
    with pytest.raises(ValidationError):
        meeting_record_attendance(actor=actor(secretary), meeting=meeting, presence={member.pk: "asleep"})


def test_a_member_who_moved_groups_stays_on_an_old_meeting(secretary, group_a, group_b, member):
    meeting = record(secretary, kind=Kind.GROUP, party_group=group_a)
    meeting_record_attendance(actor=actor(secretary), meeting=meeting, presence={member.pk: PRESENT})
    member.party_group = group_b
    member.save()
    assert member in set(eligible_members(meeting))
    meeting_record_attendance(actor=actor(secretary), meeting=meeting, presence={member.pk: ABSENT})
    assert meeting.attendance.get().presence == ABSENT


def test_kind_and_group_are_fixed_once_attendance_is_recorded(secretary, group_a, group_b, member):
    meeting = record(secretary, kind=Kind.GROUP, party_group=group_a)
    meeting = meeting_update(actor=actor(secretary), meeting=meeting, party_group=group_b)
    assert meeting.party_group == group_b
    meeting = meeting_update(actor=actor(secretary), meeting=meeting, kind=Kind.THEME_DAY, party_group=None)
    meeting_record_attendance(actor=actor(secretary), meeting=meeting, presence={member.pk: PRESENT})
    with pytest.raises(ValidationError) as excinfo:
        meeting_update(actor=actor(secretary), meeting=meeting, kind=Kind.LECTURE)
    assert excinfo.value.messages == [
        gettext("Attendance is recorded for this meeting, so its kind and party group can no longer change.")
    ]
    meeting.refresh_from_db()
    assert meeting.kind == Kind.THEME_DAY
    meeting_update(actor=actor(secretary), meeting=meeting, topic="新议题")  # other fields still change
    meeting.refresh_from_db()
    assert meeting.topic == "新议题"


# ---- pages ----------------------------------------------------------------------------------------


def _form_data(**overrides):
    data = {
        "kind": Kind.THEME_DAY,
        "party_group": "",
        "held_on": (timezone.localdate() - dt.timedelta(days=2)).isoformat(),
        "topic": "主题党日：井场平整",
        "minutes": "平整井场三处",
    }
    data.update(overrides)
    return data


def test_secretary_records_a_meeting_then_its_attendance(client, secretary, member, other_member):
    client.force_login(secretary.user)
    assert client.get(reverse("activities:meeting_create")).status_code == 200
    files = [
        SimpleUploadedFile("记录.pdf", b"%PDF-1.4", content_type="application/pdf"),
        SimpleUploadedFile("照片.png", b"\x89PNG fake", content_type="image/png"),
    ]
    response = client.post(reverse("activities:meeting_create"), {**_form_data(), "attachments": files})
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("activities:meeting_attendance", args=[meeting.pk])
    assert meeting.attachments.count() == 2

    page = client.get(response.url)
    assert [m for m, _field in page.context["form"].rows] == list(eligible_members(meeting))
    fields = {f"m{m.pk}": PRESENT for m in eligible_members(meeting)} | {f"m{member.pk}": EXCUSED}
    response = client.post(response.url, fields)
    assert response.status_code == 302
    assert response.url == reverse("activities:meeting_detail", args=[meeting.pk])
    assert dict(meeting.attendance.values_list("member_id", "presence"))[member.pk] == EXCUSED
    assert meeting.attendance.filter(presence=PRESENT).count() == 2  # the secretary and other_member


def test_all_present_marks_everyone_present(client, secretary, member, other_member):
    meeting = record(secretary, kind=Kind.LECTURE)
    client.force_login(secretary.user)
    response = client.post(
        reverse("activities:meeting_attendance", args=[meeting.pk]), {"all_present": "1", f"m{member.pk}": ABSENT}
    )
    assert response.status_code == 302
    assert set(meeting.attendance.values_list("presence", flat=True)) == {PRESENT}
    assert meeting.attendance.count() == 3


def test_a_future_date_on_the_form_comes_back_as_a_field_error(client, secretary):
    client.force_login(secretary.user)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(reverse("activities:meeting_create"), _form_data(held_on=tomorrow))
    assert response.status_code == 200
    assert response.context["form"].errors["held_on"] == [gettext("A meeting cannot be dated in the future.")]
    assert not Meeting.objects.exists()


def test_attachments_of_other_types_are_refused(client, secretary):
    client.force_login(secretary.user)
    bad = SimpleUploadedFile("setup.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(reverse("activities:meeting_create"), {**_form_data(), "attachments": [bad]})
    assert response.status_code == 200
    assert "attachments" in response.context["form"].errors
    assert not Meeting.objects.exists()


def test_group_leader_form_offers_only_their_group(client, group_leader, group_a, group_b):
    client.force_login(group_leader.user)
    form = client.get(reverse("activities:meeting_create")).context["form"]
    assert [value for value, _label in form.fields["kind"].choices] == [Kind.GROUP]
    assert list(form.fields["party_group"].queryset) == [group_a]
    response = client.post(reverse("activities:meeting_create"), _form_data(kind=Kind.GROUP, party_group=group_b.pk))
    assert response.status_code == 200 and "party_group" in response.context["form"].errors
    response = client.post(reverse("activities:meeting_create"), _form_data(kind=Kind.COMMITTEE))
    assert response.status_code == 200 and "kind" in response.context["form"].errors
    response = client.post(reverse("activities:meeting_create"), _form_data(kind=Kind.GROUP, party_group=group_a.pk))
    assert response.status_code == 302
    assert Meeting.objects.get().party_group == group_a


def test_edit_keeps_kind_after_attendance_and_says_why(client, secretary, member):
    meeting = record(secretary, kind=Kind.THEME_DAY)
    meeting_record_attendance(actor=actor(secretary), meeting=meeting, presence={member.pk: PRESENT})
    client.force_login(secretary.user)
    url = reverse("activities:meeting_edit", args=[meeting.pk])
    assert client.get(url).context["form"].initial["topic"] == meeting.topic
    response = client.post(url, _form_data(kind=Kind.LECTURE, held_on=PAST.isoformat()))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        gettext("Attendance is recorded for this meeting, so its kind and party group can no longer change.")
    ]
    meeting.refresh_from_db()
    assert meeting.kind == Kind.THEME_DAY
    response = client.post(url, _form_data(kind=Kind.THEME_DAY, held_on=PAST.isoformat(), topic="改过的议题"))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.topic == "改过的议题"


def test_detail_shows_quorum_and_attendance(client, secretary, member, committee_member):
    meeting = record(secretary, kind=Kind.GENERAL, has_vote=True)
    meeting_record_attendance(
        actor=actor(secretary), meeting=meeting, presence={secretary.pk: PRESENT, member.pk: ABSENT}
    )
    client.force_login(committee_member.user)
    response = client.get(reverse("activities:meeting_detail", args=[meeting.pk]))
    assert response.status_code == 200
    quorum = response.context["quorum"]
    assert (quorum.applies, quorum.met, quorum.present, quorum.entitled) == (True, False, 1, 3)
    assert response.context["counts"] == {PRESENT: 1, EXCUSED: 0, ABSENT: 1}
    assert response.context["can_record"]


def test_removing_an_attachment(client, secretary):
    meeting = record(secretary, kind=Kind.LECTURE)
    attachment = MeetingAttachmentFactory(meeting=meeting)
    client.force_login(secretary.user)
    response = client.post(reverse("activities:meeting_attachment_delete", args=[attachment.pk]))
    assert response.status_code == 302
    assert not MeetingAttachment.objects.exists()


def test_deleting_a_meeting_recorded_by_mistake(client, secretary, group_leader, group_a, member):
    meeting = record(group_leader, kind=Kind.GROUP, party_group=group_a)
    meeting_record_attendance(actor=actor(group_leader), meeting=meeting, presence={member.pk: PRESENT})
    MeetingAttachmentFactory(meeting=meeting)
    general = record(secretary, kind=Kind.GENERAL)
    client.force_login(group_leader.user)
    assert client.post(reverse("activities:meeting_delete", args=[general.pk])).status_code == NOT_FOUND
    response = client.post(reverse("activities:meeting_delete", args=[meeting.pk]))
    assert response.status_code == 302
    assert list(Meeting.objects.all()) == [general]
    assert not MeetingAttendance.objects.exists() and not MeetingAttachment.objects.exists()
    assert Meeting.history.filter(id=meeting.pk, history_type="-").exists()
    assert client.get(reverse("activities:meeting_delete", args=[general.pk])).status_code == 405


def test_meeting_list_filters(client, secretary, group_a):
    MeetingFactory(branch=secretary.branch, kind=Kind.LECTURE, held_on=dt.date(2025, 6, 1))
    MeetingFactory(branch=secretary.branch, kind=Kind.GROUP, party_group=group_a, held_on=dt.date(2026, 2, 1))
    client.force_login(secretary.user)
    page = client.get(reverse("activities:meeting_list")).context["page"]
    assert len(page.object_list) == 2
    page = client.get(reverse("activities:meeting_list"), {"year": 2026}).context["page"]
    assert [m.kind for m in page.object_list] == [Kind.GROUP]
    page = client.get(reverse("activities:meeting_list"), {"kind": Kind.LECTURE}).context["page"]
    assert [m.kind for m in page.object_list] == [Kind.LECTURE]


# ---- access: URL × persona ------------------------------------------------------------------------

OK, REDIRECT, FORBIDDEN, NOT_FOUND = 200, 302, 403, 404


@pytest.fixture
def access_urls(secretary, group_a, group_b, outsider):
    branch = secretary.branch
    general = MeetingFactory(branch=branch, kind=Kind.GENERAL)
    group_a_meeting = MeetingFactory(branch=branch, kind=Kind.GROUP, party_group=group_a)
    group_b_meeting = MeetingFactory(branch=branch, kind=Kind.GROUP, party_group=group_b)
    elsewhere = MeetingFactory(branch=outsider.branch, kind=Kind.GENERAL)
    return {
        "calendar": reverse("activities:calendar"),
        "calendar_other_branch": reverse("activities:calendar") + f"?branch={outsider.branch.pk}",
        "list": reverse("activities:meeting_list"),
        "create": reverse("activities:meeting_create"),
        "general": reverse("activities:meeting_detail", args=[general.pk]),
        "general_edit": reverse("activities:meeting_edit", args=[general.pk]),
        "general_attendance": reverse("activities:meeting_attendance", args=[general.pk]),
        "group_a": reverse("activities:meeting_detail", args=[group_a_meeting.pk]),
        "group_a_edit": reverse("activities:meeting_edit", args=[group_a_meeting.pk]),
        "group_a_attendance": reverse("activities:meeting_attendance", args=[group_a_meeting.pk]),
        "group_b": reverse("activities:meeting_detail", args=[group_b_meeting.pk]),
        "group_b_edit": reverse("activities:meeting_edit", args=[group_b_meeting.pk]),
        "elsewhere": reverse("activities:meeting_detail", args=[elsewhere.pk]),
        "elsewhere_edit": reverse("activities:meeting_edit", args=[elsewhere.pk]),
        "group_page_a": reverse("activities:group_detail", args=[group_a.pk]),
        "group_page_b": reverse("activities:group_detail", args=[group_b.pk]),
        "group_page_elsewhere": reverse("activities:group_detail", args=[outsider.party_group.pk]),
    }


MATRIX = {
    #                        admin      secretary  committee  leader     member     outsider
    "calendar": (OK, OK, OK, OK, FORBIDDEN, OK),
    "calendar_other_branch": (OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN, OK),
    "list": (OK, OK, OK, OK, FORBIDDEN, OK),
    "create": (FORBIDDEN, OK, OK, OK, FORBIDDEN, OK),
    "general": (OK, OK, OK, NOT_FOUND, FORBIDDEN, NOT_FOUND),
    "general_edit": (FORBIDDEN, OK, OK, NOT_FOUND, FORBIDDEN, NOT_FOUND),
    "general_attendance": (FORBIDDEN, OK, OK, NOT_FOUND, FORBIDDEN, NOT_FOUND),
    "group_a": (OK, OK, OK, OK, FORBIDDEN, NOT_FOUND),
    "group_a_edit": (FORBIDDEN, OK, OK, OK, FORBIDDEN, NOT_FOUND),
    "group_a_attendance": (FORBIDDEN, OK, OK, OK, FORBIDDEN, NOT_FOUND),
    "group_b": (OK, OK, OK, NOT_FOUND, FORBIDDEN, NOT_FOUND),
    "group_b_edit": (FORBIDDEN, OK, OK, NOT_FOUND, FORBIDDEN, NOT_FOUND),
    "elsewhere": (OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN, OK),
    "elsewhere_edit": (FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN, OK),
    "group_page_a": (OK, OK, OK, OK, FORBIDDEN, NOT_FOUND),
    "group_page_b": (OK, OK, OK, NOT_FOUND, FORBIDDEN, NOT_FOUND),
    "group_page_elsewhere": (OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN, OK),
}
PERSONAS = ("admin", "secretary", "committee", "group_leader", "member", "outsider")
CASES = [(persona, name) for name in MATRIX for persona in PERSONAS]


@pytest.mark.parametrize(("persona", "name"), CASES)
def test_permission_matrix(client, personas, access_urls, persona, name):
    client.force_login(personas[persona])
    expected = MATRIX[name][PERSONAS.index(persona)]
    assert client.get(access_urls[name]).status_code == expected, f"{persona} GET {name}"


@pytest.mark.parametrize("name", ["calendar", "list", "create", "general", "group_a_edit", "group_page_a"])
def test_anonymous_visitors_are_sent_to_log_in(client, access_urls, name):
    response = client.get(access_urls[name])
    assert response.status_code == REDIRECT
    assert "/login/" in response["Location"]


def test_forbidden_posts_change_nothing(client, secretary, group_leader, member, outsider, admin_user, group_b):
    general = record(secretary, kind=Kind.GENERAL, topic="原议题")
    group_b_meeting = record(secretary, kind=Kind.GROUP, party_group=group_b, topic="原议题")
    attachment = MeetingAttachmentFactory(meeting=general)
    before = Meeting.objects.count()
    cases = [
        (member, reverse("activities:meeting_create"), _form_data(), FORBIDDEN),
        (member, reverse("activities:meeting_edit", args=[general.pk]), _form_data(topic="改"), FORBIDDEN),
        (admin_user, reverse("activities:meeting_edit", args=[general.pk]), _form_data(topic="改"), FORBIDDEN),
        (admin_user, reverse("activities:meeting_create"), _form_data(), FORBIDDEN),
        (group_leader, reverse("activities:meeting_edit", args=[general.pk]), _form_data(topic="改"), NOT_FOUND),
        (
            group_leader,
            reverse("activities:meeting_attendance", args=[group_b_meeting.pk]),
            {"all_present": "1"},
            NOT_FOUND,
        ),
        (outsider, reverse("activities:meeting_attendance", args=[general.pk]), {"all_present": "1"}, NOT_FOUND),
        (group_leader, reverse("activities:meeting_attachment_delete", args=[attachment.pk]), {}, NOT_FOUND),
        (member, reverse("activities:meeting_attachment_delete", args=[attachment.pk]), {}, FORBIDDEN),
        (outsider, reverse("activities:meeting_attachment_delete", args=[attachment.pk]), {}, NOT_FOUND),
        (member, reverse("activities:meeting_delete", args=[general.pk]), {}, FORBIDDEN),
        (admin_user, reverse("activities:meeting_delete", args=[general.pk]), {}, FORBIDDEN),
        (outsider, reverse("activities:meeting_delete", args=[general.pk]), {}, NOT_FOUND),
    ]
    for who, url, data, status in cases:
        client.force_login(getattr(who, "user", who))
        assert client.post(url, data).status_code == status, f"{who} POST {url}"
    assert Meeting.objects.count() == before
    assert set(Meeting.objects.values_list("topic", flat=True)) == {"原议题"}
    assert not MeetingAttendance.objects.exists()
    assert MeetingAttachment.objects.filter(pk=attachment.pk).exists()


def test_outsider_guessing_ids_learns_nothing(client, outsider, secretary):
    meeting = record(secretary, kind=Kind.GENERAL, topic="内部议题")
    client.force_login(outsider.user)
    for name in ("meeting_detail", "meeting_edit", "meeting_attendance"):
        response = client.get(reverse(f"activities:{name}", args=[meeting.pk]))
        assert response.status_code == 404
        assert "内部议题" not in response.content.decode()


# ---- the record book ------------------------------------------------------------------------------


def test_record_book_lists_the_members_meetings(secretary, member, group_a, django_assert_num_queries):
    lecture = record(secretary, kind=Kind.LECTURE, topic="党课：铁人精神")
    group_meeting = record(secretary, kind=Kind.GROUP, party_group=group_a, topic="交流红旗井经验")
    old = record(secretary, kind=Kind.THEME_DAY, held_on=dt.date(2025, 7, 1), topic="重温入党誓词")
    for meeting, presence in ((lecture, PRESENT), (group_meeting, EXCUSED), (old, PRESENT)):
        meeting_record_attendance(actor=actor(secretary), meeting=meeting, presence={member.pk: presence})
    with django_assert_num_queries(1):
        entries = meeting_entries(member, Period(2026))
    assert [(e.date, e.title, e.status_tone) for e in entries] == [  # newest first, then latest recorded
        (PAST, f"{Kind.GROUP.label}: 交流红旗井经验", "secondary"),
        (PAST, f"{Kind.LECTURE.label}: 党课：铁人精神", "success"),
    ]
    assert entries[0].detail == group_a.name
    assert [t.value for t in meeting_totals(member, Period(2026))] == ["1 / 2"]
    book = record_book(member, Period())
    assert len([e for e in book.timeline if e.section == "meetings"]) == 3


# ---- the demo -------------------------------------------------------------------------------------


@pytest.fixture
def demo_people(branch):
    """A small branch like the demo: three groups with leaders, a five-person committee, probationers."""
    groups = [PartyGroupFactory(branch=branch, name=f"第{n}党小组") for n in "一二三"]
    people = []
    for index in range(24):
        people.append(
            MemberFactory(
                branch=branch,
                party_group=groups[index % 3],
                is_group_leader=index in (5, 6, 7),
                status=Member.Status.PROBATIONARY if index in (20, 22) else Member.Status.FULL,
            )
        )
    for person, role in zip(people, CommitteeRole.Role, strict=False):
        CommitteeRoleFactory(member=person, role=role, started_on=dt.date(2024, 3, 1))
    return people


def test_demo_meetings_cover_every_kind_with_gaps_and_one_below_quorum(branch, demo_people):
    today = timezone.localdate()
    created = build_meetings(branch=branch, members=demo_people, today=today)
    meetings = list(Meeting.objects.filter(branch=branch))
    assert created == len(meetings) + MeetingAttendance.objects.filter(meeting__branch=branch).count()
    assert {m.kind for m in meetings} == set(Kind.values)
    assert all(m.held_on <= today for m in meetings)
    assert all(m.attendance.exists() for m in meetings)
    voting = [m for m in meetings if m.has_vote]
    assert sorted(m.below_quorum for m in voting) == [False, True]
    # The stored flag agrees with the service's rule for every meeting.
    assert all(quorum_for(m).met != m.below_quorum for m in meetings)
    # The third group missed last month's meeting: its leader and the secretary are reminded.
    assert (Kind.GROUP, 2, 1) in GAPS
    third = branch.party_groups.order_by("pk")[2]
    keys = {r.key for r in reminders(branch, today)}
    assert any(key.startswith(f"meeting:group:{third.pk}:") for key in keys)


def test_demo_meetings_are_built_once_and_the_same_way(branch, demo_people):
    today = dt.date(2026, 6, 15)
    assert build_meetings(branch=branch, members=demo_people, today=today) > 0
    first = list(
        Meeting.objects.order_by("held_on", "kind", "party_group__name").values_list("kind", "held_on", "topic")
    )
    assert build_meetings(branch=branch, members=demo_people, today=today) == 0
    MeetingAttendance.objects.all().delete()
    Meeting.objects.all().delete()
    build_meetings(branch=branch, members=demo_people, today=today)
    again = list(
        Meeting.objects.order_by("held_on", "kind", "party_group__name").values_list("kind", "held_on", "topic")
    )
    assert again == first
