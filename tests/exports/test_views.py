"""The export pages: who sees which report, starting a job, the job page, the download, schedules."""

import datetime as dt
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from branch.exports import base, services
from branch.models import ExportJob, ScheduledExport
from branch.quarters import Quarter
from members.access import actor_for
from tests.factories import TEST_PASSWORD, MemberFactory

from .fakes import PeopleExporter, fake_exporters, private_media  # noqa: F401 - fixtures

pytestmark = pytest.mark.usefixtures("fake_exporters", "private_media")

Status = ExportJob.Status
LAST_QUARTER = str(Quarter.current().previous())


def login(client, user):
    if user is not None:
        assert client.login(username=user.username, password=TEST_PASSWORD)
    return client


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def finished_job(member, exporter_id="test-open", params=None) -> ExportJob:
    job = services.start_export(
        actor=actor_for(member.user),
        branch=member.branch,
        exporter_id=exporter_id,
        params=params or {},
        file_format="xlsx",
    )
    services.run_export(job.pk)
    job.refresh_from_db()
    return job


# ---- the list of reports -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "reports"),
    [
        ("anonymous", None),
        ("secretary", ["test-big", "test-boom", "test-meeting", "test-open", "test-people"]),
        ("committee", ["test-big", "test-boom", "test-meeting", "test-open"]),
        ("member", ["test-big", "test-boom", "test-meeting", "test-open"]),
        ("outsider", ["test-big", "test-boom", "test-meeting", "test-open", "test-people"]),  # their own branch's
        ("admin", []),
    ],
)
def test_the_index_offers_the_reports_the_role_allows(client, personas, persona, reports):
    response = login(client, personas[persona]).get(reverse("exports:index"))
    if reports is None:
        assert is_login_redirect(response)
        return
    assert response.status_code == 200
    assert sorted(r.identifier for r in response.context["reports"]) == reports


def test_a_member_with_no_report_sees_an_empty_list(client, monkeypatch, member):
    monkeypatch.setattr(base, "_registry", {PeopleExporter.identifier: PeopleExporter})
    monkeypatch.setattr(base, "_loaded", True)
    response = login(client, member.user).get(reverse("exports:index"))
    assert response.status_code == 200
    assert response.context["reports"] == []
    assert 'data-testid="no-reports"' in response.content.decode()


def test_the_administrator_picks_a_branch(client, admin_user, branch, outsider):
    login(client, admin_user)
    response = client.get(reverse("exports:index"), {"branch": outsider.branch.pk})
    assert response.context["branch"] == outsider.branch
    assert 'data-testid="branch-picker"' in response.content.decode()


def test_the_index_lists_only_your_jobs_in_a_fixed_number_of_queries(
    client, member, other_member, django_assert_max_num_queries
):
    finished_job(other_member)
    for _ in range(2):
        finished_job(member)
    login(client, member.user)
    with django_assert_max_num_queries(12) as few:
        response = client.get(reverse("exports:index"))
    assert [job.owner_id for job in response.context["jobs"]] == [member.user_id] * 2
    for _ in range(8):
        finished_job(member)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("exports:index"))
    assert len(response.context["jobs"]) == 10


# ---- starting a job ------------------------------------------------------------------------------


def outsider_branch(personas) -> str:
    return personas["outsider"].member.branch.name


def test_report_pages_answer_by_role(client, personas):
    url = reverse("exports:exporter", args=["test-people"])
    # The outsider is the secretary of their own branch: the page is theirs, for that branch.
    expected = {"anonymous": 302, "admin": 403, "secretary": 200, "committee": 403, "member": 403, "outsider": 200}
    for persona, status in expected.items():
        client.logout()
        response = login(client, personas[persona]).get(url)
        assert response.status_code == status, persona
        response = client.post(url, {"quarter": LAST_QUARTER, "file_format": "xlsx"})
        assert response.status_code == (302 if status != 403 else 403), persona
    assert sorted(ExportJob.objects.values_list("owner__username", "branch__name")) == sorted(
        [
            (personas["secretary"].username, "检188采油作业区党支部"),
            (personas["outsider"].username, outsider_branch(personas)),
        ]
    )
    assert login(client, personas["secretary"]).get(reverse("exports:exporter", args=["nothing"])).status_code == 404


