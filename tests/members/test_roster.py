"""The roster: searching and filtering members, creating, changing and archiving their records."""

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import ExifTags, Image

from members.ethnicities import Ethnicity
from members.models import CommitteeRole, Member, TeamLink
from members.services import roster as roster_service
from members.services.photos import THUMBNAIL_SIZE
from members.views.roster import PAGE_SIZE
from tests.factories import (
    TEST_PASSWORD,
    CommitteeRoleFactory,
    MemberFactory,
    PartyGroupFactory,
    TeamLinkFactory,
    WorkTeamFactory,
    valid_id_card,
)

LIST_URL = reverse("members:list")


def _listed(client, **params):
    response = client.get(LIST_URL, params)
    assert response.status_code == 200
    return list(response.context["page"].object_list)


def _jpeg(size=(800, 600), *, gps=False, orientation=None, noise=False) -> bytes:
    # Noise does not compress: it makes a file of a predictable, large size.
    image = Image.effect_noise(size, 80).convert("RGB") if noise else Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "HongqiCam"
    exif[ExifTags.Base.Model] = "Karamay-1"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    if gps:
        gps_ifd = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps_ifd[ExifTags.GPS.GPSLatitudeRef] = "N"
        gps_ifd[ExifTags.GPS.GPSLatitude] = (45.0, 35.0, 12.0)
        gps_ifd[ExifTags.GPS.GPSLongitudeRef] = "E"
        gps_ifd[ExifTags.GPS.GPSLongitude] = (84.0, 51.0, 30.0)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def _member_data(group, team, **overrides):
    data = {
        "name": "古丽 · 阿不都",
        "gender": Member.Gender.FEMALE,
        "ethnicity": Ethnicity.UYGHUR,
        "birth_date": "1990-03-08",
        "employee_number": "E2026001",
        "id_card_number": valid_id_card(501, dt.date(1990, 3, 8)),
        "phone": "13999999999",
        "status": Member.Status.FULL,
        "joined_on": "2015-07-01",
        "party_group": group.pk,
        "work_team": team.pk,
    }
    data.update(overrides)
    return data


def _edit_data(member, **overrides):
    """The edit form as the browser sends it back, prefilled with the member's data."""
    data = {
        "name": member.name,
        "gender": member.gender,
        "ethnicity": member.ethnicity,
        "birth_date": member.birth_date.isoformat(),
        "employee_number": member.employee_number,
        "id_card_number": member.id_card_number,
        "phone": member.phone,
        "status": member.status,
        "joined_on": member.joined_on.isoformat() if member.joined_on else "",
        "party_group": member.party_group_id or "",
        "work_team": member.work_team_id or "",
    }
    for flag in ("is_group_leader", "is_publicist", "is_liaison", "is_server"):
        if getattr(member, flag):
            data[flag] = "on"
    data.update(overrides)
    return data


# ---- search and filters ---------------------------------------------------------------------


@pytest.fixture
def roster_people(secretary, committee_member, group_leader, member, other_member):
    return {
        "secretary": secretary,
        "committee_member": committee_member,
        "group_leader": group_leader,
        "member": member,
        "other_member": other_member,
    }


@pytest.mark.parametrize(
    "query", ["艾力·买买提", "艾力买买提", "买买提", "艾力•买买提", " 艾力 · 买买提 ", "艾力・买买提"]
)
def test_search_by_name_with_or_without_the_middle_dot(client, roster_people, query):
    client.force_login(roster_people["secretary"].user)
    assert _listed(client, q=query) == [roster_people["member"]]


def test_search_by_employee_number(client, roster_people):
    client.force_login(roster_people["secretary"].user)
    target = roster_people["other_member"]
    assert _listed(client, q=target.employee_number) == [target]
    assert _listed(client, q=target.employee_number.upper()) == [target]


