"""Attendance of a dedication day in a real browser: a group leader takes it on a phone, and the
attendees' record books show it.

What the view tests cannot see: the checklist as a 390-px phone renders it (big ticks, hours tucked
behind a tap), "all present" ticking the group on the spot with JavaScript, the few taps it takes,
and the record books of two different people reading the saved rows.
"""

import datetime as dt
import time
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override
from playwright.sync_api import expect

from activities.models import Activity, ActivityAttendance
from tests.activities.factories_service import ActivityFactory, at
from tests.factories import MemberFactory

from .conftest import has_horizontal_scroll, login_as, path_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "党员奉献日：平整检188-12井场"


def zh(message: str) -> str:
    with override("zh-hans"):
        return gettext(message)


def test_group_leader_takes_attendance_on_a_phone_and_books_show_it(
    phone_page, new_page, live_server, group_leader, member, other_member, secretary, group_a, shots_dir
):
    absentee = MemberFactory(branch=group_leader.branch, party_group=group_a, name="马玉兰")
    early = MemberFactory(branch=group_leader.branch, party_group=group_a, name="巴特尔")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    activity = ActivityFactory(
        branch=group_leader.branch,
        organiser=secretary,
        title=TITLE,
        state=Activity.State.PLANNED,
        starts_at=at(yesterday, 10),
        ends_at=at(yesterday, 12, 30),
    )
    page = phone_page
    login_as(page, live_server, group_leader)

    # From the calendar to the activity to its checklist.
    page.goto(live_server.url + reverse("activities:activity_calendar"))
    page.get_by_role("link", name=TITLE).tap()
    page.get_by_test_id("take-attendance").tap()
    page.wait_for_url(live_server.url + reverse("activities:activity_attendance", args=[activity.pk]))
    started = time.monotonic()

    form = page.get_by_test_id("attendance-form")
    groups = form.locator("section[data-group]")
    expect(groups).to_have_count(1)  # the leader's own group only
    expect(form).not_to_contain_text(other_member.name)
    group = groups.first
    expect(group.locator("input[type=checkbox]:checked")).to_have_count(0)

    group.get_by_test_id("all-present").tap()  # ticks the group on the spot: no page load
    expect(group.locator("input[type=checkbox]:checked")).to_have_count(5)
    expect(group.get_by_test_id("group-count")).to_have_text("5/5")
    assert path_of(page) == reverse("activities:activity_attendance", args=[activity.pk])
    group.locator(f"li[data-member='{absentee.pk}'] label").tap()  # the exception
    expect(group.get_by_test_id("group-count")).to_have_text("4/5")
    row = group.locator(f"li[data-member='{early.pk}']")
    row.get_by_test_id("hours-toggle").tap()
    row.locator(f"input[name=h{early.pk}]").fill("1.5")
    row.locator(f"input[name=r{early.pk}]").fill("提前离开：井口抢修")
    expect(row.get_by_test_id("hours-toggle")).to_have_text("1.5 h")
    assert not has_horizontal_scroll(page)
    page.screenshot(path=shots_dir / "attendance-phone.png", full_page=True)
    with page.expect_navigation():
        page.get_by_test_id("submit").tap()
    assert time.monotonic() - started < 60

    assert path_of(page) == reverse("activities:activity_detail", args=[activity.pk])
    expect(page.get_by_test_id("state")).to_have_text(zh("held"))
    expect(page.get_by_test_id("attendance")).to_contain_text(early.name)
    rows = {r.member_id: r for r in ActivityAttendance.objects.filter(activity=activity)}
    assert set(rows) == {group_leader.pk, member.pk, secretary.pk, early.pk}
    assert all(r.present for r in rows.values())
    assert rows[member.pk].hours == Decimal("2.5")
    assert (rows[early.pk].hours, rows[early.pk].hours_reason) == (Decimal("1.5"), "提前离开：井口抢修")

    # The member's own record book, on their phone.
    own = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    login_as(own, live_server, member)
    own.goto(live_server.url + "/me/")
    entry = own.locator("main li").filter(has_text=TITLE)
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text(zh("attended"))
    expect(entry).to_contain_text(yesterday.isoformat())
    totals = own.get_by_test_id("book-totals")
    expect(totals.locator(".border").filter(has_text=zh("Dedication days")).locator(".fs-4")).to_have_text("1")
    assert not has_horizontal_scroll(own)
    own.screenshot(path=shots_dir / "attendance-record-book.png", full_page=True)

    # The leader reads the group's books: the early leaver's shows the hours and the reason; the
    # absentee's shows nothing.
    page.goto(live_server.url + reverse("members:detail", args=[early.pk]))
    entry = page.locator("main li").filter(has_text=TITLE)
    expect(entry).to_contain_text("1.5")
    expect(entry).to_contain_text("提前离开：井口抢修")
    page.goto(live_server.url + reverse("members:detail", args=[absentee.pk]))
    expect(page.locator("main")).not_to_contain_text(TITLE)
