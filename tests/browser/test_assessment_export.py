"""The quarterly assessment end to end in a real browser: the secretary reviews, adjusts and locks the
last complete quarter, exports the workbook, watches the job's progress bar and downloads the file;
the file's figures are those of the member's record book.

What the view tests cannot see: the pages linked together as people click through them, the export
job page following the job with its own JavaScript until it reloads with the download button, the
file as the browser receives it, and two people's views of the same locked figures.

The export job is held until the test has seen it waiting, then let go: without REDIS_URL Celery
runs it in-process (eager); with REDIS_URL a real Celery worker on Redis runs it, started in this
process so it uses the live server's database.
"""

import datetime as dt
import json
import os
import re
from contextlib import ExitStack
from decimal import Decimal

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse
from django.utils.translation import gettext, override
from openpyxl import load_workbook
from playwright.sync_api import expect

from activities.assessment.scores import assess
from activities.models import Activity, AssessmentItem, Grade, Meeting, MemberScore
from activities.services import assessment as assessment_services
from branch.exports import services as export_services
from branch.quarters import Quarter
from config.celery import app
from members.access import actor_for
from members.models import Member
from tests.activities.factories_meetings import MeetingAttendanceFactory, MeetingFactory
from tests.activities.factories_service import ActivityAttendanceFactory, ActivityFactory, at
from tests.factories import MemberFactory, StudyRecordFactory

from .conftest import login_as, path_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TENTH = Decimal("0.1")
STUDY = AssessmentItem.Rule.STUDY_HOURS
ADJUSTED_STUDY = Decimal("17.5")
REASON = "补录：9月集中学习4学时漏登"
# The workbook's grade column (Chinese literals: the file format) and the grades they stand for.
WORKBOOK_GRADES = {
    "优秀": Grade.EXCELLENT,
    "合格": Grade.QUALIFIED,
    "基本合格": Grade.BASIC,
    "不合格": Grade.UNQUALIFIED,
}

# Who did what in the quarter, and the total it gives under the default scheme: org life 25 × the share
# of meetings present at, study 20 × confirmed hours / 8, the dedication day 15 if present; activities,
# red flag and appeals full (nothing was expected); guidance 5 without a committee seat, 0 for the
# secretary (no visits). Three of the 14 graded members reach 95 (优秀): within the cap of a third, so
# the lock is allowed.
#   name, party group, status, study hours, misses a meeting, at the dedication day, total
PEOPLE = [
    ("王建军", "a", "full", 8, False, True, "95.0"),  # the secretary
    ("艾力·买买提", "a", "full", 6, True, True, "86.7"),  # `member`, whose study score is adjusted
    ("周传辉", "b", "full", 2, False, False, "70.0"),  # `other_member`
    ("马玉兰", "a", "full", 8, False, True, "100.0"),
    ("巴特尔", "a", "full", 4, False, True, "90.0"),
    ("李红梅", "a", "full", 0, True, True, "71.7"),
    ("刘志强", "a", "full", 6, False, False, "80.0"),
    ("陈晓峰", "a", "full", 8, True, False, "76.7"),
    ("赵丽", "b", "full", 6, False, True, "95.0"),
    ("孙伟", "b", "full", 4, False, True, "90.0"),
    ("吴静", "b", "full", 2, True, True, "76.7"),
    ("郑国庆", "b", "full", 0, False, True, "80.0"),
    ("何雪", "b", "full", 4, False, False, "75.0"),
    ("马晓东", None, "full", 6, True, True, "82.5"),  # no party group: general meetings only
    ("古丽娜尔·艾山", "b", "probationary", 8, False, True, "100.0"),  # scored, not graded
]


def zh(text) -> str:
    """A message (or lazy label) as the Chinese pages show it: every browser context asks for zh-CN."""
    with override("zh-hans"):
        return gettext(text) if isinstance(text, str) else str(text)


def book_title(quarter: Quarter, total: Decimal) -> str:
    """The record book's title of a locked quarter, as the Chinese page writes it."""
    with override("zh-hans"):
        return gettext("Assessment %(quarter)s: %(total)s points") % {"quarter": quarter.label, "total": total}


def tenth(value) -> Decimal:
    return Decimal(str(value)).quantize(TENTH)


def figure(locator) -> Decimal:
    return tenth(locator.inner_text().strip())