def test_posting_the_form_runs_the_job_and_shows_it_done(client, secretary, django_capture_on_commit_callbacks):
    login(client, secretary.user)
    url = reverse("exports:exporter", args=["test-people"])
    page = client.get(url).content.decode()
    assert 'name="quarter"' in page and 'name="file_format"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"quarter": LAST_QUARTER, "file_format": "xlsx"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("exports:job", args=[job.pk])
    page = client.get(response["Location"])
    assert page.context["job"].status == Status.DONE
    content = page.content.decode()
    assert reverse("exports:download", args=[job.pk]) in content
    assert "data-export-job" not in content and "export-job.js" not in content  # nothing left to follow


def test_a_link_can_fill_in_the_form(client, secretary):
    login(client, secretary.user)
    url = reverse("exports:exporter", args=["test-people"])
    page = client.get(url, {"quarter": LAST_QUARTER, "unknown": "x"})
    assert f'value="{LAST_QUARTER}"' in page.content.decode()
    assert f"quarter={LAST_QUARTER}" in page.context["schedule_url"]


def test_a_refused_quarter_shows_on_the_form(client, secretary):
    login(client, secretary.user)
    url = reverse("exports:exporter", args=["test-people"])
    response = client.post(url, {"quarter": str(Quarter.current().next()), "file_format": "xlsx"})
    assert response.status_code == 200
    assert response.context["form"].errors["quarter"]
    response = client.post(url, {"quarter": LAST_QUARTER, "file_format": "pdf"})
    assert response.status_code == 200 and response.context["format_form"].errors["file_format"]
    assert not ExportJob.objects.exists()


# ---- the job page and its status -----------------------------------------------------------------


def test_a_pending_job_page_polls_and_has_a_refresh_link(client, member):
    job = services.start_export(
        actor=actor_for(member.user), branch=member.branch, exporter_id="test-open", params={}, file_format="xlsx"
    )
    login(client, member.user)
    content = client.get(reverse("exports:job", args=[job.pk])).content.decode()
    assert f'data-status-url="{reverse("exports:job_status", args=[job.pk])}"' in content
    assert "js/export-job.js" in content
    assert 'data-testid="refresh"' in content
    status = client.get(reverse("exports:job_status", args=[job.pk])).json()
    assert status["status"] == "pending" and status["finished"] is False and status["download_url"] is None

    services.run_export(job.pk)
    status = client.get(reverse("exports:job_status", args=[job.pk])).json()
    assert (status["status"], status["progress"], status["row_count"], status["finished"]) == ("done", 100, 1, True)
    assert status["download_url"] == reverse("exports:download", args=[job.pk])


def test_reading_a_stale_job_fails_it(client, member):
    job = services.start_export(
        actor=actor_for(member.user), branch=member.branch, exporter_id="test-open", params={}, file_format="xlsx"
    )
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
    login(client, member.user)
    status = client.get(reverse("exports:job_status", args=[job.pk])).json()
    assert status["status"] == "failed" and status["finished"] and "未能按时开始" in status["error"]
    page = client.get(reverse("exports:job", args=[job.pk])).content.decode()
    assert 'data-testid="job-error"' in page


def test_a_failed_job_shows_its_error(client, member):
    job = finished_job(member, "test-boom")
    login(client, member.user)
    response = client.get(reverse("exports:job", args=[job.pk]))
    assert job.error in response.content.decode()
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 404


# ---- the download --------------------------------------------------------------------------------


