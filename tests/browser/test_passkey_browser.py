"""A passkey in a real Chromium (its virtual authenticator over CDP): added to
the account, then the whole sign-in on its own, as NEN 7510's two factors in one."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in, screenshot
from tests.factories import PASSWORD, make_patient, make_practice, make_therapist

pytestmark = pytest.mark.browser


def test_a_therapist_adds_a_passkey_and_signs_in_with_it_alone(page: Page, live_server, db):
    therapist = make_therapist(make_practice(), "tess")
    make_patient(therapist, "Anna")
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )["authenticatorId"]
    log_in(page, live_server, "tess")
    page.goto(f"{live_server.url}/accounts/2fa/webauthn/add/?passwordless")
    if page.get_by_label("Wachtwoord").count():  # allauth asks the password again first
        page.get_by_label("Wachtwoord").fill(PASSWORD)
        page.get_by_role("button", name="Bevestigen").click()
    page.get_by_label(re.compile("passwordless|Zonder wachtwoord|wachtwoordloos", re.I)).check()
    screenshot(page, "passkey-add")
    page.get_by_role("button", name=re.compile("Toevoegen|Add")).click()
    expect(page).not_to_have_url(re.compile("/webauthn/add/"))
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(credentials["credentials"]) == 1

    page.get_by_role("button", name="Uitloggen").click()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="Aanmelden met een passkey").click()
    expect(page.get_by_role("link", name="Anna")).to_be_visible()