def build_quarter(secretary, member, other_member, group_a, group_b) -> Quarter:
    """The branch's last complete quarter, with meetings, a dedication day and confirmed study."""
    quarter = Quarter.current().previous()
    branch = secretary.branch
    groups = {"a": group_a, "b": group_b, None: None}
    given = {"王建军": secretary, "艾力·买买提": member, "周传辉": other_member}
    people = []
    for name, group, status, hours, misses, dedicated, _total in PEOPLE:
        person = given.get(name) or MemberFactory(branch=branch, party_group=groups[group], name=name, status=status)
        people.append((person, group, hours, misses, dedicated))
    # Not assessed: an activist at the meetings, and a member who left before the quarter began.
    activist = MemberFactory(branch=branch, party_group=group_a, name="买买提·吐尔逊", status=Member.Status.ACTIVIST)
    MemberFactory(
        branch=branch,
        party_group=group_b,
        name="调出党员",
        archived_on=quarter.start - dt.timedelta(days=10),
        archive_reason=Member.ArchiveReason.TRANSFERRED_OUT,
    )

    def day(n: int) -> dt.date:
        return quarter.start + dt.timedelta(days=n)

    first, second = (MeetingFactory(branch=branch, kind=Meeting.Kind.GENERAL, held_on=day(n)) for n in (12, 70))
    group_meetings = {
        key: MeetingFactory(branch=branch, kind=Meeting.Kind.GROUP, party_group=groups[key], held_on=day(40))
        for key in ("a", "b")
    }
    dedication = ActivityFactory(
        branch=branch, organiser=secretary, title="党员奉献日：清理井场", starts_at=at(day(30), 9)
    )
    for person, group, hours, misses, dedicated in people:
        MeetingAttendanceFactory(meeting=first, member=person)
        MeetingAttendanceFactory(meeting=second, member=person, presence="absent" if misses else "present")
        if group:
            MeetingAttendanceFactory(meeting=group_meetings[group], member=person)
        ActivityAttendanceFactory(activity=dedication, member=person, present=dedicated)
        if hours:
            StudyRecordFactory(member=person, studied_on=day(20), hours=hours, status="confirmed")
    MeetingAttendanceFactory(meeting=first, member=activist)
    # Not counted: a record still waiting for confirmation, and study after the quarter ended.
    StudyRecordFactory(member=other_member, studied_on=day(50), hours=4, status="submitted")
    StudyRecordFactory(member=other_member, studied_on=quarter.end + dt.timedelta(days=1), hours=4, status="confirmed")

    result = assess(branch, quarter)
    assert quarter.is_over()
    assert {m.name: m.total for m in result.members} == {p[0]: Decimal(p[-1]) for p in PEOPLE}
    assert result.excellent == 3 <= result.excellent_allowed, "the data must pass the cap on 优秀"
    assert Activity.objects.filter(pk=dedication.pk, state=Activity.State.HELD).exists()
    return quarter


# ---- the export job, held until the test lets it run --------------------------------------------

# Records every value the job page's progress bar shows, across the reload that ends the polling.
PROGRESS_RECORDER = """
document.addEventListener("DOMContentLoaded", () => {
  const progress = document.querySelector("[data-export-progress]");
  if (!progress) return;
  const note = () => {
    const seen = JSON.parse(sessionStorage.getItem("export-progress") || "[]");
    seen.push(progress.getAttribute("aria-valuenow"));
    sessionStorage.setItem("export-progress", JSON.stringify(seen));
  };
  note();
  new MutationObserver(note).observe(progress, { attributes: true, attributeFilter: ["aria-valuenow"] });
});
"""


class HeldExports:
    """Export jobs queued by the pages wait until `release()`.

    Without REDIS_URL, Celery is eager (tests/settings.py): the queueing is held back and `release()`
    runs it, in-process. With REDIS_URL the job really goes to Redis, and `release()` starts a Celery
    worker (a thread of this process: it sees the live server's test database and media folder).
    """

    def __init__(self, monkeypatch, stack: ExitStack):
        self.with_worker = bool(os.environ.get("REDIS_URL"))
        self.stack = stack
        self.held: list[int] = []
        if self.with_worker:
            app.loader.import_module("celery.contrib.testing.tasks")  # the worker's ping check needs them
            app.conf.task_always_eager = False
            stack.callback(setattr, app.conf, "task_always_eager", True)
            app.control.purge()  # messages an earlier, interrupted run may have left in the queue
        else:
            self._enqueue = export_services._enqueue
            monkeypatch.setattr(export_services, "_enqueue", self.held.append)

    def release(self) -> None:
        if self.with_worker:
            self.stack.enter_context(start_worker(app, pool="solo", perform_ping_check=True, shutdown_timeout=10))
        else:
            assert self.held, "no export job was queued"
            for job_id in self.held:
                self._enqueue(job_id)


@pytest.fixture
def held_exports(monkeypatch):
    with ExitStack() as stack:
        yield HeldExports(monkeypatch, stack)


# ---- reading the pages ---------------------------------------------------------------------------


