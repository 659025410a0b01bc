"""The exercises and their pose data, read from the fixtures (no database needed).

Pose files (`fixtures/figures/*.yaml`, format in docs/figures.md) are validated
on load: every error names the file, the exercise and the key, so a pose
writer sees at once what to fix.
"""

import dataclasses
import functools
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
POSE_DIR = FIXTURES / "figures"

VIEWS = ("side", "front")
BASES = (
    "standing",
    "supine",
    "prone",
    "side_lying",
    "sitting",
    "hands_knees",
    "kneeling",
    "on_ball",
)
SIDES = ("near", "far")
JOINTS = (
    "trunk",
    "neck",
    "hip_near",
    "hip_far",
    "knee_near",
    "knee_far",
    "ankle_near",
    "ankle_far",
    "shoulder_near",
    "shoulder_far",
    "elbow_near",
    "elbow_far",
)
# The body's ranges (docs/figures.md); the front view's hip is abduction.
RANGES = {
    "trunk": (-180, 180),
    "neck": (-60, 70),
    "hip": (-30, 130),
    "knee": (0, 150),
    "ankle": (-50, 30),
    "shoulder": (-60, 180),
    "elbow": (0, 150),
}
FRONT_HIP_RANGE = (-30, 60)
POSTEROLATERAL_HIP_LIMIT = 90

# Furniture the steps name beside the equipment of library.yaml.
EXTRA_PROPS = ("bed", "wall", "towel-roll")
# Where the body rests when the base does not say it (docs/figures.md `surface`).
SURFACES = (
    "floor",
    "mat",
    "bed",
    "chair",
    "table",
    "step",
    "bosu",
    "swiss-ball",
    "bike",
    "rower",
    "leg-press",
    "treadmill",
    "cross-trainer",
    "flowin",
)
# Body points a prop may be tied to (`prop_at`) or the root anchored at (`anchor`).
POINTS = (
    "pelvis",
    "shoulder",
    "head",
    "hip_near",
    "hip_far",
    "knee_near",
    "knee_far",
    "ankle_near",
    "ankle_far",
    "toe_near",
    "toe_far",
    "heel_near",
    "heel_far",
    "elbow_near",
    "elbow_far",
    "hand_near",
    "hand_far",
    "stump_near",
    "stump_far",
)
AMPUTATION_VARIANTS = ("transtibial", "transfemoral")
ENTRY_KEYS = {
    "exercise",
    "view",
    "base",
    "props",
    "moving",
    "source",
    "start",
    "middle",
    "end",
    "note",
    # Extensions (docs/figures.md): all optional.
    "amputated",
    "anchor",
    "surface",
    "on",  # the first name of `surface` (quoted: YAML reads a bare on: as true)
    "prop_at",
    "movement",
}
REQUIRED_KEYS = ("exercise", "view", "base", "props", "moving", "source", "start", "end")


class FigureDataError(ValueError):
    """Pose data that cannot be drawn; the message names the file, exercise and key."""


@dataclasses.dataclass(frozen=True)
class ExerciseInfo:
    slug: str
    title: str
    position: str
    equipment: tuple[str, ...]
    applies_to: tuple[str, ...]
    hold_seconds: int  # 0: the dose holds nothing
    leaflet: str


@dataclasses.dataclass(frozen=True)
class PoseEntry:
    exercise: str
    view: str
    base: str
    props: tuple[str, ...]
    moving: tuple[str, ...]
    source: str
    start: dict
    middle: dict | None
    end: dict
    note: str = ""
    amputated: str = "near"
    anchor: str = ""
    on: str = ""
    prop_at: tuple[tuple[str, str], ...] = ()
    movement: str = ""
    file: str = ""

    def frames(self) -> list[dict]:
        """The full poses: start, [middle,] end; unnamed joints carry over from start."""
        start = {joint: float(self.start.get(joint, 0)) for joint in JOINTS}
        frames = [start]
        if self.middle is not None:
            frames.append({**start, **{k: float(v) for k, v in self.middle.items()}})
        frames.append({**start, **{k: float(v) for k, v in self.end.items()}})
        return frames


def _hold_seconds(fields: dict) -> int:
    unit = fields.get("hold_unit") or ""
    amount = fields.get("hold_min") or 0
    if unit == "few_seconds":
        return 3
    if unit == "as_long":
        return 5
    if unit == "counts":
        return int(amount)  # a count is about a second
    return int(amount)


@functools.cache
def exercises() -> dict[str, ExerciseInfo]:
    """Every exercise of the fixtures, by slug, in the fixtures' order."""
    found = {}
    for path in sorted(FIXTURES.glob("exercises_*.yaml")):
        for row in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if row.get("model") != "exercises.exercise":
                continue
            fields = row["fields"]
            found[fields["slug"]] = ExerciseInfo(
                slug=fields["slug"],
                title=fields["title"],
                position=fields["position"],
                equipment=tuple(fields.get("equipment") or ()),
                applies_to=tuple(fields.get("applies_to") or ()),
                hold_seconds=_hold_seconds(fields),
                leaflet=fields["leaflet"],
            )
    return found


@functools.cache
def equipment_slugs() -> tuple[str, ...]:
    rows = yaml.safe_load((FIXTURES / "library.yaml").read_text(encoding="utf-8"))
    return tuple(row["pk"] for row in rows if row.get("model") == "exercises.equipment")


def prop_names() -> tuple[str, ...]:
    return (*equipment_slugs(), *EXTRA_PROPS)


