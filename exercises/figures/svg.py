"""SVG writing: the animated figure (SMIL inside the file) and the two still frames.

No script and no style element: presentation attributes only, so the files need
nothing from the page's Content-Security-Policy. Numbers are written with one
decimal at most, so the same pose data always gives the same bytes.
"""

from xml.sax.saxutils import escape, quoteattr

from exercises.figures import body, props
from exercises.figures.scene import Frame, Scene

NEAR = "#1f1f1f"  # 16.5:1 on white
FAR = "#707070"  # 4.9:1 on white
ARROW = "#b00020"  # 7.3:1 on white
WIDTH = {"trunk": 11, "head": 0, "pelvis": 0, "foot": 5, "shoulders": 6}
LIMB_WIDTH = 6
ANIMATED_SIZE = (240, 180)
PANEL_GAP = 0.12  # between the two still frames, a share of a panel's width
STILLS_SIZE = (round(2 * 160 * (1 + PANEL_GAP / 2)), 120)


def num(value: float, places: int = 1) -> str:
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _shape_svg(shape: body.Shape, color: str, pose: dict | None, anim: "Anim | None") -> str:
    part = shape.cls.split()[0]
    cls = quoteattr(f"part {shape.cls}")
    if shape.kind == "line":
        x1, y1, x2, y2 = shape.values
        width = WIDTH.get(part, LIMB_WIDTH)
        extra = ""
        if shape.length is not None:
            if anim is not None:
                values = [shape.length(p) for p in anim.poses]
                y2 = values[0]
                extra = anim.animate("y2", [num(v) for v in values])
            else:
                y2 = shape.length(pose)
        head = (
            f'<line class={cls} x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" y2="{num(y2)}"'
            f' stroke-width="{width}"'
        )
        return head + (f">{extra}</line>" if extra else "/>")
    if shape.kind == "circle":
        cx, cy, r = shape.values
        return (
            f'<circle class={cls} cx="{num(cx)}" cy="{num(cy)}" r="{num(r)}" fill="{color}"'
            ' stroke="none"/>'
        )
    (d,) = shape.values
    if part == "nose":
        return f'<path class={cls} d="{d}" fill="{color}" stroke="none"/>'
    return f'<path class={cls} d="{d}" stroke-width="{WIDTH.get(part, LIMB_WIDTH)}"/>'


class Anim:
    """The keyframes of one loop: SMIL animate elements with shared keyTimes."""

    def __init__(self, scene: Scene):
        self.scene = scene
        self.poses = [pose for _, pose in scene.keys]
        self.frames = scene.key_frames
        times = [t / scene.duration for t, _ in scene.keys]
        self.key_times = ";".join(f"{t:.3f}".rstrip("0").rstrip(".") or "0" for t in times)
        self.dur = num(scene.duration)

    def animate(self, attribute: str, values: list[str]) -> str:
        return (
            f'<animate attributeName="{attribute}" dur="{self.dur}s" repeatCount="indefinite" '
            f'keyTimes="{self.key_times}" values="{";".join(values)}"/>'
        )

    def transform(self, kind: str, values: list[str]) -> str:
        return (
            f'<animateTransform attributeName="transform" type="{kind}" dur="{self.dur}s" '
            f'repeatCount="indefinite" keyTimes="{self.key_times}" values="{";".join(values)}"/>'
        )


def _children(nodes: list[body.Node]) -> dict[str | None, list[body.Node]]:
    tree: dict[str | None, list[body.Node]] = {}
    for node in nodes:
        tree.setdefault(node.parent, []).append(node)
    return tree


def _node_svg(node, tree, attached, frame: Frame | None, anim: Anim | None) -> str:
    color = FAR if node.side == "far" else NEAR
    if anim is not None:
        offsets = [node.offset(p) for p in anim.poses]
        angles = [node.angle(p) for p in anim.poses]
        if node.parent is None:
            offsets = [f.root for f in anim.frames]
        pose0 = anim.poses[0]
    else:
        offsets = [frame.root if node.parent is None else node.offset(frame.pose)]
        angles = [node.angle(frame.pose)]
        pose0 = frame.pose
    offset_values = [f"{num(x)} {num(y)}" for x, y in offsets]
    angle_values = [num(a) for a in angles]
    moves = len(set(offset_values)) > 1
    turns = len(set(angle_values)) > 1
    stroke = f' stroke="{color}"' if node.side or node.parent is None else ""
    inner = "".join(_shape_svg(shape, color, pose0, anim) for shape in node.shapes)
    inner += "".join(attached.get(node.name, ()))
    inner += "".join(
        _node_svg(child, tree, attached, frame, anim) for child in tree.get(node.name, ())
    )
    name = quoteattr(f"node {node.name}")
    translate = "" if offset_values[0] == "0 0" and not moves else f"translate({offset_values[0]})"
    rotate = "" if angle_values[0] == "0" and not turns else f"rotate({angle_values[0]})"
    if anim is None or (not moves and not turns):
        transform = " ".join(t for t in (translate, rotate) if t)
        attr = f' transform="{transform}"' if transform else ""
        return f"<g class={name}{attr}{stroke}>{inner}</g>"
    # Animated: the translation outside, the rotation inside, each replacing its own
    # group's transform (so a viewer without SMIL still shows the start pose).
    outer_anim = anim.transform("translate", offset_values) if moves else ""
    if turns:
        inner = f'<g transform="{rotate}">{anim.transform("rotate", angle_values)}{inner}</g>'
    elif rotate:
        inner = f'<g transform="{rotate}">{inner}</g>'
    attr = f' transform="{translate}"' if translate else ""
    return f"<g class={name}{attr}{stroke}>{outer_anim}{inner}</g>"


