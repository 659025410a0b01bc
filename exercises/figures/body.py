"""The body: a tree of joints, its forward kinematics and where it rests.

Coordinates are SVG's: x to the right, y downwards, the floor at y = 0. Every
node is `translate(offset) rotate(angle)` in its parent's frame, exactly as the
SVG writer nests its groups, so what the checks compute here is what is drawn.
Side view: the figure faces right. Front view: the patient's right ("near")
is on the viewer's left.
"""

import dataclasses
import math
from collections.abc import Callable

# Segment lengths (a figure about 175 units tall).
TRUNK = 52  # pelvis to shoulder line
SHOULDER_DROP = 3  # the shoulder joint sits a little below the top of the trunk
NECK = 13  # shoulder line to the head's centre
HEAD_R = 9.5
UPPER_ARM = 31
FOREARM = 29  # elbow to the hand
THIGH = 44
SHANK = 42
FOOT = 14  # ankle to toe
HEEL = 3
SOLE = 5  # ankle above the sole
HIP_HALF = 8  # front view
SHOULDER_HALF = 15  # front view
TRANSTIBIAL_SHANK = 0.42  # residual shank, a share of the shank
TRANSFEMORAL_THIGH = 0.62  # residual thigh, a share of the thigh

# Half the drawn thickness of each part: what touches a surface.
R_TRUNK = 7
R_LIMB = 3.5
R_FOOT = 2.5

Pose = dict[str, float]


@dataclasses.dataclass(frozen=True)
class Shape:
    kind: str  # line | circle | path
    cls: str
    # line: x1 y1 x2 y2 (y2 may depend on the pose: `length`); circle: cx cy r; path: d
    values: tuple = ()
    length: Callable[[Pose], float] | None = None


@dataclasses.dataclass
class Node:
    name: str
    parent: str | None
    offset: Callable[[Pose], tuple[float, float]]
    angle: Callable[[Pose], float]
    shapes: list[Shape]
    points: dict[str, tuple[float, float, float]]  # name -> x, y, radius
    side: str = ""  # near | far | "" (draw order)


def _const(x, y):
    return lambda pose: (x, y)


def _foreshortened(length: float, joint: str) -> Callable[[Pose], float]:
    """Front view: a segment bent towards the viewer looks shorter."""
    return lambda pose: length * max(0.3, math.cos(math.radians(pose.get(joint, 0))))


def _leg_segment(
    part: str,
    joint: str,
    side: str,
    full: float,
    residual: float | None,
    length: Callable[[Pose], float] | None = None,
) -> tuple[Shape, dict]:
    """A thigh or shank from its upper joint, whole or (a `residual` fraction)
    only the residual limb, with the points that may rest on the floor or a prop."""
    points = {f"{joint}_{side}": (0, 0, R_LIMB)}
    if residual is None:
        return Shape("line", f"{part} {side}", (0, 0, 0, full), length), points
    stump = full * residual
    points[f"stump_{side}"] = (0, stump, R_LIMB + 1)
    return Shape("line", f"residual {part} {side}", (0, 0, 0, stump)), points


