"""How many lines a text of the handout takes in a column of a given width.

The tick grid's page-break estimate (`ScheduleWeek.longer_than_a_page`) needs
a row's height before WeasyPrint lays it out. Counting characters was too
rough: a dose wrapped to four lines where it counted two, so the back
program's weeks looked shorter than a page and WeasyPrint laid each out twice
(once on the page where it would not fit, then again on the next).

The words are measured with the font the PDF embeds (DejaVu Sans, through
Pillow with HarfBuzz shaping when it has it, as WeasyPrint's Pango has) and
wrapped greedily at spaces, as Pango does. The column is taken a little wider
than it is, so the count stays at or under WeasyPrint's: an estimate that said
"longer than a page" of a week that fits would move that week to a page of its
own and change the pages.
"""

import functools
import math

from PIL import ImageFont

from programs.handout.fonts import FONT_FILES

# Widths are measured at this size, in font units per em, then scaled.
_EM = 1000
POINT_MM = 25.4 / 72  # millimetres in a typographic point
# The column as measured is this much wider than its stylesheet width: room
# for shaping differences between Pillow and Pango, so the count stays low.
# The two agree within 1 % on the grid's doses and titles: 0.99 counted a line
# more than WeasyPrint for some, 1.01 none, and as many exactly as 1.0
# (tests/programs/handout/test_grid_estimate.py).
WIDTH_SLACK = 1.01
# Without the font file: a character's advance taken as this many ems, under
# DejaVu Sans's average (about 0.55 em), so the count stays low.
_FALLBACK_ADVANCE = 0.45


@functools.cache
def _font() -> ImageFont.FreeTypeFont | None:
    path = FONT_FILES[0]
    return ImageFont.truetype(str(path), size=_EM) if path.is_file() else None


@functools.lru_cache(maxsize=4096)
def _word_width(word: str) -> float:
    """A word's advance in ems."""
    return _font().getlength(word) / _EM


def lines_at_most(text: str, *, width_mm: float, size_pt: float) -> int:
    """The number of lines `text` takes in a column `width_mm` wide at `size_pt`,
    never more than WeasyPrint makes of it (breaking at spaces, and inside a
    word only when the word alone is wider than the column)."""
    words = text.split()
    if not words:
        return 1
    width = width_mm * WIDTH_SLACK / (size_pt * POINT_MM)  # the column, in ems
    if _font() is None:
        return max(1, math.ceil(len(text) * _FALLBACK_ADVANCE / width))
    space = _word_width(" ")
    lines, used = 1, None
    for word in words:
        advance = _word_width(word)
        if used is None:
            used = advance
        elif used + space + advance <= width:
            used += space + advance
        else:
            lines += 1
            used = advance
        if used > width:  # a word wider than the column breaks inside itself
            whole, used = divmod(used, width)
            lines += int(whole)
    return lines
