"""Text the handout can print: every character must be in its font.

The handout embeds DejaVu Sans (full Dutch diacritics, most symbols). An emoji
is not in it and would print as an empty box, so text that goes on paper (a
patient's name, a note, the practice's details) is refused with a message
naming the character, instead of printing wrong. Where the font file is not on
the machine, the emoji and pictograph blocks are refused, which is what
DejaVu lacks.
"""

import functools
import re
import unicodedata
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

FONT_FILES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
)
# Emoji, pictographs, their modifiers and joiners: none of them prints in DejaVu.
_PICTOGRAPHS = re.compile(
    "[\U0001f000-\U0001faff\U0001fb00-\U0001fbff\ufe0f\u200d\U000e0000-\U000e007f]"
)
NOT_PRINTABLE = _(
    "These characters cannot be printed on the handout: %(characters)s. Please leave them out."
)


@functools.cache
def _covered() -> frozenset[int] | None:
    """The code points every font file covers, or None when none is installed."""
    from fontTools.ttLib import TTFont  # WeasyPrint's own dependency

    maps = [
        set(TTFont(str(path), lazy=True).getBestCmap()) for path in FONT_FILES if path.is_file()
    ]
    return frozenset(set.intersection(*maps)) if maps else None


def unprintable_characters(text: str) -> list[str]:
    covered = _covered()
    found = []
    for character in text:
        if character in "\n\r\t " or unicodedata.category(character) == "Cc":
            continue
        missing = (
            ord(character) not in covered
            if covered is not None
            else bool(_PICTOGRAPHS.match(character))
        )
        if missing and character not in found:
            found.append(character)
    return found


def printable_text(text: str) -> None:
    """A form validator for text the handout prints."""
    found = unprintable_characters(text or "")
    if found:
        raise ValidationError(
            NOT_PRINTABLE, code="unprintable", params={"characters": " ".join(found)}
        )
