"""The exercise figures: one for every exercise, up to date, anatomical and safe.

Everything here reads the renderer's own geometry and the generated SVG text;
no browser (the contact sheet, `manage.py figure_sheet`, is for people).
"""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.conf import settings

from exercises.figures import build as figure_build
from exercises.figures import checks, data
from exercises.figures.scene import MAX_HOLD, Scene, timeline

FIGURES = Path(settings.BASE_DIR) / "static" / figure_build.STATIC_DIR
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def built():
    files, missing = figure_build.build()
    return files, missing


@pytest.fixture(scope="module")
def poses():
    return data.load_poses()


def scenes(poses):
    for slug, info in data.exercises().items():
        entry = poses.get(slug)
        if entry is None:
            continue
        for variant in data.figure_variants(info):
            yield slug, variant, info, Scene(entry, variant, info.hold_seconds)


def classes(svg_text: str) -> set[str]:
    found = set()
    for value in re.findall(r'class="([^"]*)"', svg_text):
        found.update(value.split())
    return found


def test_every_exercise_has_pose_data_and_figures(built):
    files, missing = built
    assert len(data.exercises()) == 81
    assert missing == [], f"exercises without pose data: {missing}"
    for slug, info in data.exercises().items():
        for variant in data.figure_variants(info):
            stem = figure_build.file_stem(slug, variant)
            assert (FIGURES / f"{stem}.svg").is_file(), stem
            assert (FIGURES / f"{stem}-stills.svg").is_file(), stem


def test_the_committed_figures_are_what_the_pose_data_draws(built):
    """Re-rendered in memory, byte for byte: run `manage.py build_figures` after a pose change."""
    files, _ = built
    on_disk = {path.name for path in FIGURES.iterdir()}
    assert on_disk == set(files), "stale or missing files: run manage.py build_figures"
    stale = [
        name for name, text in files.items() if (FIGURES / name).read_text(encoding="utf-8") != text
    ]
    assert stale == [], f"out of date, run manage.py build_figures: {stale[:5]}"


def test_drawing_is_deterministic(built, poses):
    files, _ = built
    slug = "hip-replacement-2"
    again, _ = figure_build.build({slug: poses[slug]})
    assert again[f"{slug}.svg"] == files[f"{slug}.svg"]
    assert again[f"{slug}-stills.svg"] == files[f"{slug}-stills.svg"]


def test_every_svg_is_small_titled_marked_as_the_apps_and_has_no_script(built):
    files, _ = built
    for name, text in files.items():
        if not name.endswith(".svg"):
            continue
        root = ET.fromstring(text)
        assert root.tag == f"{SVG}svg"
        title = root.find(f"{SVG}title")
        desc = root.find(f"{SVG}desc")
        assert title is not None and len(title.text) > 10, name
        assert desc is not None and "niet de tekening uit de folder" in desc.text, name
        assert "<script" not in text and "onload" not in text and 'href="http' not in text, name
        assert len(text.encode()) < 12_000, f"{name} is {len(text.encode())} bytes"


def test_the_animation_loops_smoothly_and_holds_the_end(built):
    files, _ = built
    text = files["hip-replacement-4.svg"]  # holds 8 counts
    assert 'repeatCount="indefinite"' in text
    assert "<animateTransform" in text
    assert "@keyframes" not in text or "<style" in text
    # Never flashing: no animated opacity, visibility or colour.
    for svg_text in (v for k, v in files.items() if k.endswith(".svg")):
        assert not re.search(r'attributeName="(opacity|visibility|display|fill|stroke)"', svg_text)


def test_the_hold_follows_the_dose(poses):
    info = data.exercises()["hip-replacement-4"]
    assert info.hold_seconds == 8
    duration, keys = timeline(poses["hip-replacement-4"], info.hold_seconds)
    end = poses["hip-replacement-4"].frames()[-1]
    held = [t for t, pose in keys if pose == end]
    assert held[-1] - held[0] == pytest.approx(8)
    # No hold in the dose: still a second at the end; a long one is shortened.
    duration, keys = timeline(poses["hip-replacement-1"], 0)
    held = [t for t, pose in keys if pose == poses["hip-replacement-1"].frames()[-1]]
    assert held[-1] - held[0] == pytest.approx(1)
    duration, keys = timeline(poses["hip-replacement-1"], 30)
    held = [t for t, pose in keys if pose == poses["hip-replacement-1"].frames()[-1]]
    assert held[-1] - held[0] == pytest.approx(MAX_HOLD)


@pytest.mark.django_db
def test_the_hold_is_read_from_the_exercises_dose_fields():
    from exercises.models import Exercise

    for exercise in Exercise.objects.all():
        info = data.exercises()[exercise.slug]
        expected = {"few_seconds": 3, "as_long": 5}.get(exercise.hold_unit, exercise.hold_min or 0)
        assert info.hold_seconds == expected, exercise.slug


def test_every_equipment_of_an_exercise_is_drawn_as_a_prop(built):
    files, _ = built
    for slug, info in data.exercises().items():
        for variant in data.figure_variants(info):
            stem = figure_build.file_stem(slug, variant)
            for name in (f"{stem}.svg", f"{stem}-stills.svg"):
                drawn = classes(files[name])
                for equipment in info.equipment:
                    assert f"prop-{equipment}" in drawn, f"{name}: no {equipment}"


def test_every_prop_can_be_drawn(poses):
    """Each equipment slug and the extra props make a shape (a test pose per prop)."""
    base = poses["hip-replacement-2"]
    for prop in data.prop_names():
        entry = data.parse_entry(
            {
                "exercise": base.exercise,
                "view": "side",
                "base": "standing",
                "props": [prop],
                "moving": [],
                "source": "test",
                "start": {"shoulder_near": 30},
                "end": {},
            },
            "test.yaml",
            data.exercises(),
        )
        files, _ = figure_build.build({base.exercise: entry})
        assert f"prop-{prop}" in classes(files[f"{base.exercise}.svg"]), prop


