"""The development pipeline: each rule is enforced with a reason, and the pages show what is due."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from members.models import Development, Member
from members.pipeline import add_months, due_this_month, next_step, pipeline_rows
from members.services import development as svc
from tests.factories import MemberFactory

S = Member.Status
TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def applicant(branch, group_a):
    person = MemberFactory(
        branch=branch,
        party_group=group_a,
        status=S.APPLICANT,
        joined_on=None,
        birth_date=dt.date(2000, 5, 1),
        user=None,
    )
    svc.development_apply(member=person, applied_on=dt.date(2024, 1, 10))
    return Member.objects.get(pk=person.pk)


@pytest.fixture
def full_members(branch, group_a):
    return MemberFactory.create_batch(3, branch=branch, party_group=group_a, status=S.FULL)


def dev_of(person) -> Development:
    return Development.objects.select_related("member__branch").get(member=person)


def test_add_months_clamps_to_month_end():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2026, 11, 15), 14) == dt.date(2028, 1, 15)


def test_applicant_must_be_adult(branch):
    young = MemberFactory(branch=branch, status=S.APPLICANT, birth_date=dt.date(2010, 6, 1), user=None)
    with pytest.raises(ValidationError) as err:
        svc.development_apply(member=young, applied_on=dt.date(2026, 5, 31))
    assert "applied_on" in err.value.message_dict
    assert not Development.objects.exists()


def test_talk_is_due_within_a_month_and_shows_overdue(applicant):
    step = next_step(dev_of(applicant), TODAY)
    assert step.key == "talk"
    assert step.latest == dt.date(2024, 2, 9)
    assert step.is_overdue(TODAY)


def test_full_path_from_applicant_to_full_member(applicant, full_members):
    a, b, c = full_members
    dev = dev_of(applicant)
    with pytest.raises(ValidationError) as err:
        svc.development_make_activist(development=dev, on=dt.date(2024, 2, 1), contacts=[a])
    assert err.value.code == "no_talk"
    svc.development_record_talk(development=dev, talked_on=dt.date(2024, 1, 20))
    with pytest.raises(ValidationError) as err:
        svc.development_make_activist(development=dev, on=dt.date(2024, 1, 15), contacts=[a])
    assert "activist_on" in err.value.message_dict  # before the talk: dates out of order
    with pytest.raises(ValidationError) as err:
        svc.development_make_activist(development=dev, on=dt.date(2024, 2, 1), contacts=[a, b, c])
    assert "contacts" in err.value.message_dict  # at most two contacts
    svc.development_make_activist(development=dev, on=dt.date(2024, 2, 1), contacts=[a, b])
    assert Member.objects.get(pk=applicant.pk).status == S.ACTIVIST

    dev = dev_of(applicant)
    with pytest.raises(ValidationError) as err:
        svc.development_make_candidate(development=dev, on=dt.date(2024, 12, 1))
    assert "candidate_on" in err.value.message_dict  # less than a year as activist
    svc.development_make_candidate(development=dev, on=dt.date(2025, 2, 1))

    dev = dev_of(applicant)
    with pytest.raises(ValidationError) as err:
        svc.development_admit(development=dev, admitted_on=dt.date(2025, 6, 1))
    assert err.value.code == "not_ready"  # no sponsors, review or training yet
    with pytest.raises(ValidationError) as err:
        svc.development_record_preparation(
            development=dev, sponsors=[a], political_review_on=None, training_days=3, training_hours=24
        )
    assert "sponsors" in err.value.message_dict  # exactly two sponsors
    svc.development_record_preparation(
        development=dev, sponsors=[a, c], political_review_on=dt.date(2025, 3, 1), training_days=3, training_hours=20
    )
    with pytest.raises(ValidationError, match="24"):
        svc.development_admit(development=dev_of(applicant), admitted_on=dt.date(2025, 6, 1))  # 20 < 24 hours
    svc.development_record_preparation(
        development=dev_of(applicant),
        sponsors=[a, c],
        political_review_on=dt.date(2025, 3, 1),
        training_days=3,
        training_hours=24,
    )
    svc.development_admit(development=dev_of(applicant), admitted_on=dt.date(2025, 6, 1))
    person = Member.objects.get(pk=applicant.pk)
    assert person.status == S.PROBATIONARY and person.joined_on == dt.date(2025, 6, 1)

    dev = dev_of(applicant)
    step = next_step(dev, TODAY)
    assert step.key == "probation" and step.earliest == dt.date(2026, 6, 1)
    with pytest.raises(ValidationError) as err:
        svc.development_end_probation(development=dev, outcome="full", decided_on=dt.date(2026, 5, 1))
    assert "decided_on" in err.value.message_dict  # before the end of probation
    svc.development_end_probation(development=dev, outcome="full", decided_on=dt.date(2026, 6, 5))
    assert Member.objects.get(pk=applicant.pk).status == S.FULL
    assert next_step(dev_of(applicant), TODAY) is None
    # Every step is in the history, with old and new values.
    assert Development.history.filter(member_id=applicant.pk).count() >= 7


def _probationary(branch, admitted_on):
    person = MemberFactory(branch=branch, status=S.PROBATIONARY, joined_on=admitted_on, user=None)
    return Development.objects.create(member=person, applied_on=dt.date(2022, 1, 1), admitted_on=admitted_on)


def test_probation_extends_once_within_limits(branch):
    dev = _probationary(branch, dt.date(2025, 1, 10))
    with pytest.raises(ValidationError) as err:
        svc.development_end_probation(
            development=dev, outcome="extended", decided_on=dt.date(2026, 1, 12), extension_months=3
        )
    assert "extension_months" in err.value.message_dict
    svc.development_end_probation(
        development=dev, outcome="extended", decided_on=dt.date(2026, 1, 12), extension_months=6
    )
    dev.refresh_from_db()
    assert next_step(dev, TODAY).earliest == dt.date(2026, 7, 10)
    with pytest.raises(ValidationError) as err:
        svc.development_end_probation(
            development=dev, outcome="extended", decided_on=dt.date(2026, 7, 12), extension_months=6
        )
    assert err.value.code == "extended_twice"


def test_cancelled_probation_archives_the_person(branch):
    dev = _probationary(branch, dt.date(2025, 1, 10))
    svc.development_end_probation(development=dev, outcome="cancelled", decided_on=dt.date(2026, 1, 12))
    person = Member.objects.get(pk=dev.member_id)
    assert person.is_archived and person.archive_reason == Member.ArchiveReason.DROPPED


def test_future_dates_refused(applicant):
    with pytest.raises(ValidationError) as err:
        svc.development_record_talk(development=dev_of(applicant), talked_on=dt.date(2999, 1, 1))
    assert "talked_on" in err.value.message_dict


def test_contact_reviews_only_by_contacts_and_due_each_quarter(applicant, full_members):
    a, b, c = full_members
    dev = dev_of(applicant)
    svc.development_record_talk(development=dev, talked_on=dt.date(2026, 1, 20))
    svc.development_make_activist(development=dev, on=dt.date(2026, 2, 1), contacts=[a])
    with pytest.raises(ValidationError) as err:
        svc.development_add_contact_review(
            development=dev, contact=c, reviewed_on=dt.date(2026, 11, 1), motive="端正", conduct="积极"
        )
    assert "contact" in err.value.message_dict
    rows = pipeline_rows(applicant.branch, TODAY)
    due = due_this_month(rows, TODAY)
    keys = {step.key for _, step in due}
    assert f"contact_review:{a.pk}" not in keys  # due at the quarter's end (31 Dec), not this month
    assert any(step.key == "branch_review" for row in rows for step in row.reviews)
    svc.development_add_contact_review(
        development=dev, contact=a, reviewed_on=dt.date(2026, 11, 1), motive="端正", conduct="积极"
    )
    with pytest.raises(ValidationError):
        svc.development_add_contact_review(
            development=dev, contact=a, reviewed_on=dt.date(2026, 11, 2), motive="端正", conduct="积极"
        )  # one per quarter
    rows = pipeline_rows(applicant.branch, TODAY)
    assert not [s for r in rows for s in r.reviews if s.key.startswith("contact_review")]


def test_pipeline_page_lists_due_items_for_the_committee(client, secretary, committee_member, applicant):
    client.force_login(committee_member.user)
    response = client.get(reverse("members:pipeline"))
    assert response.status_code == 200
    due = response.context["due"]
    assert [(row.member.pk, step.key) for row, step in due] == [(applicant.pk, "talk")]


def test_pipeline_query_count_is_constant(client, secretary, branch, full_members, django_assert_max_num_queries):
    client.force_login(secretary.user)
    url = reverse("members:pipeline")

    def add_activist(i):
        person = MemberFactory(branch=branch, status=S.APPLICANT, user=None)
        dev = svc.development_apply(member=person, applied_on=dt.date(2024, 1, 1))
        svc.development_record_talk(development=dev, talked_on=dt.date(2024, 1, 5))
        svc.development_make_activist(development=dev_of(person), on=dt.date(2024, 2, 1), contacts=full_members[:2])

    add_activist(0)
    client.get(url)
    with django_assert_max_num_queries(20) as small:
        client.get(url)
    for i in range(8):
        add_activist(i)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


@pytest.mark.parametrize(("persona", "status"), [("member", 403), ("group_leader", 403), ("outsider", 404)])
def test_pipeline_steps_forbidden(client, personas, applicant, persona, status):
    client.force_login(personas[persona])
    url = reverse("members:development_step", args=[applicant.pk, "talk"])
    response = client.post(url, {"talk-talked_on": "2024-01-20"})
    assert response.status_code == status
    assert dev_of(applicant).talked_on is None


def test_secretary_records_a_step_through_the_page(client, secretary, applicant):
    client.force_login(secretary.user)
    page = client.get(reverse("members:development", args=[applicant.pk]))
    assert page.status_code == 200
    assert [key for key, _label, _form in page.context["forms"]] == ["talk"]
    response = client.post(
        reverse("members:development_step", args=[applicant.pk, "talk"]), {"talk-talked_on": "2024-01-20"}
    )
    assert response.status_code == 302
    assert dev_of(applicant).talked_on == dt.date(2024, 1, 20)
    # A step that does not fit the stage is not offered, and posting it anyway finds nothing.
    response = client.post(
        reverse("members:development_step", args=[applicant.pk, "admit"]), {"admit-admitted_on": "2024-02-01"}
    )
    assert response.status_code == 404