def _joint_range(joint: str, view: str) -> tuple[float, float]:
    kind = joint.split("_")[0]
    if kind == "hip" and view == "front":
        return FRONT_HIP_RANGE
    return RANGES[kind]


def validate_pose(pose: dict, view: str, where: str) -> None:
    if not isinstance(pose, dict):
        raise FigureDataError(f"{where}: a pose is a mapping of joint to angle")
    for joint, angle in pose.items():
        if joint not in JOINTS:
            raise FigureDataError(f"{where}: unknown joint {joint!r} (one of {', '.join(JOINTS)})")
        if isinstance(angle, bool) or not isinstance(angle, (int, float)):
            raise FigureDataError(f"{where}: {joint} must be a number of degrees, not {angle!r}")
        low, high = _joint_range(joint, view)
        if not low <= angle <= high:
            raise FigureDataError(
                f"{where}: {joint} {angle} is outside the body's range {low}..{high}"
            )


def parse_entry(raw, file: str, known: dict[str, ExerciseInfo]) -> PoseEntry:
    if not isinstance(raw, dict):
        raise FigureDataError(f"{file}: every entry is a mapping with an `exercise:` key")
    slug = raw.get("exercise")
    here = f"{file}: {slug or '(no exercise)'}"
    for key in sorted(raw, key=str):
        if key is True:
            raise FigureDataError(
                f"{here}: unknown key True (YAML reads a bare on: as true; write surface:)"
            )
        if key not in ENTRY_KEYS:
            raise FigureDataError(f"{here}: unknown key {key!r}")
    for key in REQUIRED_KEYS:
        if key not in raw:
            raise FigureDataError(f"{here}: the key {key!r} is missing")
    if slug not in known:
        raise FigureDataError(f"{here}: unknown exercise slug {slug!r}")
    view, base = raw["view"], raw["base"]
    if view not in VIEWS:
        raise FigureDataError(f"{here}: view {view!r} is not one of {', '.join(VIEWS)}")
    if base not in BASES:
        raise FigureDataError(f"{here}: base {base!r} is not one of {', '.join(BASES)}")
    props = raw["props"] or []
    names = prop_names()
    for prop in props:
        if prop not in names:
            raise FigureDataError(f"{here}: props: unknown prop {prop!r}")
    moving = raw["moving"] or []
    for joint in moving:
        if joint not in JOINTS:
            raise FigureDataError(f"{here}: moving: unknown joint {joint!r}")
    for key in ("start", "middle", "end"):
        if key in raw and raw[key] is not None:
            validate_pose(raw[key], view, f"{here}: {key}")
    if raw.get("middle") is None and "middle" in raw:
        raise FigureDataError(f"{here}: middle is empty; leave the key out")
    amputated = raw.get("amputated", "near")
    if amputated not in SIDES:
        raise FigureDataError(f"{here}: amputated {amputated!r} is not near or far")
    anchor = raw.get("anchor", "")
    if anchor and anchor not in POINTS:
        raise FigureDataError(f"{here}: anchor: unknown point {anchor!r}")
    on = raw.get("surface", raw.get("on", ""))
    if on and on not in SURFACES:
        raise FigureDataError(f"{here}: surface: unknown surface {on!r}")
    if on and on not in ("floor", "mat") and on not in props:
        raise FigureDataError(f"{here}: surface: {on!r} is not among the props")
    prop_at = raw.get("prop_at") or {}
    if not isinstance(prop_at, dict):
        raise FigureDataError(f"{here}: prop_at maps a prop to a body point")
    for prop, point in prop_at.items():
        if prop not in props:
            raise FigureDataError(f"{here}: prop_at: {prop!r} is not among the props")
        if point not in POINTS:
            raise FigureDataError(f"{here}: prop_at: unknown point {point!r}")
    if not isinstance(raw["source"], str) or not raw["source"].strip():
        raise FigureDataError(f"{here}: source quotes the leaflet step(s)")
    return PoseEntry(
        exercise=slug,
        view=view,
        base=base,
        props=tuple(props),
        moving=tuple(moving),
        source=raw["source"],
        start=dict(raw["start"] or {}),
        middle=dict(raw["middle"]) if raw.get("middle") is not None else None,
        end=dict(raw["end"] or {}),
        note=raw.get("note", "") or "",
        amputated=amputated,
        anchor=anchor,
        on=on,
        prop_at=tuple(sorted(prop_at.items())),
        movement=raw.get("movement", "") or "",
        file=file,
    )


def load_file(path: Path, known: dict[str, ExerciseInfo] | None = None) -> list[PoseEntry]:
    known = exercises() if known is None else known
    name = path.name
    try:
        rows = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise FigureDataError(f"{name}: not valid YAML: {error}") from error
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise FigureDataError(f"{name}: a pose file is a YAML list of entries")
    return [parse_entry(row, name, known) for row in rows]


def load_poses(directory: Path = POSE_DIR) -> dict[str, PoseEntry]:
    """Every pose entry of every pose file, by exercise slug."""
    found: dict[str, PoseEntry] = {}
    for path in sorted(directory.glob("*.yaml")):
        for entry in load_file(path):
            if entry.exercise in found:
                raise FigureDataError(
                    f"{path.name}: {entry.exercise}: a second entry"
                    f" (first in {found[entry.exercise].file})"
                )
            found[entry.exercise] = entry
    return found


def figure_variants(info: ExerciseInfo) -> tuple[str, ...]:
    """ "" for one figure, or the amputation levels an exercise gets a figure for."""
    levels = tuple(v for v in AMPUTATION_VARIANTS if v in info.applies_to)
    return levels or ("",)
