"""Scheduled exports: due days, the "previous" quarter, runs, failures that stop a schedule."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from branch.exports import schedules
from branch.exports.schedules import due_on_or_after, next_due_after, resolve_params, run_due_schedules
from branch.exports.tasks import run_scheduled_exports_task
from branch.models import ExportJob, Notification, ScheduledExport
from branch.quarters import Quarter
from members.access import actor_for
from members.models import CommitteeRole

from .fakes import fake_exporters, private_media  # noqa: F401 - fixtures

pytestmark = pytest.mark.usefixtures("fake_exporters", "private_media")

Q, M = ScheduledExport.Frequency.QUARTERLY, ScheduledExport.Frequency.MONTHLY
D = dt.date.fromisoformat


# ---- the calendar --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "day", "due"),
    [
        (Q, "2026-08-15", "2026-10-01"),  # Q3 2026 ends on a Wednesday; 1 October is a Thursday
        (Q, "2026-10-01", "2026-10-01"),
        (Q, "2026-10-02", "2027-01-01"),  # 1 January 2027 is a Friday
        (Q, "2027-12-15", "2028-01-03"),  # 2027 ends on a Friday: the Monday after
        (Q, "2028-01-01", "2028-01-03"),
        (Q, "2028-01-04", "2028-04-03"),  # 1 April 2028 is a Saturday
        (M, "2026-10-20", "2026-11-02"),  # 1 November 2026 is a Sunday
        (M, "2026-11-02", "2026-11-02"),
        (M, "2026-11-03", "2026-12-01"),
    ],
)
def test_due_days_are_the_first_working_day(frequency, day, due):
    assert due_on_or_after(frequency, D(day)) == D(due)
    assert D(due).weekday() < 5


def test_the_next_due_day_is_strictly_after():
    assert next_due_after(Q, D("2026-10-01")) == D("2027-01-01")
    assert next_due_after(Q, D("2027-01-01")) == D("2027-04-01")
    assert next_due_after(M, D("2028-01-03")) == D("2028-02-01")


def test_previous_means_the_quarter_before_the_run_date():
    params = {"quarter": "previous", "include_archived": True}
    assert resolve_params(params, D("2026-10-01")) == {"quarter": "2026Q3", "include_archived": True}
    assert resolve_params(params, D("2027-01-04")) == {"quarter": "2026Q4", "include_archived": True}


def test_rolling_replaces_the_quarters_of_the_parameters_only():
    params = {"quarter": "2026Q3", "period": "2026Q2", "year_only": "2026", "member": 20263, "note": "2026Q3 notes"}
    assert schedules.roll_quarters(params) == {
        "quarter": "previous",
        "period": "previous",
        "year_only": "2026",
        "member": 20263,
        "note": "2026Q3 notes",
    }


# ---- making schedules ----------------------------------------------------------------------------


def make(member, params=None, exporter_id="test-people", frequency=Q, today=None):
    return schedules.schedule_create(
        actor=actor_for(member.user),
        branch=member.branch,
        exporter_id=exporter_id,
        params={"quarter": "previous"} if params is None else params,
        file_format="xlsx",
        frequency=frequency,
        today=today,
    )


def test_a_new_schedule_keeps_previous_and_first_runs_on_the_next_due_day(secretary):
    today = timezone.localdate()
    schedule = make(secretary)
    assert schedule.params == {"quarter": "previous"}
    assert schedule.next_run_on == next_due_after(Q, today) and schedule.next_run_on > today
    assert (schedule.active, schedule.failure_count, schedule.max_failures) == (True, 0, 3)
    assert schedule.owner == secretary.user


def test_making_a_schedule_is_refused_like_running_the_report(secretary, member):
    with pytest.raises(PermissionDenied):
        make(member)
    with pytest.raises(ValidationError):  # a fixed quarter that has not begun
        make(secretary, params={"quarter": str(Quarter.current().next().next())})
    with pytest.raises(ValidationError):
        make(secretary, frequency="weekly")
    assert not ScheduledExport.objects.exists()


# ---- running schedules ---------------------------------------------------------------------------


@pytest.fixture
def run_on(django_capture_on_commit_callbacks):
    """Run the due schedules on a day, the jobs included (Celery is eager in tests)."""

    def run(day):
        with django_capture_on_commit_callbacks(execute=True):
            return run_due_schedules(D(day))

    return run


def test_a_due_schedule_makes_the_report_and_tells_its_owner(secretary, run_on):
    schedule = make(secretary, today=D("2026-09-20"))
    ScheduledExport.objects.filter(pk=schedule.pk).update(failure_count=2)
    assert run_on("2026-09-30") == 0  # not due yet
    assert run_on("2026-10-01") == 1

    job = ExportJob.objects.get()
    assert (job.status, job.scheduled, job.owner) == (ExportJob.Status.DONE, schedule, secretary.user)
    assert job.params == {"quarter": "2026Q3"}
    schedule.refresh_from_db()
    assert (schedule.failure_count, schedule.next_run_on, schedule.active) == (0, D("2027-01-01"), True)
    assert schedule.last_run_at is not None
    note = Notification.objects.get(user=secretary.user)
    assert note.url == reverse("exports:job", args=[job.pk])
    assert job.filename in note.title

    assert run_on("2026-10-01") == 0  # the same day again: already done
    assert ExportJob.objects.count() == 1


def test_inactive_schedules_do_not_run(secretary, run_on):
    schedule = make(secretary, today=D("2026-09-20"))
    schedules.schedule_set_active(schedule=schedule, active=False)
    assert run_on("2026-10-01") == 0
    assert not ExportJob.objects.exists()


def test_three_failures_in_a_row_stop_the_schedule_and_tell_the_owner(member, run_on):
    schedule = make(member, params={}, exporter_id="test-boom", frequency=M, today=D("2026-09-20"))
    for day in ("2026-10-01", "2026-11-02"):
        run_on(day)
        schedule.refresh_from_db()
        assert schedule.active
    assert schedule.failure_count == 2
    assert not Notification.objects.exists()  # failures are counted, not announced one by one

    run_on("2026-12-01")
    schedule.refresh_from_db()
    assert (schedule.active, schedule.failure_count) == (False, 3)
    note = Notification.objects.get(user=member.user)
    assert "RuntimeError" in note.body
    assert ExportJob.objects.filter(scheduled=schedule, status=ExportJob.Status.FAILED).count() == 3

    assert run_on("2027-01-01") == 0  # stopped: nothing more
    schedules.schedule_set_active(schedule=schedule, active=True, today=D("2027-01-05"))
    schedule.refresh_from_db()
    assert (schedule.active, schedule.failure_count, schedule.next_run_on) == (True, 0, D("2027-02-01"))


def test_a_run_refused_to_a_demoted_owner_is_logged_and_counted(secretary, run_on):
    schedule = make(secretary, today=D("2026-09-20"))
    CommitteeRole.objects.filter(member=secretary).update(ended_on=timezone.localdate())
    assert run_on("2026-10-01") == 0
    job = ExportJob.objects.get()
    assert (job.status, job.scheduled_id, job.file.name) == (ExportJob.Status.FAILED, schedule.pk, "")
    assert "已无权" in job.error
    schedule.refresh_from_db()
    assert schedule.failure_count == 1


def test_the_beat_task_runs_the_schedules_due_on_its_day(member, django_capture_on_commit_callbacks):
    make(member, params={}, exporter_id="test-open", frequency=M, today=D("2026-10-10"))
    with django_capture_on_commit_callbacks(execute=True):
        assert run_scheduled_exports_task("2026-11-01") == 0  # a Sunday; due on Monday
        assert run_scheduled_exports_task("2026-11-02") == 1
    assert ExportJob.objects.get().status == ExportJob.Status.DONE
