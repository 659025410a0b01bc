"""The patient's link: opening it, the cookie, wrong and revoked links, guessing."""

import datetime
import hashlib
import re

from django.utils import timezone

from programs import links
from programs.models import ExerciseTick, PatientLink
from tests.programs.plan.test_today import PLAN, tick


def test_link_token_is_long_random_and_stored_only_as_a_hash(started, link_for):
    program = started()
    link, token = link_for(program.patient)
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", token)  # 22 x 6 = 132 bits
    stored = PatientLink.objects.filter(pk=link.pk).values().get()
    assert token not in str(stored)
    assert stored["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    other, other_token = link_for(program.patient)
    assert other_token != token


def test_opening_the_link_sets_a_cookie_and_redirects_to_a_clean_url(client, started, link_for):
    program = started()
    _link, token = link_for(program.patient)
    response = client.get(f"/p/{token}/")
    assert response.status_code == 302
    assert response["Location"] == PLAN
    assert token not in response["Location"]
    assert response["Referrer-Policy"] == "no-referrer"
    cookie = response.cookies["oefenplan_plan"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert token not in cookie.value

    page = client.get(PLAN)
    assert page.status_code == 200
    # A clean address: same-origin keeps form posts' Origin header for CSRF.
    assert page["Referrer-Policy"] == "same-origin"
    assert "no-store" in page["Cache-Control"]
    text = page.content.decode()
    assert "Anna" in text
    assert "Ligging op de buik" in text or "Buikligging" in text


def test_the_plan_shows_the_first_name_only(client, started, link_for):
    program = started("back-rehabilitation")
    program.patient.reference = "DOSSIER-4711"
    program.patient.save()
    _link, token = link_for(program.patient)
    page = client.get(f"/p/{token}/", follow=True).content.decode()
    assert "Anna" in page
    assert "DOSSIER-4711" not in page


def _error_page(response):
    """The page without its CSRF tokens, which differ per response."""
    return re.sub(r"[A-Za-z0-9]{64}", "", response.content.decode())


def test_wrong_revoked_and_expired_links_get_the_same_friendly_page(
    client, started, link_for, practice_user
):
    program = started()
    wrong = client.get("/p/" + "A" * 22 + "/")
    assert wrong.status_code == 404
    assert wrong["Referrer-Policy"] == "no-referrer"
    assert "contact" in wrong.content.decode().lower()
    assert "Traceback" not in wrong.content.decode()

    revoked_link, revoked = link_for(program.patient)
    links.patient_link_revoke(patient=program.patient, user=practice_user)
    _expired_link, expired = link_for(
        program.patient, expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    for token in (revoked, expired, "short", "x" * 200):
        response = client.get(f"/p/{token}/")
        assert response.status_code == 404
        assert _error_page(response) == _error_page(wrong)
        assert (
            "oefenplan_plan" not in response.cookies or not response.cookies["oefenplan_plan"].value
        )


def test_repeated_wrong_guesses_are_refused_but_a_valid_link_still_opens(
    client, started, link_for, settings
):
    """A care home behind one address, a patient mistyping from paper: the guesses
    from that address are throttled, the patient's own link is not."""
    program = started()
    _link, token = link_for(program.patient)
    for _ in range(settings.PATIENT_LINK_MAX_GUESSES):
        assert client.get("/p/" + "B" * 22 + "/").status_code == 404
    eleventh = client.get("/p/" + "D" * 22 + "/")
    assert eleventh.status_code == 429
    assert "te veel" in eleventh.content.decode()
    assert client.get(f"/p/{token}/").status_code == 302  # the right link, same address
    assert client.get("/plan/").status_code == 200
    assert client.get("/p/" + "E" * 22 + "/").status_code == 429  # still throttled


def test_behind_a_proxy_guesses_are_counted_per_forwarded_address(
    client, started, link_for, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    program = started()
    _link, token = link_for(program.patient)
    guesser = {"HTTP_X_FORWARDED_FOR": "203.0.113.9", "REMOTE_ADDR": "10.0.0.2"}
    wrong = "/p/" + "C" * 22 + "/"
    for _ in range(settings.PATIENT_LINK_MAX_GUESSES):
        client.get(wrong, **guesser)
    assert client.get(wrong, **guesser).status_code == 429
    # Another address behind the same proxy is not throttled with the guesser...
    other = {"HTTP_X_FORWARDED_FOR": "198.51.100.4", "REMOTE_ADDR": "10.0.0.2"}
    assert client.get(wrong, **other).status_code == 404
    assert client.get(f"/p/{token}/", **other).status_code == 302
    # ...and a forged header cannot dodge the proxy's own, rightmost entry.
    forged = {"HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.9", "REMOTE_ADDR": "10.0.0.2"}
    assert client.get(wrong, **forged).status_code == 429


def test_a_revoked_link_stops_working_at_once_also_in_an_open_page(patient_client, practice_user):
    program = patient_client.program
    item = program.items.first()
    assert patient_client.get(PLAN).status_code == 200
    links.patient_link_revoke(patient=program.patient, user=practice_user)

    assert patient_client.get(PLAN).status_code == 404
    htmx = tick(patient_client, program, item, htmx=True)
    assert htmx.status_code == 403
    assert htmx["HX-Refresh"] == "true"
    plain = tick(patient_client, program, item)
    assert plain.status_code == 404
    assert not ExerciseTick.objects.exists()


def test_no_cookie_or_a_forged_cookie_gets_the_error_page(client, started, link_for):
    program = started()
    link, _token = link_for(program.patient)
    assert client.get(PLAN).status_code == 404
    client.cookies["oefenplan_plan"] = str(link.pk)  # unsigned: refused
    assert client.get(PLAN).status_code == 404
