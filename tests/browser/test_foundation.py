"""The foundation in a real browser: logging in and out, where each person lands, phone layout.

What the view tests cannot see: the login form as rendered (crispy-forms, CSRF cookie), the redirects
a browser follows, Bootstrap's collapsed navbar on a phone, and whether a page fits a 360-px screen.
"""

import re

import pytest
from playwright.sync_api import expect

from members.models import Member
from tests.factories import TEST_PASSWORD, MemberFactory

from .conftest import LOGIN_PATH, SMALL_PHONE, has_horizontal_scroll, login, login_as, logout, path_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_secretary_lands_on_branch_overview(page, live_server, secretary, member, other_member, group_b, shots_dir):
    branch = secretary.branch
    MemberFactory(branch=branch, party_group=group_b, status=Member.Status.PROBATIONARY)
    MemberFactory(branch=branch, party_group=None, status=Member.Status.ACTIVIST)  # not a Party member yet
    party_members = Member.objects.filter(branch=branch).party_members().count()
    assert party_members == 4

    response = login_as(page, live_server, secretary)

    assert response.status == 200
    assert path_of(page) == f"/branches/{branch.pk}/"
    expect(page.locator("h1")).to_have_text(branch.name)
    expect(page.get_by_test_id("party-member-count")).to_have_text(str(party_members))
    expect(page.get_by_test_id("user-menu")).to_contain_text(secretary.name)
    # Chinese first, and the stylesheets really arrived (Bootstrap plus Hongqi's red navbar).
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    navbar_colour = page.locator("nav.navbar").evaluate("el => getComputedStyle(el).backgroundColor")
    assert navbar_colour == "rgb(183, 28, 28)"
    page.screenshot(path=shots_dir / "secretary-overview.png", full_page=True)


def test_member_on_phone_sees_own_page_and_nobody_elses(phone_page, live_server, member, other_member, shots_dir):
    page = phone_page

    login_as(page, live_server, member)

    assert path_of(page) == f"/members/{member.pk}/"
    expect(page.get_by_test_id("member-name")).to_have_text(member.name)
    assert not has_horizontal_scroll(page)
    # The navbar is collapsed behind the hamburger button on a phone.
    expect(page.locator("nav .navbar-toggler")).to_be_visible()
    expect(page.get_by_test_id("user-menu")).to_be_hidden()
    page.screenshot(path=shots_dir / "phone-member.png", full_page=True)

    response = page.goto(f"{live_server.url}/members/{other_member.pk}/")

    assert response.status == 404
    assert other_member.name not in page.content()
    expect(page.get_by_test_id("member-name")).to_have_count(0)


def test_wrong_password_shows_chinese_error_and_stays_on_login(page, live_server, member):
    response = login(page, live_server, member.user.username, TEST_PASSWORD + "-wrong")

    assert response.status == 200
    assert path_of(page) == LOGIN_PATH
    error = page.locator("main .alert-danger")
    expect(error).to_be_visible()
    expect(error).to_contain_text("密码")
    assert CJK.search(error.inner_text())
    expect(page.locator("input[name=username]")).to_have_value(member.user.username)
    expect(page.locator("input[name=password]")).to_have_value("")
    # Still anonymous: a protected page sends the browser back to the login form.
    page.goto(f"{live_server.url}/members/{member.pk}/")
    assert path_of(page) == LOGIN_PATH


@pytest.mark.parametrize("device", ["page", "phone_page"])
def test_logout_through_the_user_menu(request, device, live_server, secretary):
    page = request.getfixturevalue(device)
    login_as(page, live_server, secretary)
    overview = page.url

    response = logout(page)

    assert response.status == 200
    assert path_of(page) == LOGIN_PATH
    expect(page.get_by_test_id("user-menu")).to_have_count(0)
    page.goto(overview)
    assert path_of(page) == LOGIN_PATH  # the session is really gone


def test_login_page_and_overview_fit_a_360px_phone(new_page, live_server, secretary, member, other_member):
    page = new_page(**SMALL_PHONE)
    page.goto(live_server.url + LOGIN_PATH)
    assert page.evaluate("window.innerWidth") == 360
    assert not has_horizontal_scroll(page)

    login_as(page, live_server, secretary)

    assert path_of(page) == f"/branches/{secretary.branch.pk}/"
    expect(page.get_by_test_id("party-member-count")).to_be_visible()
    # The wide members-by-group table scrolls inside its own box, not the whole page.
    assert not has_horizontal_scroll(page)
