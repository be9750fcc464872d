"""Corrections to personal data: the member proposes, only the secretary of their branch decides."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils.translation import gettext as _

from members.ethnicities import Ethnicity
from members.models import CorrectionRequest, Member
from members.selectors import member_history
from tests.factories import CorrectionRequestFactory, MemberFactory, valid_id_card

PENDING = CorrectionRequest.Status.PENDING
APPROVED = CorrectionRequest.Status.APPROVED
REJECTED = CorrectionRequest.Status.REJECTED


def _form_data(member, reason="信息有误", **changes):
    """The correction form as the browser sends it: every field prefilled, some changed."""
    data = {
        "name": member.name,
        "gender": member.gender,
        "ethnicity": member.ethnicity,
        "birth_date": member.birth_date.isoformat(),
        "phone": member.phone,
        "id_card_number": member.id_card_number,
        "reason": reason,
    }
    data.update(changes)
    return data


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


# ---- proposing ------------------------------------------------------------------------------


def test_form_is_prefilled_with_the_members_data(client, member):
    client.force_login(member.user)
    response = client.get(reverse("members:correction_add"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["name"].value() == member.name
    assert form["id_card_number"].value() == member.id_card_number


def test_member_proposes_a_correction_and_only_changed_fields_are_stored(client, member):
    client.force_login(member.user)
    response = client.post(
        reverse("members:correction_add"),
        _form_data(member, reason="换了手机号，民族登记错误", phone="13912345678", ethnicity=Ethnicity.UYGHUR),
    )
    assert response.status_code == 302
    assert response.url == reverse("members:detail", args=[member.pk])
    correction = CorrectionRequest.objects.get()
    assert correction.member == member
    assert correction.status == PENDING
    assert correction.changes == {"phone": "13912345678", "ethnicity": Ethnicity.UYGHUR}
    assert correction.reason == "换了手机号，民族登记错误"
    # Nothing changes on the member until the secretary decides.
    member.refresh_from_db()
    assert member.phone == ""
    assert member.ethnicity == Ethnicity.HAN


def test_dates_are_stored_as_iso_strings(client, member):
    client.force_login(member.user)
    client.post(reverse("members:correction_add"), _form_data(member, birth_date="1985-07-15"))
    assert CorrectionRequest.objects.get().changes == {"birth_date": "1985-07-15"}


def test_book_shows_the_pending_correction_instead_of_the_link(client, member):
    client.force_login(member.user)
    book_url = reverse("members:detail", args=[member.pk])
    assert reverse("members:correction_add") in client.get(book_url).content.decode()
    client.post(reverse("members:correction_add"), _form_data(member, phone="13912345678"))
    response = client.get(book_url)
    assert response.context["pending_correction"] is True
    assert reverse("members:correction_add") not in response.content.decode()


def test_no_change_is_a_form_error(client, member):
    client.force_login(member.user)
    response = client.post(reverse("members:correction_add"), _form_data(member))
    assert response.status_code == 200
    assert _("Nothing differs from your current information.") in response.context["form"].non_field_errors()
    assert not CorrectionRequest.objects.exists()


def test_reason_is_required(client, member):
    client.force_login(member.user)
    response = client.post(reverse("members:correction_add"), _form_data(member, reason="", phone="13912345678"))
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert not CorrectionRequest.objects.exists()


def test_a_second_pending_request_is_refused(client, member):
    client.force_login(member.user)
    client.post(reverse("members:correction_add"), _form_data(member, phone="13912345678"))
    response = client.post(reverse("members:correction_add"), _form_data(member, phone="13700000000"))
    assert response.status_code == 200
    assert (
        _("You already have a correction waiting for the secretary; wait for the decision first.")
        in response.context["form"].non_field_errors()
    )
    assert CorrectionRequest.objects.get().changes == {"phone": "13912345678"}


def test_a_new_request_is_allowed_after_a_decision(client, member):
    CorrectionRequestFactory(member=member, status=REJECTED, rejection_reason="x")
    client.force_login(member.user)
    response = client.post(reverse("members:correction_add"), _form_data(member, phone="13700000000"))
    assert response.status_code == 302
    assert CorrectionRequest.objects.filter(member=member, status=PENDING).count() == 1


@pytest.mark.parametrize(
    "bad_id",
    [
        "65020419850615001",  # 17 characters
        "65020419850615001A",  # a letter other than X
        "65020419851315001X",  # month 13
        valid_id_card(1)[:17] + ("0" if valid_id_card(1)[17] != "0" else "1"),  # wrong check digit
    ],
)
def test_an_invalid_id_card_number_is_refused_at_request_time(client, member, bad_id):
    client.force_login(member.user)
    response = client.post(reverse("members:correction_add"), _form_data(member, id_card_number=bad_id))
    assert response.status_code == 200
    assert "id_card_number" in response.context["form"].errors
    assert not CorrectionRequest.objects.exists()


@pytest.mark.parametrize("bad_phone", ["12345", "2391234567a"])
def test_an_invalid_phone_is_refused_at_request_time(client, member, bad_phone):
    client.force_login(member.user)
    response = client.post(reverse("members:correction_add"), _form_data(member, phone=bad_phone))
    assert "phone" in response.context["form"].errors
    assert not CorrectionRequest.objects.exists()


def test_official_fields_cannot_be_slipped_in(client, member, group_b):
    client.force_login(member.user)
    data = _form_data(member, phone="13912345678", status=Member.Status.PROBATIONARY, party_group=group_b.pk)
    client.post(reverse("members:correction_add"), data)
    assert CorrectionRequest.objects.get().changes == {"phone": "13912345678"}


def test_the_page_shows_a_proposal_without_changing_the_member(client, member):
    """The form works on a copy: an invalid proposal must not leak into the page's member."""
    client.force_login(member.user)
    client.post(reverse("members:correction_add"), _form_data(member, name="新名字", id_card_number="bad"))
    member.refresh_from_db()
    assert member.name == "艾力·买买提"


