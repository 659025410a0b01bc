"""The frozen content of a published revision, typed.

Publishing copies everything the patient and the handout show (the protocol's
rules, each exercise's leaflet text, each item's dose and days) into a
`Snapshot`, so later edits to the library or the draft change nothing already
published. A revision stores it as JSON (`ProgramRevision.snapshot`); every
reader goes through `Snapshot.from_json`, which first upgrades an older format,
so the phone plan, the week view, the therapist's figures and the handout read
one typed shape and never a dict by string keys.

Formats (`version` in the JSON):
1. The first shape, stored without a version key. Items made before ticks
   existed may lack their `id`; they are numbered 1..n as the plan numbered
   them. Missing notes, steps per week and dose fields read as empty.
2. The same fields, every one present, with `"version": 2`.
3. A dose builds up (`progression`, its start, weekly step, target and
   `next_stage`, whose text the item carries); the old `reps_start`,
   `reps_target` and the item's `reps_step_per_week` become a build-up of
   repetitions. `days` may be empty: any days that meet the weekly target.
   Exercises carry their `category` and whether their steps were adapted for
   the program's variant; the snapshot whether the protocol asks for one
   training type per session. Version-2 items keep their fixed days.
4. Items carry the warnings the therapist kept on purpose and why
   (`kept_warnings`, `kept_reason`): the plan and the handout show the choice.

A new format adds its number to `FORMATS` with an upgrade from the one before;
`from_json` runs the chain, so every revision ever published still opens.
"""

import dataclasses
import datetime
from collections.abc import Callable

from django.utils.translation import get_language

from exercises.dose import DoseValues
from exercises.models import DoseSource, Position, VariationKind, pictogram_path

CURRENT_VERSION = 4


@dataclasses.dataclass(frozen=True)
class Named:
    """The protocol or variant as published, in both languages."""

    slug: str
    name: str
    name_en: str

    @property
    def display_name(self) -> str:
        english = (get_language() or "nl").startswith("en")
        return self.name_en if english and self.name_en else self.name

    def __str__(self) -> str:
        return self.display_name


@dataclasses.dataclass(frozen=True)
class Rule:
    """A line of the protocol's rules or precautions: the leaflet's, or the app's own."""

    text: str
    from_leaflet: bool


@dataclasses.dataclass(frozen=True)
class Variation:
    kind: str
    text: str

    @property
    def label(self) -> str:
        """ "Easier" or "Harder"; a plain variation needs no label."""
        if self.kind == VariationKind.VARIANT or self.kind not in VariationKind.values:
            return ""
        return str(VariationKind(self.kind).label)


@dataclasses.dataclass(frozen=True)
class ExerciseText:
    """An exercise's leaflet text as it was when the revision was published."""

    slug: str
    title: str
    position: str
    steps: tuple[str, ...]
    variants: tuple[Variation, ...]
    attention_points: tuple[str, ...]
    cautions: tuple[str, ...]
    dose_source: str
    source: str
    category: str  # strength, aerobic...: rest days and sessions depend on it
    steps_adapted: bool  # the steps were adapted from the leaflet for this variant

    @property
    def pictogram(self) -> str:
        return pictogram_path(self.position)

    @property
    def position_label(self) -> str:
        return str(Position(self.position).label) if self.position in Position.values else ""

    @property
    def dose_is_default(self) -> bool:
        """The leaflet gives no dose: the dose is the app's (or the practice's) choice."""
        return self.dose_source == DoseSource.DEFAULT


@dataclasses.dataclass(frozen=True)
class SnapshotItem:
    # The draft item's database id: ticks refer to it, and it is unique across
    # programs, so a tick names its exercise without naming the program.
    id: int
    exercise: ExerciseText
    dose: DoseValues
    # Weekdays as digits, Monday = 1 ("135" = Mon, Wed, Fri); empty: any days
    # that meet the dose's weekly target (every day when it has none).
    days: str
    note: str
    next_stage_text: str  # the leaflet's harder variant, when the dose has a next stage
    kept_warnings: tuple[str, ...] = ()  # kept on purpose by the therapist...
    kept_reason: str = ""  # ...for this reason


def shifted_date(day: datetime.date, days: int) -> datetime.date:
    """`day` moved by `days`, held at the calendar's ends (1 January of year 1, 31
    December 9999). Forms keep start dates near today, but a date stored before
    they did must still give a page, not an OverflowError."""
    try:
        return day + datetime.timedelta(days=days)
    except OverflowError:
        return datetime.date.max if days > 0 else datetime.date.min


