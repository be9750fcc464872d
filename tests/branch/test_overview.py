from django.urls import reverse

from members.models import Member
from tests.branch.test_dashboard import DASHBOARD_QUERIES
from tests.factories import MemberFactory, PartyGroupFactory


def test_overview_counts_members_by_group_and_status(client, secretary, group_a, group_b, member, other_member):
    MemberFactory(branch=secretary.branch, party_group=group_b, status=Member.Status.PROBATIONARY)
    MemberFactory(branch=secretary.branch, party_group=None, status=Member.Status.ACTIVIST)
    client.force_login(secretary.user)
    response = client.get(reverse("branch:overview", args=[secretary.branch.pk]))
    overview = response.context["overview"]
    rows = {row.name: row for row in overview.groups}
    # Groups in the order they were set up, the ungrouped last.
    assert list(rows) == ["第一党小组", "第二党小组", "未分组"]
    assert rows["第一党小组"].by_status == {Member.Status.FULL: 2}  # secretary and member
    assert rows["第二党小组"].by_status == {Member.Status.FULL: 1, Member.Status.PROBATIONARY: 1}
    assert rows["未分组"].by_status == {Member.Status.ACTIVIST: 1}
    assert overview.party_member_count == 4
    assert overview.total == 5
    html = response.content.decode()
    assert '<div class="display-6" data-testid="party-member-count">4</div>' in html


def test_overview_query_count_does_not_grow(client, secretary, django_assert_max_num_queries):
    """Members by group and status: more groups and members, no more queries (the rest of the
    dashboard is measured in test_dashboard.py)."""
    client.force_login(secretary.user)
    url = reverse("branch:overview", args=[secretary.branch.pk])
    client.get(url)  # warm the session
    with django_assert_max_num_queries(DASHBOARD_QUERIES) as small:
        client.get(url)
    for _ in range(5):
        group = PartyGroupFactory(branch=secretary.branch)
        MemberFactory.create_batch(4, branch=secretary.branch, party_group=group)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)
