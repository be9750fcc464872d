from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from branch import views as branch_views
from members.views import book as member_views

urlpatterns = [
    path("", branch_views.home, name="home"),
    path("me/", member_views.me, name="me"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("branches/", include("branch.urls")),
    path("members/", include("members.urls")),
    path("activities/", include("activities.urls")),
    path("notifications/", include("branch.views_notifications")),
    path("exports/", include("branch.exports.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    # Uploaded photos in laptop mode; in production the web server serves MEDIA_ROOT.
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
