from django.urls import path

from programs import handout_views, plan_views, views

app_name = "programs"
urlpatterns = [
    path("patients/", views.patient_list, name="patient_list"),
    path("patients/<int:pk>/", views.patient_detail, name="patient_detail"),
    path("programs/<int:pk>/", views.program_edit, name="program_edit"),
    path("programs/<int:pk>/preview/", views.program_preview, name="program_preview"),
    path("programs/<int:pk>/publish/", views.program_publish, name="program_publish"),
    path("programs/<int:pk>/copy/", views.program_copy, name="program_copy"),
    path("programs/<int:pk>/archive/", views.program_archive, name="program_archive"),
    path("programs/<int:pk>/handout/", handout_views.handout_print, name="handout_print"),
    path("programs/<int:pk>/handout.pdf", handout_views.handout_pdf, name="handout_pdf"),
    path("programs/<int:pk>/exercises/", views.program_add_exercise, name="program_add_exercise"),
    path(
        "programs/<int:pk>/items/<int:item_pk>/",
        views.program_item_update,
        name="program_item_update",
    ),
    path(
        "programs/<int:pk>/items/<int:item_pk>/up/", views.program_item_up, name="program_item_up"
    ),
    path(
        "programs/<int:pk>/items/<int:item_pk>/down/",
        views.program_item_down,
        name="program_item_down",
    ),
    path(
        "programs/<int:pk>/items/<int:item_pk>/remove/",
        views.program_item_remove,
        name="program_item_remove",
    ),
    path(
        "programs/<int:pk>/items/<int:item_pk>/keep/",
        views.program_item_keep,
        name="program_item_keep",
    ),
    path("practice/access-log/", views.access_log, name="access_log"),
    path("patients/<int:pk>/link/", views.patient_link_create, name="patient_link_create"),
    path("patients/<int:pk>/link/revoke/", views.patient_link_revoke, name="patient_link_revoke"),
    # The patient's side: the link itself, then clean URLs behind the cookie.
    path("p/<str:token>/", plan_views.plan_open, name="plan_open"),
    path("plan/", plan_views.plan_today, name="plan_today"),
    path("plan/week/", plan_views.plan_week, name="plan_week"),
    path("plan/tick/", plan_views.plan_tick, name="plan_tick"),
    path("plan/session/", plan_views.plan_session_done, name="plan_session_done"),
    path("plan/language/", plan_views.plan_language, name="plan_language"),
]
