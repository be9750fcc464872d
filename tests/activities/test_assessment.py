"""The quarterly assessment: what each rule scores, grades and the cap on 优秀, adjustments with their
reasons, the lock, the record book, and the pages' permissions."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.assessment.rules import RULES, Context
from activities.assessment.scores import UNGROUPED, assess, excellent_allowed
from activities.models import (
    Activity,
    AssessmentItem,
    Grade,
    Honor,
    ItemScore,
    MeetingAttendance,
    MemberScore,
    Reading,
    ScoreAdjustment,
)
from activities.services import assessment as services
from branch.quarters import Quarter
from members.access import actor_for
from members.models import CommitteeRole, Member
from members.recordbook import Period, record_book
from tests.activities.factories_appeals import AppealFactory, CareVisitFactory
from tests.activities.factories_duties import GuidanceVisitFactory
from tests.activities.factories_meetings import MeetingAttendanceFactory, MeetingFactory
from tests.activities.factories_recognition import InnovationFactory, PatentFactory, PublicityFactory
from tests.activities.factories_redflag import AssetFactory, AssignmentFactory, daily_readings
from tests.activities.factories_service import ActivityAttendanceFactory, ActivityFactory, at
from tests.factories import CommitteeRoleFactory, HonorFactory, MemberFactory, StudyRecordFactory

Q3 = Quarter(2026, 3)
AFTER = dt.date(2026, 10, 20)  # Q3 is over
Rule = AssessmentItem.Rule


def row(branch, member, today=AFTER, quarter=Q3):
    return assess(branch, quarter, today=today).member(member.pk)


def points(result_row, rule):
    return next(r.points for r in result_row.items if r.item.rule == rule)


def meeting(branch, day=dt.date(2026, 8, 5), **kwargs):
    return MeetingFactory(branch=branch, held_on=day, **kwargs)


# ---- rules -------------------------------------------------------------------------------------


def test_org_life_counts_present_against_called_excusing_leave(branch, member):
    for presence in ("present", "present", "absent", "excused"):
        MeetingAttendanceFactory(meeting=meeting(branch), member=member, presence=presence)
    MeetingAttendanceFactory(meeting=meeting(branch, dt.date(2026, 6, 30)), member=member, presence="absent")
    r = row(branch, member)
    assert points(r, Rule.ORG_LIFE) == Decimal("16.7")  # 25 × 2/3; June is Q2, excused not held against
    assert "2" in next(i.measure for i in r.items if i.item.rule == Rule.ORG_LIFE)


def test_activities_and_dedication_days_against_those_held(branch, member, other_member):
    days = [ActivityFactory(branch=branch, starts_at=at(dt.date(2026, m, 10), 9)) for m in (7, 8, 9)]
    ActivityFactory(branch=branch, starts_at=at(dt.date(2026, 9, 20), 9), state=Activity.State.CANCELLED)
    theme = ActivityFactory(branch=branch, kind=Activity.Kind.THEME_ACTIVITY, starts_at=at(dt.date(2026, 7, 1), 9))
    for day in days[:2]:
        ActivityAttendanceFactory(activity=day, member=member)
    ActivityAttendanceFactory(activity=days[2], member=member, present=False)
    ActivityAttendanceFactory(activity=theme, member=other_member)
    r = row(branch, member)
    assert points(r, Rule.DEDICATION) == Decimal("10.0")  # 15 × 2/3
    assert points(r, Rule.ACTIVITIES) == Decimal("0.0")  # one theme activity held, not attended
    assert points(row(branch, other_member), Rule.ACTIVITIES) == Decimal("10.0")
    assert points(row(branch, other_member), Rule.DEDICATION) == Decimal("0.0")


def test_study_hours_only_confirmed_in_quarter(branch, member):
    StudyRecordFactory(member=member, studied_on=dt.date(2026, 7, 3), hours=3, status="confirmed")
    StudyRecordFactory(member=member, studied_on=dt.date(2026, 9, 3), hours=2, status="submitted")
    StudyRecordFactory(member=member, studied_on=dt.date(2026, 10, 3), hours=5, status="confirmed")
    assert points(row(branch, member), Rule.STUDY_HOURS) == Decimal("7.5")  # 20 × 3/8


def test_red_flag_attainment_over_quarter_readings(branch, member):
    asset = AssetFactory(branch=branch)
    AssignmentFactory(asset=asset, member=member, targets={"oil_output": "5.00"})
    Reading.objects.bulk_create(
        daily_readings(asset, "oil_output", dt.date(2026, 7, 1), dt.date(2026, 9, 30), "4.50")
        + daily_readings(asset, "oil_output", dt.date(2026, 10, 1), dt.date(2026, 10, 10), "9.00")
    )
    r = row(branch, member)
    assert points(r, Rule.RED_FLAG) == Decimal("13.5")  # 15 × 90 %
    evidence = list(RULES[Rule.RED_FLAG].evidence(_ctx(branch), member.pk))
    assert [e.what for e in evidence] == [asset.code] and evidence[0].value == Decimal("90.0")


def _ctx(branch):
    return Context(branch=branch, quarter=Q3, period=None, today=AFTER)


def test_appeals_answered_by_deadline(branch, member):
    AppealFactory(branch=branch, handler=member, received_on=dt.date(2026, 7, 1), answered_on=dt.date(2026, 7, 5))
    AppealFactory(branch=branch, handler=member, received_on=dt.date(2026, 8, 1), answered_on=dt.date(2026, 9, 1))
    assert points(row(branch, member), Rule.APPEALS) == Decimal("5.0")


def test_guidance_visits_months_for_committee_only(branch, committee_member, member, team):
    for day in (dt.date(2026, 7, 3), dt.date(2026, 7, 20), dt.date(2026, 9, 1)):
        GuidanceVisitFactory(member=committee_member, work_team=team, visited_on=day)
    assert points(row(branch, committee_member), Rule.GUIDANCE) == Decimal("3.3")  # 2 of 3 months
    assert points(row(branch, member), Rule.GUIDANCE) == Decimal("5.0")  # no seat: nothing expected
    # A seat taken in September: one month expected, visited.
    late = MemberFactory(branch=branch)
    CommitteeRoleFactory(member=late, role=CommitteeRole.Role.DISCIPLINE, started_on=dt.date(2026, 9, 1))
    GuidanceVisitFactory(member=late, work_team=team, visited_on=dt.date(2026, 9, 15))
    assert points(row(branch, late), Rule.GUIDANCE) == Decimal("5.0")


def test_bonuses_count_and_cap(branch, member, other_member):
    HonorFactory(branch=branch, member=member, level=Honor.Level.PLANT, awarded_on=dt.date(2026, 8, 1))
    HonorFactory(branch=branch, member=member, level=Honor.Level.GROUP_COMPANY, awarded_on=dt.date(2026, 8, 2))
    innovation = InnovationFactory(lead=member, members=[other_member])
    for number in ("ZL1", "ZL2", "ZL3"):
        PatentFactory(innovation=innovation, number=number, granted_on=dt.date(2026, 7, 15))
    for n in range(3):
        PublicityFactory(branch=branch, member=member, shared_on=dt.date(2026, 9, 1 + n))
    CareVisitFactory(occasion__branch=branch, visitors=[member], visited_on=dt.date(2026, 7, 9))
    r = row(branch, member)
    assert points(r, Rule.HONOURS) == Decimal("5.0")  # 2 + 4 units, capped at 5
    assert points(r, Rule.PATENTS) == Decimal("4.0")  # 3 × 2, capped at 4
    assert points(row(branch, other_member), Rule.PATENTS) == Decimal("4.0")  # every project member
    assert points(r, Rule.PUBLICITY) == Decimal("2.0")  # capped
    assert points(r, Rule.CARE_VISITS) == Decimal("1.0")


def test_nothing_expected_gives_full_base_marks_and_grade(branch, member):
    r = row(branch, member)
    assert r.total == Decimal("80.0")  # every base item but study hours (20) is not applicable
    assert r.grade == Grade.QUALIFIED


# ---- who is scored, grades, the cap ---------------------------------------------------------------


def test_who_is_scored_and_grouping(branch, member):
    ungrouped = MemberFactory(branch=branch, party_group=None)
    probationary = MemberFactory(branch=branch, status=Member.Status.PROBATIONARY)
    MemberFactory(branch=branch, status=Member.Status.ACTIVIST)
    MemberFactory(branch=branch, archived_on=dt.date(2026, 9, 1), archive_reason="transferred_out")
    stayed = MemberFactory(branch=branch, archived_on=dt.date(2026, 10, 5), archive_reason="transferred_out")
    result = assess(branch, Q3, today=AFTER)
    ids = {m.member_id for m in result.members}
    assert ids == {member.pk, ungrouped.pk, probationary.pk, stayed.pk}
    assert result.member(ungrouped.pk).group_name == UNGROUPED
    assert result.member(probationary.pk).grade == ""  # scored, not graded
    assert result.member(probationary.pk).total == Decimal("80.0")
    assert result.graded == 3


@pytest.mark.parametrize(
    ("graded", "share", "allowed"),
    [(57, "33.33", 19), (5, "33.33", 1), (3, "33.33", 1), (300, "33.33", 100), (10, "100", 10), (10, "0", 0)],
)
def test_excellent_allowed(graded, share, allowed):
    assert excellent_allowed(graded, Decimal(share)) == allowed


def test_assess_costs_the_same_queries_for_more_members(branch, group_a):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assess(branch, Q3, today=AFTER)
        return len(ctx.captured_queries)

    def add(n):
        for _ in range(n):
            m = MemberFactory(branch=branch, party_group=group_a)
            StudyRecordFactory(member=m, studied_on=dt.date(2026, 7, 3), status="confirmed")
            MeetingAttendanceFactory(meeting=meeting(branch), member=m)

    services.ensure_scheme(branch)  # the first read creates the default scheme
    add(3)
    few = count()
    add(25)
    assert count() == few
    assert few <= 20


# ---- adjustments, deductions, lock -----------------------------------------------------------------


@pytest.fixture
def secretary_actor(secretary):
    return actor_for(secretary.user)


def item(branch, rule):
    return services.ensure_scheme(branch).items.get(rule=rule)


def test_adjustment_needs_reason_range_and_secretary(branch, secretary_actor, committee_member, member):
    study = item(branch, Rule.STUDY_HOURS)
    common = {"branch": branch, "quarter": Q3, "member": member, "item": study, "today": AFTER}
    with pytest.raises(ValidationError) as error:
        services.adjust_score(actor=secretary_actor, points=Decimal(10), reason=" ", **common)
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.adjust_score(actor=secretary_actor, points=Decimal(21), reason="补录", **common)
    assert "points" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.adjust_score(actor=actor_for(committee_member.user), points=Decimal(10), reason="x", **common)
    services.adjust_score(actor=secretary_actor, points=Decimal(12), reason="外出学习证明已补交", **common)
    services.adjust_score(actor=secretary_actor, points=Decimal(14), reason="再次核实学时", **common)
    r = row(branch, member)
    result = next(i for i in r.items if i.item.rule == Rule.STUDY_HOURS)
    assert (result.computed, result.points, result.reason) == (Decimal("0.0"), Decimal("14"), "再次核实学时")
    adjustment = ScoreAdjustment.objects.get()
    assert [h.reason for h in adjustment.history.order_by("history_date")] == ["外出学习证明已补交", "再次核实学时"]


def test_deduction_item_is_not_adjusted_and_deductions_are_capped(branch, secretary_actor, member):
    with pytest.raises(ValidationError):
        services.adjust_score(
            actor=secretary_actor,
            branch=branch,
            quarter=Q3,
            member=member,
            item=item(branch, Rule.DEDUCTIONS),
            points=Decimal(1),
            reason="x",
            today=AFTER,
        )
    for reason in ("未按时交纳党费", "无故缺席支部党员大会"):
        services.add_deduction(
            actor=secretary_actor,
            branch=branch,
            quarter=Q3,
            member=member,
            points=Decimal(12),
            reason=reason,
            happened_on=dt.date(2026, 8, 1),
            today=AFTER,
        )
    assert points(row(branch, member), Rule.DEDUCTIONS) == Decimal("-20.0")
    with pytest.raises(ValidationError):
        services.add_deduction(
            actor=secretary_actor,
            branch=branch,
            quarter=Q3,
            member=member,
            points=Decimal(1),
            reason="日期不在本季度",
            happened_on=dt.date(2026, 10, 1),
            today=AFTER,
        )


def test_future_and_running_quarters(branch, secretary_actor, member):
    with pytest.raises(ValidationError):
        services.adjust_score(
            actor=secretary_actor,
            branch=branch,
            quarter=Quarter(2027, 1),
            member=member,
            item=item(branch, Rule.STUDY_HOURS),
            points=Decimal(1),
            reason="x",
            today=AFTER,
        )
    with pytest.raises(ValidationError) as error:
        services.lock_quarter(actor=secretary_actor, branch=branch, quarter=Quarter(2026, 4), today=AFTER)
    assert error.value.code == "running"


def _make_excellent(branch, members):
    for m in members:
        StudyRecordFactory(member=m, studied_on=dt.date(2026, 7, 3), hours=8, status="confirmed")


def test_lock_refused_over_the_excellent_cap_then_allowed(branch, secretary_actor, member, other_member, group_leader):
    everyone = list(Member.objects.filter(branch=branch))
    _make_excellent(branch, everyone)  # everyone 100 points: 优秀
    with pytest.raises(ValidationError) as error:
        services.lock_quarter(actor=secretary_actor, branch=branch, quarter=Q3, today=AFTER)
    assert error.value.code == "excellent_cap"
    assert MemberScore.objects.count() == 0
    scheme = services.ensure_scheme(branch)
    scheme.excellent_share_percent = Decimal(100)
    scheme.save()
    period = services.lock_quarter(actor=secretary_actor, branch=branch, quarter=Q3, today=AFTER)
    assert period.is_locked
    assert MemberScore.objects.filter(period=period).count() == len(everyone)
    assert ItemScore.objects.filter(member_score__period=period).count() == len(everyone) * 12
    with pytest.raises(ValidationError):
        services.lock_quarter(actor=secretary_actor, branch=branch, quarter=Q3, today=AFTER)


def test_locked_scores_do_not_follow_the_records(branch, secretary_actor, member):
    StudyRecordFactory(member=member, studied_on=dt.date(2026, 7, 3), hours=4, status="confirmed")
    services.adjust_score(
        actor=secretary_actor,
        branch=branch,
        quarter=Q3,
        member=member,
        item=item(branch, Rule.ORG_LIFE),
        points=Decimal(20),
        reason="迟到两次",
        today=AFTER,
    )
    services.lock_quarter(actor=secretary_actor, branch=branch, quarter=Q3, today=AFTER)
    before = row(branch, member)
    assert before.total == Decimal("85.0")  # org life 20 (adjusted) + study 10 (4 of 8 h) + 55 not applicable
    StudyRecordFactory(member=member, studied_on=dt.date(2026, 8, 3), hours=4, status="confirmed")
    MeetingAttendanceFactory(meeting=meeting(branch), member=member, presence="absent")
    after = row(branch, member)
    assert after.total == before.total
    assert points(after, Rule.STUDY_HOURS) == Decimal("10.0")
    org = next(i for i in after.items if i.item.rule == Rule.ORG_LIFE)
    assert (org.points, org.reason) == (Decimal("20.0"), "迟到两次")
    with pytest.raises(ValidationError) as error:
        services.adjust_score(
            actor=secretary_actor,
            branch=branch,
            quarter=Q3,
            member=member,
            item=item(branch, Rule.ORG_LIFE),
            points=Decimal(25),
            reason="x",
            today=AFTER,
        )
    assert error.value.code == "locked"
    # The record book shows the locked figures.
    book = record_book(member, Period(2026, 3), only="assessment")
    (entry,) = book.sections[0].entries
    assert "85.0" in entry.title and "学习学时 10.0" in entry.detail
    assert entry.url == reverse("activities:assessment_member", args=["2026Q3", member.pk])


def test_open_quarters_stay_out_of_the_record_book(branch, member):
    book = record_book(member, Period(2026, 3), only="assessment")
    assert book.sections[0].entries == []


# ---- pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("member", 403),
        ("group_leader", 403),
        ("committee", 200),
        ("secretary", 200),
        ("admin", 200),
    ],
)
def test_review_page_access(client, personas, persona, status):
    if personas[persona]:
        client.force_login(personas[persona])
    response = client.get(reverse("activities:assessment_review", args=["2026Q3"]))
    assert response.status_code == status


def test_review_page_lists_members_with_constant_queries(client, branch, secretary, member, other_member):
    client.force_login(secretary.user)
    url = reverse("activities:assessment_review", args=["2026Q3"])
    client.get(url)  # the first read creates the default scheme

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        return response, len(ctx.captured_queries)

    response, few = count()
    html = response.content.decode()
    assert response.context["result"].member(member.pk) is not None
    assert f'data-member="{other_member.pk}"' in html
    assert 'data-testid="lock"' in html
    for _ in range(20):
        m = MemberFactory(branch=branch)
        StudyRecordFactory(member=m, studied_on=dt.date(2026, 7, 3), status="confirmed")
        MeetingAttendanceFactory(meeting=meeting(branch), member=m)
    response, many = count()
    assert len(response.context["result"].members) == 23
    assert many == few


def test_future_quarter_is_refused(client, secretary):
    client.force_login(secretary.user)
    response = client.get(reverse("activities:assessment_review", args=["2099Q1"]), follow=True)
    assert "2099" in response.content.decode() and response.redirect_chain


@pytest.mark.parametrize(
    ("persona", "status"),
    [("member", 200), ("other_member", 404), ("group_leader", 200), ("secretary", 200), ("outsider", 404)],
)
def test_member_page_scope(client, member, other_member, group_leader, secretary, outsider, persona, status):
    people = {
        "member": member,
        "other_member": other_member,
        "group_leader": group_leader,
        "secretary": secretary,
        "outsider": outsider,
    }
    client.force_login(people[persona].user)
    response = client.get(reverse("activities:assessment_member", args=["2026Q3", member.pk]))
    assert response.status_code == status


def test_member_page_shows_evidence_links(client, branch, member):
    m = meeting(branch, topic="学习二十大精神")
    MeetingAttendanceFactory(meeting=m, member=member, presence=MeetingAttendance.Presence.PRESENT)
    client.force_login(member.user)
    html = client.get(reverse("activities:assessment_member", args=["2026Q3", member.pk])).content.decode()
    assert reverse("activities:meeting_detail", args=[m.pk]) in html
    assert "学习二十大精神" in html
    assert 'data-testid="adjust-form"' not in html  # a member reads only


def test_secretary_adjusts_deducts_and_locks_through_the_pages(client, branch, secretary, member, committee_member):
    study = item(branch, Rule.STUDY_HOURS)
    url = reverse("activities:assessment_adjust", args=["2026Q3", member.pk])
    client.force_login(committee_member.user)
    assert client.post(url, {"adjust-item": study.pk, "adjust-points": "8", "adjust-reason": "x"}).status_code == 403
    client.force_login(secretary.user)
    response = client.post(url, {"adjust-item": study.pk, "adjust-points": "8", "adjust-reason": ""}, follow=True)
    assert not ScoreAdjustment.objects.exists()
    assert response.status_code == 200
    client.post(url, {"adjust-item": study.pk, "adjust-points": "8", "adjust-reason": "学时证明已补交"})
    assert ScoreAdjustment.objects.get().points == Decimal(8)
    deduct = reverse("activities:assessment_deduct", args=["2026Q3", member.pk])
    client.post(deduct, {"deduct-points": "2", "deduct-reason": "迟交党费", "deduct-happened_on": "2026-09-10"})
    assert row(branch, member).total == Decimal("86.0")  # 80 + 8 - 2
    response = client.post(reverse("activities:assessment_lock", args=["2026Q3"]), follow=True)
    assert response.context["result"].locked


def test_scheme_page(client, branch, secretary, committee_member):
    client.force_login(committee_member.user)
    url = reverse("activities:assessment_scheme")
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 403
    client.force_login(secretary.user)
    response = client.get(url)
    formset = response.context["formset"]
    data = {
        "excellent_from": "90",
        "qualified_from": "75",
        "basic_from": "60",
        "excellent_share_percent": "25",
        "items-TOTAL_FORMS": len(formset.forms),
        "items-INITIAL_FORMS": len(formset.forms),
    }
    for index, form in enumerate(formset.forms):
        data[f"items-{index}-id"] = form.instance.pk
        for field in ("name", "points", "target", "cap", "position"):
            value = getattr(form.instance, field)
            data[f"items-{index}-{field}"] = "" if value is None else value
        if form.instance.active:
            data[f"items-{index}-active"] = "on"
    data["items-2-target"] = "12"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["formset"].errors if response.context else ""
    scheme = services.ensure_scheme(branch)
    assert scheme.excellent_share_percent == Decimal(25)
    assert scheme.items.get(rule=Rule.STUDY_HOURS).target == Decimal(12)
    data["qualified_from"] = "95"
    response = client.post(url, data)
    assert response.status_code == 200 and response.context["form"].errors


# ---- admin -------------------------------------------------------------------------------------


def test_locked_scores_are_read_only_in_the_admin(client, admin_user, branch, secretary_actor, member):
    services.lock_quarter(actor=secretary_actor, branch=branch, quarter=Q3, today=AFTER)
    score = MemberScore.objects.get(member=member)
    client.force_login(admin_user)
    assert client.get(reverse("admin:activities_memberscore_change", args=[score.pk])).status_code == 200
    response = client.post(reverse("admin:activities_memberscore_change", args=[score.pk]), {"total": "100"})
    assert response.status_code == 403
    score.refresh_from_db()
    assert score.total != Decimal(100)
    assert client.get(reverse("admin:activities_assessmentscheme_changelist")).status_code == 200
    assert client.get(reverse("admin:branch_exportjob_changelist")).status_code == 200
    assert client.get(reverse("admin:branch_exportjob_add")).status_code == 403
