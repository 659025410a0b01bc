"""The handout's tick grid prints every dose whole and every week's seven days on the page."""

import io
import re
import subprocess
from html import unescape

import pytest
from django.utils import translation
from pypdf import PdfReader

from programs.handout.context import handout_for
from programs.handout.render import handout_pdf
from programs.schedule import week_days
from tests.factories import MONDAY, make_program, publish

PROTOCOLS = [
    "amputation-transtibial",
    "amputation-transfemoral",
    "hip-replacement-posterolateral",
    "hip-replacement-anterior",
    "knee-osteoarthritis",
    "hip-osteoarthritis",
    "hip-osteoarthritis-home",
    "back-rehabilitation",
]
A4_WIDTH = 595.28  # points
RIGHT_MARGIN = 15 / 25.4 * 72  # 15 mm


def _pages_with_positions(data: bytes) -> list[list[tuple[str, float]]]:
    """Each page's text fragments with the x where they start (in points)."""
    pages = []
    for page in PdfReader(io.BytesIO(data)).pages:
        fragments = []

        def visit(text, cm, tm, _font, _size, fragments=fragments):
            if text.strip():
                fragments.append((text.strip(), cm[4] + tm[4] * cm[0]))

        page.extract_text(visitor_text=visit)
        pages.append(fragments)
    return pages


def _assert_every_week_has_seven_days_on_the_page(program) -> None:
    snapshot = program.revisions.first().content
    pages = _pages_with_positions(handout_pdf(handout_for(program=program)))
    texts = [" ".join(text for text, _x in page) for page in pages]
    for week in range(1, snapshot.weeks + 1):
        caption = f"Week {week}:"
        [page_number] = [n for n, text in enumerate(texts) if caption in text]
        dates = [f"{day.day}/{day.month}" for day in week_days(snapshot, week)]
        found = {
            text: x for text, x in pages[page_number] if re.fullmatch(r"\d{1,2}/\d{1,2}", text)
        }
        for date in dates:
            assert date in found, (program.protocol_id, week, date)
            # Printed inside the page, left of its right margin: not cut off.
            assert found[date] < A4_WIDTH - RIGHT_MARGIN, (program.protocol_id, week, date)


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_every_week_of_every_protocol_shows_its_seven_days(library, practice_user, protocol):
    program = publish(make_program(practice_user, protocol, start_date=MONDAY), practice_user)
    _assert_every_week_has_seven_days_on_the_page(program)


def test_the_longest_doses_wrap_in_their_cell_and_print_whole(library, practice_user):
    """Every dose part at once, ranges everywhere: the cell wraps, the week still fits."""
    program = make_program(practice_user, "knee-osteoarthritis", start_date=MONDAY, weeks=3)
    program.items.update(
        sets_min=2,
        sets_max=4,
        reps_per_side=True,
        hold_min=20,
        hold_max=30,
        hold_unit="seconds",
        rest_seconds_min=30,
        rest_seconds_max=60,
        times_per_day_min=2,
        times_per_day_max=3,
        days_per_week_min=3,
        days_per_week_max=5,
        borg_min=14,
        borg_max=17,
    )
    publish(program, practice_user)
    _assert_every_week_has_seven_days_on_the_page(program)
    data = handout_pdf(handout_for(program=program))
    text = re.sub(r"\s+", "", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))
    with translation.override("nl"):
        whole = (
            "2 tot 4 series van 8 herhalingen, aan elke kant; 20 tot 30 seconden vasthouden; "
            "30 tot 60 seconden rust tussen de series; 2 tot 3 keer per dag, 3 tot 5 dagen per "
            "week; inspanning 14 tot 17 op de Borgschaal (6-20)"
        )
    # The grid's cell has all of it (compared without the line breaks it wraps at).
    assert re.sub(r"\s+", "", whole) in text


LONG_WORD = "Rustig" + "a" * 114  # 120 characters, no place to break
LONG_URL = "https://www.thuisarts.nl/" + "heupprothese/" * 8 + "oefeningen-na-de-operatie"


def _word_boxes(data: bytes, tmp_path) -> list[tuple[str, float, float]]:
    """Every word poppler finds in the PDF with its left and right edge (points)."""
    pdf, html = tmp_path / "handout.pdf", tmp_path / "words.html"
    pdf.write_bytes(data)
    subprocess.run(["pdftotext", "-bbox", str(pdf), str(html)], check=True)
    return [
        (unescape(word), float(x_min), float(x_max))
        for x_min, x_max, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>',
            html.read_text(),
        )
    ]


def test_long_words_and_urls_wrap_inside_the_page(make_program, practice_user, tmp_path):
    program = make_program("hip-replacement-anterior")
    item = program.items.first()
    item.note = f"{LONG_WORD} Zie ook {LONG_URL}"
    item.save()
    publish(program, practice_user)
    words = _word_boxes(handout_pdf(handout_for(program=program)), tmp_path)
    # Nothing is printed past the right margin (a little slack for glyph overhang)...
    outside = [
        (word, x_max) for word, _x_min, x_max in words if x_max > A4_WIDTH - RIGHT_MARGIN + 2
    ]
    assert not outside
    # ...and nothing is lost: the word and the URL are all there, broken over lines.
    printed = "".join(word for word, _x_min, _x_max in words)
    assert LONG_WORD in printed
    assert LONG_URL in printed