def test_search_without_match_shows_nothing(client, roster_people):
    client.force_login(roster_people["secretary"].user)
    response = client.get(LIST_URL, {"q": "不存在的人"})
    assert list(response.context["page"].object_list) == []
    assert _("No member matches.") in response.content.decode()


def test_filter_by_party_group(client, roster_people, group_b):
    client.force_login(roster_people["secretary"].user)
    assert set(_listed(client, party_group=group_b.pk)) == {
        roster_people["committee_member"],
        roster_people["other_member"],
    }


def test_filter_by_work_team(client, roster_people, branch):
    drilling = WorkTeamFactory(branch=branch, name="作业二班")
    driller = MemberFactory(branch=branch, work_team=drilling)
    client.force_login(roster_people["secretary"].user)
    assert _listed(client, work_team=drilling.pk) == [driller]


def test_filter_by_status(client, roster_people, branch):
    probationary = MemberFactory(branch=branch, status=Member.Status.PROBATIONARY)
    client.force_login(roster_people["secretary"].user)
    assert _listed(client, status=Member.Status.PROBATIONARY) == [probationary]


def test_filter_by_ethnicity(client, roster_people):
    Member.objects.filter(pk=roster_people["member"].pk).update(ethnicity=Ethnicity.UYGHUR)
    client.force_login(roster_people["secretary"].user)
    assert _listed(client, ethnicity=Ethnicity.UYGHUR) == [roster_people["member"]]


def test_filter_by_committee_role_counts_only_current_seats(client, roster_people, branch):
    former = MemberFactory(branch=branch)
    CommitteeRoleFactory(
        member=former,
        role=CommitteeRole.Role.ORGANISATION,
        started_on=dt.date(2020, 1, 1),
        ended_on=dt.date(2023, 12, 31),
    )
    client.force_login(roster_people["secretary"].user)
    assert _listed(client, committee_role=CommitteeRole.Role.ORGANISATION) == [roster_people["committee_member"]]
    assert _listed(client, committee_role=CommitteeRole.Role.SECRETARY) == [roster_people["secretary"]]


def test_filters_combine(client, roster_people, group_a, group_b, branch):
    tohti = MemberFactory(branch=branch, party_group=group_b, name="艾力·托合提", status=Member.Status.PROBATIONARY)
    client.force_login(roster_people["secretary"].user)
    assert set(_listed(client, q="艾力")) == {roster_people["member"], tohti}
    assert _listed(client, q="艾力", party_group=group_a.pk) == [roster_people["member"]]
    assert _listed(client, q="艾力", status=Member.Status.PROBATIONARY) == [tohti]
    assert _listed(client, q="艾力", party_group=group_a.pk, status=Member.Status.PROBATIONARY) == []


def test_another_branchs_group_is_not_a_filter_choice(client, roster_people, outsider):
    client.force_login(roster_people["secretary"].user)
    response = client.get(LIST_URL, {"party_group": outsider.party_group_id})
    assert "party_group" in response.context["form"].errors
    # An invalid filter shows no more than the branch: nothing of the other branch leaks.
    assert outsider not in response.context["page"].object_list


def test_pagination(client, secretary, branch):
    MemberFactory.create_batch(PAGE_SIZE + 5, branch=branch)
    client.force_login(secretary.user)
    first = client.get(LIST_URL)
    assert PAGE_SIZE == 50
    assert first.context["page"].paginator.count == PAGE_SIZE + 6
    assert len(first.context["page"].object_list) == PAGE_SIZE
    second = client.get(LIST_URL, {"page": 2})
    assert len(second.context["page"].object_list) == 6
    seen = list(first.context["page"].object_list) + list(second.context["page"].object_list)
    assert len(set(seen)) == PAGE_SIZE + 6
    assert [m.employee_number for m in seen] == sorted(m.employee_number for m in seen)
    # Beyond the last page: the last page, not an error.
    assert client.get(LIST_URL, {"page": 99}).context["page"].number == 2


