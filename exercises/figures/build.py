"""Every figure file, in memory: the animated SVG, the stills SVG and the index.

`build()` is a pure function of the fixtures and the pose files; the command
`build_figures` writes its result into static/exercises/figures/ and a test
checks the committed files are what it gives today.
"""

import json

from exercises.figures import svg
from exercises.figures.data import (
    ExerciseInfo,
    PoseEntry,
    exercises,
    figure_variants,
    load_poses,
)
from exercises.figures.scene import Scene

STATIC_DIR = "exercises/figures"  # under static/
INDEX = "index.json"

DESC = {
    "nl": "Lijntekening van de app Oefenplan, niet de tekening uit de folder.",
    "en": "A line drawing by the Oefenplan app, not the leaflet's own picture.",
}
JOINT_WORDS = {
    # joint kind: (nl increase, nl decrease, en increase, en decrease)
    "trunk": ("romp naar voren", "romp naar achteren", "trunk forwards", "trunk backwards"),
    "neck": ("kin naar de borst", "hoofd omhoog", "chin to the chest", "head up"),
    "hip": ("heup buigen", "heup strekken", "bend the hip", "stretch the hip"),
    "knee": ("knie buigen", "knie strekken", "bend the knee", "straighten the knee"),
    "ankle": ("voet optrekken", "voet strekken", "pull the foot up", "point the foot"),
    "shoulder": ("arm heffen", "arm laten zakken", "raise the arm", "lower the arm"),
    "elbow": ("elleboog buigen", "elleboog strekken", "bend the elbow", "straighten the elbow"),
}
FRONT_WORDS = {
    "trunk": ("romp zijwaarts", "romp zijwaarts", "trunk sideways", "trunk sideways"),
    "hip": ("been zijwaarts", "been naar binnen", "leg out sideways", "leg inwards"),
    "shoulder": (
        "arm zijwaarts heffen",
        "arm laten zakken",
        "raise the arm sideways",
        "lower the arm",
    ),
}
VARIANT_WORDS = {
    "transtibial": ("onderbeenamputatie", "below-knee amputation"),
    "transfemoral": ("bovenbeenamputatie", "above-knee amputation"),
}


def movement(entry: PoseEntry, language: str) -> str:
    """The movement in words, from the joints that move (or the pose data's own words)."""
    if entry.movement and language == "nl":
        return entry.movement
    frames = entry.frames()
    first, last = frames[0], frames[-1]
    phrases = []
    for joint in entry.moving:
        kind = joint.split("_")[0]
        words = (FRONT_WORDS.get(kind) if entry.view == "front" else None) or JOINT_WORDS[kind]
        change = last[joint] - first[joint]
        if abs(change) < 1 and len(frames) == 3:
            change = frames[1][joint] - first[joint]
        if abs(change) < 1:
            continue
        offset = 0 if language == "nl" else 2
        phrase = words[offset] if change > 0 else words[offset + 1]
        if phrase not in phrases:
            phrases.append(phrase)
    if not phrases:
        return "houding aanhouden" if language == "nl" else "hold the position"
    joined = ", ".join(phrases[:3])  # the main joints; the steps say the rest
    return f"{joined} en terug" if language == "nl" else f"{joined} and back"


def alt_text(info: ExerciseInfo, entry: PoseEntry, variant: str, language: str) -> str:
    text = f"{info.title}: {movement(entry, language)}"
    if variant:
        text += f" ({VARIANT_WORDS[variant][0 if language == 'nl' else 1]})"
    return text


def amputated_side(entry: PoseEntry) -> str:
    """The patient's side the residual limb is drawn on. A side view faces right,
    so its near side is the patient's left; a front view faces the viewer, its
    near side is the patient's right (on the viewer's left). A page mirrors the
    figure when the program's affected side is the other one."""
    near = "left" if entry.view == "side" else "right"
    far = "right" if near == "left" else "left"
    return near if entry.amputated == "near" else far


def file_stem(slug: str, variant: str) -> str:
    return f"{slug}-{variant}" if variant else slug


def build(poses: dict[str, PoseEntry] | None = None) -> tuple[dict[str, str], list[str]]:
    """Every file (name under static/exercises/figures/ -> text) and the slugs without a pose."""
    poses = load_poses() if poses is None else poses
    files: dict[str, str] = {}
    index: dict[str, dict] = {}
    missing = []
    for slug, info in exercises().items():
        entry = poses.get(slug)
        if entry is None:
            missing.append(slug)
            continue
        for variant in figure_variants(info):
            scene = Scene(entry, variant, info.hold_seconds)
            title = alt_text(info, entry, variant, "nl")
            stem = file_stem(slug, variant)
            files[f"{stem}.svg"] = svg.animated(scene, title, DESC["nl"])
            files[f"{stem}-stills.svg"] = svg.stills(scene, title, DESC["nl"])
            index.setdefault(slug, {})[variant or "-"] = {
                "animated": f"{STATIC_DIR}/{stem}.svg",
                "stills": f"{STATIC_DIR}/{stem}-stills.svg",
                "alt_nl": title,
                "alt_en": alt_text(info, entry, variant, "en"),
                "size": list(svg.animated_box(scene)[1]),
                **({"amputated_side": amputated_side(entry)} if variant else {}),
                "stills_size": list(svg.STILLS_SIZE),
            }
    files[INDEX] = json.dumps(index, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    return files, missing
