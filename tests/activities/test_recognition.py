"""Recognition's rules (activities/services/recognition.py), its record-book sections and the demo."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext

from activities.demo import build_honors, build_recognition
from activities.models import BranchRule, Innovation, ModelSelection, Nomination, Patent, Publicity
from activities.sections.recognition import innovation_entries, model_member_entries
from activities.services import recognition as service
from members.access import actor_for
from members.models import Member
from members.recordbook import Period, record_book
from tests.factories import BranchFactory, MemberFactory

from .factories_recognition import AwardFactory, InnovationFactory, NominationFactory, PatentFactory, SelectionFactory

TODAY = dt.date(2026, 5, 20)


def actor(member_or_user):
    return actor_for(getattr(member_or_user, "user", member_or_user))


def project_fields(**overrides):
    fields = {
        "kind": Innovation.Kind.SMALL_IMPROVEMENT,
        "title": "清蜡工具",
        "problem": "结蜡",
        "solution": "",
        "result": "",
        "status": Innovation.Status.PROPOSED,
        "started_on": dt.date(2026, 1, 5),
    }
    return {**fields, **overrides}


# ---- innovations --------------------------------------------------------------------------------------


def test_project_members_must_belong_to_the_branch(secretary, member):
    stranger = MemberFactory()
    with pytest.raises(ValidationError) as excinfo:
        service.innovation_create(
            actor=actor(secretary), branch=secretary.branch, lead=member, members=[stranger], **project_fields()
        )
    assert "members" in excinfo.value.error_dict
    assert not Innovation.objects.exists()


def test_members_cannot_record_projects(member):
    with pytest.raises(PermissionDenied):
        service.innovation_create(
            actor=actor(member), branch=member.branch, lead=member, members=[], **project_fields()
        )


def test_committee_cannot_record_for_another_branch(committee_member, outsider):
    with pytest.raises(PermissionDenied):
        service.innovation_create(
            actor=actor(committee_member), branch=outsider.branch, lead=outsider, members=[], **project_fields()
        )


def test_awards_and_patents_are_not_in_the_future(secretary, member):
    innovation = InnovationFactory(lead=member)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError):
        service.award_add(actor=actor(secretary), innovation=innovation, name="奖", level="厂", awarded_on=tomorrow)
    with pytest.raises(ValidationError):
        service.patent_add(
            actor=actor(secretary), innovation=innovation, number="ZL1", kind="invention", granted_on=tomorrow
        )


def test_patent_numbers_are_unique(secretary, member):
    PatentFactory(number="ZL201520687123.4", innovation=InnovationFactory(lead=member))
    with pytest.raises(ValidationError) as excinfo:
        service.patent_add(
            actor=actor(secretary),
            innovation=InnovationFactory(lead=member),
            number="zl201520687123.4",
            kind=Patent.Kind.INVENTION,
            granted_on=dt.date(2025, 1, 1),
        )
    assert "number" in excinfo.value.error_dict


# ---- selections ---------------------------------------------------------------------------------------


def test_nobody_nominates_themself_or_twice(branch, member, other_member):
    selection = SelectionFactory(branch=branch)
    with pytest.raises(ValidationError):
        service.nominate(actor=actor(member), selection=selection, member=member, reason="我")
    service.nominate(actor=actor(member), selection=selection, member=other_member, reason="带头创新")
    with pytest.raises(ValidationError):
        service.nominate(actor=actor(member), selection=selection, member=other_member, reason="又一次")
    assert Nomination.objects.count() == 1


def test_nominations_close_when_decided(branch, member, other_member):
    selection = SelectionFactory(branch=branch, state=ModelSelection.State.DECIDED)
    with pytest.raises(ValidationError):
        service.nominate(actor=actor(member), selection=selection, member=other_member, reason="带头")


def test_only_party_members_of_the_branch_can_be_nominated(branch, member):
    selection = SelectionFactory(branch=branch)
    applicant = MemberFactory(branch=branch, status=Member.Status.APPLICANT)
    with pytest.raises(ValidationError):
        service.nominate(actor=actor(member), selection=selection, member=applicant, reason="带头")
    with pytest.raises(ValidationError):
        service.nominate(actor=actor(member), selection=selection, member=MemberFactory(), reason="带头")


def test_selection_moves_forward_only(branch, secretary, member):
    selection = SelectionFactory(branch=branch)
    nomination = NominationFactory(selection=selection)
    with pytest.raises(ValidationError):
        service.selection_publish(actor=actor(secretary), selection=selection)
    with pytest.raises(PermissionDenied):
        service.selection_decide(actor=actor(member), selection=selection, selected=[nomination.pk])
    other = NominationFactory()  # of another selection
    with pytest.raises(ValidationError):
        service.selection_decide(actor=actor(secretary), selection=selection, selected=[other.pk])
    service.selection_decide(actor=actor(secretary), selection=selection, selected=[nomination.pk])
    with pytest.raises(ValidationError):
        service.selection_decide(actor=actor(secretary), selection=selection, selected=[nomination.pk])
    service.selection_publish(actor=actor(secretary), selection=selection)
    selection.refresh_from_db()
    assert selection.state == ModelSelection.State.PUBLISHED


def test_only_the_secretary_edits_rules(branch, secretary, committee_member):
    with pytest.raises(PermissionDenied):
        service.rule_save(actor=actor(committee_member), branch=branch, title="制度", body="内容", position=1)
    rule = service.rule_save(actor=actor(secretary), branch=branch, title="制度", body="内容", position=1)
    with pytest.raises(PermissionDenied):
        service.rule_delete(actor=actor(committee_member), rule=rule)
    with pytest.raises(PermissionDenied):
        service.wall_set_public(actor=actor(committee_member), branch=branch, public=True)


def test_publicity_points_only_inside_the_branch(branch, secretary):
    with pytest.raises(ValidationError):
        service.publicity_add(
            actor=actor(secretary),
            branch=branch,
            member=MemberFactory(),
            level=Publicity.Level.EXCHANGE,
            title="经验交流",
            shared_on=dt.date(2025, 1, 1),
        )


# ---- record book --------------------------------------------------------------------------------------


def test_record_book_lists_projects_awards_and_patents(member, other_member, django_assert_num_queries):
    project = InnovationFactory(lead=other_member, members=[member], started_on=dt.date(2025, 3, 1))
    AwardFactory(innovation=project, awarded_on=dt.date(2025, 12, 10))
    PatentFactory(innovation=project, number="ZL2025X", granted_on=dt.date(2026, 2, 1))
    InnovationFactory(lead=other_member)  # not theirs
    with django_assert_num_queries(3):
        entries = innovation_entries(member, Period())
    assert sorted(e.date for e in entries) == [dt.date(2025, 3, 1), dt.date(2025, 12, 10), dt.date(2026, 2, 1)]
    first_quarter = innovation_entries(member, Period(2026, 1))
    assert [(e.date, e.status) for e in first_quarter] == [(dt.date(2026, 2, 1), gettext("patent"))]
    assert "ZL2025X" in first_quarter[0].title
    assert innovation_entries(member, Period(2024)) == []


def test_record_book_lists_only_published_selections(branch, member, other_member, secretary):
    published = SelectionFactory(branch=branch, state=ModelSelection.State.PUBLISHED, published_on=dt.date(2026, 4, 3))
    NominationFactory(selection=published, member=member, nominated_by=secretary, selected=True)
    decided = SelectionFactory(branch=branch, state=ModelSelection.State.DECIDED)
    NominationFactory(selection=decided, member=member, nominated_by=secretary, selected=True)
    not_chosen = SelectionFactory(branch=branch, state=ModelSelection.State.PUBLISHED, published_on=dt.date(2026, 1, 3))
    NominationFactory(selection=not_chosen, member=member, nominated_by=secretary, selected=False)
    entries = model_member_entries(member, Period())
    assert [e.title for e in entries] == [published.title]
    assert model_member_entries(member, Period(2026, 1)) == []
    keys = [s.section.key for s in record_book(member).sections]
    assert "innovations" in keys and "model_members" in keys


# ---- the demo -----------------------------------------------------------------------------------------


@pytest.fixture
def demo(db):
    from branch.demo import build_demo_branch

    branch = build_demo_branch(password="demo-only", today=TODAY).branch
    members = list(Member.objects.filter(branch=branch).order_by("employee_number"))
    return branch, members


def test_demo_recognition_is_idempotent_and_deterministic(demo):
    branch, members = demo
    # seed_demo (the fixture) built it already; running it again adds nothing.
    assert Innovation.objects.filter(branch=branch).exists()
    assert build_honors(branch=branch, members=members) == 0
    assert build_recognition(branch=branch, members=members, today=TODAY) == 0
    zhou = members[9]
    assert zhou.name == "周传辉"
    assert Patent.objects.filter(innovation__lead=zhou).count() >= 2
    assert 4 <= BranchRule.objects.filter(branch=branch).count() <= 6
    assert set(Publicity.objects.filter(branch=branch).values_list("level", flat=True)) == set(Publicity.Level.values)

    book = record_book(zhou)
    by_key = {view.section.key: view.entries for view in book.sections}
    assert any("ZL" in e.title for e in by_key["innovations"])
    assert len(by_key["model_members"]) == 1

    # The published selection is this quarter's (the wall shows it); another one takes nominations.
    published = ModelSelection.objects.get(branch=branch, state=ModelSelection.State.PUBLISHED)
    assert published.published_on <= TODAY and published.published_on >= dt.date(2026, 4, 1)
    assert published.title == "2026年第一季度五带头标兵"
    assert ModelSelection.objects.filter(branch=branch, state=ModelSelection.State.NOMINATING).exists()
    assert not Nomination.objects.filter(member=models.F("nominated_by")).exists()

    snapshot = sorted(Innovation.objects.filter(branch=branch).values_list("title", "started_on", "lead_id"))
    Nomination.objects.all().delete()
    ModelSelection.objects.all().delete()
    Publicity.objects.all().delete()
    BranchRule.objects.all().delete()
    Patent.objects.all().delete()
    Innovation.history.all().delete()
    Innovation.objects.all().delete()
    assert build_recognition(branch=branch, members=members, today=TODAY) > 0
    assert snapshot == sorted(Innovation.objects.filter(branch=branch).values_list("title", "started_on", "lead_id"))


def test_demo_recognition_in_another_branch_starts_from_nothing(db):
    branch = BranchFactory()
    members = [MemberFactory(branch=branch) for _ in range(41)]
    assert build_recognition(branch=branch, members=members, today=TODAY) > 0
