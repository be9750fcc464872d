"""The reminder job: the guidance and pipeline collectors, never twice, cron's command, Celery beat."""

import datetime as dt
from io import StringIO

import pytest
from celery.beat import Scheduler
from celery.contrib.testing.worker import start_worker
from celery.schedules import crontab
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from activities.reminders import notify, send_reminders
from activities.selectors.duties import guidance_key, guidance_reminders, pipeline_reminders, reminders
from activities.tasks import send_reminders_task
from branch.models import Notification
from config.celery import app
from members.models import CommitteeRole, Development, Member
from members.pipeline import add_months
from members.services import development as development_service
from tests.factories import MemberFactory

from .factories_duties import GuidanceVisitFactory, committee_member_with_team, link_team

TODAY = dt.date(2026, 11, 25)  # six days left in November
EARLY = dt.date(2026, 11, 10)
S = Member.Status


@pytest.fixture
def linked(committee_member, team):
    link_team(committee_member, team=team)
    return committee_member


@pytest.fixture
def applicant(branch, group_a):
    """An applicant whose talk (due within 30 days of 2026-10-01) is overdue on TODAY."""
    person = MemberFactory(branch=branch, party_group=group_a, status=S.APPLICANT, joined_on=None, user=None)
    development_service.development_apply(member=person, applied_on=dt.date(2026, 10, 1))
    return person


def keys(reminder_list):
    return sorted(r.key for r in reminder_list)


# ---- the guidance collector ---------------------------------------------------------------------


def test_no_reminder_while_the_month_has_time_and_last_month_was_done(linked, team):
    GuidanceVisitFactory(member=linked, work_team=team, visited_on=dt.date(2026, 10, 12))
    assert guidance_reminders(linked.branch, EARLY) == []


def test_reminder_in_the_last_week_without_a_visit(linked, team):
    GuidanceVisitFactory(member=linked, work_team=team, visited_on=dt.date(2026, 10, 12))
    [reminder] = guidance_reminders(linked.branch, TODAY)
    assert reminder.user_id == linked.user_id
    assert reminder.key == f"guidance:{linked.pk}:2026-11"
    assert team.name in reminder.title
    assert "2026-11-30" in reminder.title
    assert reminder.url == reverse("activities:guidance_add")


def test_reminder_for_a_month_that_ended_without_a_visit(linked, team):
    GuidanceVisitFactory(member=linked, work_team=team, visited_on=dt.date(2026, 9, 12))
    [reminder] = guidance_reminders(linked.branch, EARLY)
    assert reminder.key == f"guidance:{linked.pk}:2026-10"
    assert "2026-10" in reminder.title
    # In the last week with neither month done: both months are reminded about, once each.
    assert keys(guidance_reminders(linked.branch, TODAY)) == [
        f"guidance:{linked.pk}:2026-10",
        guidance_key(linked.pk, TODAY),
    ]


def test_no_guidance_reminder_once_visited_or_without_a_team_or_login(linked, team, secretary, branch):
    GuidanceVisitFactory(member=linked, work_team=team, visited_on=dt.date(2026, 10, 12))
    GuidanceVisitFactory(member=linked, work_team=team, visited_on=dt.date(2026, 11, 2))
    no_login, _link = committee_member_with_team(branch, role=CommitteeRole.Role.DISCIPLINE, user=None)
    # `secretary` has no linked team; `no_login` owes visits but cannot be told in the app.
    assert guidance_reminders(branch, TODAY) == []


def test_a_link_begun_mid_month_owes_nothing_for_that_month(branch):
    new, _link = committee_member_with_team(branch, started_on=dt.date(2026, 11, 5))
    assert guidance_reminders(branch, TODAY) == []
    later = dt.date(2026, 12, 3)  # November was not owed either: the first full month is December
    assert guidance_reminders(branch, later) == []
    assert keys(guidance_reminders(branch, dt.date(2026, 12, 28))) == [f"guidance:{new.pk}:2026-12"]


# ---- the pipeline collector ---------------------------------------------------------------------


def test_pipeline_steps_due_go_to_the_secretary(secretary, applicant):
    development = Development.objects.get(member=applicant)
    [reminder] = pipeline_reminders(secretary.branch, TODAY)
    assert reminder.user_id == secretary.user_id
    assert reminder.key == f"pipeline:{development.pk}:talk:2026-10-31"
    assert applicant.name in reminder.title
    assert "2026-10-31" in reminder.title
    assert reminder.url == reverse("members:development", args=[applicant.pk])


def test_pipeline_steps_not_yet_due_are_left_alone(secretary, applicant, branch):
    later = MemberFactory(branch=branch, status=S.APPLICANT, joined_on=None, user=None)
    development_service.development_apply(member=later, applied_on=dt.date(2026, 11, 20))  # talk by 12-20
    assert [r.url for r in pipeline_reminders(branch, TODAY)] == [reverse("members:development", args=[applicant.pk])]
    # Talked: nothing more is due for the applicant (deciding on activists has no deadline).
    development_service.development_record_talk(
        development=Development.objects.get(member=applicant), talked_on=dt.date(2026, 10, 20)
    )
    assert pipeline_reminders(branch, TODAY) == []


