"""Signing in as NEN 7510 asks: a password and a second factor before any
patient data, throttled guessing, passwords worth the name, sessions that end."""

import re
import time

import pytest
from allauth.core.internal import ratelimit as allauth_ratelimit
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.core import mail
from django.test import Client
from django.urls import reverse

from oefenplan.security.sessions import LAST_SEEN_KEY, SIGNED_IN_KEY
from programs.models import Patient
from tests.factories import PASSWORD, make_patient, sign_in, totp_code

LOGIN = "/accounts/login/"
PATIENTS = "/patients/"
TOO_MANY = "Te veel inlogpogingen"


def _password_step(client: Client, username="tess", password=PASSWORD):
    return client.post(LOGIN, {"login": username, "password": password})


def _throttled(response) -> bool:
    """Refused for too many attempts: on the form, or as a whole page (429)."""
    return response.status_code == 429 or TOO_MANY in response.content.decode()


def _sign_in_fully(client: Client, username="tess", code: str | None = None) -> None:
    response = _password_step(client, username)
    assert response.status_code == 302 and response.url == "/accounts/2fa/authenticate/"
    response = client.post(response.url, {"code": code or totp_code()})
    assert response.status_code == 302, response.content.decode()[:500]


def test_patient_data_needs_the_password_and_the_code(client, therapist):
    make_patient(therapist, "Anna")
    response = _password_step(client)
    # The password alone is not a sign-in: the patient list sends back to log in.
    assert response.url == "/accounts/2fa/authenticate/"
    page = client.get(PATIENTS)
    assert page.status_code == 302 and page.url.startswith(LOGIN)
    # A wrong code is refused, the right one opens the patients.
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200 and "Anna" not in wrong.content.decode()
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code()})
    assert response.status_code == 302
    assert "Anna" in client.get(PATIENTS).content.decode()


def test_a_user_without_a_second_factor_is_sent_to_enrol_one_first(client, db, django_user_model):
    user = django_user_model.objects.create_user("new", password=PASSWORD)
    response = _password_step(client, "new")
    assert response.status_code == 302
    page = client.get(PATIENTS)
    assert page.status_code == 302 and page.url == reverse("mfa_activate_totp")
    # htmx requests are redirected the htmx way, not swapped into the page.
    htmx = client.get(PATIENTS, headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"] == reverse("mfa_activate_totp")
    assert user.is_authenticated  # signed in, but nothing of the app is open to it


def test_a_session_that_skipped_the_second_factor_is_signed_out(client, therapist):
    client.force_login(therapist)  # has an authenticator, but this session never used it
    response = client.get(PATIENTS)
    assert response.status_code == 302 and response.url.startswith(LOGIN)
    assert client.get(PATIENTS).url.startswith(LOGIN)  # and stays out


def test_the_admin_signs_in_through_the_same_two_steps(client, db, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password=PASSWORD)
    response = client.get("/admin/")
    assert response.status_code == 302
    response = client.get(response.url)
    assert response.url.startswith(LOGIN)
    client.force_login(admin)
    assert client.get("/admin/").url == reverse("mfa_activate_totp")
    sign_in(client, admin)
    assert client.get("/admin/").status_code == 200


def _later(monkeypatch, seconds: float) -> None:
    """allauth's throttle sees the clock `seconds` ahead."""
    real = time.time
    monkeypatch.setattr(allauth_ratelimit.time, "time", lambda: real() + seconds)


def test_password_guessing_is_throttled_and_the_cool_off_ends_by_itself(
    client, therapist, monkeypatch
):
    tried = [_password_step(client, password=f"wrong-{n}") for n in range(30)]
    refused_as_throttled = [r for r in tried if _throttled(r)]
    # At most 5 guesses are checked against the account in 15 minutes...
    assert len(tried) - len(refused_as_throttled) <= 5
    # ...and while it cools off, even the right password does not get in.
    assert _throttled(_password_step(client))
    # Fifteen minutes later it does, with nobody having to unlock anything.
    _later(monkeypatch, 16 * 60)
    assert _password_step(client).url == "/accounts/2fa/authenticate/"


def test_guessing_from_one_address_over_many_accounts_is_throttled(client, practice):
    from tests.factories import make_therapist

    for n in range(12):
        make_therapist(practice, f"user{n}")
    results = [_password_step(client, f"user{n}", "wrong-password") for n in range(12)]
    throttled = [r for r in results if _throttled(r)]
    assert len(throttled) >= 2  # 10 per address in 15 minutes


def test_second_factor_codes_are_throttled_too(client, therapist):
    _password_step(client)
    answers = [
        client.post("/accounts/2fa/authenticate/", {"code": f"{n:06d}"}).content.decode()
        for n in range(12)
    ]
    assert any(TOO_MANY in answer or "Te veel" in answer for answer in answers)


@pytest.mark.parametrize(
    ("new_password", "message"),
    [
        ("kort-wacht1", "minstens 12 tekens"),
        ("password1234", "te algemeen"),
        ("123456789012345", "alleen cijfers"),
    ],
)
def test_weak_passwords_are_refused_when_changed(client, therapist, new_password, message):
    sign_in(client, therapist)
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": new_password, "password2": new_password},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    therapist.refresh_from_db()
    assert therapist.check_password(PASSWORD)


def test_the_password_is_changed_with_the_old_one(client, therapist):
    sign_in(client, therapist)
    new = "een-lang-en-nieuw-wachtwoord"
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": new, "password2": new},
    )
    assert response.status_code == 302
    therapist.refresh_from_db()
    assert therapist.check_password(new)


