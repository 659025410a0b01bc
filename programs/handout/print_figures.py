"""The exercise figures as WeasyPrint draws them fastest: the same drawing, fewer nodes.

An exercise's still frames (exercises/figures, `*-stills.svg`) are a skeleton of
nested groups, one per joint, each turned by its own transform, with a line per
limb. WeasyPrint draws SVG in Python, node by node, and the back handout's 21
figures cost a third of a second of its render. Here each figure is rewritten
for the PDF once per process:

- every group's transform is multiplied into its children, so the groups go;
- a line's ends, and a circle's centre under a turn and a shift, are given in
  the figure's own coordinates; other shapes keep the product as their transform;
- consecutive lines with the same paint become one path of several strokes.
  They are painted in the same order as before, with the same colour, width
  and round caps, so the figure is the same drawing (tested by rendering both).

Anything this module does not know (an element, an attribute, a transform
function, text, animation) leaves the file as it is: it is an optimisation,
never a change of what is printed. Only the project's own static files come
here (the handout's fetcher), never a user's upload.
"""

import functools
import math
import re
from pathlib import Path
from xml.etree import ElementTree
from xml.sax.saxutils import escape, quoteattr

from exercises.figures.body import IDENTITY, apply, multiply, rotate, translate
from exercises.figures.svg import num

SVG = "http://www.w3.org/2000/svg"
# 2-D affine matrices as SVG writes them, the figure builder's own (exercises/figures/body.py).
Matrix = tuple[float, float, float, float, float, float]

# Presentation attributes a child takes from its group (SVG's inherited properties).
INHERITED = ("stroke", "stroke-width", "fill", "fill-opacity", "stroke-dasharray")
# What the figure builder writes; anything else and the file is served unchanged.
DRAWN = {"line", "circle", "rect", "path"}
KEPT_AS_THEY_ARE = {"title", "desc", "defs"}
KNOWN_ATTRIBUTES = {
    *INHERITED,
    "class",
    "transform",
    "d",
    "x",
    "y",
    "width",
    "height",
    "rx",
    "cx",
    "cy",
    "r",
    "x1",
    "y1",
    "x2",
    "y2",
    "marker-end",
}
_FUNCTION = re.compile(r"\s*(\w+)\(([^)]*)\)\s*")


class _Unknown(ValueError):
    """The figure holds something this module does not rewrite."""


def _transform(text: str | None) -> Matrix:
    matrix = IDENTITY
    position = 0
    text = text or ""
    while position < len(text.strip()):
        found = _FUNCTION.match(text, position)
        if not found:
            raise _Unknown(text)
        name, arguments = found.groups()
        values = [float(value) for value in re.split(r"[\s,]+", arguments.strip()) if value]
        if name == "translate" and len(values) in (1, 2):
            step = translate(values[0], values[1] if len(values) == 2 else 0.0)
        elif name == "rotate" and len(values) in (1, 3):
            step = rotate(values[0])
            if len(values) == 3:  # about the point (x, y)
                x, y = values[1:]
                step = multiply(multiply(translate(x, y), step), translate(-x, -y))
        else:
            raise _Unknown(name)
        matrix = multiply(matrix, step)
        position = found.end()
    return matrix


def _number(value: float) -> str:
    # Four places: a point turned from the builder's one-place numbers stays where it was.
    return num(value, places=4)


def _is_turn_and_shift(matrix: Matrix) -> bool:
    """A rotation and a translation only: a circle stays a circle of the same radius."""
    a, b, c, d = matrix[:4]
    return (
        math.isclose(a, d, abs_tol=1e-9)
        and math.isclose(b, -c, abs_tol=1e-9)
        and (math.isclose(a * a + b * b, 1.0, abs_tol=1e-9))
    )


def _tag(element: ElementTree.Element) -> str:
    namespace, _, name = element.tag.rpartition("}")
    if namespace != "{" + SVG:
        raise _Unknown(element.tag)
    return name