def test_every_figure_is_anatomical_and_rests_on_its_support(poses):
    """Angles in range, a supporting part touching, nothing through floor, mat, bed or seat,
    in the start, middle and end poses and in every frame of the animation."""
    found = []
    for slug, variant, info, scene in scenes(poses):
        problems = checks.problems(scene, info)
        if problems:
            found.append(f"{slug} {variant}: {problems[:2]}")
    assert found == []


def test_the_angle_ranges_hold_in_every_animation_frame(poses):
    for slug, _variant, _info, scene in scenes(poses):
        for pose in [pose for _, pose in scene.keys]:
            for joint, angle in pose.items():
                low, high = data._joint_range(joint, scene.view)
                assert low - 0.01 <= angle <= high + 0.01, (slug, joint, angle)


def test_posterolateral_hip_figures_never_flex_the_hip_past_90(poses):
    posterolateral = [
        slug for slug, info in data.exercises().items() if "posterolateral" in info.applies_to
    ]
    assert len(posterolateral) == 6
    for slug in posterolateral:
        scene = Scene(poses[slug], "", data.exercises()[slug].hold_seconds)
        angles = [frame.pose["hip_near"] for frame in scene.frames + scene.key_frames]
        assert max(angles) <= 90, slug


def test_amputation_figures_have_no_lower_leg_or_foot_on_the_amputated_side(built):
    files, _ = built
    amputation = {
        slug: info for slug, info in data.exercises().items() if info.leaflet == "leg-amputation"
    }
    assert len(amputation) == 11
    count = 0
    for slug, info in amputation.items():
        variants = data.figure_variants(info)
        assert set(variants) == {v for v in ("transtibial", "transfemoral") if v in info.applies_to}
        for variant in variants:
            for name in (f"{slug}-{variant}.svg", f"{slug}-{variant}-stills.svg"):
                parts = re.findall(r'class="part ([^"]*)"', files[name])
                assert "residual thigh near" in parts or "residual shank near" in parts, name
                assert "foot near" not in parts, name
                if variant == "transfemoral":
                    assert "shank near" not in parts and "residual thigh near" in parts, name
                else:
                    assert "residual shank near" in parts and "thigh near" in parts, name
                count += 1
    assert count == 2 * (11 + 6)  # the six "a" exercises have both levels


def test_other_figures_have_both_whole_legs(built):
    files, _ = built
    parts = re.findall(r'class="part ([^"]*)"', files["hip-replacement-3.svg"])
    assert {"foot near", "foot far", "shank near", "shank far"} <= set(parts)


def test_figure_colours_meet_aa_contrast():
    from exercises.figures import props, svg

    def ratio(hex_colour):
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
        return 1.05 / (luminance + 0.05)

    assert ratio(svg.NEAR) >= 4.5
    assert ratio(svg.FAR) >= 4.5  # graphics need 3:1; the far side keeps text contrast too
    assert ratio(svg.ARROW) >= 4.5
    assert ratio(props.STROKE) >= 3 and ratio(props.FLOOR) >= 3


# The loader refuses bad pose data with a message naming the exercise and the key.

GOOD = {
    "exercise": "hip-replacement-3",
    "view": "side",
    "base": "standing",
    "props": ["chair"],
    "moving": ["hip_near"],
    "source": "Breng het geopereerde been voorwaarts omhoog.",
    "start": {"hip_near": 0},
    "end": {"hip_near": 80},
}


@pytest.mark.parametrize(
    "change, message",
    [
        ({"colour": "red"}, "hip-replacement-3: unknown key 'colour'"),
        ({"exercise": "hip-replacement-99"}, "unknown exercise slug 'hip-replacement-99'"),
        ({"props": ["trampoline"]}, "hip-replacement-3: props: unknown prop 'trampoline'"),
        ({"end": {"knee_near": -10}}, "hip-replacement-3: end: knee_near -10 is outside"),
        ({"end": {"hip_near": 140}}, "hip-replacement-3: end: hip_near 140 is outside"),
        ({"start": {"wrist_near": 10}}, "hip-replacement-3: start: unknown joint 'wrist_near'"),
        ({"view": "top"}, "hip-replacement-3: view 'top'"),
        ({"base": "hanging"}, "hip-replacement-3: base 'hanging'"),
        ({"prop_at": {"chair": "nose"}}, "hip-replacement-3: prop_at: unknown point 'nose'"),
        ({True: "step"}, "bare on: as true"),
    ],
)
def test_the_loader_rejects_bad_pose_data_naming_exercise_and_key(change, message):
    raw = {**GOOD, **change}
    with pytest.raises(data.FigureDataError) as error:
        data.parse_entry(raw, "hip_replacement.yaml", data.exercises())
    assert message in str(error.value)
    assert "hip_replacement.yaml" in str(error.value)


def test_the_loader_rejects_a_missing_key_and_a_second_entry(tmp_path):
    raw = dict(GOOD)
    del raw["end"]
    with pytest.raises(data.FigureDataError, match="hip-replacement-3: the key 'end' is missing"):
        data.parse_entry(raw, "x.yaml", data.exercises())
    import yaml

    (tmp_path / "a.yaml").write_text(yaml.safe_dump([GOOD]))
    (tmp_path / "b.yaml").write_text(yaml.safe_dump([GOOD]))
    with pytest.raises(data.FigureDataError, match="b.yaml: hip-replacement-3: a second entry"):
        data.load_poses(tmp_path)
