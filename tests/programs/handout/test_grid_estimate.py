"""The tick grid's page-break estimate (issue 14): a week's height is worked out
before WeasyPrint lays it out, from the lines each dose and title takes. The
count must never be more than WeasyPrint's (a week that fits would then start a
page of its own and the pages would change) and must be close enough that a
week longer than a page is known as one (else WeasyPrint lays it out twice)."""

import io

import pytest
from django.utils import translation
from django.utils.html import escape
from pypdf import PdfReader
from weasyprint import HTML

from exercises.models import Exercise
from programs import services
from programs.handout import context as handout_context_module
from programs.handout.context import handout_context, handout_for
from programs.handout.text_lines import lines_at_most
from tests.factories import MONDAY, make_program, publish


def _with_every_exercise(user, protocol: str):
    program = make_program(user, protocol, start_date=MONDAY, weeks=8)
    leaflet = program.items.first().exercise.leaflet
    present = set(program.items.values_list("exercise__slug", flat=True))
    for exercise in Exercise.objects.filter(leaflet=leaflet).order_by("pk"):
        if exercise.slug not in present:
            services.program_add_exercise(program=program, exercise=exercise, user=user)
    return publish(program, user)


def _weasyprint_lines(texts: list[str], *, width_mm: float, size_pt: float) -> list[int]:
    """Each text in a column of the grid's width and font, one per page, and the
    lines WeasyPrint broke it into, read back from the PDF."""
    pages = "".join(
        f"<div style=\"width: {width_mm}mm; font: {size_pt}pt/1.25 'DejaVu Sans';"
        f' overflow-wrap: anywhere; break-after: page">{escape(text)}</div>'
        for text in texts
    )
    data = HTML(string=f"<html><body>{pages}</body></html>").write_pdf()
    return [
        len([line for line in page.extract_text().splitlines() if line.strip()])
        for page in PdfReader(io.BytesIO(data)).pages
    ]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_estimate_counts_the_lines_weasyprint_makes_and_never_more(
    library, practice_user, language
):
    doses, titles = set(), set()
    for protocol in ("back-rehabilitation", "knee-osteoarthritis", "amputation-transfemoral"):
        handout = handout_for(program=_with_every_exercise(practice_user, protocol))
        with translation.override(language):
            for week in handout_context(handout)["schedule"]:
                for row in week.rows:
                    doses.add(handout_context_module._dose_cell_text(row))
                    titles.add(row.entry.exercise.title)
    columns = [
        (sorted(doses), handout_context_module.DOSE_WIDTH, handout_context_module.DOSE_SIZE),
        (sorted(titles), handout_context_module.TITLE_WIDTH, handout_context_module.TITLE_SIZE),
    ]
    exact = total = 0
    for texts, width, size in columns:
        printed = _weasyprint_lines(texts, width_mm=width, size_pt=size)
        for text, lines in zip(texts, printed, strict=True):
            estimate = lines_at_most(text, width_mm=width, size_pt=size)
            assert estimate <= lines, (text, estimate, lines)
            exact += estimate == lines
            total += 1
    assert total > 60
    assert exact >= 0.9 * total, f"{exact} of {total} counted exactly"


def test_a_word_wider_than_the_column_counts_the_lines_it_breaks_into():
    assert lines_at_most("", width_mm=42, size_pt=8.5) == 1
    assert lines_at_most("kort", width_mm=42, size_pt=8.5) == 1
    long_word = "https://oefenplan.example/p/" + "x" * 90
    assert lines_at_most(long_word, width_mm=42, size_pt=8.5) >= 3
    [printed] = _weasyprint_lines([long_word], width_mm=42, size_pt=8.5)
    assert lines_at_most(long_word, width_mm=42, size_pt=8.5) <= printed


def test_the_back_programs_weeks_each_start_a_page_and_the_first_under_the_legend(
    library, practice_user
):
    """The back program's 21 rows make every week longer than a page: each starts
    on a page of its own, but the first straight under the schedule's heading,
    not on the page after it (which held only the heading and the legend)."""
    handout = handout_for(program=_with_every_exercise(practice_user, "back-rehabilitation"))
    with translation.override("nl"):
        weeks = handout_context(handout)["schedule"]
    assert [week.longer_than_a_page for week in weeks] == [True] * 8
    # A program of a few exercises keeps each week whole: it fits on a page.
    short = publish(make_program(practice_user, "hip-replacement-anterior"), practice_user)
    with translation.override("nl"):
        short_weeks = handout_context(handout_for(program=short))["schedule"]
    assert not any(week.longer_than_a_page for week in short_weeks)
