"""axe-core on every therapist page, at desktop and phone width."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from programs import links, services
from tests import factories
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_plan_browser import AXE, axe_violations
from tests.factories import anna_starts_today

pytestmark = pytest.mark.browser


def test_therapist_pages_have_no_accessibility_violations(page: Page, live_server, library):
    program = anna_starts_today()
    user = program.patient.access_log.first().user
    user.therapist.is_practice_admin = True  # sees the access log too
    user.therapist.save()
    factories.publish(program, user)
    links.patient_link_create(patient=program.patient, user=user)
    factories.make_patient(user, "Bram")  # someone to copy the program to
    item = program.items.first()
    services.tick_save(
        program=program, item_id=item.pk, day=timezone.localdate(), session=1, pain=3, note="ok"
    )

    page.context.add_init_script(path=str(AXE))
    page.goto(f"{live_server.url}/accounts/login/")
    assert axe_violations(page) == []
    page.get_by_label("Gebruikersnaam").fill("tess")
    page.get_by_label("Wachtwoord").fill(factories.PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_label("Code", exact=True)).to_be_visible()  # the second step
    assert axe_violations(page) == []
    page.get_by_label("Code", exact=True).fill(factories.totp_code())
    page.get_by_role("button", name="Aanmelden").click()
    expect(page).not_to_have_url(re.compile("/accounts/"))
    pages = [
        "/accounts/2fa/",
        "/accounts/password/change/",
        "/accounts/sessions/",
        "/patients/",
        program.patient.get_absolute_url(),
        program.get_absolute_url(),
        f"/programs/{program.pk}/preview/",
        "/library/",
        item.exercise.get_absolute_url(),
        "/practice/access-log/",
        f"/patients/{program.patient.pk}/access-log/",
        f"/patients/{program.patient.pk}/erase/",
        f"{program.get_absolute_url()}?edit={item.pk}",
        f"/programs/{program.pk}/publish/",
        f"/programs/{program.pk}/paper/",
        f"/programs/{program.pk}/copy/",
        "/practice/",
    ]
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        for path in pages:
            page.goto(live_server.url + path)
            assert axe_violations(page) == [], (path, size)