def test_pagination_keeps_the_filters(client, secretary, branch, group_b):
    MemberFactory.create_batch(PAGE_SIZE + 1, branch=branch, party_group=group_b)
    client.force_login(secretary.user)
    response = client.get(LIST_URL, {"party_group": group_b.pk, "page": 2})
    assert response.context["page"].paginator.count == PAGE_SIZE + 1
    assert f"party_group={group_b.pk}" in response.context["query_string"]
    assert "page=" not in response.context["query_string"]


def test_archived_members_are_hidden_unless_asked_for(client, roster_people):
    leaver = roster_people["other_member"]
    roster_service.member_archive(
        member=leaver, reason=Member.ArchiveReason.TRANSFERRED_OUT, left_on=timezone.localdate()
    )
    client.force_login(roster_people["secretary"].user)
    assert leaver not in _listed(client)
    assert leaver not in _listed(client, q=leaver.name)
    assert _listed(client, archived="on") == [leaver]
    assert _listed(client, archived="on", q=leaver.name) == [leaver]


def test_group_leader_sees_only_their_group(client, roster_people):
    client.force_login(roster_people["group_leader"].user)
    assert set(_listed(client)) == {
        roster_people["secretary"],
        roster_people["group_leader"],
        roster_people["member"],
    }
    # Searching cannot reach outside the group.
    assert _listed(client, q=roster_people["other_member"].name) == []


def test_outsider_sees_only_their_own_branch(client, roster_people, outsider):
    client.force_login(outsider.user)
    assert _listed(client) == [outsider]
    assert _listed(client, q="艾力") == []


@pytest.mark.parametrize("persona", ["member", "other_member"])
def test_plain_member_gets_403(client, roster_people, persona):
    client.force_login(roster_people[persona].user)
    assert client.get(LIST_URL).status_code == 403


def test_list_query_count_is_constant(client, secretary, branch, django_assert_max_num_queries):
    MemberFactory.create_batch(9, branch=branch)
    client.force_login(secretary.user)
    client.get(LIST_URL)  # warm the session
    with django_assert_max_num_queries(20) as small:
        response = client.get(LIST_URL)
    assert response.context["page"].paginator.count == 10

    groups = PartyGroupFactory.create_batch(3, branch=branch)
    teams = WorkTeamFactory.create_batch(3, branch=branch)
    for i in range(110):
        MemberFactory(branch=branch, party_group=groups[i % 3], work_team=teams[i % 3], is_group_leader=False)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(LIST_URL)
    assert response.context["page"].paginator.count == 120
    assert len(response.context["page"].object_list) == PAGE_SIZE


# ---- creating -------------------------------------------------------------------------------


def test_secretary_creates_a_member_and_the_photo_loses_its_exif(
    client, secretary, group_a, team, django_capture_on_commit_callbacks
):
    original = _jpeg(gps=True, orientation=6)
    with Image.open(io.BytesIO(original)) as source:  # the upload really carries a position
        assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert source.getexif()[ExifTags.Base.Make] == "HongqiCam"

    client.force_login(secretary.user)
    assert client.get(reverse("members:create")).status_code == 200
    upload = SimpleUploadedFile("photo.jpg", original, content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("members:create"), {**_member_data(group_a, team), "photo": upload})
    assert response.status_code == 302
    created = Member.objects.get(employee_number="E2026001")
    assert response.url == reverse("members:detail", args=[created.pk])
    assert len(callbacks) == 1  # the thumbnail is queued after the commit

    assert created.branch == secretary.branch
    assert created.name == "古丽·阿不都"  # spaces around the dot dropped
    assert created.party_group == group_a

    assert created.photo
    with created.photo.open("rb") as stored, Image.open(stored) as photo:
        assert photo.format == "JPEG"
        assert len(photo.getexif()) == 0
        assert not photo.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert "exif" not in photo.info
        # Turned upright before the metadata went: orientation 6 is a portrait taken sideways.
        assert photo.size == (600, 800)
    assert b"HongqiCam" not in created.photo.open("rb").read()

    assert created.photo_thumbnail
    with created.photo_thumbnail.open("rb") as stored, Image.open(stored) as thumb:
        assert thumb.width <= THUMBNAIL_SIZE[0]
        assert thumb.height <= THUMBNAIL_SIZE[1]
        assert len(thumb.getexif()) == 0
    # The book shows the thumbnail.
    assert created.photo_thumbnail.url in client.get(created.get_absolute_url()).content.decode()