def assessment_entry(page):
    """The record book's one assessment entry, after choosing that section in the book's filter."""
    page.get_by_test_id("book-filter").locator("select[name=section]").select_option("assessment")
    with page.expect_navigation():
        page.get_by_test_id("book-filter").locator("button[type=submit]").click()
    section = page.locator("section[data-section=assessment]")
    expect(section).to_be_visible()
    entry = section.locator("li.entry-assessment")
    expect(entry).to_have_count(1)
    return entry


def entry_items(entry) -> dict[str, Decimal]:
    """The entry's detail line, "组织生活出勤 16.7; 学习学时 17.5; ...", as {item name: points}."""
    detail = entry.locator("div.small.text-muted:not(.entry-date)").inner_text()
    pairs = (part.rsplit(" ", 1) for part in detail.split("; "))
    return {name: tenth(points) for name, points in pairs}


# ---- the tests -----------------------------------------------------------------------------------


def test_secretary_locks_a_quarter_exports_it_and_the_file_matches_the_record_book(
    page, new_page, live_server, secretary, member, other_member, group_a, group_b, held_exports, tmp_path, shots_dir
):
    quarter = build_quarter(secretary, member, other_member, group_a, group_b)
    branch = secretary.branch
    study_name = AssessmentItem.objects.get(scheme__branch=branch, rule=STUDY).name
    page.context.add_init_script(PROGRESS_RECORDER)

    # The dashboard.
    login_as(page, live_server, secretary)
    assert path_of(page) == reverse("branch:overview", args=[branch.pk])
    expect(page.get_by_test_id("panel-members")).to_be_visible()
    expect(page.get_by_test_id("party-member-count")).to_have_text(str(len(PEOPLE)))

    # Through the navbar to the review, which opens on the last complete quarter: open, every
    # assessed member listed.
    page.get_by_test_id("nav-assessment").click()
    page.locator(f".dropdown-menu.show a[href='{reverse('activities:assessment')}']").click()
    review_url = live_server.url + reverse("activities:assessment_review", args=[str(quarter)])
    page.wait_for_url(review_url)
    expect(page.get_by_test_id("state")).to_have_attribute("data-state", "open")
    expect(page.get_by_test_id("member-count")).to_have_text(str(len(PEOPLE)))
    expect(page.locator("tr[data-member]")).to_have_count(len(PEOPLE))
    expect(page.locator(f"tr[data-member='{member.pk}']").get_by_test_id("total")).to_have_text("86.7")

    # One member's page: the secretary replaces the computed study score, with the reason.
    page.locator(f"tr[data-member='{member.pk}']").get_by_role("link", name=member.name).click()
    page.wait_for_url(live_server.url + reverse("activities:assessment_member", args=[str(quarter), member.pk]))
    study = page.locator(f"section[data-item={STUDY}]")
    expect(study.get_by_test_id("points")).to_have_text("15.0")  # 6 of 8 hours
    total_before = figure(page.get_by_test_id("member-total").get_by_test_id("total"))
    form = page.get_by_test_id("adjust-form")
    form.locator("select[name=adjust-item]").select_option(label=study_name)
    form.locator("input[name=adjust-points]").fill(str(ADJUSTED_STUDY))
    form.locator("input[name=adjust-reason]").fill(REASON)
    with page.expect_navigation():
        form.get_by_test_id("adjust").click()

    expect(page.locator(".alert-success")).to_be_visible()
    expect(study.get_by_test_id("points")).to_have_text(str(ADJUSTED_STUDY))
    expect(study).to_contain_text(REASON)
    adjusted_total = total_before + ADJUSTED_STUDY - Decimal("15.0")
    expect(page.get_by_test_id("member-total").get_by_test_id("total")).to_have_text(str(adjusted_total))
    expect(page.get_by_test_id("adjustments")).to_contain_text(REASON)

    # Back to the review, which shows the new figure; lock the quarter.
    page.get_by_role("link", name=zh("All members")).click()
    page.wait_for_url(review_url)
    expect(page.locator(f"tr[data-member='{member.pk}']").get_by_test_id("total")).to_have_text(str(adjusted_total))
    with page.expect_navigation():
        page.get_by_test_id("lock").click()
    expect(page.get_by_test_id("state")).to_have_attribute("data-state", "locked")
    expect(page.get_by_test_id("lock")).to_have_count(0)
    expect(page.locator(".alert-success")).to_be_visible()
    assessed = int(page.get_by_test_id("member-count").inner_text())
    page.screenshot(path=shots_dir / "assessment-locked.png", full_page=True)

    # The export: the quarter comes filled in from the review's link; the workbook format.
    page.get_by_test_id("export-assessment").click()
    page.wait_for_url(re.compile(re.escape(live_server.url + reverse("exports:exporter", args=["assessment"]))))
    export_form = page.get_by_test_id("export-form")
    expect(export_form.locator("input[name=quarter]")).to_have_value(str(quarter))
    export_form.locator("input[name=file_format][value=xlsx]").check()
    with page.expect_navigation():
        export_form.get_by_test_id("submit").click()
    assert re.fullmatch(r"/exports/jobs/\d+/", path_of(page)), page.url

    # The job waits; its page shows the progress bar and follows the job by itself.
    progress = page.locator("[data-export-progress]")
    expect(progress).to_be_visible()
    expect(progress).to_have_attribute("aria-valuenow", "0")
    expect(page.get_by_test_id("download")).to_have_count(0)
    held_exports.release()
    download = page.get_by_test_id("download")
    expect(download).to_be_visible(timeout=30_000)  # the script reloaded the page once the job was done
    expect(page.get_by_test_id("job-status")).to_have_text(zh("done"))
    seen = json.loads(page.evaluate("sessionStorage.getItem('export-progress')") or "[]")
    assert seen[0] == "0" and seen[-1] == "100", seen

    # The file, as the browser downloads it.
    with page.expect_download() as downloading:
        download.click()
    assert downloading.value.suggested_filename.endswith(f"{quarter}-目标管理考核.xlsx")
    path = tmp_path / "assessment.xlsx"
    downloading.value.save_as(path)
    summary = load_workbook(path)["考核汇总"]
    assert "已锁定" in summary["A1"].value
    headers = [cell.value for cell in summary[2]]
    rows = [[cell.value for cell in row] for row in summary.iter_rows(min_row=3)]
    assert len(rows) == assessed == len(PEOPLE)
    assert len({row[2] for row in rows}) == len(PEOPLE)  # one row per member (employee numbers)
    row = dict(zip(headers, next(r for r in rows if r[1] == member.name), strict=True))
    assert row["员工编号"] == member.employee_number and row["党小组"] == group_a.name
    assert tenth(row[study_name]) == ADJUSTED_STUDY
    assert tenth(row["总分"]) == adjusted_total
    item_names = headers[5:-2]
    assert study_name in item_names

    # The member's record book shows the same locked figures.
    own = new_page()
    login_as(own, live_server, member)
    assert path_of(own) == reverse("members:detail", args=[member.pk])  # members land on their book
    entry = assessment_entry(own)
    title = entry.locator(".fw-semibold").first
    expect(title).to_contain_text(book_title(quarter, tenth(row["总分"])))
    expect(entry.locator(".badge")).to_have_text(zh(WORKBOOK_GRADES[row["等级"]].label))
    assert entry_items(entry) == {name: tenth(row[name]) for name in item_names}

    # ... and its link leads to the member's own scores page, with the same figures.
    title.get_by_role("link").click()
    own.wait_for_url(live_server.url + reverse("activities:assessment_member", args=[str(quarter), member.pk]))
    expect(own.get_by_test_id("member-total").get_by_test_id("total")).to_have_text(str(tenth(row["总分"])))
    expect(own.get_by_test_id("grade")).to_have_text(zh(WORKBOOK_GRADES[row["等级"]].label))
    expect(own.locator(f"section[data-item={STUDY}]").get_by_test_id("points")).to_have_text(str(ADJUSTED_STUDY))
    expect(own.get_by_test_id("adjust-form")).to_have_count(0)


