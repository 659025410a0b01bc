"""The patient's plan in a real headless Chromium at phone size."""

import datetime
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from programs import links
from programs.models import ExerciseTick
from tests import factories
from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE, screenshot
from tests.factories import anna_starts_today

pytestmark = pytest.mark.browser

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
AXE_RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
# Records the timer's signals: the vibration motor (headless Chromium has none)
# and the beeps it plays through Web Audio.
RECORD_SIGNALS = """
window.__vibrations = [];
Object.defineProperty(navigator, "vibrate", {
  value: (pattern) => { window.__vibrations.push(pattern); return true; },
});
window.__beeps = 0;
const createOscillator = AudioContext.prototype.createOscillator;
AudioContext.prototype.createOscillator = function () {
  window.__beeps += 1;
  return createOscillator.call(this);
};
"""


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A phone: 360 x 780, touch, Dutch. The app's strict CSP stays on; axe-core
    is added as an init script (outside the page's CSP, like an extension)."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make test`, which installs it with npm.")
    context = browser.new_context(
        viewport=PHONE, locale="nl-NL", has_touch=True, is_mobile=True, device_scale_factor=2
    )
    context.add_init_script(script=RECORD_SIGNALS)
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    errors: list[str] = []

    page.expected_errors = []  # a test that provokes an error status says which

    def console(message) -> None:
        # The error page answers 404 on purpose; Chromium logs every 404 load.
        if message.type == "error" and "/p/" not in message.location.get("url", ""):
            errors.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert [e for e in errors if not any(x in e for x in page.expected_errors)] == []


def axe_violations(page: Page) -> list[dict]:
    results = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_RULES,
    )
    return [
        {"id": v["id"], "nodes": [node["target"] for node in v["nodes"]][:5]}
        for v in results["violations"]
    ]


def assert_phone_friendly(page: Page) -> None:
    """18 px body text, 48 px targets, no sideways scrolling."""
    checks = page.evaluate(
        """() => {
          const targets = 'main button, main select, main summary, main textarea, '
            + 'nav a, footer button, footer select';
          const small = [...document.querySelectorAll(targets)]
            .filter((el) => el.offsetParent !== null)
            .map((el) => [el.textContent.trim().slice(0, 30), el.getBoundingClientRect()])
            .filter(([, box]) => box.height < 48 || box.width < 48)
            .map(([text]) => text);
          return {
            font: parseFloat(getComputedStyle(document.body).fontSize),
            small,
            overflow: document.documentElement.scrollWidth - window.innerWidth,
          };
        }"""
    )
    assert checks["font"] >= 18
    assert checks["small"] == []
    assert checks["overflow"] <= 0


@pytest.fixture
def patient_link(live_server, library):
    program = anna_starts_today()
    user, patient = program.patient.access_log.first().user, program.patient
    # A short timer to run to its end: 2 sets of 1 repetition, hold 2 s, rest 1 s.
    program.items.filter(exercise__slug="amputation-strength-1").update(
        sets_min=2, reps_min=1, reps_max=None, hold_min=2, hold_unit="seconds", rest_seconds_min=1
    )
    factories.publish(program, user)
    link = links.patient_link_create(patient=patient, user=user)
    return program, f"{live_server.url}/p/{links.link_token(link)}/"