def test_a_forgotten_password_is_reset_by_e_mail_and_the_second_factor_still_applies(
    client, therapist
):
    response = client.post("/accounts/password/reset/", {"email": therapist.email})
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == [therapist.email]
    link = re.search(r"https?://[^/]+(/accounts/password/reset/key/\S+)", message.body).group(1)
    form_page = client.get(link, follow=True)
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    new = "een-lang-en-nieuw-wachtwoord"
    response = client.post(action, {"password1": new, "password2": new})
    assert response.status_code == 302
    therapist.refresh_from_db()
    assert therapist.check_password(new)
    # The reset did not sign anyone in: patient data still needs both steps.
    assert client.get(PATIENTS).url.startswith(LOGIN)
    assert _password_step(client, password=new).url == "/accounts/2fa/authenticate/"


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, therapist):
    known = client.post("/accounts/password/reset/", {"email": therapist.email})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert [m.to for m in mail.outbox] == [[therapist.email]]


def _age_session(client: Client, *, idle: float = 0, since_sign_in: float = 0) -> None:
    session = client.session
    session[LAST_SEEN_KEY] -= idle
    session[SIGNED_IN_KEY] -= since_sign_in
    session.save()


def test_a_session_ends_after_30_minutes_idle(client, therapist):
    sign_in(client, therapist)
    assert client.get(PATIENTS).status_code == 200
    _age_session(client, idle=29 * 60, since_sign_in=29 * 60)
    assert client.get(PATIENTS).status_code == 200  # still within the half hour
    _age_session(client, idle=31 * 60)
    response = client.get(PATIENTS)
    assert response.status_code == 302 and response.url.startswith(LOGIN)
    page = client.get(response.url).content.decode()
    assert "30 minuten" in page  # says why
    assert client.get(PATIENTS).url.startswith(LOGIN)


def test_a_session_ends_12_hours_after_signing_in_however_busy(client, therapist):
    sign_in(client, therapist)
    _age_session(client, since_sign_in=12 * 3600 + 60)
    response = client.get(PATIENTS)
    assert response.status_code == 302 and response.url.startswith(LOGIN)


def test_a_therapist_sees_other_sessions_and_ends_them(therapist):
    laptop, phone = Client(HTTP_USER_AGENT="Laptop"), Client(HTTP_USER_AGENT="Telefoon")
    _sign_in_fully(laptop)
    # A TOTP code works once; the phone signs in with one of the recovery codes.
    [first_code, *_] = RecoveryCodes.activate(therapist).generate_codes()
    _sign_in_fully(phone, code=first_code)
    page = laptop.get("/accounts/sessions/").content.decode()
    assert "Laptop" in page and "Telefoon" in page
    response = laptop.post("/accounts/sessions/")
    assert response.status_code == 302
    assert laptop.get(PATIENTS).status_code == 200  # this one goes on
    assert phone.get(PATIENTS).url.startswith(LOGIN)  # the other one has ended


def test_a_recovery_code_works_once(therapist):
    [code, *_] = RecoveryCodes.activate(therapist).generate_codes()
    _sign_in_fully(Client(), code=code)
    again = Client()
    response = _password_step(again)
    response = again.post(response.url, {"code": code})
    assert response.status_code == 200  # refused: the form again
    assert again.get(PATIENTS).url.startswith(LOGIN)


def test_no_one_signs_up(client, db):
    response = client.post(
        "/accounts/signup/",
        {"username": "x", "email": "x@example.org", "password1": "lang-wachtwoord-1"},
    )
    assert response.status_code in (200, 403)
    assert not Patient.objects.exists()
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username="x").exists()
