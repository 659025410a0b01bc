import re

import pytest
from playwright.sync_api import Page, expect

from programs.models import Program
from tests.browser.conftest import PHONE, screenshot
from tests.factories import make_practice, make_therapist

pytestmark = pytest.mark.browser


def test_therapist_builds_publishes_and_previews_a_transtibial_program(
    page: Page, live_server, library
):
    user = make_therapist(make_practice(), "tess")
    page.goto(f"{live_server.url}/patients/")
    page.get_by_label("Gebruikersnaam").fill("tess")
    page.get_by_label("Wachtwoord").fill("pw-long-enough-1")
    page.get_by_role("button", name="Inloggen").click()

    page.get_by_label("Voornaam of schuilnaam").fill("Anna")
    page.get_by_role("button", name="Patiënt toevoegen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Anna")

    page.get_by_label("Protocol en variant").select_option(label="Beenamputatie, transtibiaal")
    page.get_by_label("Aangedane kant").select_option(label="Links")
    page.get_by_role("button", name="Programma starten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Beenamputatie, transtibiaal")
    items = page.locator("#program-items > li")
    expect(items).to_have_count(11)

    # Change a dose inline: htmx saves on change and says so.
    program = Program.objects.get()
    item = program.items.get(exercise__slug="amputation-strength-1")
    reps = page.locator(f"#item-{item.pk}-reps_min")
    reps.fill("12")
    reps.dispatch_event("change")
    expect(page.locator(f"#item-{item.pk}").get_by_role("status")).to_have_text("Opgeslagen")
    item.refresh_from_db()
    assert item.reps_min == 12

    # Add an exercise from the library panel; a positioning exercise... then a
    # dose outside the leaflet's range gives a warning on that item.
    page.locator(".library-search").get_by_label("Zoeken").press_sequentially("bruggetje", delay=20)
    add = page.get_by_role("button", name="Bruggetje toevoegen")
    expect(add).to_be_visible()
    add.click()
    expect(items).to_have_count(12)
    added = page.locator("#program-items > li").last
    expect(added).to_contain_text("Bruggetje")
    expect(added.get_by_role("alert")).to_contain_text(
        "Deze oefening is niet bedoeld voor Transtibiaal"
    )

    screenshot(page, "program-editor-desktop")
    page.get_by_role("button", name="Publiceren").click()
    expect(page.get_by_text(re.compile("Gepubliceerd als versie 1"))).to_be_visible()
    page.get_by_role("link", name="Bekijken als de patiënt").click()
    # The preview is the patient's own page, with a bar that says so; ticking is off.
    expect(page.get_by_role("heading", level=1)).to_have_text("Hallo Anna")
    expect(page.get_by_role("region", name="Bekijken als de patiënt")).to_contain_text("concept")
    expect(page.locator(".plan-exercise")).to_have_count(12)
    expect(page.get_by_text("3 series van 12 herhalingen")).to_be_visible()
    expect(
        page.locator(".plan-exercise").first.get_by_role("button", name="Gedaan")
    ).to_be_disabled()
    page.set_viewport_size(PHONE)
    screenshot(page, "program-preview-phone")
    page.get_by_role("link", name="Terug naar de editor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Beenamputatie, transtibiaal")
    assert user.is_authenticated
