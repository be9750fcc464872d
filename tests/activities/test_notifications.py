"""In-app notifications: each user sees, opens and marks read only their own."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from branch.context_processors import notifications as notifications_context
from branch.models import Notification

from .factories_duties import NotificationFactory


@pytest.fixture
def mine(member):
    return [
        NotificationFactory(user=member.user, title="第一条提醒", url=reverse("me")),
        NotificationFactory(user=member.user, title="第二条提醒", url=""),
    ]


@pytest.fixture
def theirs(other_member):
    return NotificationFactory(user=other_member.user, title="别人的提醒")


def test_list_shows_only_the_users_own(client, member, mine, theirs):
    client.force_login(member.user)
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 200
    assert set(response.context["page"]) == set(mine)
    html = response.content.decode()
    assert "第一条提醒" in html and "第二条提醒" in html
    assert "别人的提醒" not in html
    assert 'data-testid="unread-count">2' in html  # the bell in the navbar


def test_mark_one_read_and_open_it(client, member, mine):
    first, second = mine
    client.force_login(member.user)
    response = client.post(reverse("notifications:read", args=[second.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("notifications:list")
    second.refresh_from_db()
    assert second.read_at is not None
    response = client.post(reverse("notifications:read", args=[first.pk]), {"open": "1"})
    assert response["Location"] == reverse("me")
    first.refresh_from_db()
    read_at = first.read_at
    assert read_at is not None
    client.post(reverse("notifications:read", args=[first.pk]))  # again: keeps the first reading time
    first.refresh_from_db()
    assert first.read_at == read_at


def test_open_never_leaves_the_site(client, member):
    notification = NotificationFactory(user=member.user, url="https://evil.example.com/")
    client.force_login(member.user)
    response = client.post(reverse("notifications:read", args=[notification.pk]), {"open": "1"})
    assert response["Location"] == reverse("notifications:list")


def test_another_users_notification_is_not_found(client, member, theirs):
    client.force_login(member.user)
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("notifications:read", args=[999999])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_touches_only_the_users_own(client, member, mine, theirs):
    client.force_login(member.user)
    response = client.post(reverse("notifications:read_all"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("notifications:list")
    assert gettext("All notifications marked as read.") in response.content.decode()
    assert not Notification.objects.filter(user=member.user, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert 'data-testid="unread-count"' not in response.content.decode()


@pytest.mark.parametrize("name", ["notifications:read_all", "notifications:read"])
def test_changes_are_post_only(client, member, mine, name):
    client.force_login(member.user)
    url = reverse(name, args=[mine[0].pk]) if name == "notifications:read" else reverse(name)
    assert client.get(url).status_code == 405
    assert not Notification.objects.filter(read_at__isnull=False).exists()


def test_anonymous_visitors_are_sent_to_log_in(client, mine):
    for response in (
        client.get(reverse("notifications:list")),
        client.post(reverse("notifications:read", args=[mine[0].pk])),
        client.post(reverse("notifications:read_all")),
    ):
        assert response.status_code == 302
        assert "/login/" in response["Location"]


@pytest.mark.parametrize("persona", ["admin", "secretary", "committee", "group_leader", "member", "outsider"])
def test_every_logged_in_persona_has_a_notification_page(client, personas, persona):
    client.force_login(personas[persona])
    assert client.get(reverse("notifications:list")).status_code == 200


def test_unread_count_costs_one_query_and_only_when_logged_in(member, mine, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = member.user
    with django_assert_num_queries(0):
        context = notifications_context(request)  # lazy: nothing until a template shows it
    with django_assert_num_queries(1):  # as the navbar uses it: {% if %}, then {{ }}
        assert context["unread_notifications"]
        assert str(context["unread_notifications"]) == "2"
    Notification.objects.update(read_at=timezone.now())
    assert not notifications_context(request)["unread_notifications"]

    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert notifications_context(request) == {}


def test_list_query_count_is_constant(client, member, django_assert_max_num_queries):
    NotificationFactory(user=member.user)
    client.force_login(member.user)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("notifications:list"))
    NotificationFactory.create_batch(30, user=member.user)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("notifications:list"))
