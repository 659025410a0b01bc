"""The patient's addresses: the link itself, then clean URLs behind the cookie."""

from django.urls import path

from programs.plan import views

app_name = "plan"
urlpatterns = [
    path("p/<str:token>/", views.plan_open, name="open"),
    path("plan/", views.plan_today, name="today"),
    path("plan/week/", views.plan_week, name="week"),
    path("plan/oefenen/", views.plan_step, name="step"),
    path("plan/tick/", views.plan_tick, name="tick"),
    path("plan/session/", views.plan_session_done, name="session_done"),
    path("plan/language/", views.plan_language, name="language"),
]