def test_create_without_photo(client, secretary, group_a, team, django_capture_on_commit_callbacks):
    client.force_login(secretary.user)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("members:create"), _member_data(group_a, team))
    assert response.status_code == 302
    created = Member.objects.get(employee_number="E2026001")
    assert not created.photo
    assert not created.photo_thumbnail
    assert callbacks == []


def test_a_file_that_is_not_an_image_is_refused(client, secretary, group_a, team):
    client.force_login(secretary.user)
    upload = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not a picture", content_type="image/jpeg")
    response = client.post(reverse("members:create"), {**_member_data(group_a, team), "photo": upload})
    assert response.status_code == 200
    assert "photo" in response.context["form"].errors
    assert not Member.objects.filter(employee_number="E2026001").exists()


def test_an_image_of_a_refused_format_is_refused(client, secretary, group_a, team):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), "red").save(buffer, format="GIF")
    upload = SimpleUploadedFile("photo.gif", buffer.getvalue(), content_type="image/gif")
    client.force_login(secretary.user)
    response = client.post(reverse("members:create"), {**_member_data(group_a, team), "photo": upload})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Member.objects.filter(employee_number="E2026001").exists()


def test_an_oversized_photo_is_refused(client, secretary, group_a, team, settings):
    settings.HONGQI_PHOTO_MAX_BYTES = 4096
    data = _jpeg((300, 300), noise=True)
    assert len(data) > settings.HONGQI_PHOTO_MAX_BYTES
    client.force_login(secretary.user)
    upload = SimpleUploadedFile("photo.jpg", data, content_type="image/jpeg")
    response = client.post(reverse("members:create"), {**_member_data(group_a, team), "photo": upload})
    assert response.status_code == 200
    codes = {error.code for errors in response.context["form"].errors.as_data().values() for error in errors}
    assert "photo_size" in codes
    assert not Member.objects.filter(employee_number="E2026001").exists()


def test_a_party_group_of_another_branch_cannot_be_chosen(client, secretary, team, outsider):
    client.force_login(secretary.user)
    response = client.post(reverse("members:create"), _member_data(outsider.party_group, team))
    assert response.status_code == 200
    assert "party_group" in response.context["form"].errors
    assert not Member.objects.filter(employee_number="E2026001").exists()


def test_the_service_refuses_another_branchs_group_and_team(branch, outsider):
    fields = {
        "name": "测试",
        "gender": Member.Gender.MALE,
        "birth_date": dt.date(1990, 1, 1),
        "employee_number": "E1",
        "id_card_number": valid_id_card(502),
    }
    with pytest.raises(ValidationError) as caught:
        roster_service.member_create(branch=branch, party_group=outsider.party_group, **fields)
    assert "party_group" in caught.value.error_dict
    with pytest.raises(ValidationError) as caught:
        roster_service.member_create(branch=branch, work_team=outsider.work_team, **fields)
    assert "work_team" in caught.value.error_dict
    assert not Member.objects.filter(employee_number="E1").exists()


def test_duplicate_employee_number_or_bad_id_is_a_form_error(client, secretary, group_a, team, member):
    client.force_login(secretary.user)
    response = client.post(
        reverse("members:create"), _member_data(group_a, team, employee_number=member.employee_number)
    )
    assert "employee_number" in response.context["form"].errors
    response = client.post(reverse("members:create"), _member_data(group_a, team, id_card_number="650204199003080001"))
    assert "id_card_number" in response.context["form"].errors
    assert not Member.objects.filter(employee_number="E2026001").exists()


