"""The exercise figures as the handout prints them: the same drawing in fewer nodes.

Each still-frames figure is rendered twice by WeasyPrint, as built and as the
handout's fetcher serves it, and the two pages are compared pixel by pixel
(pdftoppm). Strokes merged into one path are antialiased as one shape, so edge
pixels may differ by less than half the ink; a limb out of place would differ
by the full ink over hundreds of pixels.
"""

import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image, ImageChops
from weasyprint import HTML

from exercises.figures import build as figure_build
from programs.handout.fetcher import INTERNAL_ORIGIN, HandoutURLFetcher
from programs.handout.print_figures import print_figure

FIGURES = Path(settings.BASE_DIR) / "static" / figure_build.STATIC_DIR
STILLS = sorted(FIGURES.glob("*-stills.svg"))
DPI = 100


def _count(svg: bytes, *names: str) -> int:
    return sum(svg.count(f"<{name}".encode()) for name in names)


SHAPES = ("line", "circle", "rect", "path")


def _pages(folder: Path, names: list[str], tmp_path: Path, label: str) -> list[Image.Image]:
    """One A4 page per figure, 180 mm wide, as pdftoppm sees it."""
    pages = "".join(
        '<div style="break-after: page">'
        f'<img style="width: 180mm" src="{(folder / name).as_uri()}"></div>'
        for name in names
    )
    pdf = tmp_path / f"{label}.pdf"
    HTML(string=f"<html><body style='margin: 0'>{pages}</body></html>").write_pdf(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-gray", str(pdf), str(tmp_path / label)], check=True
    )
    return [Image.open(path) for path in sorted(tmp_path.glob(f"{label}-*.pgm"))]


def test_every_figure_prints_the_same_drawing(tmp_path):
    printed = tmp_path / "printed"
    printed.mkdir()
    for path in STILLS:
        (printed / path.name).write_bytes(print_figure(path.read_bytes()))
    names = [path.name for path in STILLS]
    as_built = _pages(FIGURES, names, tmp_path, "built")
    as_printed = _pages(printed, names, tmp_path, "printed")
    assert len(as_built) == len(as_printed) == len(STILLS) > 80

    for name, built, redrawn in zip(names, as_built, as_printed, strict=True):
        difference = ImageChops.difference(built, redrawn).histogram()
        inked = sum(built.point(lambda value: 255 if value < 200 else 0).histogram()[255:])
        assert inked > 2000, name  # the page holds the figure
        assert sum(difference[128:]) <= 5, f"{name}: a stroke moved"
        assert sum(difference[32:]) < 0.02 * inked, f"{name}: more than edge pixels differ"


def test_a_figure_prints_without_groups_and_with_its_limbs_merged():
    built_shapes = printed_shapes = 0
    for path in STILLS:
        built = path.read_bytes()
        printed = print_figure(built)
        assert printed.startswith(b'<svg xmlns="http://www.w3.org/2000/svg" '), path.name
        assert _count(printed, "g") == 0, path.name
        assert _count(printed, *SHAPES, "g") < 0.6 * _count(built, *SHAPES, "g"), path.name
        built_shapes += _count(built, *SHAPES)
        printed_shapes += _count(printed, *SHAPES)
    # Consecutive limbs of one colour and width are one path (3,192 shapes became 2,474).
    assert printed_shapes < 0.8 * built_shapes


@pytest.mark.parametrize(
    "svg",
    [
        # SMIL animation, as in the animated figures: served as it is.
        b'<svg xmlns="http://www.w3.org/2000/svg"><g transform="rotate(10)"><line x1="0" y1="0"'
        b' x2="0" y2="9"><animate attributeName="y2" values="9;5" dur="2s"/></line></g></svg>',
        # A group's opacity is not inherited paint: folding the group would change it.
        b'<svg xmlns="http://www.w3.org/2000/svg"><g opacity="0.5"><line x1="0" y1="0" x2="9"'
        b' y2="9" stroke="#000"/></g></svg>',
        # A transform this module does not multiply.
        b'<svg xmlns="http://www.w3.org/2000/svg"><g transform="skewX(30)"><line x1="0" y1="0"'
        b' x2="9" y2="9" stroke="#000"/></g></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><text x="0" y="9">A</text></svg>',
        # A link to another file (xlink:href): not a figure of ours.
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        b'<use xlink:href="#a"/></svg>',
        b"not xml at all",
    ],
)
def test_a_figure_it_does_not_know_is_served_as_it_is(svg):
    assert print_figure(svg) == svg


def test_the_handouts_fetcher_serves_the_redrawn_figure_and_the_animation_as_it_is(settings):
    fetcher = HandoutURLFetcher()
    stills = STILLS[0]
    response = fetcher.fetch(f"{INTERNAL_ORIGIN}/static/{figure_build.STATIC_DIR}/{stills.name}")
    assert response.content_type == "image/svg+xml"
    assert response.read() == print_figure(stills.read_bytes()) != stills.read_bytes()
    animated = stills.with_name(stills.name.replace("-stills", ""))
    response = fetcher.fetch(animated.as_uri())
    assert response.read() == animated.read_bytes()
    # An SVG under MEDIA_ROOT is not one of ours: served as it is.
    media_copy = Path(settings.MEDIA_ROOT) / "figure.svg"
    media_copy.parent.mkdir(parents=True, exist_ok=True)
    media_copy.write_bytes(stills.read_bytes())
    assert fetcher.fetch(media_copy.as_uri()).read() == stills.read_bytes()
