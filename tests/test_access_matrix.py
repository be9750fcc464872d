"""The permission matrix: every URL against every persona, with the status each must get.

404 means "not in your scope" (the page does not admit the object exists); 403 means "you may see
this kind of thing but not do this"; 302 to the login page for anonymous visitors.
"""

import pytest
from django.urls import reverse

OK, REDIRECT, FORBIDDEN, NOT_FOUND = 200, 302, 403, 404


def _urls(secretary, member, other_member, outsider):
    branch = secretary.branch
    return {
        "branch_overview": reverse("branch:overview", args=[branch.pk]),
        "other_branch_overview": reverse("branch:overview", args=[outsider.branch.pk]),
        "branch_list": reverse("branch:list"),
        "member_page": reverse("members:detail", args=[member.pk]),
        "other_member_page": reverse("members:detail", args=[other_member.pk]),
        "admin": reverse("admin:index"),
    }


# persona -> url name -> expected status
MATRIX = {
    "anonymous": {
        "branch_overview": REDIRECT,
        "other_branch_overview": REDIRECT,
        "branch_list": REDIRECT,
        "member_page": REDIRECT,
        "other_member_page": REDIRECT,
        "admin": REDIRECT,
    },
    "admin": {
        "branch_overview": OK,
        "other_branch_overview": OK,
        "branch_list": OK,
        "member_page": OK,
        "other_member_page": OK,
        "admin": OK,
    },
    "secretary": {
        "branch_overview": OK,
        "other_branch_overview": NOT_FOUND,
        "branch_list": OK,
        "member_page": OK,
        "other_member_page": OK,
        "admin": REDIRECT,  # the admin is the administrator's tool only
    },
    "committee": {
        "branch_overview": OK,
        "other_branch_overview": NOT_FOUND,
        "branch_list": OK,
        "member_page": OK,
        "other_member_page": OK,
        "admin": REDIRECT,
    },
    "group_leader": {  # leads group A: sees `member` (group A), not `other_member` (group B)
        "branch_overview": FORBIDDEN,
        "other_branch_overview": FORBIDDEN,
        "branch_list": FORBIDDEN,
        "member_page": OK,
        "other_member_page": NOT_FOUND,
        "admin": REDIRECT,
    },
    "member": {
        "branch_overview": FORBIDDEN,
        "other_branch_overview": FORBIDDEN,
        "branch_list": FORBIDDEN,
        "member_page": OK,  # their own page
        "other_member_page": NOT_FOUND,
        "admin": REDIRECT,
    },
    "outsider": {  # secretary of another branch
        "branch_overview": NOT_FOUND,
        "other_branch_overview": OK,
        "branch_list": OK,
        "member_page": NOT_FOUND,
        "other_member_page": NOT_FOUND,
        "admin": REDIRECT,
    },
}

CASES = [(persona, url_name) for persona, row in MATRIX.items() for url_name in row]


@pytest.mark.parametrize(("persona", "url_name"), CASES)
def test_permission_matrix(client, personas, secretary, member, other_member, outsider, persona, url_name):
    user = personas[persona]
    if user is not None:
        client.force_login(user)
    url = _urls(secretary, member, other_member, outsider)[url_name]
    response = client.get(url)
    expected = MATRIX[persona][url_name]
    assert response.status_code == expected, f"{persona} GET {url}"
    if expected == REDIRECT:
        assert "/login/" in response["Location"]


def test_member_cannot_guess_ids(client, member, other_member, secretary, outsider):
    client.force_login(member.user)
    for pk in [other_member.pk, secretary.pk, outsider.pk, 999999]:
        response = client.get(reverse("members:detail", args=[pk]))
        assert response.status_code == 404
        assert other_member.name not in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "lands_on"),
    [
        ("secretary", "branch:overview"),
        ("committee", "branch:overview"),
        ("member", "me"),
        ("group_leader", "me"),
        ("admin", "branch:list"),
    ],
)
def test_home_sends_each_role_to_its_start_page(client, personas, secretary, persona, lands_on):
    client.force_login(personas[persona])
    response = client.get(reverse("home"))
    assert response.status_code == 302
    if lands_on == "branch:overview":
        assert response["Location"] == reverse(lands_on, args=[secretary.branch.pk])
    else:
        assert response["Location"] == reverse(lands_on)


def test_me_redirects_to_own_page(client, member):
    client.force_login(member.user)
    response = client.get(reverse("me"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("members:detail", args=[member.pk])
    assert member.name in response.content.decode()


def test_login_without_member_record_is_told_why(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="stray"))
    response = client.get(reverse("home"))
    assert response.status_code == 403
    assert "支部书记" in response.content.decode()
