"""Each user's in-app notifications (what the reminder job found due or overdue).

Included from config/urls.py as `path("notifications/", include("branch.views_notifications"))`; the
names live in the "notifications" namespace. A user only ever reaches their own notifications:
anyone else's is "not found", like any other guessed id.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .models import Notification

PAGE_SIZE = 50

app_name = "notifications"


@login_required
def notification_list(request):
    notifications = Notification.objects.filter(user=request.user)
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "branch/notifications.html", {"page": page})


@login_required
@require_POST
def notification_read(request, pk: int):
    """Mark one notification read; with `open` in the form, go on to what it is about."""
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    target = notification.url
    # The link is written by the reminder job, but a redirect only ever stays on this site.
    if "open" in request.POST and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request):
    count = Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    if count:
        messages.success(request, _("All notifications marked as read."))
    return redirect("notifications:list")


urlpatterns = [
    path("", notification_list, name="list"),
    path("<int:pk>/read/", notification_read, name="read"),
    path("read-all/", notification_read_all, name="read_all"),
]
