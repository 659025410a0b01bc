"""A row of the handout's tick grid as one picture: the seven days' boxes.

Laying out a box per session per day (over a thousand little boxes for the
back program's eight weeks) was most of the PDF's layout time. A row is
instead one image: a grey block for a rest day, a box to tick for each session
of the other days, dashed when it is optional (an extra session, or a day the
patient chooses). Rows share a handful of patterns, each drawn once: WeasyPrint
fetches an image once per address, and the address is the pattern.

The pattern names each day in order, separated by dots: `r` a rest day, else
one letter per box, `s` to tick, `d` dashed. "s.s.r.sd.s.r.r"
"""

import re
from collections.abc import Sequence
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

# Where the handout's markup points for a row's picture; HandoutURLFetcher draws it.
TICKS_PATH = "/handout-ticks/"
PATTERN = re.compile(r"^(?:r|[sd]{1,6})(?:\.(?:r|[sd]{1,6})){6}$")

# Millimetres, as the grid's stylesheet lays out the day columns (col.col-day).
DAY_WIDTH = 11.0
BOX = 4.5
BOX_STEP = 5.4
PADDING = 0.9
REST_GREY = "#d9dee4"
INK = "#15191e"
MUTED = "#3d4651"


def tick_pattern(*, on: Sequence[bool], sessions: Sequence[bool], weekly: bool) -> str:
    """The pattern of one row: `on` the seven days, `sessions` one flag per
    session offered (True: asked for), `weekly` the patient picks the days."""
    boxes = "".join("s" if planned and not weekly else "d" for planned in sessions) or "s"
    return ".".join(boxes if day_on else "r" for day_on in on)


def _days(pattern: str) -> list[str]:
    if not PATTERN.match(pattern):
        raise ValueError(f"not a tick pattern: {pattern[:60]!r}")
    return pattern.split(".")


def tick_svg(pattern: str) -> bytes:
    """The row's picture, as wide as the seven day columns."""
    days = _days(pattern)
    most = max((len(day) for day in days if day != "r"), default=1)
    width = DAY_WIDTH * len(days)
    height = 2 * PADDING + BOX + BOX_STEP * (most - 1)
    shapes = []
    for index, day in enumerate(days):
        left = index * DAY_WIDTH
        if day == "r":
            shapes.append(
                f'<rect x="{left:.2f}" y="0" width="{DAY_WIDTH:.2f}" height="{height:.2f}" '
                f'fill="{REST_GREY}"/>'
            )
            continue
        top = (height - (BOX + BOX_STEP * (len(day) - 1))) / 2
        for number, kind in enumerate(day):
            dashed = kind == "d"
            shapes.append(
                f'<rect x="{left + (DAY_WIDTH - BOX) / 2:.2f}" y="{top + number * BOX_STEP:.2f}" '
                f'width="{BOX}" height="{BOX}" rx="0.6" fill="#fff" '
                f'stroke="{MUTED if dashed else INK}" stroke-width="0.35"'
                + (' stroke-dasharray="0.7 0.5"' if dashed else "")
                + "/>"
            )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.2f}mm" height="{height:.2f}mm" '
        f'viewBox="0 0 {width:.2f} {height:.2f}">{"".join(shapes)}</svg>'
    ).encode()


def tick_alt(pattern: str, days: Sequence[date]) -> str:
    """What the picture shows, day by day, for a reader who cannot see it;
    call under the handout's language."""
    parts = []
    for code, day in zip(_days(pattern), days, strict=True):
        weekday = date_format(day, "D")
        if code == "r":
            parts.append(gettext("%(day)s: rest day") % {"day": weekday})
            continue
        dashed = code.count("d")
        text = ngettext("%(day)s: %(count)s box", "%(day)s: %(count)s boxes", len(code)) % {
            "day": weekday,
            "count": len(code),
        }
        if dashed:
            text += " " + gettext("(%(count)s dashed: extra or your choice)") % {"count": dashed}
        parts.append(text)
    return "; ".join(parts)
