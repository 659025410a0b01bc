"""The editor's lines: one line per exercise, one dose form open at a time, with
JavaScript (htmx fragments) and without (?edit= and whole pages); a fixed number
of queries however long the program."""

import re

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exercises.models import Exercise
from programs import services
from programs.models import ProgramItem
from programs.therapist import line_cache
from tests.programs.therapist.test_editor import HTMX, _dose_data, _item, _update_url

DOSE_FORMS = re.compile(r'<form class="dose-form"')


def _line(html: str, item: ProgramItem) -> str:
    """The item's <li>, up to the next line."""
    start = html.index(f'<li id="item-{item.pk}"')
    end = html.find('<li id="item-', start + 1)
    return html[start : end if end != -1 else len(html)]


def _whole_back_program(make_program, practice_user, name="Bea"):
    """The back protocol's 13 exercises and the leaflet's other 8: all 21."""
    program = make_program("back-rehabilitation", name=name)
    present = program.items.values("exercise")
    for exercise in Exercise.objects.filter(slug__startswith="back-").exclude(pk__in=present):
        services.program_add_exercise(program=program, exercise=exercise, user=practice_user)
    assert program.items.count() == 21
    return program


def test_every_exercise_is_one_line_and_edit_opens_one_form_without_javascript(
    practice_client, make_program
):
    program = make_program("amputation-transtibial")
    item = _item(program, "amputation-strength-1")
    html = practice_client.get(program.get_absolute_url()).content.decode()
    assert not DOSE_FORMS.search(html)
    line = _line(html, item)
    assert "3 series van 10 herhalingen" in line  # the dose in words, as the therapist reads it
    edit = f"{program.get_absolute_url()}?edit={item.pk}#item-{item.pk}"
    assert f'href="{edit}"' in line  # a real link: the form without JavaScript

    response = practice_client.get(edit.split("#")[0])
    html = response.content.decode()
    assert len(DOSE_FORMS.findall(html)) == 1
    line = _line(html, item)
    assert DOSE_FORMS.search(line) and 'class="program-item is-editing"' in line
    assert re.search(
        rf'id="item-{item.pk}-sets_min"[^>]*autofocus|autofocus[^>]*id="item-{item.pk}-sets_min"',
        line,
    )


