"""The handout's print view in a real Chromium: strict CSP, accessible, printable."""

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE, log_in, screenshot
from tests.browser.test_plan_browser import AXE, axe_violations
from tests.factories import anna_starts_today

pytestmark = pytest.mark.browser


def test_print_view_is_clean_accessible_and_prints_to_a4(page: Page, live_server, library):
    program = anna_starts_today()
    user = program.patient.access_log.first().user
    program.items.filter(order=0).update(note='<b>Rustig</b> "aan" & <script>x()</script>')
    factories.publish(program, user)

    page.context.add_init_script(path=str(AXE))
    log_in(page, live_server, "tess")
    page.goto(f"{live_server.url}/programs/{program.pk}/")
    page.get_by_role("link", name="Afdrukversie").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Oefeningen voor Anna")
    expect(page.get_by_text('<b>Rustig</b> "aan" & <script>x()</script>')).to_be_visible()
    expect(page.locator(".exercise")).to_have_count(11)
    assert axe_violations(page) == []
    screenshot(page, "handout-print-view")
    page.set_viewport_size(PHONE)
    assert axe_violations(page) == []
    screenshot(page, "handout-print-view-phone")
    # A phone shows the sheet without sideways scrolling of the page itself.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size(DESKTOP)

    # What the printer gets: the browser's own PDF of the print stylesheet.
    page.emulate_media(media="print")
    expect(page.locator(".print-toolbar")).to_be_hidden()
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = page.pdf(format="A4", path=str(ARTIFACTS / "handout-print-view.pdf"))
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
