"""Guidance visits in a real browser: a committee member logs one from a phone and the board turns green.

What the view tests cannot see: the guidance form as a phone renders it (date picker, text areas, the
camera/gallery file input), the photo really uploaded as multipart, the redirect back to the board,
and the board's cards fitting a 390-px screen.
"""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override
from PIL import Image
from playwright.sync_api import expect

from activities.models import GuidanceVisit
from tests.activities.factories_duties import link_team
from tests.activities.factories_service import ActivityAttendanceFactory, ActivityFactory, at

from .conftest import has_horizontal_scroll, login_as, path_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GUIDANCE = "讲解冬季井口保温要求，检查巡检记录"


def zh(message: str) -> str:
    with override("zh-hans"):
        return gettext(message)


def _photo(path) -> str:
    Image.new("RGB", (1200, 900), (183, 28, 28)).save(path, format="JPEG")
    return str(path)


def test_committee_member_logs_a_visit_on_a_phone_and_the_board_turns_green(
    phone_page, live_server, committee_member, secretary, team, tmp_path, shots_dir
):
    # Linked since 2024 and never visited: last month went by without a visit, so the board says overdue.
    # The other duty is met: they joined a dedication day this quarter.
    link_team(committee_member, team=team)
    today = timezone.localdate()
    ActivityAttendanceFactory(
        activity=ActivityFactory(branch=committee_member.branch, starts_at=at(today.replace(day=1), 9)),
        member=committee_member,
    )
    page = phone_page
    login_as(page, live_server, committee_member)
    page.goto(live_server.url + reverse("activities:duty_board"))

    card = page.get_by_test_id(f"duty-{committee_member.pk}")
    expect(card.get_by_test_id("status")).to_have_attribute("data-status", "overdue")
    expect(card.get_by_test_id("status")).to_have_text(zh("overdue"))
    expect(card.get_by_test_id("visits-this-month")).to_contain_text("0")
    expect(card.get_by_test_id("dedication-days")).to_contain_text("1")
    assert not has_horizontal_scroll(page)
    page.screenshot(path=shots_dir / "duties-board-overdue.png", full_page=True)

    page.get_by_test_id("log-guidance").tap()
    page.wait_for_url(live_server.url + reverse("activities:guidance_add"))
    expect(page.locator("main")).to_contain_text(team.name)
    form = page.locator("main form")
    today = timezone.localdate()
    expect(form.locator("input[name=visited_on]")).to_have_value(today.isoformat())
    form.locator("textarea[name=guidance]").fill(GUIDANCE)
    form.locator("textarea[name=problems]").fill("个别井口保温层破损")
    form.locator("textarea[name=follow_up]").fill("维修班一周内处理")
    form.locator("input[name=photo]").set_input_files(_photo(tmp_path / "site.jpg"))
    assert not has_horizontal_scroll(page)
    page.screenshot(path=shots_dir / "duties-guidance-form.png", full_page=True)
    with page.expect_navigation():
        form.get_by_test_id("submit").tap()

    assert path_of(page) == reverse("activities:duty_board")
    card = page.get_by_test_id(f"duty-{committee_member.pk}")
    expect(card.get_by_test_id("status")).to_have_attribute("data-status", "on_track")
    expect(card.get_by_test_id("status")).to_have_class("badge text-bg-success")
    expect(card.get_by_test_id("visits-this-month")).to_contain_text("1")
    assert not has_horizontal_scroll(page)
    page.screenshot(path=shots_dir / "duties-board-green.png", full_page=True)

    visit = GuidanceVisit.objects.get(member=committee_member)
    assert (visit.work_team, visit.visited_on, visit.guidance) == (team, today, GUIDANCE)
    with visit.photo.open("rb") as f, Image.open(io.BytesIO(f.read())) as photo:
        assert photo.format == "JPEG"
        assert not photo.getexif()

    # The visit is there to read, photo and all.
    page.goto(live_server.url + reverse("activities:guidance_detail", args=[visit.pk]))
    expect(page.get_by_test_id("visit")).to_contain_text(GUIDANCE)
    expect(page.locator("main img")).to_have_count(1)