def test_no_pipeline_reminder_without_a_secretary(branch, committee_member, applicant):
    assert pipeline_reminders(branch, TODAY) == []


def test_the_module_collector_gathers_both(secretary, linked, applicant):
    assert {r.key.split(":")[0] for r in reminders(secretary.branch, TODAY)} == {"guidance", "pipeline"}


# ---- the job ------------------------------------------------------------------------------------


def _ours():
    return Notification.objects.filter(key__regex=r"^(guidance|pipeline):")


def test_nothing_is_sent_twice(secretary, linked, applicant):
    first = send_reminders(TODAY)
    assert first >= 3  # October and November for `linked`, the late talk for the secretary
    created = {(n.user_id, n.key) for n in _ours()}
    assert created == {
        (linked.user_id, f"guidance:{linked.pk}:2026-10"),
        (linked.user_id, f"guidance:{linked.pk}:2026-11"),
        (secretary.user_id, f"pipeline:{Development.objects.get().pk}:talk:2026-10-31"),
    }
    assert send_reminders(TODAY) == 0
    assert send_reminders(TODAY + dt.timedelta(days=1)) == 0  # the next morning: still the same things
    assert _ours().count() == 3


def test_a_read_notification_is_not_sent_again(linked, team):
    GuidanceVisitFactory(member=linked, work_team=team, visited_on=dt.date(2026, 10, 12))
    send_reminders(TODAY)
    Notification.objects.filter(user=linked.user).update(read_at=timezone.now())
    send_reminders(TODAY)
    assert _ours().count() == 1


def test_notify_drops_repeats_within_one_batch(linked):
    batch = guidance_reminders(linked.branch, TODAY)
    assert notify(batch + batch) == len(batch)
    assert notify(batch) == 0


def test_management_command_runs_the_job_for_a_date(linked, team):
    GuidanceVisitFactory(member=linked, work_team=team, visited_on=dt.date(2026, 10, 12))
    out = StringIO()
    call_command("send_reminders", "--date", "2026-11-25", stdout=out)
    assert "notification(s) created" in out.getvalue()
    assert list(_ours().values_list("key", flat=True)) == [f"guidance:{linked.pk}:2026-11"]
    out = StringIO()
    call_command("send_reminders", "--date", "2026-11-25", stdout=out)
    assert out.getvalue().startswith("0 ")
    with pytest.raises(CommandError):
        call_command("send_reminders", "--date", "25.11.2026")


def test_management_command_defaults_to_today(linked):
    call_command("send_reminders", stdout=StringIO())
    today = timezone.localdate()
    # The link began in 2024 and nothing was ever visited: last month is always owed and missed.
    assert _ours().filter(key=guidance_key(linked.pk, add_months(today.replace(day=1), -1))).exists()


def test_task_runs_the_job_in_process(linked):
    assert send_reminders_task.delay("2026-11-25").get() >= 2
    assert _ours().count() == 2
    assert send_reminders_task("2026-11-25") == 0


def test_beat_schedule_runs_the_task_every_morning_in_branch_time():
    entry = settings.CELERY_BEAT_SCHEDULE["send-reminders"]
    assert entry["task"] == "activities.tasks.send_reminders_task" == send_reminders_task.name
    assert entry["schedule"] == crontab(hour=7, minute=0)
    assert app.conf.timezone == "Asia/Shanghai"
    assert entry["task"] in app.tasks


# ---- through a real worker ----------------------------------------------------------------------


@pytest.fixture
def celery_worker():
    # The worker's ping check needs Celery's own test tasks registered (MACHINE-NOTES.md).
    app.loader.import_module("celery.contrib.testing.tasks")
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=True, shutdown_timeout=10) as worker:
            yield worker
    finally:
        app.conf.task_always_eager = True


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_beat_entry_runs_on_a_real_worker_through_redis(celery_worker, secretary, committee_member, team):
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    link_team(committee_member, team=team)
    today = timezone.localdate()
    missed = add_months(today.replace(day=1), -1)
    # What beat does at 07:00: build the entry from the settings and send it through the broker.
    scheduler = Scheduler(app=app)
    entry = scheduler.schedule["send-reminders"]
    assert entry.task == "activities.tasks.send_reminders_task"
    result = scheduler.apply_async(entry, advance=False)

    assert result.get(timeout=20) >= 1
    assert app.AsyncResult(result.id).state == "SUCCESS"  # it went through the broker and a worker
    notification = Notification.objects.get(user=committee_member.user, key=guidance_key(committee_member.pk, missed))
    assert team.name in notification.title
    # The second morning changes nothing.
    assert scheduler.apply_async(entry, advance=False).get(timeout=20) == 0
