"""The therapist builds, edits and publishes programs in a real Chromium."""

import re
import time

import pytest
from playwright.sync_api import Page, expect

from exercises.models import Exercise
from programs import services
from programs.models import Program
from tests.browser.conftest import ARTIFACTS, PHONE, log_in, screenshot
from tests.browser.test_plan_browser import AXE, axe_violations
from tests.factories import make_patient, make_practice, make_program, make_therapist

pytestmark = pytest.mark.browser


def _log_in(page: Page, live_server, username: str = "tess") -> None:
    page.context.add_init_script(path=str(AXE))
    log_in(page, live_server, username)


class Clicks:
    """Counts what the therapist does: every click, every choice in a list."""

    def __init__(self) -> None:
        self.count = 0

    def click(self, locator) -> None:
        self.count += 1
        locator.click()

    def choose(self, locator, label: str) -> None:
        self.count += 1
        locator.select_option(label=label)


def test_a_complete_program_from_a_protocol_in_at_most_six_clicks(page: Page, live_server, library):
    """Pick the protocol, start, publish, print: the leaflet's dose and build-up are
    already in. The clicks and seconds go to test-artifacts/six-clicks.txt."""
    user = make_therapist(make_practice(), "tess")
    patient = make_patient(user, "Carla")
    _log_in(page, live_server)
    page.goto(live_server.url + patient.get_absolute_url())
    clicks, started = Clicks(), time.perf_counter()
    clicks.choose(page.get_by_label("Protocol en variant"), "Nieuwe heup, voorste benadering")
    clicks.click(page.get_by_role("button", name="Programma starten"))
    clicks.click(page.get_by_role("link", name="Publiceren…"))
    expect(page.get_by_role("heading", level=2, name="Wat de patiënt gaat zien")).to_be_visible()
    clicks.click(page.get_by_role("button", name="Publiceren"))
    expect(page.get_by_text(re.compile("Gepubliceerd als versie 1"))).to_be_visible()
    clicks.click(page.get_by_role("link", name="Afdrukversie"))
    expect(page.get_by_text("3 series van 5 herhalingen").first).to_be_visible()
    seconds = time.perf_counter() - started
    assert clicks.count <= 6
    program = Program.objects.get(patient=patient)
    assert program.revisions.count() == 1 and program.items.count() == 5
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "six-clicks.txt").write_text(
        f"protocol to printed handout: {clicks.count} clicks, {seconds:.1f} s\n"
    )
    print(f"\nprotocol to printed handout: {clicks.count} clicks, {seconds:.1f} s")