def skeleton(view: str, amputation: str = "", amputated: str = "near") -> list[Node]:
    """The nodes in drawing order (far side first), parents before children."""
    front = view == "front"
    nodes: list[Node] = [
        Node(
            "root",
            None,
            _const(0, 0),
            lambda pose: pose["trunk"],
            [],
            {"pelvis": (0, 0, R_TRUNK), "shoulder": (0, -TRUNK, R_TRUNK)},
        )
    ]

    def limbs(side: str) -> list[Node]:
        sign = 1 if side == "near" else -1  # front view: near is the viewer's left
        cut = amputation if amputated == side else ""
        hip_x = -sign * HIP_HALF if front else 0
        sh_x = -sign * SHOULDER_HALF if front else 0
        hip, knee, ankle = f"hip_{side}", f"knee_{side}", f"ankle_{side}"
        shoulder, elbow = f"shoulder_{side}", f"elbow_{side}"
        if front:
            hip_angle = lambda pose, j=hip, s=sign: s * pose[j]  # noqa: E731
            sh_angle = lambda pose, j=shoulder, s=sign: s * pose[j]  # noqa: E731
            knee_angle = elbow_angle = lambda pose: 0  # noqa: E731
            shank_len = _foreshortened(SHANK, knee)
            forearm_len = _foreshortened(FOREARM, elbow)
        else:
            hip_angle = lambda pose, j=hip: -pose[j]  # noqa: E731
            sh_angle = lambda pose, j=shoulder: -pose[j]  # noqa: E731
            knee_angle = lambda pose, j=knee: pose[j]  # noqa: E731
            elbow_angle = lambda pose, j=elbow: -pose[j]  # noqa: E731
            shank_len = lambda pose: SHANK  # noqa: E731
            forearm_len = lambda pose: FOREARM  # noqa: E731
        # The thigh whole, or above the knee only its residual part (and no more).
        thigh, hip_point = _leg_segment(
            "thigh", "hip", side, THIGH, TRANSFEMORAL_THIGH if cut == "transfemoral" else None
        )
        leg: list[Node] = [
            Node(f"hip-{side}", "root", _const(hip_x, 0), hip_angle, [thigh], hip_point, side)
        ]
        if cut != "transfemoral":
            shank, knee_point = _leg_segment(
                "shank",
                "knee",
                side,
                SHANK,
                TRANSTIBIAL_SHANK if cut == "transtibial" else None,
                length=shank_len,
            )
            leg.append(
                Node(
                    f"knee-{side}",
                    f"hip-{side}",
                    _const(0, THIGH),
                    knee_angle,
                    [shank],
                    knee_point,
                    side,
                )
            )
            if cut != "transtibial":
                if front:
                    foot = Shape("path", f"foot {side}", (f"M{-3 * sign} 0v{SOLE}h{-7 * sign}",))
                    foot_points = {
                        f"ankle_{side}": (0, 0, R_LIMB),
                        f"heel_{side}": (-3 * sign, SOLE, R_FOOT),
                        f"toe_{side}": (-10 * sign, SOLE, R_FOOT),
                    }
                    ankle_angle = lambda pose: 0  # noqa: E731
                else:
                    foot = Shape("path", f"foot {side}", (f"M0 0L{-HEEL} {SOLE}H{FOOT}",))
                    foot_points = {
                        f"ankle_{side}": (0, 0, R_LIMB),
                        f"heel_{side}": (-HEEL, SOLE, R_FOOT),
                        f"toe_{side}": (FOOT, SOLE, R_FOOT),
                    }
                    ankle_angle = lambda pose, j=ankle: -pose[j]  # noqa: E731
                leg.append(
                    Node(
                        f"ankle-{side}",
                        f"knee-{side}",
                        (lambda pose, f=shank_len: (0, f(pose))),
                        ankle_angle,
                        [foot],
                        foot_points,
                        side,
                    )
                )
        arm = [
            Node(
                f"shoulder-{side}",
                "root",
                _const(sh_x, -TRUNK + SHOULDER_DROP),
                sh_angle,
                [Shape("line", f"upper-arm {side}", (0, 0, 0, UPPER_ARM))],
                {f"shoulder_{side}": (0, 0, R_LIMB)},
                side,
            ),
            Node(
                f"elbow-{side}",
                f"shoulder-{side}",
                _const(0, UPPER_ARM),
                elbow_angle,
                [Shape("line", f"forearm {side}", (0, 0, 0, FOREARM), forearm_len)],
                {
                    f"elbow_{side}": (0, 0, R_LIMB),
                    f"hand_{side}": (0, FOREARM, R_LIMB),
                },
                side,
            ),
        ]
        if front:
            # The hand follows the foreshortened forearm.
            arm[1].points[f"hand_{side}"] = (0, FOREARM, R_LIMB)
        return leg + arm

    far = limbs("far")
    near = limbs("near")
    trunk_shapes = [Shape("line", "trunk", (0, 0, 0, -TRUNK))]
    if front:
        trunk_shapes += [
            Shape("line", "pelvis", (-HIP_HALF, 0, HIP_HALF, 0)),
            Shape(
                "line",
                "shoulders",
                (-SHOULDER_HALF, -TRUNK + SHOULDER_DROP, SHOULDER_HALF, -TRUNK + SHOULDER_DROP),
            ),
        ]
    else:
        trunk_shapes += [Shape("circle", "pelvis", (0, 0, 7))]
    body = Node("body", "root", _const(0, 0), lambda pose: 0, trunk_shapes, {}, "")
    head = Node(
        "neck",
        "root",
        _const(0, -TRUNK),
        (lambda pose: 0) if front else (lambda pose: pose["neck"]),
        [Shape("circle", "head", (0 if front else 2, -NECK, HEAD_R))]
        + (
            []
            if front
            else [Shape("path", "nose", (f"M{2 + HEAD_R - 1} {-NECK - 3}l4.5 4.5h-4.5z",))]
        ),
        {"head": (0 if front else 2, -NECK, HEAD_R)},
        "",
    )
    nodes += far + [body, head] + near
    return nodes