def test_patient_opens_the_link_ticks_exercises_and_runs_a_timer(
    phone: Page, live_server, patient_link
):
    program, url = patient_link
    phone.goto(url)
    assert phone.url == f"{live_server.url}/plan/"  # the token is gone from the address bar
    expect(phone.get_by_role("heading", level=1)).to_have_text("Hallo Anna")
    exercises = phone.locator(".plan-exercise")
    expect(exercises).to_have_count(11)
    assert_phone_friendly(phone)
    assert axe_violations(phone) == []
    screenshot(phone, "plan-phone")

    # Tick two exercises off through htmx; the progress line follows.
    for index in (0, 1):
        exercises.nth(index).get_by_role("button", name="Gedaan").click()
        expect(exercises.nth(index).locator(".plan-done")).to_contain_text("Gedaan")
    expect(phone.locator("#session-progress")).to_contain_text("2 van 11 gedaan")
    phone.get_by_text("Overzicht van de oefeningen van vandaag").click()
    expect(phone.locator(".plan-overview li .plan-done")).to_have_count(2)
    assert ExerciseTick.objects.count() == 2

    # Still ticked after a reload; undo works the same way.
    phone.reload()
    for index in (0, 1):
        expect(exercises.nth(index).locator(".plan-done")).to_contain_text("Gedaan")
    expect(exercises.nth(2).locator(".plan-done")).to_have_count(0)

    # The rules are one tap away.
    phone.get_by_text("Alle regels", exact=True).click()
    expect(phone.locator(".plan-rules li").first).to_be_visible()

    # Run the short timer to its end: hold, rest, signal, second set, done.
    timer = phone.locator(
        "#oefening-{} [data-timer]".format(
            program.items.get(exercise__slug="amputation-strength-1").pk
        )
    )
    timer.scroll_into_view_if_needed()
    expect(timer).to_be_visible()
    timer.get_by_role("button", name="Timer starten").click()
    expect(timer.locator("[data-timer-status]")).to_contain_text("Serie 1 van 2")
    expect(timer.locator("[data-timer-status]")).to_contain_text("Vasthouden")
    next_set = timer.get_by_role("button", name="Start serie 2 van 2")
    expect(next_set).to_be_visible(timeout=8000)
    expect(timer).to_have_class("plan-timer plan-timer-signal")
    screenshot(phone, "plan-timer-between-sets")
    next_set.click()
    expect(timer.locator("[data-timer-status]")).to_contain_text("Serie 2 van 2")
    expect(timer.locator("[data-timer-status]")).to_contain_text("Goed gedaan", timeout=8000)
    expect(timer).to_have_attribute("data-phase", "finished")
    vibrations = phone.evaluate("window.__vibrations")
    assert len(vibrations) == 2, json.dumps(vibrations)  # between the sets, at the end
    assert phone.evaluate("window.__beeps") == 2


def test_week_view_and_error_page_are_accessible(phone: Page, live_server, patient_link):
    _program, url = patient_link
    phone.goto(url)
    phone.get_by_role("link", name="Deze week").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Deze week")
    expect(phone.locator(".plan-day")).to_have_count(7)
    assert_phone_friendly(phone)
    assert axe_violations(phone) == []
    screenshot(phone, "plan-week-phone")

    phone.goto(f"{live_server.url}/p/{'x' * 22}/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Deze link werkt niet")
    assert axe_violations(phone) == []
    screenshot(phone, "plan-error-phone")


def test_every_plan_page_is_accessible_on_a_phone_and_a_desktop(
    phone: Page, live_server, patient_link
):
    """Some patients open the link on a laptop: the same pages, the same checks."""
    _program, url = patient_link
    phone.goto(url)
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    pages = ["/plan/", "/plan/oefenen/", "/plan/week/", f"/plan/?dag={yesterday}"]
    for size in (PHONE, DESKTOP):
        phone.set_viewport_size(size)
        for path in pages:
            phone.goto(live_server.url + path)
            assert axe_violations(phone) == [], (path, size)
            assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
                path,
                size,
            )


def test_english_is_chosen_on_the_phone_and_the_plan_reflows_at_320px(
    phone: Page, live_server, patient_link
):
    _program, url = patient_link
    phone.goto(url)
    phone.get_by_label("Taal").select_option("en")
    phone.get_by_role("button", name="Wisselen").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Hello Anna")
    # 200 % zoom on a 640 px window is a 320 px layout (WCAG reflow).
    phone.set_viewport_size({"width": 320, "height": 640})
    assert_phone_friendly(phone)
    assert axe_violations(phone) == []


