"""Study records (学习记录): members write their own; their group leader or the secretary confirms or
returns them; only confirmed hours count."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from members.forms import ATTACHMENT_MAX_BYTES
from members.models import StudyRecord
from tests.factories import MemberFactory, StudyRecordFactory

SUBMITTED = StudyRecord.Status.SUBMITTED
CONFIRMED = StudyRecord.Status.CONFIRMED
RETURNED = StudyRecord.Status.RETURNED


def _study_data(**overrides):
    data = {
        "studied_on": (timezone.localdate() - dt.timedelta(days=3)).isoformat(),
        "topic": "学习《中国共产党章程》",
        "form": StudyRecord.Form.SELF_STUDY,
        "hours": "2",
        "notes": "第一章至第三章",
    }
    data.update(overrides)
    return data


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _confirmed_hours(client, member):
    book = client.get(reverse("members:detail", args=[member.pk])).context["book"]
    return {str(t.label): t.value for t in book.totals}[_("Study hours (confirmed)")]


# ---- adding ---------------------------------------------------------------------------------


def test_member_adds_own_study_record(client, member):
    client.force_login(member.user)
    assert client.get(reverse("members:study_add")).status_code == 200
    response = client.post(reverse("members:study_add"), _study_data())
    assert response.status_code == 302
    assert response.url == reverse("members:detail", args=[member.pk])
    record = StudyRecord.objects.get()
    assert record.member == member
    assert record.status == SUBMITTED
    assert record.topic == "学习《中国共产党章程》"
    assert record.hours == Decimal("2")
    assert record.reviewed_by is None
    assert not record.attachment


def test_member_adds_a_record_with_an_attachment(client, member):
    client.force_login(member.user)
    upload = SimpleUploadedFile("心得体会.pdf", b"%PDF-1.4 study notes", content_type="application/pdf")
    response = client.post(reverse("members:study_add"), {**_study_data(), "attachment": upload})
    assert response.status_code == 302
    record = StudyRecord.objects.get()
    assert record.attachment.name.startswith("study/")
    assert record.attachment.name.endswith(".pdf")
    with record.attachment.open("rb") as stored:
        assert stored.read() == b"%PDF-1.4 study notes"


def test_a_new_record_does_not_count_until_confirmed(client, member):
    client.force_login(member.user)
    client.post(reverse("members:study_add"), _study_data())
    assert _confirmed_hours(client, member) == 0


def test_future_date_is_refused_with_the_chinese_message(client, member):
    client.force_login(member.user)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(reverse("members:study_add"), _study_data(studied_on=tomorrow.isoformat()))
    assert response.status_code == 200
    assert not StudyRecord.objects.exists()
    with translation.override("zh-hans"):
        message = _("A study record cannot be dated in the future.")
        assert message in response.context["form"].errors["studied_on"]
    assert message in response.content.decode()


def test_today_is_accepted(client, member):
    client.force_login(member.user)
    response = client.post(reverse("members:study_add"), _study_data(studied_on=timezone.localdate().isoformat()))
    assert response.status_code == 302


@pytest.mark.parametrize("hours", ["0", "0.4", "25"])
def test_hours_out_of_range_are_refused(client, member, hours):
    client.force_login(member.user)
    response = client.post(reverse("members:study_add"), _study_data(hours=hours))
    assert response.status_code == 200
    assert "hours" in response.context["form"].errors
    assert not StudyRecord.objects.exists()


@pytest.mark.parametrize("name", ["setup.exe", "script.sh", "notes.html"])
def test_attachment_with_a_bad_extension_is_refused(client, member, name):
    client.force_login(member.user)
    upload = SimpleUploadedFile(name, b"MZ not a document", content_type="application/octet-stream")
    response = client.post(reverse("members:study_add"), {**_study_data(), "attachment": upload})
    assert response.status_code == 200
    assert response.context["form"].has_error("attachment", "invalid_extension")
    assert not StudyRecord.objects.exists()


def test_attachment_over_ten_megabytes_is_refused(client, member):
    client.force_login(member.user)
    upload = SimpleUploadedFile("big.pdf", b"0" * (ATTACHMENT_MAX_BYTES + 1), content_type="application/pdf")
    response = client.post(reverse("members:study_add"), {**_study_data(), "attachment": upload})
    assert response.status_code == 200
    assert _("The attachment is larger than 10 MB.") in response.context["form"].errors["attachment"]
    assert not StudyRecord.objects.exists()


def test_attachment_of_exactly_ten_megabytes_is_accepted(client, member):
    client.force_login(member.user)
    upload = SimpleUploadedFile("big.pdf", b"0" * ATTACHMENT_MAX_BYTES, content_type="application/pdf")
    response = client.post(reverse("members:study_add"), {**_study_data(), "attachment": upload})
    assert response.status_code == 302


def test_the_record_goes_to_the_member_who_is_logged_in(client, member, other_member):
    """There is no member field to post: a record can only go into one's own book."""
    client.force_login(member.user)
    client.post(reverse("members:study_add"), {**_study_data(), "member": other_member.pk})
    assert StudyRecord.objects.get().member == member