@dataclasses.dataclass(frozen=True)
class Snapshot:
    protocol: Named
    variant: Named
    start_date: datetime.date
    weeks: int
    affected_side: str
    rules: tuple[Rule, ...]
    precautions: tuple[Rule, ...]
    items: tuple[SnapshotItem, ...]
    one_type_per_session: bool = False

    @property
    def end_date(self) -> datetime.date:
        return shifted_date(self.start_date, 7 * self.weeks - 1)

    @property
    def precautions_all_from_practice(self) -> bool:
        """Every precaution is the practice's own: say so once, not on each line."""
        return bool(self.precautions) and not any(rule.from_leaflet for rule in self.precautions)

    @property
    def sources(self) -> list[str]:
        """The leaflets the exercises come from, each once, in program order."""
        return list(dict.fromkeys(item.exercise.source for item in self.items))

    @classmethod
    def from_json(cls, data: dict) -> "Snapshot":
        data = upgrade(data)
        return cls(
            protocol=Named(**data["protocol"]),
            variant=Named(**data["variant"]),
            start_date=datetime.date.fromisoformat(data["start_date"]),
            weeks=data["weeks"],
            affected_side=data["affected_side"],
            rules=tuple(Rule(**rule) for rule in data["rules"]),
            precautions=tuple(Rule(**rule) for rule in data["precautions"]),
            items=tuple(_item_from_json(item) for item in data["items"]),
            one_type_per_session=data["one_type_per_session"],
        )

    def to_json(self) -> dict:
        data = dataclasses.asdict(self)  # tuples stay tuples; JSONField writes them as lists
        data["start_date"] = self.start_date.isoformat()
        return {"version": CURRENT_VERSION, **_lists(data)}


@dataclasses.dataclass(frozen=True)
class SnapshotChanges:
    """What the draft changes against the published revision, as the therapist reads it."""

    added: tuple[str, ...] = ()  # exercise titles
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()  # dose, days or note
    reordered: bool = False
    rescheduled: bool = False  # start date or length
    first: bool = False  # nothing published yet

    @property
    def count(self) -> int:
        return (
            len(self.added)
            + len(self.removed)
            + len(self.changed)
            + self.reordered
            + self.rescheduled
        )


def changes_between(published: "Snapshot | None", draft: "Snapshot") -> SnapshotChanges:
    if published is None:
        return SnapshotChanges(added=tuple(i.exercise.title for i in draft.items), first=True)
    old = {item.id: item for item in published.items}
    new = {item.id: item for item in draft.items}

    def what(item: SnapshotItem) -> tuple:
        return (item.dose, item.days, item.note, item.kept_warnings, item.kept_reason)

    kept_order = [item_id for item_id in new if item_id in old]
    return SnapshotChanges(
        added=tuple(item.exercise.title for item_id, item in new.items() if item_id not in old),
        removed=tuple(item.exercise.title for item_id, item in old.items() if item_id not in new),
        changed=tuple(
            item.exercise.title
            for item_id, item in new.items()
            if item_id in old and what(item) != what(old[item_id])
        ),
        reordered=kept_order != [item_id for item_id in old if item_id in new],
        rescheduled=(published.start_date, published.weeks) != (draft.start_date, draft.weeks),
    )


def _item_from_json(item: dict) -> SnapshotItem:
    exercise = item["exercise"]
    return SnapshotItem(
        id=item["id"],
        exercise=ExerciseText(
            slug=exercise["slug"],
            title=exercise["title"],
            position=exercise["position"],
            steps=tuple(exercise["steps"]),
            variants=tuple(Variation(**variation) for variation in exercise["variants"]),
            attention_points=tuple(exercise["attention_points"]),
            cautions=tuple(exercise["cautions"]),
            dose_source=exercise["dose_source"],
            source=exercise["source"],
            category=exercise["category"],
            steps_adapted=exercise["steps_adapted"],
        ),
        dose=DoseValues.from_dict(item["dose"]),
        days=item["days"],
        note=item["note"],
        next_stage_text=item["next_stage_text"],
        kept_warnings=tuple(item["kept_warnings"]),
        kept_reason=item["kept_reason"],
    )


def _lists(value):
    """JSON has lists, not tuples: the stored document reads the same either way,
    and a snapshot compares equal to itself after a round trip through the database."""
    if isinstance(value, dict):
        return {key: _lists(each) for key, each in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(each) for each in value]
    return value


# Upgrades, oldest first: each takes the JSON of its version and returns the next's.