def test_a_refused_dose_without_javascript_shows_the_page_with_what_was_typed(
    practice_client, make_program
):
    program = make_program("amputation-transtibial")
    item = _item(program, "amputation-strength-1")
    before = ProgramItem.objects.values().get(pk=item.pk)
    response = practice_client.post(
        _update_url(item), _dose_data(item, reps_min="500", note="Langzaam")
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "De dosering is niet opgeslagen: controleer de waarden." in html
    assert len(DOSE_FORMS.findall(html)) == 1
    line = _line(html, item)
    assert "100 is" in line  # the error, next to its field
    assert 'value="500"' in line and "Langzaam" in line  # nothing typed is lost
    assert "3 series van 10 herhalingen" in line  # the line still says what is saved
    assert ProgramItem.objects.values().get(pk=item.pk) == before
    # The page's other forms still go to the editor, not to the item's address.
    assert f'action="{program.get_absolute_url()}"' in html

    response = practice_client.post(_update_url(item), _dose_data(item, reps_min="12"))
    assert response.url == f"{program.get_absolute_url()}#item-{item.pk}"
    html = practice_client.get(response.url).content.decode()
    assert "3 series van 12 herhalingen" in _line(html, item) and not DOSE_FORMS.search(html)


def test_with_htmx_the_line_and_its_form_swap_in_place(practice_client, make_program):
    program = make_program("amputation-transtibial")
    item = _item(program, "amputation-strength-1")
    edit = reverse("therapist:program_item_edit", args=[program.pk, item.pk])
    opened = practice_client.get(edit, headers=HTMX).content.decode()
    assert opened.lstrip().startswith(f'<li id="item-{item.pk}"') and "<html" not in opened
    assert len(DOSE_FORMS.findall(opened)) == 1
    assert f'id="item-{item.pk}-sets_min"' in opened and "data-focus" in opened

    refused = practice_client.post(_update_url(item), _dose_data(item, sets_min="0"), headers=HTMX)
    assert refused.status_code == 422
    html = refused.content.decode()
    assert DOSE_FORMS.search(html) and "minstens 1 is" in html and 'value="0"' in html

    saved = practice_client.post(_update_url(item), _dose_data(item, sets_min="2"), headers=HTMX)
    html = saved.content.decode()
    assert saved.status_code == 200 and not DOSE_FORMS.search(html)
    assert "2 series van 10 herhalingen" in _line(html, item)
    assert (
        'id="program-status" class="program-status" hx-swap-oob="true"' in html
    )  # the draft state

    show = reverse("therapist:program_item_show", args=[program.pk, item.pk])
    html = practice_client.get(show, headers=HTMX).content.decode()
    assert not DOSE_FORMS.search(html) and "2 series van 10 herhalingen" in html


def test_the_editor_asks_the_same_queries_for_3_or_21_exercises(
    practice_client, make_program, practice_user, django_assert_max_num_queries
):
    short = make_program("hip-osteoarthritis-home")
    long = _whole_back_program(make_program, practice_user)
    counts = []
    for program in (short, long):
        first = program.items.order_by("order").first()
        for address in (
            program.get_absolute_url(),
            f"{program.get_absolute_url()}?edit={first.pk}",
        ):
            practice_client.get(address)  # the session's and the log's first-time work
            with django_assert_max_num_queries(21), CaptureQueriesContext(connection) as run:
                assert practice_client.get(address).status_code == 200
            counts.append(len(run))
    assert counts[:2] == counts[2:], counts


def _without_tokens(html: str) -> str:
    return re.sub(r"[A-Za-z0-9]{64}", "TOKEN", html)  # CSRF tokens, masked anew each time


def test_lines_from_the_store_are_the_lines_rendered_afresh(
    practice_client, make_program, practice_user, monkeypatch
):
    program = make_program("amputation-transfemoral")
    item = _item(program, "amputation-strength-1")
    kept = services.program_add_exercise(  # transtibial only: a warning, kept with a reason
        program=program,
        exercise=Exercise.objects.get(slug="amputation-strength-5"),
        user=practice_user,
    )
    services.program_item_keep_warnings(
        item=kept,
        warnings=["Deze oefening is niet bedoeld voor Transfemoraal (bovenbeen)."],
        reason="Knie stabiel",
        user=practice_user,
    )
    services.program_add_exercise(  # and a warning still open: its keep form
        program=program,
        exercise=Exercise.objects.get(slug="amputation-strength-6"),
        user=practice_user,
    )
    line_cache.clear()
    cold = practice_client.get(program.get_absolute_url()).content.decode()
    warm = practice_client.get(program.get_absolute_url()).content.decode()
    with monkeypatch.context() as patch:  # every line through the template, as before the store
        patch.setattr(line_cache, "closed_line_html", lambda *args, **kwargs: "")
        fresh = practice_client.get(program.get_absolute_url()).content.decode()
    assert _without_tokens(cold) == _without_tokens(warm) == _without_tokens(fresh)
    assert "csrftokenhole" not in warm  # every hole filled
    assert "Toch behouden door tess" in warm and 'class="keep-form"' in warm
    # A change makes a new line: the old one is not asked again.
    practice_client.post(_update_url(item), _dose_data(item, note="Langzaam"))
    assert "Langzaam" in _line(
        practice_client.get(program.get_absolute_url()).content.decode(), item
    )
    # The same line in another language is another line.
    practice_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = _line(practice_client.get(program.get_absolute_url()).content.decode(), item)
    assert ">Change<" in english and "Wijzigen" not in english