def test_a_login_without_member_record_cannot_add(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("members:study_add")).status_code == 404


# ---- confirming -----------------------------------------------------------------------------


def test_group_leader_confirms_a_record_of_their_group(client, group_leader, member):
    record = StudyRecordFactory(member=member, hours=3, studied_on=timezone.localdate())
    client.force_login(group_leader.user)
    queue = client.get(reverse("members:study_queue"))
    assert queue.status_code == 200
    assert record in queue.context["records"]
    assert f'data-testid="study-{record.pk}"' in queue.content.decode()

    assert _confirmed_hours(client, member) == 0
    response = client.post(reverse("members:study_confirm", args=[record.pk]))
    assert response.status_code == 302
    assert response.url == reverse("members:study_queue")
    record.refresh_from_db()
    assert record.status == CONFIRMED
    assert record.reviewed_by == group_leader
    assert record.reviewed_at is not None
    assert _confirmed_hours(client, member) == Decimal("3")
    # Gone from the queue once confirmed.
    assert record not in client.get(reverse("members:study_queue")).context["records"]


def test_a_confirmed_record_cannot_be_confirmed_again(client, group_leader, member):
    record = StudyRecordFactory(member=member, status=CONFIRMED)
    client.force_login(group_leader.user)
    assert client.post(reverse("members:study_confirm", args=[record.pk])).status_code == 404


def test_group_leader_cannot_confirm_a_member_of_another_group(client, group_leader, other_member):
    record = StudyRecordFactory(member=other_member)
    client.force_login(group_leader.user)
    assert record not in client.get(reverse("members:study_queue")).context["records"]
    assert client.post(reverse("members:study_confirm", args=[record.pk])).status_code == 404
    assert client.post(reverse("members:study_return", args=[record.pk]), {"reason": "x"}).status_code == 404
    record.refresh_from_db()
    assert record.status == SUBMITTED


def test_group_leader_cannot_confirm_their_own_record(client, group_leader):
    record = StudyRecordFactory(member=group_leader)
    client.force_login(group_leader.user)
    assert record not in client.get(reverse("members:study_queue")).context["records"]
    assert client.post(reverse("members:study_confirm", args=[record.pk])).status_code == 404
    record.refresh_from_db()
    assert record.status == SUBMITTED


def test_secretary_confirms_any_record_in_the_branch(client, secretary, member, other_member, group_leader):
    records = [StudyRecordFactory(member=person) for person in (member, other_member, group_leader)]
    own = StudyRecordFactory(member=secretary)
    client.force_login(secretary.user)
    queued = client.get(reverse("members:study_queue")).context["records"]
    assert set(queued) == set(records)
    for record in records:
        assert client.post(reverse("members:study_confirm", args=[record.pk])).status_code == 302
        record.refresh_from_db()
        assert record.status == CONFIRMED
        assert record.reviewed_by == secretary
    # Not even the secretary confirms their own.
    assert client.post(reverse("members:study_confirm", args=[own.pk])).status_code == 404


def test_outsider_gets_404(client, outsider, member):
    record = StudyRecordFactory(member=member)
    client.force_login(outsider.user)
    assert record not in client.get(reverse("members:study_queue")).context["records"]
    assert client.post(reverse("members:study_confirm", args=[record.pk])).status_code == 404
    assert client.post(reverse("members:study_return", args=[record.pk]), {"reason": "x"}).status_code == 404
    record.refresh_from_db()
    assert record.status == SUBMITTED


