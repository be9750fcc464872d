"""五一定 care visits: reporting occasions, recording visits, the overdue flag and reminders, who sees
the private details, and the demo."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from activities.demo_appeals import build_appeals_and_care
from activities.models import CareOccasion, CareVisit
from activities.reminders import send_reminders
from activities.selectors.care import occasion_list, reminders
from activities.services.care import occasion_report, visit_add
from branch.models import Notification
from members.access import actor_for
from members.models import Employee
from tests.factories import MemberFactory, WorkTeamFactory

from .factories_appeals import CareOccasionFactory, CareVisitFactory, EmployeeFactory

Kind = CareOccasion.Kind
TODAY = timezone.localdate()
ILLNESS = "腰椎间盘突出住院手术"


def actor(member_or_user):
    return actor_for(getattr(member_or_user, "user", member_or_user))


def errors_of(excinfo) -> dict:
    return {field: [e.message % (e.params or {}) for e in errs] for field, errs in excinfo.value.error_dict.items()}


@pytest.fixture
def employee(branch, team):
    return EmployeeFactory(branch=branch, work_team=team, name="李娟")


@pytest.fixture
def hospitalised(branch, employee):
    return CareOccasionFactory(
        branch=branch,
        employee=employee,
        kind=Kind.HOSPITALISED,
        occurred_on=TODAY - dt.timedelta(days=5),
        reported_on=TODAY - dt.timedelta(days=4),
        details=ILLNESS,
    )


# ---- reporting and visiting ---------------------------------------------------------------------


def test_committee_member_reports_an_occasion(committee_member, employee, branch):
    occasion = occasion_report(
        actor=actor(committee_member),
        branch=branch,
        employee=employee,
        kind=Kind.CHILDBIRTH,
        occurred_on=TODAY - dt.timedelta(days=1),
    )
    occasion.refresh_from_db()
    assert (occasion.kind, occasion.reported_on, occasion.reported_by) == (Kind.CHILDBIRTH, TODAY, committee_member)


def test_bad_occasions_are_refused(secretary, employee, branch, outsider):
    cases = [
        ({"occurred_on": TODAY + dt.timedelta(days=1)}, {"occurred_on": ["This date is in the future."]}),
        (
            {"occurred_on": TODAY - dt.timedelta(days=3), "reported_on": TODAY - dt.timedelta(days=4)},
            {"reported_on": ["An occasion cannot be reported before it happened."]},
        ),
        ({"occurred_on": TODAY, "employee": EmployeeFactory()}, {"employee": ["This employee is not in the branch."]}),
    ]
    for fields, expected in cases:
        fields = {"employee": employee, "kind": Kind.MARRIAGE, **fields}
        with pytest.raises(ValidationError) as excinfo:
            occasion_report(actor=actor(secretary), branch=branch, **fields)
        assert errors_of(excinfo) == {k: [gettext(m) for m in v] for k, v in expected.items()}
    assert not CareOccasion.objects.exists()


def test_a_visit_records_date_visitors_what_was_brought_and_a_note(secretary, group_leader, hospitalised):
    visit = visit_add(
        actor=actor(secretary),
        occasion=hospitalised,
        visited_on=TODAY,
        visitors=[secretary, group_leader],
        brought="慰问金和水果",
        note="术后恢复良好",
    )
    visit.refresh_from_db()
    assert (visit.visited_on, visit.brought, visit.note) == (TODAY, "慰问金和水果", "术后恢复良好")
    assert set(visit.visitors.all()) == {secretary, group_leader}


def test_a_visit_dated_before_its_occasion_is_refused(secretary, hospitalised):
    with pytest.raises(ValidationError) as excinfo:
        visit_add(
            actor=actor(secretary),
            occasion=hospitalised,
            visited_on=hospitalised.occurred_on - dt.timedelta(days=1),
            visitors=[secretary],
            brought="水果",
        )
    assert errors_of(excinfo) == {
        "visited_on": [
            gettext("A visit cannot be dated before its occasion (%(date)s).")
            % {"date": hospitalised.occurred_on.isoformat()}
        ]
    }
    assert not CareVisit.objects.exists()


def test_other_bad_visits(secretary, hospitalised, outsider):
    cases = [
        ({"visited_on": TODAY + dt.timedelta(days=1)}, {"visited_on": ["This date is in the future."]}),
        ({"visitors": []}, {"visitors": ["Choose who visited."]}),
        ({"visitors": [outsider]}, {"visitors": ["Every visitor must be a current member of the branch."]}),
        ({"brought": " "}, {"brought": ["Say what was brought or done."]}),
    ]
    for fields, expected in cases:
        fields = {"visited_on": TODAY, "visitors": [secretary], "brought": "水果", **fields}
        with pytest.raises(ValidationError) as excinfo:
            visit_add(actor=actor(secretary), occasion=hospitalised, **fields)
        assert errors_of(excinfo) == {k: [gettext(m) for m in v] for k, v in expected.items()}


def test_only_the_committee_of_the_branch_reports_and_visits(
    member, group_leader, outsider, admin_user, employee, branch, hospitalised
):
    for who in (actor(member), actor(group_leader), actor(outsider), actor_for(admin_user)):
        with pytest.raises(PermissionDenied):
            occasion_report(actor=who, branch=branch, employee=employee, kind=Kind.MARRIAGE, occurred_on=TODAY)
        with pytest.raises(PermissionDenied):
            visit_add(actor=who, occasion=hospitalised, visited_on=TODAY, visitors=[member], brought="水果")


# ---- open and overdue ---------------------------------------------------------------------------


def _occasion(branch, reported_days_ago, **kwargs):
    reported = TODAY - dt.timedelta(days=reported_days_ago)
    return CareOccasionFactory(branch=branch, occurred_on=reported, reported_on=reported, **kwargs)


def test_open_occasions_are_overdue_after_the_branchs_number_of_days(branch, secretary):
    on_the_day = _occasion(branch, 7)  # reported 7 days ago, 7 days allowed: due today
    late = _occasion(branch, 8)
    visited = _occasion(branch, 30)
    CareVisitFactory(occasion=visited, visitors=[secretary])
    scope = CareOccasion.objects.filter(branch=branch)
    assert set(occasion_list(scope, today=TODAY, state="overdue")) == {late}
    assert set(occasion_list(scope, today=TODAY, state="open")) == {on_the_day, late}
    assert set(occasion_list(scope, today=TODAY, state="visited")) == {visited}
    branch.care_visit_within_days = 3
    branch.save()
    assert set(occasion_list(scope, today=TODAY, state="overdue")) == {on_the_day, late}


def test_overdue_occasions_remind_the_secretary_once_without_private_details(secretary, branch, hospitalised):
    hospitalised.reported_on = TODAY - dt.timedelta(days=8)
    hospitalised.occurred_on = TODAY - dt.timedelta(days=9)
    hospitalised.save()
    _occasion(branch, 2)  # within the window
    found = reminders(branch, TODAY)
    assert [(r.user_id, r.key) for r in found] == [(secretary.user_id, f"care:{hospitalised.pk}:overdue")]
    assert ILLNESS not in found[0].title + found[0].body
    assert found[0].url == reverse("activities:care_detail", args=[hospitalised.pk])
    send_reminders(TODAY)
    send_reminders(TODAY)
    assert Notification.objects.filter(key=f"care:{hospitalised.pk}:overdue").count() == 1


# ---- who sees what ------------------------------------------------------------------------------

# URL name → status per persona: secretary, committee, group_leader (visited), member (visited), outsider, admin.
MATRIX = {
    "care_list": (200, 200, 200, 200, 200, 200),
    "care_report": (200, 200, 403, 403, 200, 403),
    "care_detail": (200, 200, 200, 200, 404, 200),
    "care_visit_add": (200, 200, 403, 403, 404, 403),
}
PERSONAS = ("secretary", "committee", "group_leader", "member", "outsider", "admin")


@pytest.fixture
def visited(hospitalised, group_leader, member):
    CareVisitFactory(occasion=hospitalised, visitors=[group_leader, member], note="病情稳定")
    return hospitalised


@pytest.mark.parametrize("name", MATRIX)
def test_permission_matrix(client, personas, visited, name):
    url = reverse(f"activities:{name}", args=[visited.pk] if name in ("care_detail", "care_visit_add") else [])
    for persona, expected in zip(PERSONAS, MATRIX[name], strict=True):
        client.force_login(personas[persona])
        assert client.get(url).status_code == expected, (persona, name)
        client.logout()
    assert client.get(url).status_code == 302


@pytest.mark.parametrize("persona", ["secretary", "committee"])
def test_the_committee_sees_private_details(client, personas, visited, persona):
    client.force_login(personas[persona])
    html = client.get(reverse("activities:care_detail", args=[visited.pk])).content.decode()
    assert ILLNESS in html and "病情稳定" in html


@pytest.mark.parametrize("persona", ["group_leader", "member", "admin"])
def test_a_group_leader_a_member_and_the_administrator_never_see_private_details(client, personas, visited, persona):
    client.force_login(personas[persona])
    response = client.get(reverse("activities:care_detail", args=[visited.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and not response.context["show_details"]
    assert ILLNESS not in html and "病情稳定" not in html
    assert 'data-testid="details-hidden"' in html
    assert ILLNESS not in client.get(reverse("activities:care_list")).content.decode()


def test_members_see_details_of_a_happy_occasion_they_visited(client, member, branch, employee):
    wedding = CareOccasionFactory(branch=branch, employee=employee, kind=Kind.MARRIAGE, details="新房在克拉玛依")
    CareVisitFactory(occasion=wedding, visitors=[member])
    client.force_login(member.user)
    assert "新房在克拉玛依" in client.get(reverse("activities:care_detail", args=[wedding.pk])).content.decode()


def test_members_see_only_the_occasions_they_visited(client, other_member, visited, branch):
    CareOccasionFactory(branch=branch)
    client.force_login(other_member.user)
    assert list(client.get(reverse("activities:care_list")).context["page"]) == []
    assert client.get(reverse("activities:care_detail", args=[visited.pk])).status_code == 404


# ---- pages --------------------------------------------------------------------------------------


def test_reporting_with_a_new_employee_and_visiting_through_the_pages(client, secretary, committee_member, team):
    client.force_login(secretary.user)
    response = client.post(
        reverse("activities:care_report"),
        {
            "new_name": "阿依努尔·卡德尔",
            "new_team": team.pk,
            "kind": Kind.HARDSHIP,
            "occurred_on": (TODAY - dt.timedelta(days=2)).isoformat(),
            "details": "家中失火",
        },
    )
    occasion = CareOccasion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("activities:care_detail", args=[occasion.pk])
    assert Employee.objects.get(name="阿依努尔·卡德尔").work_team == team
    url = reverse("activities:care_visit_add", args=[occasion.pk])
    before = (occasion.occurred_on - dt.timedelta(days=1)).isoformat()
    response = client.post(url, {"visited_on": before, "visitors": [secretary.pk], "brought": "棉被"})
    assert response.status_code == 200
    assert response.context["form"].errors["visited_on"] == [
        gettext("A visit cannot be dated before its occasion (%(date)s).") % {"date": occasion.occurred_on.isoformat()}
    ]
    response = client.post(
        url, {"visited_on": TODAY.isoformat(), "visitors": [secretary.pk, committee_member.pk], "brought": "棉被"}
    )
    assert response.status_code == 302
    assert occasion.visits.get().visitors.count() == 2


def test_care_list_keeps_a_constant_number_of_queries(client, secretary, branch):
    client.force_login(secretary.user)
    url = reverse("activities:care_list")
    _occasion(branch, 30, kind=Kind.HARDSHIP)
    all_params = ({}, {"state": "overdue"}, {"state": "open", "kind": Kind.HARDSHIP})
    few = {}
    for i, params in enumerate(all_params):
        with CaptureQueriesContext(connection) as queries:
            client.get(url, params)
        few[i] = len(queries.captured_queries)
    for days in range(120):
        occasion = _occasion(branch, days, kind=list(Kind)[days % 5])
        if days % 2:
            CareVisitFactory(occasion=occasion, visitors=[secretary])
    for i, params in enumerate(all_params):
        with CaptureQueriesContext(connection) as many:
            assert client.get(url, params).status_code == 200
        assert len(many.captured_queries) == few[i], params


# ---- demo ---------------------------------------------------------------------------------------


def test_demo_has_every_kind_and_one_overdue_occasion(branch, secretary):
    for _ in range(6):
        WorkTeamFactory(branch=branch)
    members = [secretary, *MemberFactory.create_batch(24, branch=branch)]
    assert build_appeals_and_care(branch=branch, members=members, today=TODAY) > 0
    assert build_appeals_and_care(branch=branch, members=members, today=TODAY) == 0
    assert set(CareOccasion.objects.values_list("kind", flat=True)) == set(Kind.values)
    assert CareVisit.objects.count() == 3
    scope = CareOccasion.objects.filter(branch=branch)
    overdue = list(occasion_list(scope, today=TODAY, state="overdue"))
    assert [o.kind for o in overdue] == [Kind.HARDSHIP]
    assert occasion_list(scope, today=TODAY, state="open").count() == 2
    assert all(v.visited_on >= v.occasion.occurred_on for v in CareVisit.objects.select_related("occasion"))
