"""The props: simple, recognisable shapes, each in a group `class="prop prop-<name>"`.

Three kinds: furniture and machines stand still behind the body (placed from
the start frame); small things held or worn (weights, a ball, a Flowin pad)
are drawn inside the body part that carries them, so they move with it; bands,
ropes and a towel held as a strap are lines between two points, animated with
the body.
"""

from exercises.figures import body
from exercises.figures.scene import (
    BALL_R,
    BED,
    BOSU,
    MAT,
    SEAT,
    STEP,
    STEP_BEHIND_ANKLE,
    STEP_WIDTH,
    SURFACE_Y,
    TABLE,
    Scene,
)

STROKE = "#4a5a6a"  # 7:1 on white
FILL = "#e6ebf0"
FLOOR = "#767676"  # 4.5:1 on white
W = 2.5

# Which body point a prop goes with when the pose data does not say (`prop_at`).
DEFAULT_AT = {
    "small-ball": "knee_near",
    "weighted-ball": "hand_near",
    "weights": "hand_near",
    "flowin": "ankle_near",
    "sling-trainer": "ankle_near",
    "resistance-band": "ankle_near",
    "towel": "knee_near",
    "towel-roll": "knee_near",
    "chair": "hand_near",
    "table": "hand_near",
    "wall": "hand_near",
    "wall-bars": "hand_near",
    "step": "toe_near",
    "swiss-ball": "ankle_near",
    "bosu": "ankle_near",
    "leg-press": "ankle_near",
}
ATTACHED = ("small-ball", "weighted-ball", "weights", "flowin", "leg-press")
LINES = ("sling-trainer", "resistance-band")
FOOT_POINTS = ("ankle_near", "ankle_far", "toe_near", "toe_far", "heel_near", "heel_far")


