"""The therapist's addresses, by record: patients, a program, its items, its handout."""

from django.urls import path

from programs.therapist.views import (
    copying,
    editor,
    gdpr,
    handouts,
    paper,
    patients,
    practice,
    preview,
    publish,
)

app_name = "therapist"
urlpatterns = [
    path("patients/", patients.patient_list, name="patient_list"),
    path("patients/<int:pk>/", patients.patient_detail, name="patient_detail"),
    path("patients/<int:pk>/link/", patients.patient_link_create, name="patient_link_create"),
    path(
        "patients/<int:pk>/link/revoke/",
        patients.patient_link_revoke,
        name="patient_link_revoke",
    ),
    path("practice/access-log/", practice.access_log, name="access_log"),
    path("practice/access-log.csv", practice.access_log_csv, name="access_log_csv"),
    path("patients/<int:pk>/export.json", gdpr.patient_export_json, name="patient_export_json"),
    path("patients/<int:pk>/export.pdf", gdpr.patient_export_pdf, name="patient_export_pdf"),
    path("patients/<int:pk>/erase/", gdpr.patient_erase, name="patient_erase"),
    path(
        "patients/<int:pk>/access-log/",
        practice.patient_access_log,
        name="patient_access_log",
    ),
    path("practice/", practice.practice_settings, name="practice_settings"),
    path("programs/<int:pk>/", editor.program_edit, name="program_edit"),
    path("programs/<int:pk>/preview/", preview.program_preview, name="program_preview"),
    path("programs/<int:pk>/paper/", paper.program_paper, name="program_paper"),
    path("programs/<int:pk>/publish/", publish.program_publish, name="program_publish"),
    path("programs/<int:pk>/copy/", copying.program_copy, name="program_copy"),
    path("programs/<int:pk>/archive/", editor.program_archive, name="program_archive"),
    path("programs/<int:pk>/handout/", handouts.handout_print, name="handout_print"),
    path("programs/<int:pk>/handout.pdf", handouts.handout_pdf, name="handout_pdf"),
    path("programs/<int:pk>/exercises/", editor.program_add_exercise, name="program_add_exercise"),
    path(
        "programs/<int:pk>/items/<int:item_pk>/",
        editor.program_item_update,
        name="program_item_update",
    ),
    path(
        "programs/<int:pk>/items/<int:item_pk>/edit/",
        editor.program_item_edit,
        name="program_item_edit",
    ),
    path(
        "programs/<int:pk>/items/<int:item_pk>/show/",
        editor.program_item_show,
        name="program_item_show",
    ),
    path(
        "programs/<int:pk>/items/<int:item_pk>/up/", editor.program_item_up, name="program_item_up"
    ),
    path(
        "programs/<int:pk>/items/<int:item_pk>/down/",
        editor.program_item_down,
        name="program_item_down",
    ),
    path(
        "programs/<int:pk>/items/<int:item_pk>/remove/",
        editor.program_item_remove,
        name="program_item_remove",
    ),
    path(
        "programs/<int:pk>/items/<int:item_pk>/keep/",
        editor.program_item_keep,
        name="program_item_keep",
    ),
]