# 2-D affine matrices (a, b, c, d, e, f), as SVG: x' = a x + c y + e, y' = b x + d y + f.
IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def multiply(m, n):
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + c * b2,
        b * a2 + d * b2,
        a * c2 + c * d2,
        b * c2 + d * d2,
        a * e2 + c * f2 + e,
        b * e2 + d * f2 + f,
    )


def translate(x, y):
    return (1.0, 0.0, 0.0, 1.0, float(x), float(y))


def rotate(degrees):
    r = math.radians(degrees)
    return (math.cos(r), math.sin(r), -math.sin(r), math.cos(r), 0.0, 0.0)


def apply(m, x, y):
    a, b, c, d, e, f = m
    return (a * x + c * y + e, b * x + d * y + f)


def world(nodes: list[Node], pose: Pose, root: tuple[float, float] = (0, 0)) -> dict:
    """Every node's matrix for a pose, with the root (pelvis) at `root`."""
    matrices = {}
    for node in nodes:
        parent = matrices[node.parent] if node.parent else translate(*root)
        ox, oy = node.offset(pose)
        matrices[node.name] = multiply(
            multiply(parent, translate(ox, oy)), rotate(node.angle(pose))
        )
    return matrices


def points(nodes: list[Node], pose: Pose, root: tuple[float, float] = (0, 0)) -> dict:
    """Named body points in world coordinates: name -> (x, y, radius)."""
    matrices = world(nodes, pose, root)
    found = {}
    for node in nodes:
        for name, (x, y, r) in node.points.items():
            if node.name.startswith("elbow") and name.startswith("hand"):
                # the hand sits at the end of the (maybe foreshortened) forearm
                length = node.shapes[0].length(pose) if node.shapes[0].length else FOREARM
                y = length
            found[name] = (*apply(matrices[node.name], x, y), r)
    return found


def segment_ends(
    nodes: list[Node], pose: Pose, root=(0, 0)
) -> list[tuple[str, float, float, float]]:
    """Every drawn endpoint (lines and path corners) with its half-thickness: the checks' points."""
    matrices = world(nodes, pose, root)
    ends = []
    for node in nodes:
        m = matrices[node.name]
        for shape in node.shapes:
            if shape.kind == "line":
                x1, y1, x2, y2 = shape.values
                if shape.length:
                    y2 = shape.length(pose)
                r = R_TRUNK if shape.cls in ("trunk",) else R_LIMB
                ends.append((shape.cls, *apply(m, x1, y1), r))
                ends.append((shape.cls, *apply(m, x2, y2), r))
            elif shape.kind == "circle":
                cx, cy, r = shape.values
                ends.append((shape.cls, *apply(m, cx, cy), r))
        for name, (x, y, r) in node.points.items():
            if name.startswith(("heel", "toe")):
                ends.append((name, *apply(m, x, y), r))
    return ends