def test_the_editor_shows_ranges_and_the_draft_state_after_each_save(
    page: Page, live_server, library
):
    user = make_therapist(make_practice(), "tess")
    program = make_program(user, "knee-osteoarthritis")
    services.program_publish(program=program, user=user)
    item = program.items.get(exercise__slug="oa-strength-1")
    _log_in(page, live_server)
    page.goto(live_server.url + program.get_absolute_url())
    status = page.locator("#program-status")
    expect(status).to_contain_text("De patiënt ziet wat hier staat.")
    line = page.locator(f"#item-{item.pk}")
    expect(line.locator(".item-dose")).to_contain_text("2 tot 4 series, begin met 8 herhalingen")
    assert page.locator("input, select, textarea").count() < 120  # one line each, no forms
    screenshot(page, "editor-desktop")

    # Keyboard only: to "Change", Enter; the form opens with the keyboard in it.
    change = line.get_by_role("link", name=re.compile("Wijzigen"))
    change.focus()
    page.keyboard.press("Enter")
    sets_max = page.locator(f"#item-{item.pk}-sets_max")
    expect(sets_max).to_have_value("4")  # the range, as a range
    expect(page.locator(f"#item-{item.pk}-sets_min")).to_be_focused()
    expect(line.locator(".hint").first).to_have_text("Folder: 2–4")
    expect(page.locator(f"#item-{item.pk}-progression_start")).to_have_value("8")
    assert axe_violations(page) == []
    screenshot(page, "editor-item-form")
    sets_max.fill("3")
    sets_max.press("Enter")  # the form's own submit, from the keyboard
    expect(line.locator(".item-dose")).to_contain_text("2 tot 3 series")
    expect(status).to_contain_text("1 wijziging nog niet gepubliceerd")
    expect(line.get_by_role("link", name=re.compile("Wijzigen"))).to_be_focused()
    item.refresh_from_db()
    assert (item.sets_min, item.sets_max) == (2, 3)

    # A bad value is refused next to its field, and what was typed stays.
    page.expected_errors = ["status of 422"]
    line.get_by_role("link", name=re.compile("Wijzigen")).click()
    start = page.locator(f"#item-{item.pk}-sets_min")
    start.fill("-3")
    line.get_by_role("button", name="Opslaan").click()
    expect(line.locator(".field-error").first).to_contain_text(
        "Zorg ervoor dat deze waarde minstens"
    )
    expect(start).to_have_value("-3")
    expect(status).to_contain_text("1 wijziging nog niet gepubliceerd")

    page.set_viewport_size(PHONE)
    # The open form fits a phone: nothing sticks out sideways.
    too_wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .filter(e => ![...e.children].some(
                c => c.getBoundingClientRect().right > window.innerWidth + 1))
            .map(e => e.tagName + '.' + e.className + '#' + e.id)"""
    )
    assert too_wide == []
    assert axe_violations(page) == []
    screenshot(page, "editor-phone")


def test_a_save_that_gets_no_answer_says_so_and_keeps_what_was_typed(
    page: Page, live_server, library
):
    user = make_therapist(make_practice(), "tess")
    program = make_program(user, "knee-osteoarthritis")
    item = program.items.get(exercise__slug="oa-strength-1")
    _log_in(page, live_server)
    page.goto(f"{live_server.url}{program.get_absolute_url()}?edit={item.pk}")
    line = page.locator(f"#item-{item.pk}")
    sets_max = page.locator(f"#item-{item.pk}-sets_max")
    sets_max.fill("3")
    page.expected_errors = ["ERR_FAILED", "status of 503", "Code 503", "htmx:"]
    saved = f"**/programs/{program.pk}/items/{item.pk}/"

    page.route(saved, lambda route: route.abort())
    line.get_by_role("button", name="Opslaan").click()
    failure = line.locator(".request-failed")
    expect(failure).to_contain_text("Geen verbinding: dit is misschien niet opgeslagen.")
    expect(sets_max).to_have_value("3")

    # The app's own 503 (its database away) passes the proxy as it is.
    page.unroute(saved)
    page.route(saved, lambda route: route.fulfill(status=503, body="Oefenplan"))
    line.get_by_role("button", name="Opslaan").click()
    expect(failure).to_contain_text("Dit is niet opgeslagen.")
    expect(sets_max).to_have_value("3")
    item.refresh_from_db()
    assert item.sets_max == 4

    page.unroute(saved)
    line.get_by_role("button", name="Opslaan").click()
    expect(line.locator(".item-dose")).to_contain_text("2 tot 3 series")
    expect(failure).to_have_count(0)


def test_one_dose_form_at_a_time_and_each_line_moves_and_goes(page: Page, live_server, library):
    user = make_therapist(make_practice(), "tess")
    program = make_program(user, "amputation-transtibial")
    first, second, third = program.items.order_by("order")[:3]
    _log_in(page, live_server)
    page.goto(live_server.url + program.get_absolute_url())
    lines = page.locator(".program-item")
    expect(page.locator(".dose-form")).to_have_count(0)

    def change(item):
        page.locator(f"#item-{item.pk}").get_by_role("link", name=re.compile("Wijzigen")).click()
        expect(page.locator(f"#item-{item.pk}-sets_min")).to_be_focused()

    change(first)
    change(second)  # the first form held nothing typed: it closes
    expect(page.locator(".dose-form")).to_have_count(1)
    expect(
        page.locator(f"#item-{first.pk}").get_by_role("link", name=re.compile("Wijzigen"))
    ).to_be_visible()
    page.locator(f"#item-{second.pk}-note").fill("Rustig opbouwen")
    change(third)  # the second holds a note not yet saved: it stays open
    expect(page.locator(".dose-form")).to_have_count(2)
    expect(page.locator(f"#item-{second.pk}-note")).to_have_value("Rustig opbouwen")
    assert axe_violations(page) == []

    # Each line's own buttons, through htmx: down, then away.
    page.get_by_role("button", name=f"{first.exercise.title} omlaag").click()
    expect(lines.nth(1)).to_have_id(f"item-{first.pk}")
    expect(lines.nth(0)).to_have_id(f"item-{second.pk}")
    page.locator(f"#item-{first.pk}").get_by_role("button", name=re.compile("Verwijderen")).click()
    expect(page.locator(f"#item-{first.pk}")).to_have_count(0)
    assert not program.items.filter(pk=first.pk).exists()
    assert list(program.items.order_by("order").values_list("pk", flat=True)[:2]) == [
        second.pk,
        third.pk,
    ]


def test_publishing_with_an_open_warning_asks_and_records(page: Page, live_server, library):
    user = make_therapist(make_practice(), "tess")
    program = make_program(user, "hip-replacement-anterior")
    services.program_add_exercise(
        program=program, exercise=Exercise.objects.get(slug="hip-replacement-4"), user=user
    )
    _log_in(page, live_server)
    page.goto(live_server.url + program.get_absolute_url())
    # The add panel starts with the program's own variant; one switch opens the library.
    expect(page.locator("#library-panel .results-count")).to_contain_text("5 oefeningen")
    page.get_by_role("link", name="Zoek in de hele bibliotheek").click()
    expect(page.locator("#library-panel .results-count")).to_contain_text("81 oefeningen")

    page.get_by_role("link", name="Publiceren…").click()
    expect(page.get_by_text("Deze oefening is niet bedoeld voor Voorste")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "publish-review")
    page.expected_errors = ["status of 400"]
    page.get_by_role("button", name="Publiceren").click()
    expect(page.get_by_text("Zeg waarom u het zo houdt, of pas het eerst aan.")).to_be_visible()
    assert not program.revisions.exists()
    page.get_by_label(re.compile("Waarom u .* zo houdt")).fill("Na overleg met de chirurg")
    page.get_by_role("button", name="Publiceren").click()
    expect(page.get_by_text(re.compile("Gepubliceerd als versie 1"))).to_be_visible()
    item = program.items.get(exercise__slug="hip-replacement-4")
    assert (item.warnings_kept_reason, item.warnings_kept_by) == ("Na overleg met de chirurg", user)
    # The handout marks it as the therapist's deliberate choice, with the reason.
    page.get_by_role("link", name="Afdrukversie").click()
    expect(page.get_by_text("Bewuste keuze van uw therapeut")).to_be_visible()
    expect(page.get_by_text("Na overleg met de chirurg")).to_be_visible()


def test_a_program_is_copied_to_a_patient_found_by_typing(page: Page, live_server, library):
    """From the editor to the copy page, a few letters of the name (htmx answers
    as one types), one button: the copy opens in the editor, on a phone too."""
    user = make_therapist(make_practice(), "tess")
    program = make_program(user, "back-rehabilitation", "Anna")
    for name in ("Bram", "Carla", "Bregje"):
        make_patient(user, name)
    _log_in(page, live_server)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + program.get_absolute_url())
    page.get_by_role("link", name="Kopiëren naar een andere patiënt…").click()
    expect(page.get_by_role("button", name=re.compile("^Kopiëren naar "))).to_have_count(3)
    page.get_by_label("Zoeken op naam of kenmerk").fill("bre")
    expect(page.get_by_role("button", name=re.compile("^Kopiëren naar "))).to_have_count(1)
    expect(page).to_have_url(re.compile(r"/copy/\?q=bre$"))  # the search is in the address
    assert axe_violations(page) == []
    screenshot(page, "program-copy-phone")
    page.get_by_role("button", name="Kopiëren naar Bregje").click()
    expect(page.get_by_text("Programma gekopieerd naar Bregje.")).to_be_visible()
    copy = Program.objects.get(patient__name="Bregje")
    assert page.url == live_server.url + copy.get_absolute_url()
    assert copy.items.count() == program.items.count()
