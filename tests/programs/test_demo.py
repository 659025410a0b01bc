import io
import re

from django.core.management import call_command

from programs.models import Patient, Program, ProgramRevision, Therapist
from tests.factories import totp_code_for


def test_demo_setup_creates_a_practice_with_programs_once(library, client):
    first, again = io.StringIO(), io.StringIO()
    call_command("demo_setup", stdout=first)
    call_command("demo_setup", stdout=again)
    therapist = Therapist.objects.get(user__username="demo")
    assert Patient.objects.filter(practice=therapist.practice).count() == 5
    variants = set(Program.objects.values_list("variant_id", flat=True))
    assert {"transtibial", "transfemoral", "anterior", "knee-oa", "back"} == variants
    assert ProgramRevision.objects.count() == 5

    # A random password and authenticator secret, shown once, never again.
    password = re.search(r"password '([^']+)'", first.getvalue()).group(1)
    secret = re.search(r"authenticator app: ([A-Z2-7]+)", first.getvalue()).group(1)
    assert password not in again.getvalue() and secret not in again.getvalue()
    assert len(password) >= 12 and therapist.user.check_password(password)
    assert not therapist.user.is_superuser and not therapist.user.is_staff
    assert therapist.is_practice_admin

    # With both, the demo therapist signs in and sees the practice's patients.
    response = client.post("/accounts/login/", {"login": "demo", "password": password})
    assert response.status_code == 302 and "/2fa/authenticate/" in response.url
    response = client.post(response.url, {"code": totp_code_for(secret)}, follow=True)
    assert "Anna" in response.content.decode()