# ---- deciding -------------------------------------------------------------------------------


@pytest.fixture
def correction(member):
    return CorrectionRequestFactory(
        member=member, changes={"phone": "13912345678", "birth_date": "1985-07-15", "ethnicity": Ethnicity.UYGHUR}
    )


def test_secretary_sees_the_pending_corrections_of_the_branch(client, secretary, correction, outsider):
    CorrectionRequestFactory(member=MemberFactory(branch=outsider.branch))  # another branch's
    CorrectionRequestFactory(member=correction.member, status=APPROVED)  # already decided
    client.force_login(secretary.user)
    response = client.get(reverse("members:corrections"))
    assert response.status_code == 200
    assert [row[0] for row in response.context["rows"]] == [correction]
    html = response.content.decode()
    assert f'data-testid="correction-{correction.pk}"' in html
    assert "13912345678" in html
    assert str(Ethnicity.UYGHUR.label) in html  # choices shown by their label, not their code


def test_secretary_approves_and_the_member_changes_with_history(client, secretary, member, correction):
    history_before = member.history.count()
    client.force_login(secretary.user)
    response = client.post(reverse("members:correction_approve", args=[correction.pk]))
    assert response.status_code == 302
    assert response.url == reverse("members:corrections")

    member.refresh_from_db()
    assert member.phone == "13912345678"
    assert member.birth_date == dt.date(1985, 7, 15)
    assert member.ethnicity == Ethnicity.UYGHUR
    correction.refresh_from_db()
    assert correction.status == APPROVED
    assert correction.decided_by == secretary.user
    assert correction.decided_at is not None

    assert member.history.count() == history_before + 1
    latest = member.history.latest()
    assert latest.phone == "13912345678"
    assert latest.history_user == secretary.user
    changes = {c.field: (c.old, c.new, c.who) for c in member_history(member)}
    phone_label = str(Member._meta.get_field("phone").verbose_name)
    assert changes[phone_label] == ("—", "13912345678", secretary.user.username)

    # The book page shows the change to the secretary.
    book = client.get(reverse("members:detail", args=[member.pk]))
    assert 'data-testid="history"' in book.content.decode()
    assert "13912345678" in book.content.decode()