def test_member_sees_only_their_own_locked_figures(
    page, live_server, secretary, member, other_member, group_a, group_b
):
    quarter = build_quarter(secretary, member, other_member, group_a, group_b)
    assessment_services.lock_quarter(actor=actor_for(secretary.user), branch=secretary.branch, quarter=quarter)
    score = MemberScore.objects.prefetch_related("items").get(member=member, period__locked_at__isnull=False)

    login_as(page, live_server, member)
    expect(page.get_by_test_id("nav-assessment")).to_have_count(0)

    response = page.goto(live_server.url + reverse("activities:assessment_review", args=[str(quarter)]))
    assert response.status == 403
    expect(page.locator("tr[data-member]")).to_have_count(0)
    response = page.goto(
        live_server.url + reverse("activities:assessment_member", args=[str(quarter), other_member.pk])
    )
    assert response.status == 404
    assert other_member.name not in page.content()
    response = page.goto(live_server.url + reverse("exports:exporter", args=["assessment"]))
    assert response.status == 403

    page.goto(live_server.url + reverse("me"))
    entry = assessment_entry(page)
    expect(entry.locator(".fw-semibold").first).to_contain_text(book_title(quarter, score.total))
    expect(entry.locator(".badge")).to_have_text(zh(Grade(score.grade).label))
    assert entry_items(entry) == {s.item_name: s.points for s in score.items.all()}
    response = page.goto(live_server.url + reverse("activities:assessment_member", args=[str(quarter), member.pk]))
    assert response.status == 200
    expect(page.get_by_test_id("total")).to_have_text(str(score.total))
