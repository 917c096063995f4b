from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("inloggen/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("lvv.accounts.urls")),
    path("api/v1/", include("lvv.api.urls")),
    path("", include("lvv.web.urls")),
    path("", include("lvv.web.trajectory_urls")),
    path("", include("lvv.people.urls")),
    path("", include("lvv.privacy.urls")),
    path("", include("lvv.admissions.urls")),
    path("", include("lvv.meetings.urls")),
    path("", include("lvv.meetings.urls_progress")),
    path("", include("lvv.monitor.urls")),
    path("", include("lvv.exchange.urls")),
    path("", include("lvv.analytics.urls")),
]

handler403 = "lvv.web.views.permission_denied"
handler404 = "lvv.web.views.page_not_found"
