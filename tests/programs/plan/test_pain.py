"""Pain that is acted on: the patient is told what to do, the therapist's list flags it."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programs import services
from programs.models import ExerciseTick
from tests.factories import sign_in
from tests.programs.plan.test_today import tick


def _patient_list(practice_user) -> str:
    therapist = Client()
    sign_in(therapist, practice_user)
    return therapist.get(reverse("therapist:patient_list")).content.decode()


@pytest.mark.parametrize(("pain", "acted_on"), [(8, True), (3, False), (5, False), (6, True)])
def test_pain_above_the_limit_gets_the_practices_number_and_a_flag(
    patient_client, practice_user, pain, acted_on
):
    program = patient_client.program
    item = program.items.order_by("order").first()
    response = tick(patient_client, program, item, htmx=True, pain=str(pain))
    text = response.content.decode()
    message = f"Pijn {pain} van 10 is meer dan goed is bij het oefenen."
    assert (message in text) is acted_on
    assert ('href="tel:0501112222"' in text) is acted_on  # the practice, one tap away
    assert ("Opgeslagen." in text) is not acted_on  # no green "saved" for high pain
    assert ExerciseTick.objects.get().pain == pain  # saved either way
    # The page the patient reloads says it too.
    page = patient_client.get("/plan/").content.decode()
    assert (message in page) is acted_on
    flag = f"Pijn {pain} van 10 deze week"
    assert (flag in _patient_list(practice_user)) is acted_on


def test_the_limit_is_the_practices_own(patient_client, practice_user):
    practice = practice_user.therapist.practice
    practice.pain_limit = 7
    practice.save()
    program = patient_client.program
    first, second = program.items.order_by("order")[:2]
    assert (
        "meer dan goed"
        not in tick(patient_client, program, first, htmx=True, pain="7").content.decode()
    )
    assert (
        "meer dan goed"
        in tick(patient_client, program, second, htmx=True, pain="8").content.decode()
    )
    assert practice.pain_rule_source.startswith("Pijnmonitoringsmodel (Thomeé 1997)")


def test_rising_pain_and_a_quiet_week_are_flagged(practice_user, started):
    today = timezone.localdate()
    rising = started(name="Rita", days_ago=14)
    started(name="Stil", days_ago=10)  # nothing ticked in ten days
    fine = started(name="Fien", days_ago=10)
    item = rising.items.first()
    for days_ago, pain in ((10, 2), (2, 5)):
        services.tick_save(
            program=rising,
            item_id=item.pk,
            day=today - datetime.timedelta(days=days_ago),
            session=1,
            pain=pain,
            note="",
        )
    services.tick_save(
        program=fine, item_id=fine.items.first().pk, day=today, session=1, pain=1, note=""
    )
    page = _patient_list(practice_user)
    rows = {
        name: page[page.index(f">{name}</a>") :].split("</li>")[0]
        for name in ("Rita", "Stil", "Fien")
    }
    assert "Pijn neemt toe" in rows["Rita"] and "Pijn 5" not in rows["Rita"]  # 5 is acceptable
    assert "Een week niets afgevinkt" in rows["Stil"]
    assert "flag" not in rows["Fien"]