# The dose as version 2 stored it (and version 1 at its fullest).
_V2_DOSE = {
    **dict.fromkeys(
        [
            "sets_min",
            "sets_max",
            "reps_min",
            "reps_max",
            "reps_start",
            "reps_target",
            "hold_min",
            "hold_max",
            "rest_seconds_min",
            "rest_seconds_max",
            "duration_minutes",
            "times_per_day_min",
            "times_per_day_max",
            "days_per_week_min",
            "days_per_week_max",
            "borg_min",
            "borg_max",
        ]
    ),
    "reps_per_side": False,
    "hold_unit": "",
}


def _upgrade_1_to_2(data: dict) -> dict:
    dose_defaults = _V2_DOSE
    items = []
    for number, item in enumerate(data["items"], start=1):
        exercise = item["exercise"]
        items.append(
            {
                "id": item.get("id", number),
                "exercise": {
                    **exercise,
                    "variants": [
                        {**variation, "kind": variation.get("kind") or VariationKind.VARIANT.value}
                        for variation in exercise.get("variants", [])
                    ],
                    "attention_points": exercise.get("attention_points", []),
                    "cautions": exercise.get("cautions", []),
                    "dose_source": exercise.get("dose_source", DoseSource.LEAFLET.value),
                    "source": exercise.get("source", ""),
                },
                "dose": {**dose_defaults, **item.get("dose", {})},
                "days": item.get("days", "1234567"),
                "reps_step_per_week": item.get("reps_step_per_week"),
                "note": item.get("note", ""),
            }
        )
    return {
        **data,
        "version": 2,
        "affected_side": data.get("affected_side", ""),
        "rules": data.get("rules", []),
        "precautions": data.get("precautions", []),
        "items": items,
    }


def _build_up_of(dose: dict, step: int | None) -> dict:
    """A version-2 dose in version 3: a start and a target of repetitions (or a
    weekly step over a range) become a build-up of repetitions that reads as
    before: with a step it grows week by week, without one it stays as written."""
    dose = dict(dose)
    start, target = dose.pop("reps_start"), dose.pop("reps_target")
    build_up = {
        "progression": "",
        "progression_start": None,
        "progression_step": None,
        "progression_target": None,
        "progression_target_max": None,
        "next_stage": None,
    }
    if step and (low := start or dose["reps_min"]) is not None:
        # It grew week by week, replacing the repetitions with the week's number.
        high = target or dose["reps_max"]
        build_up.update(
            progression="reps",
            progression_start=low,
            progression_step=step,
            progression_target=high if high is not None else low,
        )
        dose["reps_min"] = dose["reps_max"] = None
    elif start is not None and dose["reps_min"] is None:
        # "Start with 5 repetitions, build up to 10", the same every week.
        build_up.update(progression="reps", progression_start=start, progression_target=target)
    # Otherwise the plan read the repetitions and ignored the start and target.
    return {**dose, **build_up}


def _upgrade_2_to_3(data: dict) -> dict:
    items = [
        {
            "id": item["id"],
            "exercise": {**item["exercise"], "category": "", "steps_adapted": False},
            "dose": _build_up_of(item["dose"], item["reps_step_per_week"]),
            "days": item["days"],
            "note": item["note"],
            "next_stage_text": "",
        }
        for item in data["items"]
    ]
    return {**data, "version": 3, "items": items, "one_type_per_session": False}


def _upgrade_3_to_4(data: dict) -> dict:
    items = [{**item, "kept_warnings": [], "kept_reason": ""} for item in data["items"]]
    return {**data, "version": 4, "items": items}


UPGRADES: dict[int, Callable[[dict], dict]] = {
    1: _upgrade_1_to_2,
    2: _upgrade_2_to_3,
    3: _upgrade_3_to_4,
}


class UnknownSnapshotVersion(ValueError):
    pass


def upgrade(data: dict) -> dict:
    """The snapshot's JSON in the current format, whatever format it was stored in."""
    version = data.get("version", 1)
    while version < CURRENT_VERSION:
        data = UPGRADES[version](data)
        version = data["version"]
    if version != CURRENT_VERSION:
        raise UnknownSnapshotVersion(f"snapshot version {version} is newer than this code")
    return {key: value for key, value in data.items() if key != "version"}


def snapshot_without_notes(raw: dict) -> dict:
    """The stored snapshot (in whatever version it was written) with the
    therapist's notes to the patient emptied: what the retention period removes
    from a published revision. Everything else stays as it was published."""
    return {
        **raw,
        "items": [{**item, "note": ""} if "note" in item else item for item in raw["items"]],
    }
