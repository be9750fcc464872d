"""Red-flag work in a real browser: a member enters the day's reading of their red-flag well on a
phone, and the board and the chart show it.

What the view tests cannot see: the form as a phone renders it (date picker, number keyboard), that
nothing makes the pages scroll sideways at 390 px, and that Chart.js (vendored) really draws the chart
from the page's data, with the new reading in it.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override
from playwright.sync_api import expect

from activities.models import Indicator, Reading
from tests.activities.factories_redflag import AssignmentFactory, daily_readings

from .conftest import has_horizontal_scroll, login_as, path_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OIL, CUT = Indicator.OIL_OUTPUT, Indicator.WATER_CUT


def zh(message: str) -> str:
    with override("zh-hans"):
        return gettext(message)


def chart_points(page, indicator: str) -> dict:
    """The labels and the "under the assignment" line of the chart Chart.js drew on the canvas."""
    return page.evaluate(
        """(key) => {
            const chart = Chart.getChart(document.querySelector(`canvas[data-indicator="${key}"]`));
            return chart ? {labels: chart.data.labels, during: chart.data.datasets[1].data} : null;
        }""",
        indicator,
    )


def test_member_enters_a_reading_on_a_phone(phone_page, new_page, live_server, member, secretary, shots_dir):
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    assignment = AssignmentFactory(
        asset__branch=member.branch,
        asset__code="J188-07",
        member=member,
        started_on=last_month,
        targets={OIL: "4.5", CUT: "86"},
    )
    asset = assignment.asset
    # Last month is complete: a baseline the board can show (oil 4.8 of 4.5, water cut 85 of 86: green).
    Reading.objects.bulk_create(
        daily_readings(asset, OIL, last_month, this_month - dt.timedelta(days=1), 4.8)
        + daily_readings(asset, CUT, last_month, this_month - dt.timedelta(days=1), 85)
    )
    page = phone_page
    login_as(page, live_server, member)

    page.goto(live_server.url + reverse("activities:red_flag_board"))
    row = page.get_by_test_id(f"board-row-{asset.pk}")
    expect(row).to_contain_text("J188-07")
    expect(row).to_contain_text(member.name)
    expect(row.get_by_test_id("attainment-month")).to_have_text(f"{last_month:%Y-%m}")
    expect(row).to_have_attribute("data-colour", "green")
    assert not has_horizontal_scroll(page)

    row.get_by_test_id("enter-reading").tap()
    page.wait_for_url(live_server.url + reverse("activities:reading_add", args=[asset.pk]))
    form = page.get_by_test_id("reading-form")
    expect(form.locator(f"input[name=value_{OIL}]")).to_have_attribute("inputmode", "decimal")
    form.locator("input[name=reading_on]").fill(today.isoformat())
    form.locator(f"input[name=value_{OIL}]").fill("5.3")
    form.locator(f"input[name=value_{CUT}]").fill("84.5")
    assert not has_horizontal_scroll(page)
    page.screenshot(path=shots_dir / "redflag-reading-form.png", full_page=True)
    with page.expect_navigation():
        form.get_by_test_id("submit").tap()

    # Back on the asset's page: the reading is listed and drawn.
    assert path_of(page) == reverse("activities:asset_chart", args=[asset.pk])
    expect(page.locator(".alert-success")).to_be_visible()
    readings = page.get_by_test_id("readings")
    expect(readings).to_contain_text(today.isoformat())
    expect(readings).to_contain_text("5.30")
    expect(readings).to_contain_text(member.name)
    page.wait_for_function("() => window.Chart && Chart.getChart(document.querySelector('canvas'))")
    points = chart_points(page, OIL)
    assert points["labels"][-1] == f"{today:%Y-%m}"
    assert points["during"][-1] == 5.3  # this month so far: the reading just entered
    assert points["during"][points["labels"].index(f"{last_month:%Y-%m}")] == 4.8
    assert not has_horizontal_scroll(page)
    page.screenshot(path=shots_dir / "redflag-asset-chart.png", full_page=True)
    stored = Reading.objects.get(asset=asset, indicator=OIL, reading_on=today)
    assert (stored.value, stored.entered_by) == (Decimal("5.30"), member)

    # The board shows it too: the latest reading is today's.
    page.goto(live_server.url + reverse("activities:red_flag_board"))
    row = page.get_by_test_id(f"board-row-{asset.pk}")
    expect(row.get_by_test_id("latest-reading")).to_contain_text(today.isoformat())
    page.screenshot(path=shots_dir / "redflag-board-phone.png", full_page=True)

    # Entering the same day again is refused, in Chinese, and changes nothing.
    page.goto(live_server.url + reverse("activities:reading_add", args=[asset.pk]))
    form = page.get_by_test_id("reading-form")
    form.locator("input[name=reading_on]").fill(today.isoformat())
    form.locator(f"input[name=value_{OIL}]").fill("9.9")
    with page.expect_navigation():
        form.get_by_test_id("submit").tap()
    error = page.locator(".invalid-feedback").first
    expect(error).to_contain_text("J188-07")
    expect(error).to_contain_text(today.isoformat())
    expect(error).to_contain_text(zh("daily oil output"))
    assert Reading.objects.get(asset=asset, indicator=OIL, reading_on=today).value == Decimal("5.30")

    # The secretary, at the office, sees the same on the branch's board.
    office = new_page()
    login_as(office, live_server, secretary)
    office.goto(live_server.url + reverse("activities:red_flag_board"))
    expect(office.get_by_test_id(f"board-row-{asset.pk}").get_by_test_id("latest-reading")).to_contain_text(
        today.isoformat()
    )
