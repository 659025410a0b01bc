"""Is a figure anatomical? Measured on the placed geometry the SVG is drawn from.

`problems(scene, info)` lists what is wrong in words (empty: nothing): a joint
outside the body's range, a body part below the floor or inside the surface it
lies on, the supporting parts in the air, a posterolateral hip flexed past 90.
"""

from exercises.figures.body import R_TRUNK
from exercises.figures.data import POSTEROLATERAL_HIP_LIMIT, RANGES, ExerciseInfo, _joint_range
from exercises.figures.scene import (
    SEATS,
    SOFT_TOE_BASES,
    SOFT_TOES,
    STEP_BEHIND_ANKLE,
    STEP_WIDTH,
    SUPPORT,
    Frame,
    Scene,
)

TOUCH = 1.5  # how close to the surface a supporting part must be (drawing units)
SINK = 0.6  # how far a part may press into a surface (rounding)


def _angles(scene: Scene, frame: Frame, label: str) -> list[str]:
    found = []
    for joint, angle in frame.pose.items():
        low, high = (
            _joint_range(joint, scene.view)
            if joint in ("trunk",) or joint.split("_")[0] in RANGES
            else (-999, 999)
        )
        if not low - 0.01 <= angle <= high + 0.01:
            found.append(f"{label}: {joint} {angle:.0f} outside {low}..{high}")
    return found


def _surface_parts(scene: Scene, frame: Frame):
    """Every drawn endpoint and body point: (name, x, y, r)."""
    named = [(name, x, y, r) for name, (x, y, r) in frame.points.items()]
    return named + list(frame.ends)


def _support(scene: Scene, frame: Frame, label: str) -> list[str]:
    found = []
    parts = _surface_parts(scene, frame)
    base = scene.entry.base
    bottom = scene.surface_y
    names = SUPPORT[base]
    if base in ("sitting", "on_ball") and scene.surface in SEATS:
        px, py, _ = frame.points["pelvis"]
        if abs(py + R_TRUNK - scene.surface_y) <= TOUCH:
            return found
        # Off the seat (standing up, lying over the ball): something else carries.
        bottom = scene.floor
    touching = [
        name
        for name, x, y, r in parts
        if name.split()[0] in names and -SOFT_TOES - TOUCH <= y + r - bottom <= TOUCH
    ]
    if not touching:
        found.append(
            f"{label}: no supporting part ({', '.join(names)}) touches the {scene.surface}"
        )
    return found


def _through(scene: Scene, frame: Frame, label: str) -> list[str]:
    found = []
    parts = _surface_parts(scene, frame)
    floor = scene.floor
    soft = SOFT_TOES if scene.entry.base in SOFT_TOE_BASES else 0
    for name, _x, y, r in parts:
        sink = SINK + (soft if name.startswith(("heel", "toe", "foot")) else 0)
        if y + r > floor + sink:
            found.append(f"{label}: {name} is below the floor or mat ({y + r - floor:.1f})")
            break
    if scene.surface == "step":
        ax = scene.frames[0].points[scene.anchor][0]
        for name, x, y, r in parts:
            if (
                ax - STEP_BEHIND_ANKLE <= x <= ax - STEP_BEHIND_ANKLE + STEP_WIDTH
                and y + r > scene.surface_y + SINK
            ):
                found.append(f"{label}: {name} is inside the step")
                break
    elif scene.surface not in SEATS and scene.surface != "floor":
        for name, _x, y, r in parts:
            sink = SINK + (soft if name.startswith(("heel", "toe", "foot")) else 0)
            if y + r > scene.surface_y + sink:
                found.append(f"{label}: {name} is inside the {scene.surface}")
                break
    if scene.surface in SEATS and scene.entry.base in ("sitting", "on_ball"):
        px = frame.points["pelvis"][0]
        for name, x, y, r in parts:
            if name.startswith(("hand", "forearm", "elbow", "upper-arm")):
                continue  # the arms hang beside the seat
            if (
                px - 10 <= x <= px + 20
                and y + r > scene.surface_y + SINK
                and y < scene.surface_y + 6
            ):
                found.append(f"{label}: {name} is inside the {scene.surface}")
                break
    return found


def problems(scene: Scene, info: ExerciseInfo) -> list[str]:
    found = []
    labels = ["start", "middle", "end"] if len(scene.frames) == 3 else ["start", "end"]
    frames = list(zip(labels, scene.frames, strict=True)) + [
        (f"t={t:.2f}s", frame) for (t, _), frame in zip(scene.keys, scene.key_frames, strict=True)
    ]
    posterolateral = "posterolateral" in info.applies_to
    for label, frame in frames:
        found += _angles(scene, frame, label)
        found += _support(scene, frame, label)
        found += _through(scene, frame, label)
        if posterolateral and frame.pose["hip_near"] > POSTEROLATERAL_HIP_LIMIT + 0.01:
            found.append(f"{label}: posterolateral hip flexed {frame.pose['hip_near']:.0f} > 90")
    unique = []
    for problem in found:
        if problem not in unique:
            unique.append(problem)
    return unique
