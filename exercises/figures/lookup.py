"""Which figure a page shows for an exercise: read from the generated index, once.

The index (static/exercises/figures/index.json) is written by `build_figures`
beside the SVGs; an exercise without an entry (one a practice made itself)
has no figure and the page keeps its position pictogram.
"""

import dataclasses
import functools
import json

from django.conf import settings
from django.utils.translation import get_language

from exercises.figures.build import INDEX, STATIC_DIR

# The library shows one figure per exercise: the below-knee one where there are two.
PREFERRED = ("-", "transtibial", "transfemoral")


@dataclasses.dataclass(frozen=True)
class Figure:
    animated: str  # static paths
    stills: str
    alt: str
    variant: str
    width: int
    height: int
    stills_width: int
    stills_height: int
    # Drawn the other way round: the residual limb on the program's affected side.
    mirrored: bool = False


@functools.cache
def _index() -> dict:
    path = settings.BASE_DIR / "static" / STATIC_DIR / INDEX
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def _figure(row: dict, variant: str) -> Figure:
    english = (get_language() or "nl").startswith("en")
    return Figure(
        animated=row["animated"],
        stills=row["stills"],
        alt=row["alt_en"] if english else row["alt_nl"],
        variant="" if variant == "-" else variant,
        width=row["size"][0],
        height=row["size"][1],
        stills_width=row["stills_size"][0],
        stills_height=row["stills_size"][1],
    )


def figures_of(slug: str) -> list[Figure]:
    """Every figure of an exercise (two for an amputation exercise of both levels)."""
    rows = _index().get(slug, {})
    return [_figure(rows[key], key) for key in PREFERRED if key in rows]


def figure_of(slug: str, variant: str = "", affected_side: str = "") -> Figure | None:
    """The figure for a program of this variant, else the library's choice; an
    amputation figure mirrored when the program's affected side is not the one
    it is drawn on."""
    rows = _index().get(slug, {})
    if variant in rows:
        figure = _figure(rows[variant], variant)
        drawn = rows[variant].get("amputated_side", "")
        if affected_side and drawn and affected_side != drawn:
            figure = dataclasses.replace(figure, mirrored=True)
        return figure
    figures = figures_of(slug)
    return figures[0] if figures else None