def n(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _group(name: str, inner: str, extra: str = "") -> str:
    attrs = {"stroke": STROKE, "stroke-width": str(W), "fill": FILL}
    for pair in extra.split():
        key, value = pair.split("=", 1)
        attrs[key] = value.strip('"')
    written = "".join(f' {key}="{value}"' for key, value in attrs.items())
    return f'<g class="prop prop-{name}"{written}>{inner}</g>'


def _rect(x, y, w, h, rx=1.5) -> str:
    return f'<rect x="{n(x)}" y="{n(y)}" width="{n(w)}" height="{n(h)}" rx="{n(rx)}"/>'


def _line(x1, y1, x2, y2) -> str:
    return f'<path d="M{n(x1)} {n(y1)}L{n(x2)} {n(y2)}" fill="none"/>'


def _circle(cx, cy, r) -> str:
    return f'<circle cx="{n(cx)}" cy="{n(cy)}" r="{n(r)}"/>'


def point_at(scene: Scene, prop: str) -> str:
    chosen = dict(scene.entry.prop_at).get(prop) or DEFAULT_AT.get(prop, "pelvis")
    start = scene.frames[0].points
    if chosen not in start:  # a residual limb has no ankle or toe
        side = "near" if chosen.endswith("near") else "far"
        chosen = f"stump_{side}" if f"stump_{side}" in start else "pelvis"
    return chosen


def _towel_is_strap(scene: Scene) -> bool:
    return point_at(scene, "towel") in FOOT_POINTS and "towel" in dict(scene.entry.prop_at)


def _body_box(scene: Scene):
    ends = scene.frames[0].ends
    return (
        min(x - r for _, x, _, r in ends),
        min(y - r for _, _, y, r in ends),
        max(x + r for _, x, _, r in ends),
        max(y + r for _, _, y, r in ends),
    )


def _clear_of_legs(scene: Scene, x: float, ahead: int) -> float:
    """Furniture the patient holds stands clear of the legs and trunk (in the start pose)."""
    body_x = [
        px + ahead * r
        for part, px, _, r in scene.frames[0].ends
        if not part.startswith(("upper-arm", "forearm", "head", "nose"))
    ]
    edge = max(body_x) if ahead > 0 else min(body_x)
    return max(x, edge + 4) if ahead > 0 else min(x, edge - 4)


def _static(scene: Scene, name: str) -> str:
    """A prop that stands still, placed from the start frame."""
    pts = scene.frames[0].points
    x0, y0, x1, y1 = _body_box(scene)
    side = scene.view == "side"
    seat = scene.surface == name
    px, py, _ = pts["pelvis"]
    if name == "mat":
        return _group(name, _rect(x0 - 10, MAT, x1 - x0 + 20, -MAT, 1))
    if name == "bed":
        left, right = x0 - 8, x1 + 8
        legs = _line(left + 6, BED + 8, left + 6, 0) + _line(right - 6, BED + 8, right - 6, 0)
        return _group(name, legs + _rect(left, BED, right - left, 9, 2))
    if name == "chair":
        if seat:
            back = px - 12 if side else px - 22
            front = px + 24 if side else px + 22
            inner = _line(back, SEAT, back, SEAT - 46) + _line(back + 2, SEAT + 4, back + 2, 0)
            inner += _line(front - 2, SEAT + 4, front - 2, 0) + _rect(back, SEAT, front - back, 5)
            return _group(name, inner)
        hx, hy, _ = pts[point_at(scene, name)]
        # The chair stands with its back to the patient, the backrest under the hand;
        # beside a table the patient holds, it stands beyond the table.
        ahead = 1 if hx >= px else -1
        hx = _clear_of_legs(scene, hx, ahead)
        if "table" in scene.entry.props and scene.surface != "table":
            hx += ahead * 62
        top = min(hy + 4, SEAT - 10)
        back = hx + 3 * ahead
        far_end = back + 34 * ahead
        inner = _line(back, top, back, 0) + _line(far_end, SEAT, far_end, 0)
        inner += _rect(min(back, far_end), SEAT, 34, 5)
        return _group(name, inner)
    if name == "table":
        if seat:
            left, right = px - 30, px + 22
            top = TABLE
        else:
            hx, hy, _ = pts[point_at(scene, name)]
            ahead = 1 if hx >= px else -1
            hx = _clear_of_legs(scene, hx + 6 * ahead, ahead) - 6 * ahead
            left, right = (hx - 6, hx + 50) if hx >= px else (hx - 50, hx + 6)
            top = min(max(hy + 4, TABLE), -20)
        inner = _line(left + 5, top, left + 5, 0) + _line(right - 5, top, right - 5, 0)
        return _group(name, inner + _rect(left, top, right - left, 5))
    if name == "step":
        anchor = scene.anchor if scene.surface == "step" else point_at(scene, name)
        ax, _, _ = pts[anchor]
        left = ax - STEP_BEHIND_ANKLE if scene.surface == "step" else ax + 4
        return _group(name, _rect(left, STEP, STEP_WIDTH, -STEP, 1))
    if name == "bosu":
        cx = pts[scene.anchor][0] + 4 if scene.surface == "bosu" else pts[point_at(scene, name)][0]
        d = f"M{n(cx - 28)} 0Q{n(cx)} {n(2 * BOSU)} {n(cx + 28)} 0z"
        return _group(name, f'<path d="{d}"/>' + _line(cx - 30, -1, cx + 30, -1))
    if name == "swiss-ball":
        cx = px if scene.surface == name else pts[point_at(scene, name)][0]
        return _group(
            name, _circle(cx, -BALL_R, BALL_R) + _line(cx - BALL_R, -BALL_R, cx + BALL_R, -BALL_R)
        )
    if name in ("towel", "towel-roll"):
        x, y, r = pts[point_at(scene, name)]
        floor = SURFACE_Y.get(scene.surface, 0) if scene.surface in ("mat", "bed", "floor") else 0
        cy = min(y + r + 5, floor - 5)
        return _group(name, _circle(x, cy, 5) + _circle(x, cy, 2))
    if name == "wall":
        hx = pts[point_at(scene, name)][0]
        x = hx + 5 if hx > px else x0 - 3
        return _group(name, _rect(x, y0 - 20, 6, -(y0 - 20), 0), ' fill-opacity="1"')
    if name == "wall-bars":
        hx = pts[point_at(scene, name)][0]
        x = hx + 3 if hx >= px else x0 - 8
        top = y0 - 15
        rungs = "".join(_line(x, y, x + 10, y) for y in range(-12, int(top), -16))
        return _group(name, _line(x, top, x, 0) + _line(x + 10, top, x + 10, 0) + rungs)
    if name == "bike":
        sx = px
        saddle = SURFACE_Y["bike"]
        inner = _circle(sx - 30, -20, 19) + _circle(sx + 50, -20, 19)
        inner += (
            _line(sx - 30, -20, sx, saddle)
            + _line(sx, saddle, sx + 24, -20)
            + _line(sx + 24, -20, sx + 50, -20)
        )
        inner += _line(sx + 40, saddle - 20, sx + 50, -20) + _rect(sx - 9, saddle - 2, 18, 4)
        inner += _circle(sx + 24, -20, 6)
        return _group(name, inner, ' fill-opacity="0.4"')
    if name == "rower":
        seat_y = SURFACE_Y["rower"]
        ax, _, _ = (
            pts[point_at(scene, "rower") if "rower" in dict(scene.entry.prop_at) else "toe_near"]
            if "toe_near" in pts
            else pts["pelvis"]
        )
        inner = _rect(px - 60, -6, ax - px + 90, 6, 1) + _rect(px - 10, seat_y, 22, 5)
        inner += _line(ax + 6, -6, ax + 6, -40) + _circle(ax + 20, -30, 10)
        return _group(name, inner)
    if name == "treadmill":
        left, right = x0 - 20, x1 + 40
        inner = _rect(left, -8, right - left, 8, 4) + _line(right - 8, -8, right - 8, -110)
        inner += _line(right - 8, -110, right - 30, -110)
        return _group(name, inner)
    if name == "cross-trainer":
        left, right = x0 - 20, x1 + 40
        inner = _rect(left, -6, right - left, 6, 2) + _line(right - 10, -6, right - 14, -130)
        inner += _rect(x0, SURFACE_Y["cross-trainer"], x1 - x0, 6, 2)
        return _group(name, inner)
    if name == "leg-press":
        seat_y = SURFACE_Y["leg-press"]
        inner = _rect(px - 16, seat_y, 40, 6) + _line(px - 16, seat_y, px - 34, seat_y - 60)
        inner += _line(px, seat_y + 6, px, 0) + _rect(px - 40, -4, 140, 4, 1)
        return _group(name, inner)
    return ""


def _attached_svg(name: str, x: float, y: float, near: bool) -> str:
    """A prop in the frame of the body part that carries it (the part's point at x, y)."""
    if name == "small-ball":
        return _group(name, _circle(x + 6, y, 6))
    if name == "weighted-ball":
        return _group(name, _circle(x, y + 7, 8), f' fill="{STROKE}" fill-opacity="0.6"')
    if name == "weights":
        inner = (
            _line(x - 7, y, x + 7, y)
            + _rect(x - 9, y - 5, 4, 10, 1)
            + _rect(x + 5, y - 5, 4, 10, 1)
        )
        return _group(name, inner, f' fill="{STROKE}"')
    if name == "flowin":
        return _group(name, _rect(x - 6, y + body.SOLE + 2.5, 22, 3, 1))
    if name == "leg-press":
        return _group(name, _rect(x + body.FOOT / 2 - 14, y + body.SOLE + 2.5, 28, 4, 1))
    return ""


def attached(scene: Scene) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name in sorted(set(scene.entry.props)):
        if name not in ATTACHED:
            continue
        point = point_at(scene, name)
        for node in scene.nodes:
            if point in node.points:
                x, y, _ = node.points[point]
                if name in ("flowin", "leg-press") and point.startswith(("toe", "heel")):
                    x, y = 0, 0
                if name in ("flowin", "leg-press") and not node.name.startswith("ankle"):
                    svg = _group(name, _rect(x - 8, y + 3, 18, 3, 1))
                else:
                    svg = _attached_svg(name, x, y, node.side == "near")
                found.setdefault(node.name, []).append(svg)
                break
    return found


def _line_ends(scene: Scene, name: str, frame) -> tuple[float, float, float, float]:
    """Band, rope or towel strap: a fixed (or second body) end and the body point."""
    point = point_at(scene, name)
    x, y, _ = frame.points[point]
    sx, sy, _ = scene.frames[0].points[point]
    if name == "sling-trainer":
        top = scene.bbox()[1] - 12
        return sx, top, x, y
    if name == "towel":
        hx, hy, _ = frame.points["hand_near"]
        return hx, hy, x, y
    # Resistance band: between both ankles in the front view, else tied behind the start.
    side, other_side = ("near", "far") if point.endswith("near") else ("far", "near")
    for other in (point.replace(side, other_side), f"knee_{other_side}", f"ankle_{other_side}"):
        if scene.view == "front" and other in frame.points:
            ox, oy, _ = frame.points[other]
            return ox, oy, x, y
    ex, ey, _ = scene.frames[-1].points[point]
    dx, dy = sx - ex, sy - ey
    length = max((dx * dx + dy * dy) ** 0.5, 1)
    return sx + 40 * dx / length, sy + 40 * dy / length, x, y


def overlay(scene: Scene, anim=None, frame=None) -> str:
    out = []
    names = [name for name in sorted(set(scene.entry.props)) if name in LINES]
    if "towel" in scene.entry.props and _towel_is_strap(scene):
        names.append("towel")
    for name in names:
        if anim is not None:
            ends = [_line_ends(scene, name, f) for f in anim.frames]
            values = [[n(e[i]) for e in ends] for i in range(4)]
            attrs = ""
            animations = ""
            for i, attr in enumerate(("x1", "y1", "x2", "y2")):
                attrs += f' {attr}="{values[i][0]}"'
                if len(set(values[i])) > 1:
                    animations += anim.animate(attr, values[i])
            line = f"<line{attrs}>{animations}</line>" if animations else f"<line{attrs}/>"
        else:
            x1, y1, x2, y2 = _line_ends(scene, name, frame)
            line = f'<line x1="{n(x1)}" y1="{n(y1)}" x2="{n(x2)}" y2="{n(y2)}"/>'
        width = ' stroke-width="4"' if name != "sling-trainer" else ""
        out.append(_group(name, line, width))
    return "".join(out)


def behind(scene: Scene) -> str:
    order = (
        "mat",
        "bed",
        "treadmill",
        "cross-trainer",
        "leg-press",
        "rower",
        "bike",
        "wall",
        "wall-bars",
    )
    names = sorted(
        set(scene.entry.props), key=lambda p: (order.index(p) if p in order else len(order), p)
    )
    out = []
    for name in names:
        if name in ATTACHED and name != "leg-press" or name in LINES:
            continue
        if name == "towel" and _towel_is_strap(scene):
            continue
        out.append(_static(scene, name))
    return "".join(out)


def floor(box) -> str:
    x, y, w, h = box
    return f'<path class="floor" d="M{n(x)} 1.2H{n(x + w)}" stroke="{FLOOR}" stroke-width="2.4"/>'


def bbox(scene: Scene) -> tuple[float, float, float, float]:
    """The static props' extent (a rough one, from the numbers in their SVG)."""
    import re

    xs, ys = [], []
    text = behind(scene)
    for match in re.finditer(r'(x|cx|x1|x2)="(-?[\d.]+)"|(y|cy|y1|y2)="(-?[\d.]+)"', text):
        if match.group(1):
            xs.append(float(match.group(2)))
        else:
            ys.append(float(match.group(4)))
    for match in re.finditer(r"[ML](-?[\d.]+) (-?[\d.]+)", text):
        xs.append(float(match.group(1)))
        ys.append(float(match.group(2)))
    for match in re.finditer(
        r'<rect x="(-?[\d.]+)" y="(-?[\d.]+)" width="([\d.]+)" height="([\d.]+)"', text
    ):
        xs.append(float(match.group(1)) + float(match.group(3)))
    for match in re.finditer(r'<circle cx="(-?[\d.]+)" cy="(-?[\d.]+)" r="([\d.]+)"', text):
        r = float(match.group(3))
        xs += [float(match.group(1)) - r, float(match.group(1)) + r]
        ys.append(float(match.group(2)) - r)
    if not xs:
        return None
    return min(xs) - 2, min(ys or [0]) - 2, max(xs) + 2, max(ys or [0]) + 2
