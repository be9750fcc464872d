"""The record book in a real browser: a study record's round trip, and the book printed to A4 paper.

What the view tests cannot see: the study form as a phone renders it (date picker, select, number
field), the redirects between the member's book and the group leader's queue in two separate
browsers, and what Chromium really prints from the print page (page size, page breaks, fonts).
"""

import datetime as dt
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override
from playwright.sync_api import expect
from pypdf import PdfReader

from members.models import StudyRecord
from tests.factories import StudyRecordFactory

from .conftest import has_horizontal_scroll, login_as, path_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOPIC = "学习党章"
A4_POINTS = (595.28, 841.89)  # 210 × 297 mm
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def zh(message: str) -> str:
    """A message as the Chinese pages show it (every browser context here asks for zh-CN)."""
    with override("zh-hans"):
        return gettext(message)


def confirmed_hours(page) -> Decimal:
    """The "study hours (confirmed)" figure from the book's totals."""
    tile = page.get_by_test_id("book-totals").locator(".border").filter(has_text=zh("Study hours (confirmed)"))
    return Decimal(NUMBER.search(tile.locator(".fs-4").inner_text()).group())


def study_entry(page, topic: str):
    return page.get_by_test_id("timeline").locator("li").filter(has_text=topic)


def test_study_record_from_phone_to_confirmed(
    phone_page, new_page, live_server, member, group_leader, other_member, shots_dir
):
    page = phone_page
    book_path = f"/members/{member.pk}/"

    login_as(page, live_server, member)
    page.goto(live_server.url + "/me/")

    assert path_of(page) == book_path
    expect(page.get_by_test_id("member-name")).to_have_text(member.name)
    assert confirmed_hours(page) == 0

    page.get_by_test_id("add-study").tap()
    page.wait_for_url(live_server.url + reverse("members:study_add"))
    form = page.locator("main form")
    studied_on = timezone.localdate() - dt.timedelta(days=1)
    form.locator("input[name=studied_on]").fill(studied_on.isoformat())
    form.locator("input[name=topic]").fill(TOPIC)
    form.locator("select[name=form]").select_option(StudyRecord.Form.TOPIC_CLASS)
    form.locator("input[name=hours]").fill("2.0")
    assert not has_horizontal_scroll(page)
    with page.expect_navigation():
        form.get_by_test_id("submit").tap()

    assert path_of(page) == book_path
    entry = study_entry(page, TOPIC)
    expect(entry).to_have_count(1)
    expect(entry.locator(".badge")).to_have_text(zh("waiting for confirmation"))
    expect(entry).to_contain_text(studied_on.isoformat())
    assert confirmed_hours(page) == 0  # waiting records do not count yet
    record = StudyRecord.objects.get(member=member, topic=TOPIC)
    assert record.status == StudyRecord.Status.SUBMITTED
    assert (record.hours, record.studied_on, record.form) == (Decimal("2.0"), studied_on, StudyRecord.Form.TOPIC_CLASS)
    page.screenshot(path=shots_dir / "book-study-waiting.png", full_page=True)

    # The group leader, on the office computer, confirms it from the queue.
    leader = new_page()
    login_as(leader, live_server, group_leader)
    leader.goto(live_server.url + reverse("members:study_queue"))
    card = leader.get_by_test_id(f"study-{record.pk}")
    expect(card).to_contain_text(member.name)
    expect(card).to_contain_text(TOPIC)
    with leader.expect_navigation():
        card.get_by_test_id("confirm").click()
    assert path_of(leader) == reverse("members:study_queue")
    expect(leader.get_by_test_id(f"study-{record.pk}")).to_have_count(0)

    page.reload()

    expect(study_entry(page, TOPIC).locator(".badge")).to_have_text(zh("confirmed"))
    assert confirmed_hours(page) == 2
    record.refresh_from_db()
    assert record.status == StudyRecord.Status.CONFIRMED
    assert record.reviewed_by == group_leader

    # Another member of the branch cannot open the book, and learns nothing from trying.
    stranger = new_page()
    login_as(stranger, live_server, other_member)
    response = stranger.goto(live_server.url + book_path)

    assert response.status == 404
    assert member.name not in stranger.content()
    assert TOPIC not in stranger.content()


def print_pdf(page, path) -> PdfReader:
    page.emulate_media(media="print")
    page.pdf(path=path, format="A4", print_background=True)
    return PdfReader(path)


def pdf_text(reader: PdfReader) -> str:
    """All the text of a PDF without whitespace (pypdf puts spaces around "·" and between scripts)."""
    return re.sub(r"\s+", "", "".join(pdf_page.extract_text() for pdf_page in reader.pages))


def assert_a4(reader: PdfReader):
    assert len(reader.pages) >= 1
    for number, pdf_page in enumerate(reader.pages, start=1):
        size = (float(pdf_page.mediabox.width), float(pdf_page.mediabox.height))
        assert size == pytest.approx(A4_POINTS, abs=2), f"page {number} is {size} pt, not A4"


def test_record_book_prints_to_a4(page, live_server, secretary, member, tmp_path, shots_dir):
    print_url = f"{live_server.url}/members/{member.pk}/print/"
    title = zh("Personal activity record book")
    login_as(page, live_server, secretary)

    response = page.goto(print_url)

    assert response.status == 200
    reader = print_pdf(page, tmp_path / "book.pdf")
    assert_a4(reader)
    text = pdf_text(reader)
    assert member.employee_number in text
    assert title in text
    assert member.name in text
    # Paper has no navigation, and the print button is for the screen only.
    expect(page.locator("nav")).to_have_count(0)
    expect(page.locator("button.screen-only")).to_be_hidden()

    # A book with a long study history runs over several pages, all of them A4.
    for n in range(80):
        StudyRecordFactory(
            member=member,
            studied_on=dt.date(2025, 1, 1) + dt.timedelta(days=n * 3),
            status=StudyRecord.Status.CONFIRMED if n % 3 else StudyRecord.Status.SUBMITTED,
        )
    page.reload()

    long_pdf = tmp_path / "long-book.pdf"
    reader = print_pdf(page, long_pdf)
    assert len(reader.pages) > 1
    assert_a4(reader)
    text = pdf_text(reader)
    assert member.employee_number in text
    assert title in text
    # For people to look at: the first page as a picture, when poppler-utils is installed.
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", long_pdf, shots_dir / "print-1"],
            check=False,
            timeout=20,
        )