@pytest.mark.parametrize("persona", ["member", "other_member", "committee_member"])
def test_people_without_review_rights_get_403(client, persona, request, member):
    record = StudyRecordFactory(member=member)
    client.force_login(request.getfixturevalue(persona).user)
    assert client.get(reverse("members:study_queue")).status_code == 403
    assert client.post(reverse("members:study_confirm", args=[record.pk])).status_code == 403
    assert client.post(reverse("members:study_return", args=[record.pk]), {"reason": "x"}).status_code == 403
    record.refresh_from_db()
    assert record.status == SUBMITTED


def test_anonymous_is_sent_to_login(client, member):
    record = StudyRecordFactory(member=member)
    for url in [reverse("members:study_queue"), reverse("members:study_add")]:
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("login") in response.url
    assert client.post(reverse("members:study_confirm", args=[record.pk])).status_code == 302
    record.refresh_from_db()
    assert record.status == SUBMITTED


def test_confirm_does_not_redirect_off_site(client, group_leader, member):
    record = StudyRecordFactory(member=member)
    client.force_login(group_leader.user)
    response = client.post(reverse("members:study_confirm", args=[record.pk]), {"next": "https://evil.example/"})
    assert response.status_code == 302
    assert response.url == reverse("members:study_queue")
    record.refresh_from_db()
    assert record.status == CONFIRMED


def test_confirm_follows_a_local_next(client, group_leader, member):
    record = StudyRecordFactory(member=member)
    client.force_login(group_leader.user)
    book = reverse("members:detail", args=[member.pk])
    response = client.post(reverse("members:study_confirm", args=[record.pk]), {"next": book})
    assert response.url == book


# ---- returning ------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_return_requires_a_reason(client, group_leader, member, reason):
    record = StudyRecordFactory(member=member)
    client.force_login(group_leader.user)
    data = {} if reason is None else {"reason": reason}
    response = client.post(reverse("members:study_return", args=[record.pk]), data)
    assert response.status_code == 302
    assert _("Say why the record is returned, so the member can fix it.") in _messages(response)
    record.refresh_from_db()
    assert record.status == SUBMITTED
    assert record.return_reason == ""


def test_return_with_a_reason(client, group_leader, member):
    record = StudyRecordFactory(member=member)
    client.force_login(group_leader.user)
    response = client.post(reverse("members:study_return", args=[record.pk]), {"reason": " 请写明学习内容 "})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == RETURNED
    assert record.return_reason == "请写明学习内容"
    assert record.reviewed_by == group_leader


# ---- editing --------------------------------------------------------------------------------


def test_owner_edits_a_returned_record_and_it_goes_back_for_confirmation(client, member):
    record = StudyRecordFactory(member=member, status=RETURNED, return_reason="请写明学习内容")
    client.force_login(member.user)
    page = client.get(reverse("members:study_edit", args=[record.pk]))
    assert page.status_code == 200
    assert "请写明学习内容" in page.content.decode()
    response = client.post(
        reverse("members:study_edit", args=[record.pk]), _study_data(topic="学习党章第一章：党员", hours="1.5")
    )
    assert response.status_code == 302
    assert response.url == reverse("members:detail", args=[member.pk])
    record.refresh_from_db()
    assert record.status == SUBMITTED
    assert record.return_reason == ""
    assert record.topic == "学习党章第一章：党员"
    assert record.hours == Decimal("1.5")


def test_owner_may_change_a_record_still_waiting(client, member):
    record = StudyRecordFactory(member=member, status=SUBMITTED)
    client.force_login(member.user)
    response = client.post(reverse("members:study_edit", args=[record.pk]), _study_data(topic="改后的主题"))
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.topic, record.status) == ("改后的主题", SUBMITTED)


def test_edit_refuses_a_future_date(client, member):
    record = StudyRecordFactory(member=member, status=RETURNED, return_reason="x")
    client.force_login(member.user)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(reverse("members:study_edit", args=[record.pk]), _study_data(studied_on=tomorrow))
    assert response.status_code == 200
    assert "studied_on" in response.context["form"].errors
    record.refresh_from_db()
    assert record.status == RETURNED


