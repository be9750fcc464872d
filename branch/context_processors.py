"""Template context every page shares."""

from django.utils.functional import SimpleLazyObject

from .models import Notification


def notifications(request) -> dict:
    """`unread_notifications`: the logged-in user's unread count for the navbar's bell.

    Lazy, so a page that does not show it costs nothing; one COUNT query when it does. Anonymous
    visitors get nothing (and no query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": SimpleLazyObject(
            lambda: Notification.objects.filter(user_id=user.pk, read_at__isnull=True).count()
        )
    }