def _drawn_shapes(group, matrix: Matrix, paint: dict, shapes: list) -> None:
    """Every shape in `group` (an element or a list of them), in painting order,
    as (name, attributes with the paint it inherits written out, the product of
    the transforms above it)."""
    for element in group:
        name = _tag(element)
        unknown = set(element.attrib) - KNOWN_ATTRIBUTES
        if unknown:
            raise _Unknown(unknown)
        inner = multiply(matrix, _transform(element.get("transform")))
        inherited = {
            **paint,
            **{key: element.get(key) for key in INHERITED if key in element.attrib},
        }
        if name == "g":
            _drawn_shapes(element, inner, inherited, shapes)
        elif name in DRAWN and len(element) == 0:
            attributes = {**inherited, **element.attrib}
            attributes.pop("transform", None)
            shapes.append((name, attributes, inner))
        else:
            raise _Unknown(name)


def _line_stroke(attributes: dict, matrix: Matrix) -> str:
    ends = [float(attributes.pop(key, 0)) for key in ("x1", "y1", "x2", "y2")]
    (x1, y1), (x2, y2) = apply(matrix, *ends[:2]), apply(matrix, *ends[2:])
    return f"M{_number(x1)} {_number(y1)}L{_number(x2)} {_number(y2)}"


def _paint_of(attributes: dict) -> tuple:
    return tuple(sorted((key, value) for key, value in attributes.items() if key != "class"))


def _rewritten(root: ElementTree.Element) -> None:
    # Title, description and definitions stay where they are; the rest is redrawn.
    drawing = [element for element in root if _tag(element) not in KEPT_AS_THEY_ARE]
    shapes: list = []
    _drawn_shapes(drawing, IDENTITY, {}, shapes)

    for element in drawing:
        root.remove(element)
    run_paint, run_strokes = None, []

    def end_run():
        if run_strokes:
            attributes = dict(run_paint)
            # A line has no inside; the path of its strokes must not get one either.
            attributes["fill"] = "none"
            attributes["d"] = "".join(run_strokes)
            ElementTree.SubElement(root, f"{{{SVG}}}path", attributes)
            run_strokes.clear()

    for name, attributes, matrix in shapes:
        if name == "line" and "marker-end" not in attributes:
            stroke = _line_stroke(attributes, matrix)
            paint = _paint_of(attributes)
            if paint != run_paint:
                end_run()
                run_paint = paint
            run_strokes.append(stroke)
            continue
        end_run()
        run_paint = None
        if name == "circle" and _is_turn_and_shift(matrix):
            x, y = apply(matrix, float(attributes["cx"]), float(attributes["cy"]))
            attributes["cx"], attributes["cy"] = _number(x), _number(y)
        elif matrix != IDENTITY:
            attributes["transform"] = "matrix({})".format(" ".join(map(_number, matrix)))
        ElementTree.SubElement(root, f"{{{SVG}}}{name}", attributes)
    end_run()


def print_figure(svg: bytes) -> bytes:
    """The figure with the same drawing in fewer nodes, or as it was when it
    holds anything this module does not rewrite."""
    try:
        root = ElementTree.fromstring(svg)  # nosec B314  # the project's own static files only
        if _tag(root) != "svg":
            return svg
        for element in root.iter():
            _tag(element)  # every element in the SVG namespace
            if any(key.startswith("{") for key in element.attrib):
                raise _Unknown("an attribute in another namespace")
        _rewritten(root)
    except (_Unknown, ValueError, KeyError, ElementTree.ParseError):
        return svg
    return _xml(root, root=True).encode()


def _xml(element: ElementTree.Element, *, root: bool = False) -> str:
    """The element as SVG text in the default namespace. Not ElementTree.tostring:
    its prefixes come from a registry any library in the process may fill
    (`<svg:path>` under one, `<ns0:path>` under none)."""
    name = element.tag.rpartition("}")[2]
    attributes = {"xmlns": SVG} if root else {}
    attributes.update(element.attrib)
    text = "".join(f" {key}={quoteattr(value)}" for key, value in attributes.items())
    inner = escape(element.text or "") + "".join(_xml(child) for child in element)
    tail = escape(element.tail or "") if not root else ""
    return (f"<{name}{text}>{inner}</{name}>" if inner else f"<{name}{text}/>") + tail


@functools.lru_cache(maxsize=256)
def _print_figure_of(path: Path, modified: int, size: int) -> bytes:
    return print_figure(path.read_bytes())


def print_figure_file(path: Path) -> bytes:
    """print_figure of a static file, kept per process while the file is unchanged."""
    status = path.stat()
    return _print_figure_of(path, status.st_mtime_ns, status.st_size)