def test_only_the_owner_downloads_the_file(client, personas, member):
    job = finished_job(member)
    urls = [reverse(name, args=[job.pk]) for name in ("exports:job", "exports:job_status", "exports:download")]
    for persona, user in personas.items():
        if persona == "member":
            continue  # the owner
        client.logout()
        login(client, user)
        for url in urls:
            response = client.get(url)
            if persona == "anonymous":
                assert is_login_redirect(response), url
            else:  # the secretary and the administrator included
                assert response.status_code == 404, (persona, url)

    login(client, member.user)
    response = client.get(urls[2])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f"filename*=utf-8''{quote(job.filename)}" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    with job.file.open("rb") as handle:
        assert b"".join(response.streaming_content) == handle.read()


def test_no_download_once_the_file_has_expired(client, member):
    job = finished_job(member)
    login(client, member.user)
    url = reverse("exports:download", args=[job.pk])
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert client.get(url).status_code == 404  # past its time, before the cleanup has run
    services.delete_expired_exports()
    assert client.get(url).status_code == 404
    page = client.get(reverse("exports:job", args=[job.pk])).content.decode()
    assert 'data-testid="expired"' in page


# ---- schedules -----------------------------------------------------------------------------------


def test_making_stopping_and_deleting_a_schedule(client, secretary):
    login(client, secretary.user)
    url = reverse("exports:schedule_create", args=["test-people"])
    assert 'name="rolling_quarter"' in client.get(url).content.decode()
    response = client.post(
        url, {"quarter": LAST_QUARTER, "file_format": "csv", "frequency": "quarterly", "rolling_quarter": "on"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("exports:schedules")
    schedule = ScheduledExport.objects.get()
    assert (schedule.params, schedule.file_format, schedule.owner) == ({"quarter": "previous"}, "csv", secretary.user)

    assert client.get(reverse("exports:schedules")).context["schedules"] == [schedule]
    assert client.get(reverse("exports:schedule_stop", args=[schedule.pk])).status_code == 405
    client.post(reverse("exports:schedule_stop", args=[schedule.pk]))
    schedule.refresh_from_db()
    assert not schedule.active
    client.post(reverse("exports:schedule_start", args=[schedule.pk]))
    schedule.refresh_from_db()
    assert schedule.active
    client.post(reverse("exports:schedule_delete", args=[schedule.pk]))
    assert not ScheduledExport.objects.exists()


def test_a_fixed_quarter_schedule_keeps_its_quarter(client, secretary):
    login(client, secretary.user)
    client.post(
        reverse("exports:schedule_create", args=["test-people"]),
        {"quarter": LAST_QUARTER, "file_format": "xlsx", "frequency": "monthly"},
    )
    assert ScheduledExport.objects.get().params == {"quarter": LAST_QUARTER}


def test_schedules_are_their_owners_only(client, personas, secretary, member):
    schedule = ScheduledExport.objects.create(
        branch=secretary.branch, owner=secretary.user, exporter="test-people", next_run_on=timezone.localdate()
    )
    for persona, user in personas.items():
        if persona == "secretary":
            continue
        client.logout()
        login(client, user)
        for name in ("exports:schedule_stop", "exports:schedule_start", "exports:schedule_delete"):
            response = client.post(reverse(name, args=[schedule.pk]))
            assert is_login_redirect(response) if user is None else response.status_code == 404, (persona, name)
        if user is not None:
            assert client.get(reverse("exports:schedules")).context["schedules"] == []
    assert ScheduledExport.objects.get().active
    # Scheduling a report is refused like making it.
    login(client, member.user)
    assert client.get(reverse("exports:schedule_create", args=["test-people"])).status_code == 403


def test_a_member_of_another_branch_never_gets_this_branch(client, branch):
    stranger = MemberFactory()
    login(client, stranger.user)
    response = client.get(reverse("exports:index"), {"branch": branch.pk})
    assert response.context["branch"] == stranger.branch  # the parameter is the administrator's only
