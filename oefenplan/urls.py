from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.static import serve

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="exercises:library", permanent=False)),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("library/", include("exercises.urls")),
    path("", include("programs.therapist.urls")),
    path("", include("programs.plan.urls")),
    path("admin/", admin.site.urls),
]

if settings.SERVE_MEDIA:
    # Photos are public exercise pictures, never patient data; a front server
    # may take this over in production (DJANGO_SERVE_MEDIA=0).
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]
