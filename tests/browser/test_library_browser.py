import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP, PHONE, screenshot
from tests.factories import PASSWORD as THERAPIST_PASSWORD
from tests.factories import totp_code_for

pytestmark = pytest.mark.browser


def test_therapist_logs_in_filters_the_library_and_opens_an_exercise(
    page: Page, live_server, library, therapist
):
    page.goto(f"{live_server.url}/library/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Gebruikersnaam").fill(therapist.username)
    page.get_by_label("Wachtwoord").fill(THERAPIST_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    # The first sign-in: no second factor yet, so the app asks to enrol one
    # before anything else, after confirming the password (allauth asks it
    # before any change to the account's factors). The therapist's app reads
    # the secret from the page.
    expect(page.get_by_role("heading", level=1)).to_have_text("Toegang bevestigen")
    page.get_by_label("Wachtwoord").fill(THERAPIST_PASSWORD)
    page.get_by_role("button", name="Bevestigen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Authenticator-app activeren")
    secret = page.get_by_label("Geheime sleutel").input_value()
    page.get_by_label("Authenticator code").fill(totp_code_for(secret))
    page.get_by_role("button", name="Activeren").click()
    page.goto(f"{live_server.url}/library/")

    results = page.locator("#results-heading")
    expect(results).to_have_text("81 oefeningen")
    screenshot(page, "library-desktop")

    # Live filtering: typing without accents swaps in the matching results.
    page.get_by_label("Zoeken").press_sequentially("knieen", delay=30)
    expect(results).not_to_have_text("81 oefeningen")
    expect(page).to_have_url(re.compile(r"q=knieen"))
    expect(page.get_by_role("link", name="Krachttraining voor de bovenbeenspieren")).to_be_visible()

    page.get_by_label("Zoeken").fill("")
    page.get_by_label("Protocolvariant").select_option(label="Transfemoraal (bovenbeen)")
    expect(results).to_have_text("6 oefeningen")
    expect(page.get_by_role("link", name="Buikligging")).to_be_visible()
    expect(page.get_by_role("link", name="Strekking van de knie")).to_have_count(0)

    page.set_viewport_size(PHONE)
    screenshot(page, "library-phone")
    page.set_viewport_size(DESKTOP)

    page.get_by_role("link", name="Buikligging").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Buikligging")
    steps = page.locator(".steps")
    expect(steps.get_by_text("Ga 2x per dag een half uur op de buik liggen.")).to_be_visible()
    expect(page.get_by_text("Bron: Beenamputatie - oefeningen")).to_be_visible()
    screenshot(page, "exercise-desktop")
    page.set_viewport_size(PHONE)
    screenshot(page, "exercise-phone")
