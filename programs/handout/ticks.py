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

import io
import re
from collections.abc import Sequence
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from PIL import Image, ImageDraw

# Where the handout's markup points for a row's picture; HandoutURLFetcher draws it.
TICKS_PATH = "/handout-ticks/"
PATTERN = re.compile(r"^(?:r|[sd]{1,6})(?:\.(?:r|[sd]{1,6})){6}$")

DPI = 600
# Millimetres, as the grid's stylesheet lays out the day columns (col.col-day).
DAY_WIDTH = 11.0
BOX = 4.5
BOX_STEP = 5.4
PADDING = 0.9
REST_GREY = "#d9dee4"
RULE = "#9aa5b1"
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


def _most_boxes(days: list[str]) -> int:
    return max((len(day) for day in days if day != "r"), default=1)


def picture_height(pattern: str) -> float:
    """The row's picture's height in millimetres: its tallest day's boxes."""
    return 2 * PADDING + BOX + BOX_STEP * (_most_boxes(_days(pattern)) - 1)


def _px(millimetres: float) -> int:
    return round(millimetres * DPI / 25.4)


def _dashed_box(draw: ImageDraw.ImageDraw, left: int, top: int, size: int, line: int) -> None:
    dash, gap = _px(0.7), _px(0.5)
    right, bottom = left + size - 1, top + size - 1
    draw.rectangle([left, top, right, bottom], fill="white")
    for start in range(left, right + 1, dash + gap):
        end = min(start + dash - 1, right)
        draw.rectangle([start, top, end, top + line - 1], fill=MUTED)
        draw.rectangle([start, bottom - line + 1, end, bottom], fill=MUTED)
    for start in range(top, bottom + 1, dash + gap):
        end = min(start + dash - 1, bottom)
        draw.rectangle([left, start, left + line - 1, end], fill=MUTED)
        draw.rectangle([right - line + 1, start, right, end], fill=MUTED)


def tick_png(pattern: str) -> bytes:
    """The row's picture, as wide as the seven day columns, at print resolution.
    A bitmap, not SVG: WeasyPrint embeds a bitmap once and points to it from
    every row, where it would draw an SVG's shapes anew in each."""
    days = _days(pattern)
    most = _most_boxes(days)
    day_width, box, step = _px(DAY_WIDTH), _px(BOX), _px(BOX_STEP)
    height = 2 * _px(PADDING) + box + step * (most - 1)
    # Clear where nothing is drawn: the row's own rules show through at its edges.
    image = Image.new("RGBA", (day_width * len(days), height), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    line = _px(0.35)
    for index, day in enumerate(days):
        left = index * day_width
        if day == "r":
            inset = _px(0.4)
            draw.rectangle([left, inset, left + day_width - 1, height - 1 - inset], fill=REST_GREY)
            continue
        top = (height - (box + step * (len(day) - 1))) // 2
        box_left = left + (day_width - box) // 2
        for number, kind in enumerate(day):
            box_top = top + number * step
            if kind == "d":
                _dashed_box(draw, box_left, box_top, box, line)
            else:
                draw.rounded_rectangle(
                    [box_left, box_top, box_left + box - 1, box_top + box - 1],
                    radius=_px(0.6),
                    fill="white",
                    outline=INK,
                    width=line,
                )
    # The day columns' rules, over the grey of rest days side by side.
    rule = max(1, _px(0.21))
    for index in range(1, len(days)):
        left = index * day_width - rule // 2
        draw.rectangle([left, 0, left + rule - 1, height - 1], fill=RULE)
    output = io.BytesIO()
    image.save(output, "PNG", optimize=True)
    return output.getvalue()


def _day_text(code: str) -> str:
    if code == "r":
        return gettext("rest day")
    boxes = ngettext("%(count)s box", "%(count)s boxes", len(code)) % {"count": len(code)}
    dashed = code.count("d")
    return (
        gettext("%(boxes)s, %(dashed)s dashed") % {"boxes": boxes, "dashed": dashed}
        if dashed
        else boxes
    )


def tick_alt(pattern: str, days: Sequence[date]) -> str:
    """What the picture shows, for a reader who cannot see it, days alike taken
    together: "za t/m vr: 1 vakje, 1 gestippeld". Call under the handout's language."""
    runs: list[tuple[date, date, str]] = []
    for code, day in zip(_days(pattern), days, strict=True):
        text = _day_text(code)
        if runs and runs[-1][2] == text:
            runs[-1] = (runs[-1][0], day, text)
        else:
            runs.append((day, day, text))
    parts = []
    for first, last, text in runs:
        named = date_format(first, "D")
        if last != first:
            named = gettext("%(first)s to %(last)s") % {
                "first": named,
                "last": date_format(last, "D"),
            }
        parts.append(gettext("%(days)s: %(what)s") % {"days": named, "what": text})
    return "; ".join(parts)
