"""The lean layout of the handout (issue 14): the largest program's handout keeps
its pages and words, tagged for PDF/UA, with each tick row one picture with
its alt text. Read back from the PDF, never by its size."""

import io
import re
from collections import Counter

import pytest
from django.utils import translation
from PIL import Image
from pypdf import PdfReader

from exercises.models import Exercise
from programs import services
from programs.handout.context import _dose_cell_text, handout_context, handout_for
from programs.handout.fetcher import FetchRefused, HandoutURLFetcher
from programs.handout.render import handout_pdf
from programs.handout.ticks import tick_alt, tick_pattern, tick_png
from programs.links import patient_link_create
from programs.schedule import week_days, week_dose
from tests.factories import MONDAY, make_program, publish

# The back program with all 21 exercises of the leaflet, over 8 weeks, prints on
# 29 pages: the cover, two pages a week for 8 weeks (the first under the
# schedule's heading), 12 pages of exercises. The lean layout kept the 29 pages
# of the layout before it; the exercise figures' two still frames (a wider
# picture column) added one, and the first week no longer leaving the heading's
# page nearly empty took one away.
BACK_PAGES = 29


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _struct_elements(node, found: list) -> list:
    node = node.get_object()
    if isinstance(node, dict) or hasattr(node, "keys"):
        if "/S" in node:
            found.append(node)
        kids = node.get("/K")
        if kids is not None:
            kids = kids.get_object()
            for kid in kids if isinstance(kids, list) else [kids]:
                if hasattr(kid, "get_object") and not isinstance(kid.get_object(), int):
                    _struct_elements(kid, found)
    return found


@pytest.fixture
def back_program(library, practice_user):
    program = make_program(practice_user, "back-rehabilitation", start_date=MONDAY, weeks=8)
    present = set(program.items.values_list("exercise__slug", flat=True))
    for exercise in Exercise.objects.filter(leaflet="back-rehabilitation").order_by("pk"):
        if exercise.slug not in present:
            services.program_add_exercise(program=program, exercise=exercise, user=practice_user)
    patient_link_create(patient=program.patient, user=practice_user)
    return publish(program, practice_user)


def test_the_back_handout_keeps_its_pages_words_and_tags(back_program):
    snapshot = back_program.revisions.first().content
    assert len(snapshot.items) == 21
    data = handout_pdf(handout_for(program=back_program))
    reader = PdfReader(io.BytesIO(data))
    pages = [_flat(page.extract_text()) for page in reader.pages]
    assert len(pages) == BACK_PAGES
    text = " ".join(pages)

    # Every exercise with its week-1 dose, in the grid and in its block.
    with translation.override("nl"):
        for item in snapshot.items:
            assert item.exercise.title in text, item.exercise.title
            for line in week_dose(item, 1).lines:
                assert _flat(line) in text, (item.exercise.title, line)

    # The grid: each week from a page of its own, with its seven days' labels.
    first_pages = []
    for week in range(1, snapshot.weeks + 1):
        [number] = [n for n, page in enumerate(pages) if f"Week {week}:" in page]
        first_pages.append(number)
        for day in week_days(snapshot, week):
            assert f"{day.day}/{day.month}" in pages[number], (week, day)
        assert re.search(r"\bma\b.*\bdi\b.*\bwo\b.*\bdo\b.*\bvr\b", pages[number]), week
    assert first_pages == sorted(set(first_pages)) and len(set(first_pages)) == snapshot.weeks
    assert "Uw schema" in pages[1] and "rustdag" in pages[1]
    assert first_pages[0] == 1, "the first week starts under the schedule's heading"

    # Tagged PDF/UA-1: a structure tree, and every figure (the tick rows too) has its words.
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    figures = [
        element
        for element in _struct_elements(root["/StructTreeRoot"], [])
        if element["/S"] == "/Figure"
    ]
    alts = [str(figure.get("/Alt", "")) for figure in figures]
    # Only the QR code (drawn inline) has none: its caption beside it says what it is.
    assert alts.count("") == 1
    # Each exercise's figure (its still frames) is described by its title and movement.
    for item in snapshot.items:
        assert any(alt.startswith(f"{item.exercise.title}:") for alt in alts), item.exercise.title
    tick_rows = [alt for alt in alts if "vakje" in alt]
    assert len(tick_rows) == 21 * snapshot.weeks
    assert "ma t/m zo: 1 vakje, 1 gestippeld" in tick_rows


def test_a_tick_row_is_one_picture_per_pattern():
    pattern = tick_pattern(
        on=(True, True, False, True, True, False, False), sessions=(True, False), weekly=False
    )
    assert pattern == "sd.sd.r.sd.sd.r.r"
    # The patient picks the days: every box is dashed.
    assert tick_pattern(on=(True,) * 7, sessions=(True,), weekly=True) == "d.d.d.d.d.d.d"

    image = Image.open(io.BytesIO(tick_png(pattern)))
    assert image.format == "PNG"
    # Seven day columns of 11 mm at 600 dpi; taller for two boxes than for one.
    assert image.width == pytest.approx(77 / 25.4 * 600, abs=8)
    assert image.height > Image.open(io.BytesIO(tick_png("s.s.s.s.s.s.s"))).height

    days = [MONDAY.replace(day=MONDAY.day + offset) for offset in range(7)]
    with translation.override("nl"):
        assert tick_alt(pattern, days) == (
            "ma t/m di: 2 vakjes, 1 gestippeld; wo: rustdag; "
            "do t/m vr: 2 vakjes, 1 gestippeld; za t/m zo: rustdag"
        )
    with translation.override("en"):
        assert tick_alt("s.s.s.s.s.s.s", days).startswith("Mon to Sun: 1 box")


def test_the_fetcher_draws_tick_rows_and_refuses_other_names():
    fetcher = HandoutURLFetcher()
    response = fetcher.fetch("https://handout.invalid/handout-ticks/s.s.r.s.s.r.r.png")
    assert response.headers["Content-Type"] == "image/png"
    for name in ("../etc/passwd", "s.s.png", "x.x.x.x.x.x.x", "s.s.r.s.s.r.r.svg"):
        with pytest.raises(FetchRefused):
            fetcher.fetch(f"https://handout.invalid/handout-ticks/{name}.png")


def test_no_row_of_the_tick_grid_is_split_over_two_pages(back_program):
    """A row is an exercise's line to tick: its dose is printed whole on one page,
    not its first lines under one page's boxes and the rest at the next page's top."""
    handout = handout_for(program=back_program)
    reader = PdfReader(io.BytesIO(handout_pdf(handout)))
    squeezed = [re.sub(r"\s+", "", page.extract_text()) for page in reader.pages]
    grid_pages = [page for page in squeezed if "Oefening" in page and "Dosering" in page]
    with translation.override("nl"):
        rows = Counter(
            re.sub(r"\s+", "", _dose_cell_text(row))
            for week in handout_context(handout)["schedule"]
            for row in week.rows
        )
    assert sum(rows.values()) == 21 * 8
    for dose, count in rows.items():
        printed = sum(page.count(dose) for page in grid_pages)
        assert printed == count, (dose, printed, count)
