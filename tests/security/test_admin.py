"""The Django admin holds no patient data: it knows no practices, so a staff
account of one practice would otherwise read every practice's patients."""

from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client

from tests import factories
from tests.factories import sign_in

PATIENT_DATA = {
    "programs.patient",
    "programs.program",
    "programs.programitem",
    "programs.programrevision",
    "programs.patientlink",
    "programs.exercisetick",
    "programs.accesslogentry",
}


def test_no_model_with_patient_data_is_in_the_admin():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered & PATIENT_DATA == set()
    # A new model holding patients' data must be added above, or be kept out too.
    for model in apps.get_app_config("programs").get_models():
        points_at = {
            f.related_model
            for f in model._meta.get_fields()
            if f.is_relation and not f.auto_created
        }
        label = model._meta.label_lower
        holds = {apps.get_model(name) for name in PATIENT_DATA}
        if points_at & holds:
            assert label in PATIENT_DATA, label


def test_staff_of_another_practice_with_every_permission_reads_no_patient(library):
    program = factories.anna_starts_today()
    elsewhere = factories.make_therapist(factories.make_practice("Elders"), "staff")
    elsewhere.is_staff = True
    elsewhere.save()
    elsewhere.user_permissions.set(Permission.objects.all())
    client = Client()
    sign_in(client, elsewhere)
    assert client.get("/admin/").status_code == 200
    for path in [
        "/admin/programs/patient/",
        f"/admin/programs/patient/{program.patient.pk}/change/",
        "/admin/programs/program/",
        f"/admin/programs/program/{program.pk}/change/",
        "/admin/programs/programrevision/",
        "/admin/programs/accesslogentry/",
        "/admin/programs/accesslogentry/add/",
    ]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert program.patient.name not in response.content.decode()
    index = client.get("/admin/").content.decode()
    assert "Patiënten" not in index and "Toegangslog" not in index


def test_second_factors_sessions_and_addresses_are_for_site_administrators(library):
    elsewhere = factories.make_therapist(factories.make_practice("Elders"), "staff")
    elsewhere.is_staff = True
    elsewhere.save()
    elsewhere.user_permissions.set(Permission.objects.all())
    client = Client()
    sign_in(client, elsewhere)
    for path in (
        "/admin/mfa/authenticator/",
        "/admin/usersessions/usersession/",
        "/admin/account/emailaddress/",
    ):
        assert client.get(path).status_code == 403, path
    assert "authenticator" not in client.get("/admin/").content.decode().lower()