# ---- editing --------------------------------------------------------------------------------


def test_moving_a_member_to_another_group_shows_in_the_history(client, secretary, member, group_b):
    client.force_login(secretary.user)
    assert client.get(reverse("members:edit", args=[member.pk])).status_code == 200
    response = client.post(reverse("members:edit", args=[member.pk]), _edit_data(member, party_group=group_b.pk))
    assert response.status_code == 302
    assert response.url == reverse("members:detail", args=[member.pk])
    member.refresh_from_db()
    assert member.party_group == group_b

    book = client.get(reverse("members:detail", args=[member.pk]))
    group_label = str(Member._meta.get_field("party_group").verbose_name)
    moves = [c for c in book.context["history"] if c.field == group_label]
    assert [(c.old, c.new, c.who) for c in moves] == [("第一党小组", "第二党小组", secretary.user.username)]
    html = book.content.decode()
    assert 'data-testid="history"' in html
    history_html = html[html.index('data-testid="history"') :]
    assert "第一党小组" in history_html
    assert "第二党小组" in history_html


def test_the_history_is_for_the_secretary_only(client, committee_member, group_leader, member, group_b):
    for person in (committee_member, group_leader, member):
        client.force_login(person.user)
        response = client.get(reverse("members:detail", args=[member.pk]))
        assert "history" not in response.context
        assert 'data-testid="history"' not in response.content.decode()


def test_edit_replaces_the_photo_without_exif(client, secretary, member, django_capture_on_commit_callbacks):
    client.force_login(secretary.user)
    upload = SimpleUploadedFile("new.jpg", _jpeg(gps=True), content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:edit", args=[member.pk]), {**_edit_data(member), "photo": upload})
    assert response.status_code == 302
    member.refresh_from_db()
    with member.photo.open("rb") as stored, Image.open(stored) as photo:
        assert len(photo.getexif()) == 0
    assert member.photo_thumbnail

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("members:edit", args=[member.pk]), {**_edit_data(member), "remove_photo": "on"})
    member.refresh_from_db()
    assert not member.photo
    assert not member.photo_thumbnail


# ---- archiving ------------------------------------------------------------------------------


def _archive(client, person, **overrides):
    data = {
        "archive_reason": Member.ArchiveReason.TRANSFERRED_OUT,
        "archived_on": timezone.localdate().isoformat(),
        "archive_note": "调往采油二厂",
    }
    data.update(overrides)
    return client.post(reverse("members:archive", args=[person.pk]), data)


def test_archiving_a_committee_member(client, secretary, committee_member, team):
    TeamLinkFactory(member=committee_member, work_team=team)
    client.force_login(secretary.user)
    assert client.get(reverse("members:archive", args=[committee_member.pk])).status_code == 200
    response = _archive(client, committee_member)
    assert response.status_code == 302
    assert response.url == reverse("members:detail", args=[committee_member.pk])

    committee_member.refresh_from_db()
    today = timezone.localdate()
    assert committee_member.archived_on == today
    assert committee_member.archive_reason == Member.ArchiveReason.TRANSFERRED_OUT
    assert committee_member.archive_note == "调往采油二厂"
    # Login switched off.
    assert committee_member.user.is_active is False
    assert client.login(username=committee_member.user.username, password=TEST_PASSWORD) is False
    client.force_login(secretary.user)
    # Committee seat and team link ended on the day of leaving, kept for the record.
    role = CommitteeRole.objects.get(member=committee_member)
    assert role.ended_on == today
    assert TeamLink.objects.get(member=committee_member).ended_on == today
    # Gone from the list, still in the archive.
    assert committee_member not in _listed(client)
    assert committee_member in _listed(client, archived="on")
    # Book still readable for the secretary.
    book = client.get(reverse("members:detail", args=[committee_member.pk]))
    assert book.status_code == 200
    assert 'data-testid="archived-badge"' in book.content.decode()


