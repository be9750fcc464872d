"""A real Celery worker on Redis runs a real task end to end (not eager, not mocked)."""

import io

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from config.celery import app
from members.tasks import make_member_thumbnail
from tests.factories import MemberFactory

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _jpeg(size=(1200, 900)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (183, 28, 28)).save(buffer, format="JPEG")
    return buffer.getvalue()


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


def test_thumbnail_task_runs_on_a_real_worker_through_redis(celery_worker, settings):
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    member = MemberFactory(photo=SimpleUploadedFile("me.jpg", _jpeg(), content_type="image/jpeg"))
    result = make_member_thumbnail.delay(member.pk)
    assert result.get(timeout=20) is True
    member.refresh_from_db()
    assert member.photo_thumbnail.name
    with member.photo_thumbnail.open("rb") as f, Image.open(f) as thumb:
        assert max(thumb.size) == 256
    # The task went through the broker: its result is stored in the Redis result backend.
    assert app.AsyncResult(result.id).state == "SUCCESS"