def test_approval_is_validated_again(client, secretary, member, other_member):
    """Uniqueness is checked when the secretary approves: two people cannot share an ID number."""
    correction = CorrectionRequestFactory(member=member, changes={"id_card_number": other_member.id_card_number})
    client.force_login(secretary.user)
    response = client.post(reverse("members:correction_approve", args=[correction.pk]))
    assert response.status_code == 302
    assert _messages(response)  # the secretary is told why
    correction.refresh_from_db()
    assert correction.status == PENDING
    member.refresh_from_db()
    assert member.id_card_number != other_member.id_card_number


def test_a_decided_correction_cannot_be_decided_again(client, secretary, correction):
    client.force_login(secretary.user)
    client.post(reverse("members:correction_approve", args=[correction.pk]))
    assert client.post(reverse("members:correction_reject", args=[correction.pk]), {"reason": "x"}).status_code == 404
    correction.refresh_from_db()
    assert correction.status == APPROVED


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_rejection_needs_a_reason(client, secretary, member, correction, reason):
    client.force_login(secretary.user)
    data = {} if reason is None else {"reason": reason}
    response = client.post(reverse("members:correction_reject", args=[correction.pk]), data)
    assert response.status_code == 302
    assert _("Say why the correction is rejected.") in " ".join(_messages(response))
    correction.refresh_from_db()
    assert correction.status == PENDING
    assert correction.decided_by is None


def test_secretary_rejects_with_a_reason(client, secretary, member, correction):
    client.force_login(secretary.user)
    response = client.post(reverse("members:correction_reject", args=[correction.pk]), {"reason": " 与档案不符 "})
    assert response.status_code == 302
    correction.refresh_from_db()
    assert correction.status == REJECTED
    assert correction.rejection_reason == "与档案不符"
    assert correction.decided_by == secretary.user
    member.refresh_from_db()
    assert member.phone == ""


def test_deciding_needs_post(client, secretary, correction):
    client.force_login(secretary.user)
    assert client.get(reverse("members:correction_approve", args=[correction.pk])).status_code == 405
    correction.refresh_from_db()
    assert correction.status == PENDING


@pytest.mark.parametrize("persona", ["committee_member", "group_leader", "member", "other_member"])
def test_only_the_secretary_decides(client, request, correction, persona):
    client.force_login(request.getfixturevalue(persona).user)
    assert client.get(reverse("members:corrections")).status_code == 403
    assert client.post(reverse("members:correction_approve", args=[correction.pk])).status_code == 403
    assert client.post(reverse("members:correction_reject", args=[correction.pk]), {"reason": "x"}).status_code == 403
    correction.refresh_from_db()
    assert correction.status == PENDING
    correction.member.refresh_from_db()
    assert correction.member.phone == ""


def test_the_administrator_does_not_decide(client, admin_user, correction):
    client.force_login(admin_user)
    assert client.get(reverse("members:corrections")).status_code == 403
    assert client.post(reverse("members:correction_approve", args=[correction.pk])).status_code == 403


def test_another_branchs_secretary_gets_404(client, outsider, correction):
    client.force_login(outsider.user)
    response = client.get(reverse("members:corrections"))
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert client.post(reverse("members:correction_approve", args=[correction.pk])).status_code == 404
    assert client.post(reverse("members:correction_reject", args=[correction.pk]), {"reason": "x"}).status_code == 404
    correction.refresh_from_db()
    assert correction.status == PENDING


def test_anonymous_is_sent_to_login(client, correction):
    for url in [reverse("members:corrections"), reverse("members:correction_add")]:
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("login") in response.url
    client.post(reverse("members:correction_approve", args=[correction.pk]))
    correction.refresh_from_db()
    assert correction.status == PENDING


@pytest.mark.parametrize("field", ["name", "id_card_number"])
def test_a_spelling_variant_of_the_same_value_is_no_change(client, member, field):
    """Names are stored with U+00B7 and ID numbers upper-case; typing a variant changes nothing."""
    member.id_card_number = next(valid_id_card(n) for n in range(900, 1000) if valid_id_card(n).endswith("X"))
    member.save()
    variants = {"name": "艾力•买买提", "id_card_number": member.id_card_number.lower()}
    client.force_login(member.user)
    response = client.post(reverse("members:correction_add"), _form_data(member, **{field: variants[field]}))
    assert response.status_code == 200
    assert _("Nothing differs from your current information.") in response.context["form"].non_field_errors()
    assert not CorrectionRequest.objects.exists()