def test_archiving_a_group_leader_frees_the_group(client, secretary, group_leader, group_a, branch):
    client.force_login(secretary.user)
    _archive(client, group_leader)
    group_leader.refresh_from_db()
    assert group_leader.is_group_leader is False
    # The group can take a new leader.
    MemberFactory(branch=branch, party_group=group_a, is_group_leader=True)


def test_an_archived_record_cannot_be_edited(client, secretary, member, group_b):
    client.force_login(secretary.user)
    _archive(client, member)
    response = client.post(
        reverse("members:edit", args=[member.pk]), _edit_data(member, party_group=group_b.pk, phone="13800000000")
    )
    assert response.status_code == 200
    assert _("An archived record cannot be changed.") in response.context["form"].non_field_errors()
    member.refresh_from_db()
    assert member.party_group_id != group_b.pk
    assert member.phone == ""


def test_an_archived_record_cannot_be_archived_again(client, secretary, member):
    client.force_login(secretary.user)
    _archive(client, member, archive_note="第一次")
    response = _archive(client, member, archive_reason=Member.ArchiveReason.DIED, archive_note="第二次")
    assert response.status_code == 200
    member.refresh_from_db()
    assert (member.archive_reason, member.archive_note) == (Member.ArchiveReason.TRANSFERRED_OUT, "第一次")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"archive_reason": ""}, "archive_reason"),
        ({"archive_reason": "retired"}, "archive_reason"),
        ({"archived_on": ""}, "archived_on"),
        ({"archived_on": (dt.date.today() + dt.timedelta(days=2)).isoformat()}, "archived_on"),
    ],
)
def test_archiving_needs_a_reason_and_a_date_not_in_the_future(client, secretary, member, overrides, field):
    client.force_login(secretary.user)
    response = _archive(client, member, **overrides)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    member.refresh_from_db()
    assert member.archived_on is None
    assert get_user_model().objects.get(pk=member.user_id).is_active


# ---- who may manage the roster --------------------------------------------------------------


@pytest.mark.parametrize("persona", ["committee_member", "group_leader", "member"])
def test_only_the_secretary_creates_edits_and_archives(client, request, member, group_a, team, persona):
    client.force_login(request.getfixturevalue(persona).user)
    assert client.get(reverse("members:create")).status_code == 403
    assert client.post(reverse("members:create"), _member_data(group_a, team)).status_code == 403
    assert client.get(reverse("members:edit", args=[member.pk])).status_code == 403
    assert (
        client.post(reverse("members:edit", args=[member.pk]), _edit_data(member, phone="13800000000")).status_code
        == 403
    )
    assert client.get(reverse("members:archive", args=[member.pk])).status_code == 403
    assert _archive(client, member).status_code == 403
    assert not Member.objects.filter(employee_number="E2026001").exists()
    member.refresh_from_db()
    assert member.phone == ""
    assert member.archived_on is None


def test_outsider_gets_404_on_edit_and_archive(client, outsider, member):
    client.force_login(outsider.user)
    assert client.get(reverse("members:edit", args=[member.pk])).status_code == 404
    assert (
        client.post(reverse("members:edit", args=[member.pk]), _edit_data(member, phone="13800000000")).status_code
        == 404
    )
    assert _archive(client, member).status_code == 404
    member.refresh_from_db()
    assert member.phone == ""
    assert member.archived_on is None


def test_outsider_creates_in_their_own_branch_only(client, outsider, group_a, team):
    client.force_login(outsider.user)
    response = client.post(reverse("members:create"), _member_data(group_a, team))
    assert response.status_code == 200
    assert "party_group" in response.context["form"].errors
    assert not Member.objects.filter(employee_number="E2026001").exists()
