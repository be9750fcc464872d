"""An export job through a real Celery worker on Redis (not eager, not mocked), start to download."""

import threading
import time

import openpyxl
import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse

from branch.exports import base, services
from branch.models import ExportJob
from config.celery import app
from members.access import actor_for

from .fakes import OpenExporter, fake_exporters, private_media  # noqa: F401 - fixtures

pytestmark = [
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fake_exporters", "private_media"),
]


@pytest.fixture
def celery_worker():
    # As in tests/test_celery_worker.py: the ping check needs Celery's own test tasks registered.
    app.loader.import_module("celery.contrib.testing.tasks")
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=True, shutdown_timeout=10) as worker:
            yield worker
    finally:
        app.conf.task_always_eager = True


class ThreadNotingExporter(OpenExporter):
    identifier = "test-thread"
    threads: list = []

    def sheets(self, branch, params):
        self.threads.append(threading.get_ident())
        yield from super().sheets(branch, params)


def test_an_export_job_runs_on_a_real_worker_through_redis(celery_worker, member, settings, client, monkeypatch):
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    monkeypatch.setitem(base._registry, ThreadNotingExporter.identifier, ThreadNotingExporter)
    monkeypatch.setattr(ThreadNotingExporter, "threads", [])
    # No surrounding transaction here: on_commit hands the job to the broker at once.
    job = services.start_export(
        actor=actor_for(member.user), branch=member.branch, exporter_id="test-thread", params={}, file_format="xlsx"
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            break
        time.sleep(0.2)
    assert job.status == ExportJob.Status.DONE, job.error
    # The worker's thread made it, not this one.
    assert ThreadNotingExporter.threads and ThreadNotingExporter.threads[0] != threading.get_ident()
    client.force_login(member.user)
    response = client.get(reverse("exports:download", args=[job.pk]))
    assert response.status_code == 200
    with job.file.open("rb") as handle:
        assert openpyxl.load_workbook(handle)["表"]["A2"].value == "007"