def test_owner_can_remove_the_attachment_of_a_returned_record(client, member):
    client.force_login(member.user)
    upload = SimpleUploadedFile("notes.txt", b"notes", content_type="text/plain")
    client.post(reverse("members:study_add"), {**_study_data(), "attachment": upload})
    record = StudyRecord.objects.get()
    StudyRecord.objects.filter(pk=record.pk).update(status=RETURNED, return_reason="附件不对")
    response = client.post(reverse("members:study_edit", args=[record.pk]), {**_study_data(), "attachment-clear": "on"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == SUBMITTED
    assert not record.attachment
    assert record.attachment.name == ""


def test_owner_keeps_the_attachment_when_not_uploading_a_new_one(client, member):
    client.force_login(member.user)
    upload = SimpleUploadedFile("notes.txt", b"notes", content_type="text/plain")
    client.post(reverse("members:study_add"), {**_study_data(), "attachment": upload})
    record = StudyRecord.objects.get()
    name = record.attachment.name
    StudyRecord.objects.filter(pk=record.pk).update(status=RETURNED, return_reason="x")
    client.post(reverse("members:study_edit", args=[record.pk]), _study_data(topic="新主题"))
    record.refresh_from_db()
    assert record.attachment.name == name


def test_a_confirmed_record_cannot_be_edited(client, member):
    record = StudyRecordFactory(member=member, status=CONFIRMED, topic="已确认")
    client.force_login(member.user)
    assert client.get(reverse("members:study_edit", args=[record.pk])).status_code == 404
    assert client.post(reverse("members:study_edit", args=[record.pk]), _study_data()).status_code == 404
    record.refresh_from_db()
    assert (record.topic, record.status) == ("已确认", CONFIRMED)


@pytest.mark.parametrize("persona", ["other_member", "group_leader", "secretary", "outsider"])
def test_nobody_else_can_edit_a_members_record(client, request, member, persona):
    record = StudyRecordFactory(member=member, status=RETURNED, return_reason="x", topic="原主题")
    client.force_login(request.getfixturevalue(persona).user)
    assert client.get(reverse("members:study_edit", args=[record.pk])).status_code == 404
    assert client.post(reverse("members:study_edit", args=[record.pk]), _study_data()).status_code == 404
    record.refresh_from_db()
    assert (record.topic, record.status) == ("原主题", RETURNED)


# ---- query count ----------------------------------------------------------------------------


def test_queue_query_count_does_not_grow_with_records(client, secretary, member, django_assert_max_num_queries):
    StudyRecordFactory(member=member)
    client.force_login(secretary.user)
    url = reverse("members:study_queue")
    client.get(url)  # warm the session
    with django_assert_max_num_queries(20) as small:
        response = client.get(url)
    assert len(response.context["records"]) == 1

    for _i in range(10):
        person = MemberFactory(branch=secretary.branch)
        StudyRecordFactory.create_batch(3, member=person, attachment="study/2026/notes.pdf", notes="笔记")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert len(response.context["records"]) == 31


def test_a_crafted_clear_on_a_new_record_does_not_break_the_page(client, member):
    client.force_login(member.user)
    response = client.post(reverse("members:study_add"), {**_study_data(), "attachment-clear": "on"})
    assert response.status_code == 302
    assert StudyRecord.objects.get().attachment.name == ""


def test_the_secretary_sees_who_confirmed_in_the_history(client, secretary, group_leader, member):
    record = StudyRecordFactory(member=member)
    client.force_login(group_leader.user)
    client.post(reverse("members:study_confirm", args=[record.pk]))
    client.force_login(secretary.user)
    history = client.get(reverse("members:detail", args=[member.pk])).context["history"]
    reviewer_label = str(StudyRecord._meta.get_field("reviewed_by").verbose_name)
    status_label = str(StudyRecord._meta.get_field("status").verbose_name)
    changes = {c.field: (c.old, c.new, c.who) for c in history if c.what == _("study record")}
    assert changes[reviewer_label] == ("—", group_leader.name, group_leader.user.username)
    assert changes[status_label] == (str(SUBMITTED.label), str(CONFIRMED.label), group_leader.user.username)
