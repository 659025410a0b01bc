"""A pose entry made concrete: the keyframes, where the body rests in each, the props.

`Scene` is what the SVG writer draws and what the checks measure: both read the
same placed geometry.
"""

import dataclasses
import math

from exercises.figures import body
from exercises.figures.data import PoseEntry

# Heights of the surfaces (y of their top; the floor is 0).
MAT = -4
BED = -50
SEAT = -(body.SHANK + body.SOLE + body.R_FOOT) + body.R_TRUNK  # knees at right angles
TABLE = -76
STEP = -18
STEP_WIDTH = 30
STEP_BEHIND_ANKLE = 8  # standing on the step, its back edge is this far behind the ankle
BOSU = -20
BALL_R = 22
FLOWIN = -2
SURFACE_Y = {
    "floor": 0,
    "mat": MAT,
    "bed": BED,
    "chair": SEAT,
    "table": TABLE,
    "step": STEP,
    "bosu": BOSU,
    "swiss-ball": -2 * BALL_R,
    "bike": -98,
    "rower": -18,
    "leg-press": -30,
    "treadmill": -8,
    "cross-trainer": -14,
    "flowin": FLOWIN,
}
# Surfaces the pelvis sits on (the rest of the body may hang above the floor).
SEATS = ("chair", "table", "swiss-ball", "bike", "rower", "leg-press", "bed")

DEFAULT_ANCHOR = {
    "standing": "ankle_far",
    "supine": "pelvis",
    "prone": "pelvis",
    "side_lying": "pelvis",
    "sitting": "pelvis",
    "hands_knees": "knee_far",
    "kneeling": "knee_far",
    "on_ball": "pelvis",
}
# Which parts carry the body, per base (the checks: one of them touches).
FEET = ("heel_near", "heel_far", "toe_near", "toe_far")
LYING = (
    "pelvis",
    "shoulder",
    "head",
    "trunk",
    "hip_near",
    "hip_far",
    "knee_near",
    "knee_far",
    "elbow_near",
    "elbow_far",
    "hand_near",
    "hand_far",
    "upper-arm",
    "forearm",
    "thigh",
    "stump_near",
    "stump_far",
    "residual",
)
SUPPORT = {
    "standing": (*FEET, "stump_near", "stump_far"),
    "supine": LYING,
    "prone": LYING,
    "side_lying": LYING,
    "sitting": ("pelvis", *FEET),
    "hands_knees": (
        "knee_near",
        "knee_far",
        "hand_near",
        "hand_far",
        "stump_near",
        "stump_far",
        *FEET,
    ),
    "kneeling": ("knee_near", "knee_far", "stump_near", "stump_far", *FEET),
    "on_ball": ("pelvis", "shoulder", "hand_near", "hand_far", "knee_near", "knee_far", *FEET),
}
# Lying and kneeling, the toes bend where they meet the floor: the feet may press
# this far into the surface before they, and not the trunk or knees, carry the body.
SOFT_TOES = 4
SOFT_TOE_BASES = ("supine", "prone", "side_lying", "kneeling", "hands_knees")

# Timing of one loop, in seconds.
MOVE = 1.4  # start to end (or to the middle, and on to the end)
REST = 1.0
SUBSTEPS = 6  # keyframes per move, eased
MAX_HOLD = 12  # a long hold loops shorter than the dose; the text says how long


@dataclasses.dataclass
class Frame:
    pose: dict
    root: tuple[float, float]
    points: dict  # name -> (x, y, r), placed
    ends: list  # (part, x, y, r), placed


def surface_name(entry: PoseEntry) -> str:
    if entry.on:
        return entry.on
    props = entry.props
    if entry.base in ("sitting", "on_ball"):
        for seat in ("chair", "bike", "rower", "leg-press", "swiss-ball", "bed", "table"):
            if seat in props:
                return seat
        return "mat" if "mat" in props else "floor"
    if entry.base in ("supine", "prone", "side_lying"):
        for surface in ("bed", "mat"):
            if surface in props:
                return surface
        return "floor"
    if entry.base == "standing":
        for surface in ("bosu", "treadmill", "cross-trainer", "mat"):
            if surface in props:
                return surface
        return "floor"
    return "mat" if "mat" in props else "floor"


def floor_y(entry: PoseEntry) -> float:
    """The lowest a body part may come: the floor, or the mat on it."""
    return MAT if "mat" in entry.props else 0