def body_svg(scene: Scene, frame: Frame | None = None, anim: Anim | None = None) -> str:
    tree = _children(scene.nodes)
    attached = props.attached(scene)
    return "".join(_node_svg(root, tree, attached, frame, anim) for root in tree[None])


# Every figure is drawn at the same scale unless it does not fit: a viewBox this big.
MIN_BOX = (280, 210)


# The still frames are small on paper: each fills its panel more.
STILLS_MIN_BOX = (180, 135)


def _fit(box, aspect: float, pad: float = 6, minimum=MIN_BOX) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = box
    x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
    if x1 - x0 < minimum[0]:
        grow = minimum[0] - (x1 - x0)
        x0, x1 = x0 - grow / 2, x1 + grow / 2
    if y1 - y0 < minimum[1]:
        y0 = y1 - minimum[1]
    w, h = x1 - x0, y1 - y0
    if w / h < aspect:
        grow = h * aspect - w
        x0, w = x0 - grow / 2, h * aspect
    else:
        grow = w / aspect - h
        y0, h = y0 - grow, w / aspect  # extra room above: the floor stays at the bottom
    return round(x0), round(y0), round(w + 0.5), round(h + 0.5)


def _head(view_box, size, title: str, desc: str) -> str:
    x, y, w, h = view_box
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{x} {y} {w} {h}" width="{size[0]}" '
        f'height="{size[1]}" role="img" fill="none" stroke-linecap="round" stroke-linejoin="round">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>"
    )


def _scene_box(scene: Scene) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = scene.bbox()
    box = props.bbox(scene)
    if box is None:
        return x0, y0, x1, max(y1, 2)
    px0, py0, px1, py1 = box
    return min(x0, px0), min(y0, py0), max(x1, px1), max(y1, py1, 2)


# A figure lying down is wide and low: its box may be up to this much wider than
# high, so a phone does not show a band of white above a figure on the mat.
WIDEST_ASPECT = 2.4


def animated_box(scene: Scene) -> tuple[tuple[float, float, float, float], tuple[int, int]]:
    """The animated figure's viewBox and its size in pixels (ANIMATED_SIZE's width):
    the same scale for every figure that fits MIN_BOX's width, and no higher than
    its movement needs, between 4:3 and WIDEST_ASPECT."""
    x0, y0, x1, y1 = _scene_box(scene)
    width = max(x1 - x0 + 12, MIN_BOX[0])
    aspect = min(max(width / (y1 - y0 + 12), ANIMATED_SIZE[0] / ANIMATED_SIZE[1]), WIDEST_ASPECT)
    box = _fit((x0, y0, x1, y1), aspect, minimum=(MIN_BOX[0], MIN_BOX[0] / WIDEST_ASPECT))
    return box, (ANIMATED_SIZE[0], round(ANIMATED_SIZE[0] * box[3] / box[2]))


def animated(scene: Scene, title: str, desc: str) -> str:
    box, size = animated_box(scene)
    anim = Anim(scene)
    return (
        _head(box, size, title, desc)
        + props.floor(box)
        + props.behind(scene)
        + body_svg(scene, anim=anim)
        + props.overlay(scene, anim=anim)
        + "</svg>\n"
    )


def _arrow(scene: Scene) -> str:
    point = scene.moving_point()
    if point is None:
        return ""
    path = []
    frames = [scene.frames[0]]
    for a, b in zip(scene.frames, scene.frames[1:], strict=False):
        for i in range(1, 9):
            pose = {k: a.pose[k] + (b.pose[k] - a.pose[k]) * i / 8 for k in a.pose}
            frames.append(scene.place(pose))
    for frame in frames:
        x, y, r = frame.points[point]
        path.append(f"{num(x)} {num(y)}")
    d = "M" + "L".join(path)
    return (
        f'<path class="movement-arrow" d="{d}" stroke="{ARROW}" stroke-width="2.5" '
        f'stroke-dasharray="5 4" marker-end="url(#arrowhead)"/>'
    )


def stills(scene: Scene, title: str, desc: str) -> str:
    """The start and the end frame side by side; the end frame's arrow shows the way."""
    panel = _fit(_scene_box(scene), ANIMATED_SIZE[0] / ANIMATED_SIZE[1], minimum=STILLS_MIN_BOX)
    x, y, w, h = panel
    gap = round(w * PANEL_GAP)
    total = (x, y, 2 * w + gap, h)
    size = STILLS_SIZE
    marker = (
        '<defs><marker id="arrowhead" viewBox="0 0 10 10" refX="6" refY="5" markerWidth="5" '
        f'markerHeight="5" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="{ARROW}" '
        'stroke="none"/></marker></defs>'
    )
    first, last = scene.frames[0], scene.frames[-1]
    start = (
        f'<g class="frame frame-start">{props.floor(panel)}{props.behind(scene)}'
        f"{body_svg(scene, frame=first)}"
        f"{props.overlay(scene, frame=first)}</g>"
    )
    end = (
        f'<g class="frame frame-end" transform="translate({w + gap} 0)">'
        f"{props.floor(panel)}{props.behind(scene)}"
        f"{body_svg(scene, frame=last)}{props.overlay(scene, frame=last)}{_arrow(scene)}</g>"
    )
    divider = (
        f'<path class="between" d="M{num(x + w + gap * 0.2)} {num(y + h / 2)}h{num(gap * 0.5)}" '
        f'stroke="{ARROW}" stroke-width="3" marker-end="url(#arrowhead)"/>'
    )
    if first.pose == last.pose:
        divider = ""  # a position held: the two frames are the same, nothing moves between
    return _head(total, size, title, desc) + marker + start + divider + end + "</svg>\n"
