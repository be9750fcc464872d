"""An appeal in a real browser: raised at a forum by the secretary, answered by its handler on a
phone, closed by the secretary with the requester's satisfaction — and its time to answer appears in
the quarter's figures.

What the view tests cannot see: the forms as rendered (selects, date inputs, the multi-file input),
the redirects between the pages, two people working on the same appeal in turn, and the figures
table as the branch reads it.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override
from playwright.sync_api import expect

from activities.models import Appeal
from tests.activities.factories_appeals import ForumFactory

from .conftest import has_horizontal_scroll, login_as, path_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONTENT = "计量间通风设备老化，夏天气味大"
ANSWER = "已报作业区设备组，更换排风扇两台"


def zh(message: str) -> str:
    with override("zh-hans"):
        return gettext(message)


def test_an_appeal_raised_at_a_forum_is_answered_closed_and_counted(
    page, phone_page, live_server, secretary, member, team, tmp_path, shots_dir
):
    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    quarter_start = dt.date(today.year, 3 * quarter - 2, 1)
    held_on = max(quarter_start, today - dt.timedelta(days=5))
    forum = ForumFactory(branch=secretary.branch, work_team=team, held_on=held_on)
    letter = tmp_path / "来信.txt"
    letter.write_text("员工来信", encoding="utf-8")

    # The secretary records what was raised at the forum.
    login_as(page, live_server, secretary)
    page.goto(live_server.url + reverse("activities:forum_detail", args=[forum.pk]))
    page.get_by_test_id("raise-appeal").click()
    form = page.locator("main form")
    expect(form.locator("select[name=channel]")).to_have_value(Appeal.Channel.FORUM)
    form.locator("input[name=new_name]").fill("张国强")
    form.locator("select[name=new_team]").select_option(str(team.pk))
    form.locator("textarea[name=content]").fill(CONTENT)
    form.locator("select[name=category]").select_option(Appeal.Category.SAFETY)
    form.locator("select[name=handler]").select_option(str(member.pk))
    form.locator("input[name=attachments]").set_input_files(str(letter))
    with page.expect_navigation():
        form.get_by_test_id("submit").click()
    appeal = Appeal.objects.get()
    assert path_of(page) == reverse("activities:appeal_detail", args=[appeal.pk])
    expect(page.get_by_test_id("appeal-content")).to_have_text(CONTENT)
    expect(page.get_by_test_id("attachments")).to_contain_text("来信")

    # The handler answers from a phone.
    login_as(phone_page, live_server, member)
    phone_page.goto(live_server.url + reverse("activities:appeal_list"))
    phone_page.locator(f"[data-appeal='{appeal.pk}']").tap()
    phone_page.get_by_test_id("update-appeal").tap()
    form = phone_page.locator("main form")
    form.locator("select[name=status]").select_option(Appeal.Status.ANSWERED)
    form.locator("textarea[name=answer]").fill(ANSWER)
    assert not has_horizontal_scroll(phone_page)
    phone_page.screenshot(path=shots_dir / "appeal-answer-phone.png", full_page=True)
    with phone_page.expect_navigation():
        form.get_by_test_id("submit").tap()
    expect(phone_page.get_by_test_id("appeal-status")).to_have_attribute("data-status", Appeal.Status.ANSWERED)

    # The secretary first tries to close it with its answer removed, then closes it properly.
    page.goto(live_server.url + reverse("activities:appeal_update", args=[appeal.pk]))
    form = page.locator("main form")
    form.locator("select[name=status]").select_option(Appeal.Status.CLOSED)
    form.locator("textarea[name=answer]").fill("")
    form.locator("select[name=satisfaction]").select_option(str(Appeal.Satisfaction.VERY_SATISFIED))
    with page.expect_navigation():
        form.get_by_test_id("submit").click()
    expect(page.locator("main form")).to_contain_text(zh("An appeal cannot be closed without an answer."))
    form = page.locator("main form")
    form.locator("textarea[name=answer]").fill(ANSWER)
    with page.expect_navigation():
        form.get_by_test_id("submit").click()
    expect(page.get_by_test_id("appeal-status")).to_have_attribute("data-status", Appeal.Status.CLOSED)
    expect(page.get_by_test_id("attachments")).to_contain_text("来信")  # still there after closing

    appeal.refresh_from_db()
    assert (appeal.status, appeal.answered_on, appeal.closed_on, appeal.satisfaction) == (
        Appeal.Status.CLOSED,
        today,
        today,
        Appeal.Satisfaction.VERY_SATISFIED,
    )

    # The quarter's figures count it, with its days to answer.
    page.goto(live_server.url + reverse("activities:appeal_figures"))
    row = page.get_by_test_id(f"quarter-{quarter}")
    expect(row.get_by_test_id("received")).to_have_text("1")
    expect(row.get_by_test_id("closed")).to_have_text("1")
    expect(row.get_by_test_id("median-days")).to_have_text(str((today - held_on).days))
    expect(row.get_by_test_id("satisfied-percent")).to_have_text("100%")
    page.screenshot(path=shots_dir / "appeal-figures.png", full_page=True)
