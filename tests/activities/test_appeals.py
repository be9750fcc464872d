"""Opinion forums and appeals (员工诉求): the rules in the services, who may see and do what, the list
and its query count, the quarter's figures, the overdue reminders, the record-book section and the
demo."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from activities.models import Appeal, Forum
from activities.reminders import send_reminders
from activities.sections.appeals import appeal_entries, appeal_totals
from activities.selectors import appeals as appeal_selectors
from activities.selectors.appeals import quarter_figures, reminders
from activities.services.appeals import appeal_create, appeal_update, employee_get_or_create, forum_create
from branch.models import Notification
from members.access import actor_for
from members.models import Employee
from members.recordbook import Period
from tests.factories import MemberFactory, WorkTeamFactory

from .factories_appeals import AppealAttachmentFactory, AppealFactory, EmployeeFactory, ForumFactory

Status = Appeal.Status
TODAY = timezone.localdate()
PAST = TODAY - dt.timedelta(days=40)


def actor(member_or_user):
    return actor_for(getattr(member_or_user, "user", member_or_user))


def errors_of(excinfo) -> dict:
    return {field: [e.message % (e.params or {}) for e in errs] for field, errs in excinfo.value.error_dict.items()}


def pdf(name="来信.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 letter", content_type="application/pdf")


@pytest.fixture
def employee(branch, team):
    return EmployeeFactory(branch=branch, work_team=team, name="刘建新")


@pytest.fixture
def forum(branch, team):
    return ForumFactory(branch=branch, work_team=team, held_on=PAST)


@pytest.fixture
def appeal(branch, employee, member):
    """An appeal handled by `member`, received 40 days ago (so overdue while open)."""
    return AppealFactory(branch=branch, requester=employee, handler=member, received_on=PAST)


def raise_appeal(by, **fields):
    fields.setdefault("branch", by.branch)
    fields.setdefault("content", "井场夜间照明不足")
    fields.setdefault("category", Appeal.Category.SAFETY)
    return appeal_create(actor=actor(by), **fields)


# ---- forums -------------------------------------------------------------------------------------


def test_secretary_records_a_forum_with_employees_old_and_new(secretary, committee_member, employee, team, branch):
    forum = forum_create(
        actor=actor(secretary),
        branch=branch,
        held_on=PAST,
        work_team=team,
        members_present=[secretary, committee_member],
        employees_present=[employee],
        new_employees=["王秀兰", "  "],
        notes="听取意见",
    )
    assert set(forum.members_present.all()) == {secretary, committee_member}
    new = Employee.objects.get(name="王秀兰")
    assert (new.branch, new.work_team, new.member) == (branch, team, None)
    assert set(forum.employees_present.all()) == {employee, new}


def test_a_forum_is_not_dated_in_the_future_nor_held_with_another_branchs_team(secretary, branch, team, outsider):
    with pytest.raises(ValidationError) as excinfo:
        forum_create(actor=actor(secretary), branch=branch, held_on=TODAY + dt.timedelta(days=1), work_team=team)
    assert errors_of(excinfo) == {"held_on": [gettext("This date is in the future.")]}
    with pytest.raises(ValidationError) as excinfo:
        forum_create(actor=actor(secretary), branch=branch, held_on=PAST, work_team=outsider.work_team)
    assert errors_of(excinfo) == {"work_team": [gettext("This work team is not in the branch.")]}
    assert not Forum.objects.exists()


def test_only_the_committee_of_the_branch_records_forums(member, group_leader, outsider, admin_user, branch, team):
    for who in (actor(member), actor(group_leader), actor(outsider), actor_for(admin_user)):
        with pytest.raises(PermissionDenied):
            forum_create(actor=who, branch=branch, held_on=PAST, work_team=team)


def test_employees_are_matched_by_name_and_team(branch, team):
    first = employee_get_or_create(branch=branch, name=" 艾力・买买提 ", work_team=team)
    assert first.name == "艾力·买买提"
    assert employee_get_or_create(branch=branch, name="艾力·买买提", work_team=team) == first
    other_team = WorkTeamFactory(branch=branch)
    assert employee_get_or_create(branch=branch, name="艾力·买买提", work_team=other_team) != first
    with pytest.raises(ValidationError):
        employee_get_or_create(branch=branch, name=" ", work_team=team)


# ---- recording an appeal -------------------------------------------------------------------------


def test_an_appeal_raised_at_a_forum_takes_its_day_and_the_branchs_deadline(secretary, forum, employee, member):
    forum.branch.appeal_answer_days = 10
    forum.branch.save()
    appeal = raise_appeal(secretary, forum=forum, requester=employee, handler=member, attachments=[pdf()])
    appeal.refresh_from_db()
    assert (appeal.channel, appeal.received_on, appeal.deadline, appeal.status) == (
        Appeal.Channel.FORUM,
        forum.held_on,
        forum.held_on + dt.timedelta(days=10),
        Status.RECEIVED,
    )
    assert appeal.attachments.count() == 1
    assert appeal.attachments.get().file.name.startswith(f"appeals/{TODAY.year}/")


def test_an_appeal_from_another_channel(committee_member, employee, member):
    appeal = raise_appeal(committee_member, channel=Appeal.Channel.QQ, requester=employee, handler=member)
    assert (appeal.forum, appeal.channel, appeal.received_on) == (None, Appeal.Channel.QQ, TODAY)
    assert appeal.deadline == TODAY + dt.timedelta(days=15)


def test_bad_appeals_are_refused_with_reasons(secretary, forum, employee, member, outsider):
    cases = [
        (
            {"channel": Appeal.Channel.FORUM},
            {"channel": ["Choose the forum the appeal was raised at, or another channel."]},
        ),
        (
            {"forum": forum, "channel": Appeal.Channel.PHONE},
            {"channel": ["An appeal raised at a forum has the channel “opinion forum”."]},
        ),
        (
            {"forum": forum, "received_on": PAST + dt.timedelta(days=1)},
            {"received_on": ["An appeal raised at a forum is received on the day of the forum."]},
        ),
        (
            {"channel": Appeal.Channel.PHONE, "received_on": TODAY + dt.timedelta(days=1)},
            {"received_on": ["This date is in the future."]},
        ),
        (
            {"channel": Appeal.Channel.PHONE, "received_on": PAST, "deadline": PAST - dt.timedelta(days=1)},
            {"deadline": ["The deadline cannot be before the day the appeal was received."]},
        ),
        (
            {"channel": Appeal.Channel.PHONE, "handler": outsider},
            {"handler": ["The handler must be a current member of the branch."]},
        ),
        ({"channel": Appeal.Channel.PHONE, "content": "  "}, {"content": ["Write down what is asked."]}),
    ]
    for fields, expected in cases:
        fields = {"requester": employee, "handler": member, **fields}
        with pytest.raises(ValidationError) as excinfo:
            raise_appeal(secretary, **fields)
        assert errors_of(excinfo) == {k: [gettext(m) for m in v] for k, v in expected.items()}, fields
    assert not Appeal.objects.exists()


def test_only_the_committee_of_the_branch_records_appeals(member, group_leader, outsider, admin_user, branch, employee):
    for who in (actor(member), actor(group_leader), actor(outsider), actor_for(admin_user)):
        with pytest.raises(PermissionDenied):
            appeal_create(
                actor=who,
                branch=branch,
                channel="phone",
                requester=employee,
                content="x",
                category="work",
                handler=member,
            )
    assert not Appeal.objects.exists()


# ---- moving it on -------------------------------------------------------------------------------


def test_received_in_progress_answered_closed_and_the_attachments_stay(secretary, member, appeal):
    AppealAttachmentFactory(appeal=appeal)
    handler = actor(member)
    appeal_update(actor=handler, appeal=appeal, status=Status.IN_PROGRESS)
    assert appeal.attachments.count() == 1
    appeal_update(
        actor=handler, appeal=appeal, status=Status.ANSWERED, answer="已协调维修", attachments=[pdf("维修单.pdf")]
    )
    appeal.refresh_from_db()
    assert (appeal.status, appeal.answer, appeal.answered_on) == (Status.ANSWERED, "已协调维修", TODAY)
    assert appeal.attachments.count() == 2
    appeal_update(
        actor=actor(secretary),
        appeal=appeal,
        status=Status.CLOSED,
        answer=appeal.answer,
        answered_on=appeal.answered_on,
        satisfaction=Appeal.Satisfaction.VERY_SATISFIED,
    )
    appeal.refresh_from_db()
    assert (appeal.status, appeal.closed_on, appeal.satisfaction) == (Status.CLOSED, TODAY, 3)
    assert appeal.attachments.count() == 2
    assert appeal.history.count() == 4  # created, then three steps


def test_an_appeal_closed_without_an_answer_is_refused(secretary, appeal):
    with pytest.raises(ValidationError) as excinfo:
        appeal_update(actor=actor(secretary), appeal=appeal, status=Status.CLOSED, satisfaction=2)
    assert errors_of(excinfo) == {
        "answer": [gettext("An appeal cannot be closed without an answer.")],
        "answered_on": [gettext("Give the day the answer was given.")],
    }
    appeal.refresh_from_db()
    assert (appeal.status, appeal.closed_on) == (Status.RECEIVED, None)


def test_answer_rules(secretary, appeal):
    who = actor(secretary)
    cases = [
        (
            {"status": Status.ANSWERED},
            {
                "answer": ["Write down the answer given to the requester."],
                "answered_on": ["Give the day the answer was given."],
            },
        ),
        (
            {"status": Status.ANSWERED, "answer": "好", "answered_on": PAST - dt.timedelta(days=1)},
            {"answered_on": ["The answer cannot be dated before the appeal was received."]},
        ),
        (
            {"status": Status.ANSWERED, "answer": "好", "answered_on": TODAY + dt.timedelta(days=1)},
            {"answered_on": ["This date is in the future."]},
        ),
        (
            {
                "status": Status.CLOSED,
                "answer": "好",
                "answered_on": PAST + dt.timedelta(days=5),
                "closed_on": PAST + dt.timedelta(days=4),
                "satisfaction": 3,
            },
            {"closed_on": ["An appeal cannot be closed before it was answered."]},
        ),
        (
            {"status": Status.CLOSED, "answer": "好"},
            {"satisfaction": ["Record the requester's satisfaction before closing."]},
        ),
        (
            {"status": Status.IN_PROGRESS, "satisfaction": 3},
            {"status": ["Only an answered or closed appeal has an answer date or a satisfaction."]},
        ),
    ]
    for fields, expected in cases:
        with pytest.raises(ValidationError) as excinfo:
            appeal_update(actor=who, appeal=appeal, **fields)
        assert errors_of(excinfo) == {k: [gettext(m) for m in v] for k, v in expected.items()}, fields
    appeal.refresh_from_db()
    assert appeal.status == Status.RECEIVED


def test_status_only_moves_forward(secretary, appeal):
    appeal_update(actor=actor(secretary), appeal=appeal, status=Status.ANSWERED, answer="好")
    with pytest.raises(ValidationError) as excinfo:
        appeal_update(actor=actor(secretary), appeal=appeal, status=Status.IN_PROGRESS, answer="好")
    assert errors_of(excinfo)["status"] == [gettext("An appeal's status only moves forward.")]


def test_the_database_refuses_an_answered_appeal_without_an_answer(appeal):
    with pytest.raises(IntegrityError), transaction.atomic():
        Appeal.objects.filter(pk=appeal.pk).update(status=Status.CLOSED)


def test_the_handler_answers_but_does_not_reassign_and_others_do_nothing(
    member, other_member, group_leader, outsider, appeal
):
    with pytest.raises(PermissionDenied):
        appeal_update(actor=actor(member), appeal=appeal, status=Status.RECEIVED, handler=other_member)
    with pytest.raises(PermissionDenied):
        appeal_update(actor=actor(member), appeal=appeal, status=Status.RECEIVED, deadline=TODAY)
    for who in (other_member, group_leader, outsider):
        with pytest.raises(PermissionDenied):
            appeal_update(actor=actor(who), appeal=appeal, status=Status.IN_PROGRESS)
    appeal_update(actor=actor(member), appeal=appeal, status=Status.IN_PROGRESS)
    appeal.refresh_from_db()
    assert (appeal.status, appeal.handler) == (Status.IN_PROGRESS, member)


def test_the_committee_reassigns_and_extends(committee_member, other_member, appeal):
    new_deadline = TODAY + dt.timedelta(days=7)
    appeal_update(
        actor=actor(committee_member),
        appeal=appeal,
        status=Status.IN_PROGRESS,
        handler=other_member,
        deadline=new_deadline,
    )
    appeal.refresh_from_db()
    assert (appeal.handler, appeal.deadline) == (other_member, new_deadline)


# ---- pages and who sees what --------------------------------------------------------------------

# URL name → status per persona: secretary, committee, group_leader, member (the handler), outsider, admin.
MATRIX = {
    "forum_list": (200, 200, 403, 403, 200, 200),
    "forum_create": (200, 200, 403, 403, 200, 403),
    "forum_detail": (200, 200, 403, 403, 404, 200),
    "appeal_list": (200, 200, 200, 200, 200, 200),
    "appeal_create": (200, 200, 403, 403, 200, 403),
    "appeal_detail": (200, 200, 404, 200, 404, 200),
    "appeal_update": (200, 200, 404, 200, 404, 403),
    "appeal_figures": (200, 200, 403, 403, 200, 200),
}
PERSONAS = ("secretary", "committee", "group_leader", "member", "outsider", "admin")


def _url(name, forum, appeal):
    if name == "forum_detail":
        return reverse(f"activities:{name}", args=[forum.pk])
    if name in ("appeal_detail", "appeal_update"):
        return reverse(f"activities:{name}", args=[appeal.pk])
    return reverse(f"activities:{name}")


@pytest.mark.parametrize("name", MATRIX)
def test_permission_matrix(client, personas, forum, appeal, name):
    appeal.forum = forum
    appeal.save()
    url = _url(name, forum, appeal)
    for persona, expected in zip(PERSONAS, MATRIX[name], strict=True):
        client.force_login(personas[persona])
        assert client.get(url).status_code == expected, (persona, name)
        client.logout()
    assert client.get(url).status_code == 302  # anonymous: to the login page


def test_members_see_only_the_appeals_they_handle(client, branch, member, other_member, appeal):
    theirs = AppealFactory(branch=branch, handler=other_member)
    client.force_login(member.user)
    assert list(client.get(reverse("activities:appeal_list")).context["page"]) == [appeal]
    assert client.get(reverse("activities:appeal_detail", args=[theirs.pk])).status_code == 404
    client.force_login(other_member.user)
    listed = client.get(reverse("activities:appeal_list")).content.decode()
    assert appeal.content not in listed and theirs.content in listed


def test_raising_an_appeal_at_a_forum_through_the_page(client, secretary, forum, member, team):
    client.force_login(secretary.user)
    page = client.get(reverse("activities:appeal_create") + f"?forum={forum.pk}")
    assert page.context["form"].initial["channel"] == Appeal.Channel.FORUM
    data = {
        "forum": forum.pk,
        "channel": Appeal.Channel.FORUM,
        "new_name": "张国强",
        "new_team": team.pk,
        "content": "计量间通风设备老化",
        "category": Appeal.Category.SAFETY,
        "handler": member.pk,
        "attachments": [pdf()],
    }
    response = client.post(reverse("activities:appeal_create"), data)
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("activities:appeal_detail", args=[appeal.pk])
    assert (appeal.forum, appeal.received_on, appeal.requester.name, appeal.attachments.count()) == (
        forum,
        forum.held_on,
        "张国强",
        1,
    )
    data.pop("attachments")
    client.post(reverse("activities:appeal_create"), data)
    assert Employee.objects.filter(name="张国强").count() == 1  # typed again: the same person
    assert Appeal.objects.count() == 2


def test_a_page_error_keeps_the_typed_employee_out(client, secretary, member, team):
    client.force_login(secretary.user)
    response = client.post(
        reverse("activities:appeal_create"),
        {
            "channel": "phone",
            "new_name": "孙丽",
            "new_team": team.pk,
            "content": "x",
            "category": "work",
            "handler": member.pk,
            "received_on": (TODAY + dt.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["received_on"] == [gettext("This date is in the future.")]
    assert not Employee.objects.filter(name="孙丽").exists()  # the transaction rolled back


def test_closing_without_an_answer_on_the_page_shows_the_reason(client, secretary, appeal):
    client.force_login(secretary.user)
    response = client.post(
        reverse("activities:appeal_update", args=[appeal.pk]),
        {"status": Status.CLOSED, "satisfaction": "3", "handler": appeal.handler_id, "deadline": appeal.deadline},
    )
    assert response.status_code == 200
    assert gettext("An appeal cannot be closed without an answer.") in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.status == Status.RECEIVED


def test_the_handler_answers_on_the_page(client, member, appeal):
    client.force_login(member.user)
    form = client.get(reverse("activities:appeal_update", args=[appeal.pk])).context["form"]
    assert "handler" not in form.fields and "deadline" not in form.fields
    response = client.post(
        reverse("activities:appeal_update", args=[appeal.pk]),
        {"status": Status.ANSWERED, "answer": "已协调", "attachments": [pdf("回复.pdf")]},
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert (appeal.status, appeal.answered_on, appeal.attachments.count()) == (Status.ANSWERED, TODAY, 1)


def test_list_filters(client, secretary, branch, member, appeal):
    answered = AppealFactory(
        branch=branch, handler=member, status=Status.ANSWERED, answer="好", answered_on=PAST, category="safety"
    )
    fresh = AppealFactory(branch=branch, handler=member, received_on=TODAY)
    client.force_login(secretary.user)

    def listed(**params):
        return set(client.get(reverse("activities:appeal_list"), params).context["page"])

    assert listed() == {appeal, answered, fresh}
    assert listed(overdue="on") == {appeal}
    assert listed(status="answered") == {answered}
    assert listed(category="safety") == {answered}
    assert listed(q=fresh.content) == {fresh}
    assert listed(q=appeal.requester.name) == {appeal}
    assert listed(year=TODAY.year, quarter=(TODAY.month - 1) // 3 + 1) >= {fresh}


def test_the_list_keeps_a_constant_number_of_queries_with_5000_appeals(client, secretary, branch, member):
    employees = EmployeeFactory.create_batch(5, branch=branch)
    handlers = [member, *MemberFactory.create_batch(3, branch=branch)]
    AppealFactory(branch=branch, handler=member)
    AppealAttachmentFactory(appeal=Appeal.objects.get())
    client.force_login(secretary.user)
    url = reverse("activities:appeal_list")
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    Appeal.objects.bulk_create(
        Appeal(
            branch=branch,
            channel=Appeal.Channel.PHONE,
            requester=employees[i % 5],
            received_on=PAST + dt.timedelta(days=i % 30),
            content=f"诉求{i}",
            category=Appeal.Category.WORK,
            handler=handlers[i % 4],
            deadline=PAST + dt.timedelta(days=15),
        )
        for i in range(4999)
    )
    assert Appeal.objects.count() == 5000
    for params in ({}, {"page": 60}, {"overdue": "on", "q": "诉求1"}):
        with CaptureQueriesContext(connection) as many:
            response = client.get(url, params)
        assert response.status_code == 200
        assert len(many.captured_queries) == len(few.captured_queries), params
    assert response.context["page"].paginator.count > 0


# ---- figures ------------------------------------------------------------------------------------


@pytest.fixture
def year_of_appeals(branch, member):
    """Q1: answered after 2, 4 and 10 days (median 4), one closed of each satisfaction but one;
    Q2: after 3 and 6 days (median 4.5), one open and overdue; Q3 and Q4: nothing."""
    year = TODAY.year - 1

    def answered(received, days, status=Status.ANSWERED, satisfaction=None):
        return AppealFactory(
            branch=branch,
            handler=member,
            received_on=received,
            status=status,
            answer="好",
            answered_on=received + dt.timedelta(days=days),
            closed_on=received + dt.timedelta(days=days) if status == Status.CLOSED else None,
            satisfaction=satisfaction,
        )

    answered(dt.date(year, 1, 10), 2, Status.CLOSED, 3)
    answered(dt.date(year, 2, 10), 4, Status.CLOSED, 1)
    answered(dt.date(year, 3, 31), 10)  # answered in April: still counts in Q1, where it was received
    answered(dt.date(year, 4, 1), 3, Status.CLOSED, 3)
    answered(dt.date(year, 6, 1), 6, Status.CLOSED, 2)
    AppealFactory(branch=branch, handler=member, received_on=dt.date(year, 5, 5))  # open, long overdue
    AppealFactory(received_on=dt.date(year, 5, 5))  # another branch's
    return year


def _figures(branch, year):
    return {q.quarter: q for q in quarter_figures(Appeal.objects.filter(branch=branch), year=year, today=TODAY)}


def test_quarter_figures(branch, year_of_appeals, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        figures = _figures(branch, year_of_appeals)
    q1, q2, q3 = figures[1], figures[2], figures[3]
    assert (q1.received, q1.answered, q1.closed, q1.open, q1.overdue) == (3, 3, 2, 0, 0)
    assert q1.median_days == 4
    assert (q1.rated, q1.satisfied, q1.basically_satisfied, q1.not_satisfied) == (2, 1, 0, 1)
    assert (q1.satisfied_percent, q1.average_satisfaction) == (50, 2)
    assert (q2.received, q2.answered, q2.open, q2.overdue) == (3, 2, 1, 1)
    assert q2.median_days == 4.5
    assert (q2.satisfied_percent, q2.average_satisfaction) == (100, 2.5)
    assert (q3.received, q3.median_days, q3.satisfied_percent, q3.average_satisfaction) == (0, None, None, None)


def test_the_median_is_the_same_in_python_and_in_the_database(branch, year_of_appeals, monkeypatch):
    here = _figures(branch, year_of_appeals)
    monkeypatch.setattr(appeal_selectors, "median_in_database", lambda: False)
    in_python = _figures(branch, year_of_appeals)
    assert [q.median_days for q in here.values()] == [q.median_days for q in in_python.values()] == [4, 4.5, None, None]


def test_figures_page(client, secretary, branch, year_of_appeals):
    client.force_login(secretary.user)
    response = client.get(reverse("activities:appeal_figures"), {"year": year_of_appeals})
    assert [q.received for q in response.context["quarters"]] == [3, 3, 0, 0]
    assert response.context["years"] == [year_of_appeals]


# ---- reminders ----------------------------------------------------------------------------------


def test_overdue_appeals_remind_the_handler_and_the_secretary_once(secretary, member, branch, appeal):
    AppealFactory(branch=branch, handler=member, received_on=TODAY, deadline=TODAY)  # due today: not overdue
    AppealFactory(
        branch=branch, handler=member, received_on=PAST, status=Status.ANSWERED, answer="好", answered_on=PAST
    )
    found = reminders(branch, TODAY)
    assert {(r.user_id, r.key) for r in found} == {
        (member.user_id, f"appeal:{appeal.pk}:overdue"),
        (secretary.user_id, f"appeal:{appeal.pk}:overdue"),
    }
    assert all(r.url == reverse("activities:appeal_detail", args=[appeal.pk]) for r in found)
    send_reminders(TODAY)
    send_reminders(TODAY)
    assert Notification.objects.filter(key=f"appeal:{appeal.pk}:overdue").count() == 2


def test_the_secretary_handling_an_appeal_gets_one_reminder(secretary, branch):
    appeal = AppealFactory(branch=branch, handler=secretary, received_on=PAST)
    assert [r.user_id for r in reminders(branch, TODAY)] == [secretary.user_id]
    assert appeal.pk


# ---- record book --------------------------------------------------------------------------------


def test_record_book_section_lists_appeals_handled_without_their_content(member, appeal, branch):
    AppealFactory(
        branch=branch,
        handler=member,
        status=Status.ANSWERED,
        answer="好",
        answered_on=PAST,
        deadline=PAST,
        received_on=PAST,
    )
    AppealFactory(branch=branch)  # someone else's
    entries = appeal_entries(member, Period())
    assert len(entries) == 2
    assert all(appeal.content not in e.title + e.detail for e in entries)
    assert appeal.requester.name not in " ".join(e.title + e.detail for e in entries)
    assert [t.value for t in appeal_totals(member, Period())] == ["2 (1)"]
    assert appeal_entries(member, Period(year=PAST.year - 5)) == []


def test_record_book_page_shows_the_section(client, member, appeal):
    client.force_login(member.user)
    response = client.get(reverse("me"), follow=True)
    assert response.status_code == 200
    assert gettext("Appeals handled") in response.content.decode()


# ---- demo ---------------------------------------------------------------------------------------


def test_demo_builds_forums_and_appeals_in_every_status_once(branch, secretary):
    from activities.demo_appeals import build_appeals_and_care

    for _ in range(6):
        WorkTeamFactory(branch=branch)
    members = [secretary, *MemberFactory.create_batch(24, branch=branch)]
    created = build_appeals_and_care(branch=branch, members=members, today=TODAY)
    assert created > 0
    assert build_appeals_and_care(branch=branch, members=members, today=TODAY) == 0
    assert Forum.objects.filter(branch=branch).count() == 4
    quarters = {(f.held_on.year, (f.held_on.month - 1) // 3) for f in Forum.objects.all()}
    assert len(quarters) == 4
    assert set(Appeal.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Appeal.objects.values_list("channel", flat=True)) == set(Appeal.Channel.values)
    assert Appeal.objects.filter(appeal_selectors.overdue_q(TODAY)).count() == 1
    assert all(f.appeals.exists() for f in Forum.objects.all())
