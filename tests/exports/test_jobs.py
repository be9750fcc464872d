"""Export jobs from start to end: starting, running, progress, failures, stale jobs, expiry."""

import datetime as dt
import logging
import threading

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import connections
from django.utils import timezone

from branch.exports import services
from branch.exports.tasks import cleanup_exports_task
from branch.models import ExportJob
from branch.quarters import Quarter
from members.access import actor_for
from members.models import CommitteeRole

from .fakes import MeetingExporter, fake_exporters, private_media  # noqa: F401 - fixtures

pytestmark = pytest.mark.usefixtures("fake_exporters", "private_media")
Status = ExportJob.Status
LAST_QUARTER = str(Quarter.current().previous())


def start(member, exporter_id="test-people", params=None, file_format="xlsx", **kwargs):
    return services.start_export(
        actor=actor_for(member.user),
        branch=member.branch,
        exporter_id=exporter_id,
        params={"quarter": LAST_QUARTER} if params is None else params,
        file_format=file_format,
        **kwargs,
    )


def stored_export_files() -> list[str]:
    found = []

    def walk(folder):
        if not default_storage.exists(folder):
            return
        folders, files = default_storage.listdir(folder)
        found.extend(f"{folder}/{name}" for name in files)
        for sub in folders:
            walk(f"{folder}/{sub}")

    walk("exports")
    return found


@pytest.fixture
def crew(secretary, member, other_member, group_leader):
    return [secretary, member, other_member, group_leader]


def test_a_job_goes_from_pending_to_done_with_its_file(crew, secretary, django_capture_on_commit_callbacks, caplog):
    caplog.set_level(logging.INFO, logger="hongqi.exports")
    with django_capture_on_commit_callbacks() as callbacks:
        job = start(secretary)
    assert (job.status, job.progress, job.file.name) == (Status.PENDING, 0, "")
    assert job.filename == f"检188采油作业区党支部-测试名册-{LAST_QUARTER}.xlsx"
    assert len(callbacks) == 1  # queued only once the transaction commits

    callbacks[0]()  # Celery is eager in tests: this runs the job here
    job.refresh_from_db()
    assert job.status == Status.DONE
    assert (job.progress, job.row_count, job.error) == (100, 5, "")  # 4 members + the totals row
    assert job.started_at <= job.finished_at
    assert job.expires_at == job.finished_at + dt.timedelta(days=7)
    assert job.file.name.startswith(f"exports/{timezone.now():%Y/%m}/") and job.file.name.endswith(".xlsx")
    with job.file.open("rb") as handle:
        workbook = openpyxl.load_workbook(handle)
    assert workbook.sheetnames == ["名册", "名册(2)"]
    assert workbook["名册"]["A3"].value == sorted(crew, key=lambda m: m.name)[0].employee_number
    messages = [r.getMessage() for r in caplog.records if r.name == "hongqi.exports"]
    assert any("queued" in m for m in messages)
    assert any("started" in m for m in messages) and any("done" in m for m in messages)


