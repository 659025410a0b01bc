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


def _items(html: str) -> str:
    """The list of lines, tokens masked."""
    return _without_tokens(re.search(r'<ol id="program-items".*?</ol>', html, re.S).group())


def _items_rendered_afresh(client, program, monkeypatch) -> str:
    """The lines as the template renders them, each, past both stores: `?edit=`
    an id no line has opens no form but skips the kept list."""
    with monkeypatch.context() as patch:
        patch.setattr(line_cache, "closed_line_html", lambda *args, **kwargs: "")
        html = client.get(f"{program.get_absolute_url()}?edit=0").content.decode()
    assert not DOSE_FORMS.search(html)
    return _items(html)


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
    fresh = _items_rendered_afresh(practice_client, program, monkeypatch)
    assert _items(cold) == _items(warm) == fresh
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


def test_the_kept_list_of_lines_follows_every_change_to_the_draft_and_the_library(
    practice_client, make_program, practice_user, monkeypatch
):
    """The editor with no form open shows a program's lines from line_cache's list
    for its draft version: after each kind of change, the same as rendered afresh."""
    program = make_program("amputation-transfemoral")
    item = _item(program, "amputation-strength-1")
    url = program.get_absolute_url()

    def shown() -> str:
        html = practice_client.get(url).content.decode()
        assert _items(html) == _items_rendered_afresh(practice_client, program, monkeypatch)
        return html

    shown()
    added = services.program_add_exercise(  # transtibial only: a warning
        program=program,
        exercise=Exercise.objects.get(slug="amputation-strength-5"),
        user=practice_user,
    )
    assert "niet bedoeld voor" in _line(shown(), added)
    practice_client.post(_update_url(item), _dose_data(item, sets_min="2", note="Rustig aan"))
    assert "Rustig aan" in _line(shown(), item)
    services.program_item_keep_warnings(
        item=ProgramItem.objects.get(pk=added.pk),
        warnings=["Deze oefening is niet bedoeld voor Transfemoraal (bovenbeen)."],
        reason="Knie stabiel",
        user=practice_user,
    )
    assert "Toch behouden door tess" in _line(shown(), added)
    before = re.findall(r'<li id="item-(\d+)"', shown())
    services.program_item_move(
        item=ProgramItem.objects.get(pk=added.pk), offset=-1, user=practice_user
    )
    assert re.findall(r'<li id="item-(\d+)"', shown()) == [*before[:-2], before[-1], before[-2]]
    services.program_item_remove(item=ProgramItem.objects.get(pk=added.pk), user=practice_user)
    assert f'id="item-{added.pk}"' not in shown()

    # The library changes in place: a title corrected in the admin shows at once.
    exercise = item.exercise
    exercise.title = "Bruggetje (verbeterd)"
    exercise.save()
    assert "Bruggetje (verbeterd)" in _line(shown(), item)
    # The variant a warning names: another exercise now meant for this variant too.
    other = services.program_add_exercise(
        program=program,
        exercise=Exercise.objects.get(slug="amputation-strength-6"),
        user=practice_user,
    )
    assert "niet bedoeld voor" in _line(shown(), other)
    other.exercise.applies_to.add(program.variant)
    assert "niet bedoeld voor" not in _line(shown(), other)

    # Notes removed by the retention job, which changes the items without the editor.
    services.program_apply_retention(program=program)
    assert "Rustig aan" not in _line(shown(), item)


def test_the_editor_with_no_form_open_reads_no_items_once_listed(
    practice_client, make_program, practice_user, django_assert_max_num_queries
):
    program = _whole_back_program(make_program, practice_user)
    services.program_publish(program=program, user=practice_user)  # no draft to compare
    url = program.get_absolute_url()
    practice_client.get(url)  # lists the lines
    with CaptureQueriesContext(connection) as warm:
        assert practice_client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as opened:
        practice_client.get(f"{url}?edit={program.items.first().pk}")
    item_table = ProgramItem._meta.db_table
    assert not any(f'FROM "{item_table}"' in query["sql"] for query in warm.captured_queries)
    assert any(f'FROM "{item_table}"' in query["sql"] for query in opened.captured_queries)
    assert len(warm) < len(opened)