def test_ticking_works_without_javascript(browser: Browser, live_server, patient_link):
    program, url = patient_link
    context = browser.new_context(viewport=PHONE, locale="nl-NL", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(url)
        first = page.locator(".plan-exercise").first
        first.get_by_text("Hoe ging het? (pijn, opmerking)").click()
        first.get_by_label("Pijn (0 = geen, 10 = ergst denkbaar)").select_option("4")
        first.get_by_role("button", name="Gedaan").click()
        expect(page.locator(".plan-exercise").first.locator(".plan-done")).to_contain_text(
            "pijn 4 van 10"
        )
        assert ExerciseTick.objects.get().pain == 4
    finally:
        context.close()


def test_a_revoked_link_stops_an_open_page_at_the_next_tap(phone: Page, patient_link):
    program, url = patient_link
    phone.goto(url)
    expect(phone.locator(".plan-exercise")).to_have_count(11)
    links.patient_link_revoke(patient=program.patient, user=program.patient.access_log.first().user)
    phone.expected_errors = ["status of 403", "status of 404"]
    phone.locator(".plan-exercise").first.get_by_role("button", name="Gedaan").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Deze link werkt niet")
    assert not ExerciseTick.objects.exists()


def test_a_tick_that_reaches_no_server_says_so_and_the_next_try_saves(phone: Page, patient_link):
    """A tap that got no answer (no signal, a server that died mid-answer) or an
    error page from the proxy must not look like nothing happened: the patient
    would believe the exercise was ticked off."""
    _program, url = patient_link
    phone.goto(url)
    exercise = phone.locator(".plan-exercise").first
    done = exercise.get_by_role("button", name="Gedaan")
    failure = exercise.locator(".request-failed")
    # htmx logs each failure to the console itself.
    phone.expected_errors = ["ERR_FAILED", "status of 502", "Code 502", "htmx:"]

    phone.route("**/plan/tick/", lambda route: route.abort())
    done.click()
    expect(failure).to_have_text(
        "Geen verbinding: dit is misschien niet opgeslagen. "
        "Controleer uw internet en probeer het opnieuw."
    )
    expect(failure).to_have_attribute("role", "alert")
    expect(exercise.locator(".plan-done")).to_have_count(0)
    exercise.screenshot(path=str(ARTIFACTS / "plan-tick-no-connection.png"), caret="initial")

    phone.unroute("**/plan/tick/")
    phone.route(
        "**/plan/tick/",
        lambda route: route.fulfill(
            status=502, content_type="text/html", body="<h1>Oefenplan is even niet bereikbaar</h1>"
        ),
    )
    done.click()
    expect(failure).to_contain_text("Dit is niet opgeslagen.")
    assert not ExerciseTick.objects.exists()

    phone.unroute("**/plan/tick/")
    done.click()
    expect(exercise.locator(".plan-done")).to_contain_text("Gedaan")
    expect(failure).to_have_count(0)
    assert ExerciseTick.objects.count() == 1


def _first_screen_bottom(phone: Page) -> float:
    """Where the first exercise's title ends, from the top of the page."""
    return phone.evaluate(
        "() => document.querySelector('.plan-exercise h3').getBoundingClientRect().bottom"
    )


@pytest.mark.parametrize("protocol", ["amputation-transtibial", "hip-replacement-posterolateral"])
def test_the_first_exercise_is_on_the_first_screen(phone: Page, live_server, library, protocol):
    from tests.factories import anna_starts_today, make_link, publish

    program = anna_starts_today(protocol)
    user = program.patient.access_log.first().user
    publish(program, user)
    _link, token = make_link(program.patient, user)
    phone.goto(f"{live_server.url}/p/{token}/")
    assert _first_screen_bottom(phone) <= PHONE["height"]
    # The precautions stay in view, short, with the practice's number.
    precautions = phone.locator(".plan-precautions").first
    expect(precautions).to_be_visible()
    expect(precautions).to_contain_text("bel uw praktijk")
    if protocol.startswith("hip"):
        expect(precautions).to_contain_text("Buig uw heup niet verder dan 90 graden.")
    screenshot(phone, f"plan-first-screen-{protocol}")


def test_one_exercise_at_a_time_to_ready_for_today(phone: Page, live_server, patient_link):
    program, url = patient_link
    phone.goto(url)
    phone.get_by_role("link", name="Eén oefening tegelijk").click()
    total = program.items.count()
    for number in range(1, total + 1):
        expect(phone.locator(".plan-step-count")).to_contain_text(f"Oefening {number} van {total}")
        if number == 1:
            assert_phone_friendly(phone)
            assert axe_violations(phone) == []
            screenshot(phone, "plan-step-phone")
        phone.locator(".plan-step").get_by_role("button", name="Gedaan").click()
        expect(phone.locator(".plan-step .plan-done")).to_contain_text("Gedaan")
        phone.get_by_role(
            "link", name="Afronden" if number == total else "Volgende oefening"
        ).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Klaar voor vandaag")
    expect(phone.locator(".plan-finished")).to_contain_text(f"{total} van {total} gedaan")
    assert axe_violations(phone) == []
    screenshot(phone, "plan-ready-for-today")
    assert ExerciseTick.objects.count() == total


def test_a_long_unbroken_note_keeps_the_page_at_360px(phone: Page, live_server, library):
    import datetime

    from tests.factories import anna_starts_today, make_link, publish

    program = anna_starts_today()
    program.start_date -= datetime.timedelta(days=2)  # yesterday was a day of it
    program.save()
    user = program.patient.access_log.first().user
    program.items.filter(order=0).update(note="https://example.org/" + "x" * 100)
    publish(program, user)
    _link, token = make_link(program.patient, user)
    phone.goto(f"{live_server.url}/p/{token}/")
    expect(phone.locator(".exercise-note").first).to_be_visible()
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    # Yesterday, ticked off afterwards: the same page, marked so.
    phone.get_by_role("navigation", name="Vergeten af te vinken?").get_by_role("link").first.click()
    expect(phone.locator(".plan-date")).to_contain_text("U vinkt")
    assert axe_violations(phone) == []
