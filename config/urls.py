from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config import views as config_views
from performance.home import notifications as notification_views
from performance.home import views as performance_views
from performance.signin import views as signin_views

urlpatterns = [
    path("", performance_views.home, name="home"),
    path("healthz", performance_views.healthz, name="healthz"),
    path("notifications/", notification_views.notifications, name="notifications"),
    path(
        "notifications/unread/",
        notification_views.unread_count,
        name="notifications-unread",
    ),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", signin_views.SignOut.as_view(), name="logout"),
    path("oidc/", include("performance.signin.urls")),
    path(
        "accounts/password-reset/", config_views.PasswordResetView.as_view(), name="password_reset"
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "accounts/password-change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password-change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("", include("performance.urls")),
    path("reach-the-summit/", include("reach_summit.urls")),
    path("benchmarking/", include("benchmarking.urls")),
    path("data-quality/", include("dataquality.urls")),
    path("reports/", include("performance.reports.urls")),
    path("public/", include("performance.reports.public_urls")),
    path("api/", include("performance.api.urls")),
    path("help/", include("performance.help.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
