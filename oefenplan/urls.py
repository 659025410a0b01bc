from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.static import serve

# The admin signs in through the same login, second factor included.
admin.site.login = secure_admin_login(admin.site.login)

# A database or Redis that is away gives a 503 "try again shortly", not a 500.
handler500 = "oefenplan.ops.views.server_error"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="exercises:library", permanent=False)),
    # Sign-in, second factor, password change and reset, one's sessions: allauth.
    path("accounts/", include("allauth.urls")),
    path("login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("library/", include("exercises.urls")),
    path("", include("programs.therapist.urls")),
    path("", include("programs.plan.urls")),
    path("admin/", admin.site.urls),
    path("", include("oefenplan.ops.urls")),
]

if settings.SERVE_MEDIA:
    # Photos are public exercise pictures, never patient data; a front server
    # may take this over in production (DJANGO_SERVE_MEDIA=0).
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]