def _ease(u: float) -> float:
    return (1 - math.cos(math.pi * u)) / 2


def _mix(a: dict, b: dict, u: float) -> dict:
    return {joint: a[joint] + (b[joint] - a[joint]) * u for joint in a}


def timeline(entry: PoseEntry, hold_seconds: int) -> tuple[float, list[tuple[float, dict]]]:
    """The loop's length and its keyframes (time in seconds, pose)."""
    frames = entry.frames()
    legs = list(zip(frames, frames[1:], strict=False))
    hold = min(max(1, hold_seconds), MAX_HOLD)
    keys: list[tuple[float, dict]] = [(0.0, frames[0])]
    t = 0.0
    for a, b in legs:
        for i in range(1, SUBSTEPS + 1):
            keys.append((t + MOVE * i / SUBSTEPS, _mix(a, b, _ease(i / SUBSTEPS))))
        t += MOVE
    t += hold
    keys.append((t, frames[-1]))
    for a, b in reversed(legs):
        for i in range(1, SUBSTEPS + 1):
            keys.append((t + MOVE * i / SUBSTEPS, _mix(b, a, _ease(i / SUBSTEPS))))
        t += MOVE
    t += REST
    keys.append((t, frames[0]))
    return t, keys


class Scene:
    def __init__(self, entry: PoseEntry, variant: str = "", hold_seconds: int = 0):
        self.entry = entry
        self.variant = variant
        self.view = entry.view
        self.nodes = body.skeleton(entry.view, variant, entry.amputated)
        self.surface = surface_name(entry)
        self.surface_y = SURFACE_Y[self.surface]
        self.floor = floor_y(entry)
        self.anchor = entry.anchor or DEFAULT_ANCHOR[entry.base]
        if self.anchor not in self._raw_points(entry.frames()[0]):
            self.anchor = "pelvis"
        self.duration, self.keys = timeline(entry, hold_seconds)
        self.frames = [self.place(pose) for pose in entry.frames()]
        self.key_frames = [self.place(pose) for _, pose in self.keys]

    def _raw_points(self, pose):
        return body.points(self.nodes, pose)

    def place(self, pose: dict) -> Frame:
        """Where the pelvis goes so the body rests on its surface."""
        pts = body.points(self.nodes, pose)
        ends = body.segment_ends(self.nodes, pose)
        lowest = max(y + r for _, _, y, r in ends)
        if self.entry.base in SOFT_TOE_BASES:
            feet = [y + r for name, _, y, r in ends if name.startswith(("heel", "toe", "foot"))]
            rest = [y + r for name, _, y, r in ends if not name.startswith(("heel", "toe", "foot"))]
            lowest = max(max(rest), max(feet, default=-999) - SOFT_TOES)
        if self.surface == "step" and self.entry.base == "standing":
            # The anchor's foot stands on the step; the other may stand on the floor.
            side = self.anchor.rsplit("_", 1)[-1]
            foot = [
                y + r
                for name, _, y, r in ends
                if name.endswith(side) and name.startswith(("heel", "toe", "stump"))
            ]
            dy = min(STEP - max(foot or [lowest]), self.floor - lowest)
        elif self.entry.base in ("sitting", "on_ball") and self.surface in SEATS:
            px, py, pr = pts["pelvis"]
            dy = min(self.surface_y - (py + pr), self.floor - lowest)
        else:
            dy = self.surface_y - lowest
        dx = -pts[self.anchor][0]
        root = (dx, dy)
        return Frame(
            pose,
            root,
            body.points(self.nodes, pose, root),
            body.segment_ends(self.nodes, pose, root),
        )

    def bbox(self) -> tuple[float, float, float, float]:
        xs, ys = [], []
        for frame in self.key_frames:
            for _, x, y, r in frame.ends:
                xs += [x - r, x + r]
                ys += [y - r, y + r]
        return min(xs), min(ys), max(xs), max(ys)

    def moving_point(self) -> str | None:
        """The body point that travels furthest from start to end: the arrow follows it."""
        first, last = self.frames[0].points, self.frames[-1].points
        best, distance = None, 6.0
        for name in sorted(first):
            if name in ("pelvis",):
                continue
            d = math.dist(first[name][:2], last[name][:2])
            if d > distance + 0.5:
                best, distance = name, d
        return best