def test_csv_job(secretary, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = start(secretary, file_format="csv")
    job.refresh_from_db()
    assert job.status == Status.DONE and job.filename.endswith(".csv") and job.file.name.endswith(".csv")
    assert job.row_count == 1  # the first sheet only: the secretary is the only member here
    with job.file.open("rb") as handle:
        assert handle.read().startswith(b"\xef\xbb\xbf")


def test_starting_is_refused_to_who_may_not_and_for_bad_parameters(secretary, member, outsider):
    with pytest.raises(PermissionDenied):
        start(member)
    with pytest.raises(PermissionDenied):  # the secretary of another branch, for this branch
        services.start_export(
            actor=actor_for(outsider.user),
            branch=secretary.branch,
            exporter_id="test-people",
            params={"quarter": LAST_QUARTER},
            file_format="xlsx",
        )
    with pytest.raises(ValidationError) as error:
        start(secretary, params={"quarter": str(Quarter.current().next())})
    assert error.value.code == "future_quarter"
    with pytest.raises(ValidationError):
        start(secretary, file_format="pdf")
    with pytest.raises(ValidationError):
        start(secretary, exporter_id="no-such-report")
    assert not ExportJob.objects.exists()


def test_progress_is_recorded_while_the_job_runs(member, monkeypatch):
    seen = []
    original = services._ProgressRecorder.__call__

    def spy(self, rows):
        original(self, rows)
        seen.append(ExportJob.objects.values_list("progress", "row_count").get(pk=self.job_id))

    monkeypatch.setattr(services._ProgressRecorder, "__call__", spy)
    job = start(member, "test-big", params={})
    assert services.run_export(job.pk) == Status.DONE
    assert seen[:4] == [(20, 1000), (40, 2000), (60, 3000), (80, 4000)]
    job.refresh_from_db()
    assert (job.progress, job.row_count) == (100, 5000)


def test_progress_writes_are_throttled(member, monkeypatch, django_assert_num_queries):
    job = start(member, "test-big", params={})
    ExportJob.objects.filter(pk=job.pk).update(status=Status.RUNNING)
    clock = [100.0]
    monkeypatch.setattr(services.time, "monotonic", lambda: clock[0])
    record = services._ProgressRecorder(job.pk, 100_000)
    with django_assert_num_queries(0):
        record(1000)  # 1 %, no time passed: not worth a write
    with django_assert_num_queries(1):
        record(2000)  # 2 %
    with django_assert_num_queries(0):
        record(3000)
    clock[0] += 1.5
    with django_assert_num_queries(1):
        record(3000)  # a second has passed
    assert ExportJob.objects.get(pk=job.pk).progress == 3


def test_a_secretary_demoted_before_the_task_runs_gets_a_failed_job(secretary):
    job = start(secretary)
    CommitteeRole.objects.filter(member=secretary).update(ended_on=timezone.localdate())
    assert services.run_export(job.pk) == Status.FAILED
    job.refresh_from_db()
    assert "不能再" in job.error and job.branch.name in job.error
    assert job.file.name == "" and stored_export_files() == []


def test_an_inactive_owner_gets_a_failed_job(secretary):
    job = start(secretary)
    type(secretary.user).objects.filter(pk=secretary.user_id).update(is_active=False)
    assert services.run_export(job.pk) == Status.FAILED


def test_parameters_refused_when_the_job_runs_fail_it_with_their_message(secretary):
    job = start(secretary)
    ExportJob.objects.filter(pk=job.pk).update(params={"quarter": "2026Q9"})
    assert services.run_export(job.pk) == Status.FAILED
    job.refresh_from_db()
    assert "2026Q9" in job.error


def test_a_job_never_runs_twice(member):
    job = start(member, "test-open", params={})
    assert services.run_export(job.pk) == Status.DONE
    name = ExportJob.objects.get(pk=job.pk).file.name
    assert services.run_export(job.pk) is None
    assert ExportJob.objects.get(pk=job.pk).file.name == name
    assert stored_export_files() == [name]


def test_an_exporter_failing_half_way_leaves_a_failed_job_and_no_file(member, caplog):
    job = start(member, "test-boom", params={})
    assert services.run_export(job.pk) == Status.FAILED
    job.refresh_from_db()
    assert "RuntimeError" in job.error
    assert "the database went away" not in job.error  # the details go to the log, not the page
    assert job.file.name == ""
    assert stored_export_files() == []
    failure = next(r for r in caplog.records if r.name == "hongqi.exports" and r.levelno == logging.ERROR)
    assert failure.exc_info is not None  # the traceback is logged


def test_a_broker_that_cannot_be_reached_fails_the_job_at_once(member, monkeypatch):
    from branch.exports import tasks

    def refuse(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(tasks.run_export_task, "delay", refuse)
    job = start(member, "test-open", params={})
    services._enqueue(job.pk)
    job.refresh_from_db()
    assert job.status == Status.FAILED and job.error


# ---- stale jobs and expiry -----------------------------------------------------------------------


def test_a_stale_pending_job_fails_when_its_status_is_read(member, settings):
    settings.HONGQI_EXPORT_PENDING_TIMEOUT = 10
    job = start(member, "test-open", params={})
    services.fail_if_stale(job)
    assert job.status == Status.PENDING  # just created: still waiting

    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(minutes=11))
    job.refresh_from_db()
    services.fail_if_stale(job)
    assert job.status == Status.FAILED
    assert "未能按时开始" in job.error
    assert services.run_export(job.pk) is None  # a worker coming back later does not run it


def test_the_cleanup_task_fails_stale_jobs_and_leaves_fresh_ones(member, settings):
    settings.HONGQI_EXPORT_RUNNING_TIMEOUT = 60
    old_pending, fresh, old_running, fresh_running = (start(member, "test-open", params={}) for _ in range(4))
    long_ago = timezone.now() - dt.timedelta(hours=2)
    ExportJob.objects.filter(pk=old_pending.pk).update(created_at=long_ago)
    ExportJob.objects.filter(pk__in=[old_running.pk, fresh_running.pk]).update(status=Status.RUNNING)
    ExportJob.objects.filter(pk=old_running.pk).update(started_at=long_ago)
    ExportJob.objects.filter(pk=fresh_running.pk).update(started_at=timezone.now())

    assert cleanup_exports_task() == {"stale": 2, "expired": 0}
    status = dict(ExportJob.objects.values_list("pk", "status"))
    assert status == {
        old_pending.pk: Status.FAILED,
        fresh.pk: Status.PENDING,
        old_running.pk: Status.FAILED,
        fresh_running.pk: Status.RUNNING,
    }
    assert "未能按时完成" in ExportJob.objects.get(pk=old_running.pk).error


def test_a_job_failed_as_stale_while_running_keeps_no_file(member, monkeypatch):
    job = start(member, "test-open", params={})
    original = services.writers.write

    def write_then_get_failed(*args, **kwargs):
        rows = original(*args, **kwargs)
        ExportJob.objects.filter(pk=job.pk).update(status=Status.FAILED, error="stopped")
        return rows

    monkeypatch.setattr(services.writers, "write", write_then_get_failed)
    assert services.run_export(job.pk) == Status.FAILED
    assert ExportJob.objects.get(pk=job.pk).error == "stopped"
    assert stored_export_files() == []


def test_expired_files_are_deleted_and_the_log_row_stays(member):
    job = start(member, "test-open", params={})
    services.run_export(job.pk)
    job.refresh_from_db()
    name = job.file.name
    assert default_storage.exists(name)

    assert services.delete_expired_exports(timezone.now() + dt.timedelta(days=6)) == 0
    assert default_storage.exists(name)

    assert cleanup_exports_task() == {"stale": 0, "expired": 0}
    assert services.delete_expired_exports(timezone.now() + dt.timedelta(days=8)) == 1
    job.refresh_from_db()
    assert not default_storage.exists(name)
    assert (job.status, job.expired, job.file.name, job.row_count) == (Status.DONE, True, "", 1)
    assert not job.can_download
    assert services.delete_expired_exports(timezone.now() + dt.timedelta(days=9)) == 0


# ---- two at once ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
# PostgreSQL only: SQLite lets one writer at a time, so two threads writing at once fail there now and
# then ("database is locked"); on the embedded default jobs run in-process, one after the other.
@pytest.mark.postgres
def test_two_jobs_running_at_once_write_two_distinct_files(member, monkeypatch):
    monkeypatch.setattr(MeetingExporter, "barrier", threading.Barrier(2))
    monkeypatch.setattr(services, "_enqueue", lambda job_id: None)  # the threads below run them
    # The same report, the same second, the same owner: only the stored names tell them apart.
    first = start(member, "test-meeting", params={"tag": "first"})
    second = start(member, "test-meeting", params={"tag": "second"})
    results = {}

    def run(job_id):
        try:
            results[job_id] = services.run_export(job_id)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job.pk,)) for job in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == {first.pk: Status.DONE, second.pk: Status.DONE}
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.file.name != second.file.name
    for job, tag in ((first, "first"), (second, "second")):
        with job.file.open("rb") as handle:
            assert openpyxl.load_workbook(handle)["表"]["A2"].value == tag
