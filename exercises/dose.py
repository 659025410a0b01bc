"""A dose in words, as a therapist would say it to a patient.

"3 series van 10 herhalingen", "3 tellen vasthouden", "30 seconden rust tussen
de series", "2 tot 3 keer per dag". Shared by the library, the patient's plan and
the handout, so every screen phrases a dose the same way.
"""

import dataclasses

from django.utils.translation import gettext, ngettext, pgettext

from exercises.models import DOSE_FIELDS, NEXT_STAGE_KEYS, Dose, HoldUnit, Progression


@dataclasses.dataclass(frozen=True)
class NextStage:
    """The leaflet's harder variant that follows once the target comes easily,
    starting low again: which variation, its sets, and its own build-up."""

    variant: int | None  # index into the exercise's variations
    sets: int | None
    start: int
    step: int | None
    target: int
    target_max: int | None = None

    @classmethod
    def of(cls, data: dict | None) -> "NextStage | None":
        if not data:
            return None
        return cls(**{key: data.get(key) for key in NEXT_STAGE_KEYS})


@dataclasses.dataclass(frozen=True)
class DoseValues:
    """A dose as plain values, field for field the `Dose` model's.

    What a frozen revision keeps of a program item's dose, and what this
    module's functions read: a `Dose` row and a `DoseValues` answer the same
    attributes, so every screen words a dose the same way.
    """

    sets_min: int | None = None
    sets_max: int | None = None
    reps_min: int | None = None
    reps_max: int | None = None
    reps_per_side: bool = False
    hold_min: int | None = None
    hold_max: int | None = None
    hold_unit: str = ""
    rest_seconds_min: int | None = None
    rest_seconds_max: int | None = None
    duration_minutes: int | None = None
    times_per_day_min: int | None = None
    times_per_day_max: int | None = None
    days_per_week_min: int | None = None
    days_per_week_max: int | None = None
    borg_min: int | None = None
    borg_max: int | None = None
    progression: str = ""
    progression_start: int | None = None
    progression_step: int | None = None
    progression_target: int | None = None
    progression_target_max: int | None = None
    next_stage: NextStage | None = None

    @classmethod
    def of(cls, dose: Dose) -> "DoseValues":
        values = {field: getattr(dose, field) for field in DOSE_FIELDS}
        values["next_stage"] = NextStage.of(values["next_stage"])
        return cls(**values)

    @classmethod
    def from_dict(cls, data: dict) -> "DoseValues":
        return cls(**{**data, "next_stage": NextStage.of(data.get("next_stage"))})

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


DoseLike = Dose | DoseValues


def _amount(low: int, high: int | None) -> str:
    if high is None or high == low:
        return str(low)
    return pgettext("range of numbers", "%(low)s to %(high)s") % {"low": low, "high": high}


def _top(low: int, high: int | None) -> int:
    return high if high is not None else low


def _build_up(dose: DoseLike, what: Progression) -> str:
    """ ", build up to 10" for a dose not yet resolved to one week (the library, the editor)."""
    if dose.progression != what or dose.progression_target is None:
        return ""
    if dose.progression_target_max is not None:
        text = gettext("build up to %(target)s (up to %(most)s is fine too)") % {
            "target": dose.progression_target,
            "most": dose.progression_target_max,
        }
    else:
        text = gettext("build up to %(target)s") % {"target": dose.progression_target}
    if dose.progression_step:
        text = gettext("%(build_up)s, %(step)s more each week") % {
            "build_up": text,
            "step": dose.progression_step,
        }
    return text


def _sets(dose: DoseLike) -> str:
    if dose.sets_min is None:
        return ""
    return ngettext("%(amount)s set", "%(amount)s sets", _top(dose.sets_min, dose.sets_max)) % {
        "amount": _amount(dose.sets_min, dose.sets_max)
    }


def describe_sets_and_reps(dose: DoseLike) -> str:
    sets = _sets(dose)
    parts = [sets] if sets else []
    if dose.progression == Progression.REPS and dose.progression_start is not None:
        # Not yet one week's number: say where it starts and where it goes.
        start = dose.progression_start
        parts.append(
            ngettext("start with %(start)s repetition", "start with %(start)s repetitions", start)
            % {"start": start}
        )
        if build_up := _build_up(dose, Progression.REPS):
            parts.append(build_up)
    elif dose.reps_min is not None:
        reps = ngettext(
            "%(amount)s repetition", "%(amount)s repetitions", _top(dose.reps_min, dose.reps_max)
        ) % {"amount": _amount(dose.reps_min, dose.reps_max)}
        if parts:
            parts = [
                pgettext("sets of reps", "%(sets)s of %(reps)s") % {"sets": sets, "reps": reps}
            ]
        else:
            parts.append(reps)
    if not parts:
        return ""
    text = ", ".join(parts)
    if dose.reps_per_side:
        text = gettext("%(dose)s, on each side") % {"dose": text}
    return text


def describe_hold(dose: DoseLike) -> str:
    if dose.hold_unit == HoldUnit.A_FEW_SECONDS:
        return gettext("hold for a few seconds")
    if dose.hold_unit == HoldUnit.AS_LONG_AS_YOU_CAN:
        return gettext("hold as long as you can")
    low, high = dose.hold_min, dose.hold_max
    if dose.progression == Progression.HOLD and dose.progression_start is not None:
        low, high = dose.progression_start, None
    if low is None:
        return ""
    top, amount = _top(low, high), _amount(low, high)
    if dose.hold_unit == HoldUnit.COUNTS:
        text = ngettext("hold for %(amount)s count", "hold for %(amount)s counts", top) % {
            "amount": amount
        }
    else:
        text = ngettext("hold for %(amount)s second", "hold for %(amount)s seconds", top) % {
            "amount": amount
        }
    if build_up := _build_up(dose, Progression.HOLD):
        text = f"{text}, {build_up}"
    return text


def describe_rest(dose: DoseLike) -> str:
    if dose.rest_seconds_min is None:
        return ""
    top = _top(dose.rest_seconds_min, dose.rest_seconds_max)
    return ngettext(
        "%(amount)s second rest between sets", "%(amount)s seconds rest between sets", top
    ) % {"amount": _amount(dose.rest_seconds_min, dose.rest_seconds_max)}


def describe_duration(dose: DoseLike) -> str:
    minutes = dose.duration_minutes
    if dose.progression == Progression.MINUTES and dose.progression_start is not None:
        minutes = dose.progression_start
    if minutes is None:
        return ""
    text = ngettext("%(amount)s minute", "%(amount)s minutes", minutes) % {"amount": minutes}
    if build_up := _build_up(dose, Progression.MINUTES):
        text = f"{text}, {build_up}"
    return text


def describe_frequency(dose: DoseLike) -> str:
    parts = []
    if dose.times_per_day_min is not None:
        top = _top(dose.times_per_day_min, dose.times_per_day_max)
        parts.append(
            ngettext("%(amount)s time a day", "%(amount)s times a day", top)
            % {"amount": _amount(dose.times_per_day_min, dose.times_per_day_max)}
        )
    if dose.days_per_week_min is not None:
        top = _top(dose.days_per_week_min, dose.days_per_week_max)
        parts.append(
            ngettext("%(amount)s day a week", "%(amount)s days a week", top)
            % {"amount": _amount(dose.days_per_week_min, dose.days_per_week_max)}
        )
    return ", ".join(parts)


def describe_intensity(dose: DoseLike) -> str:
    if dose.borg_min is None:
        return ""
    return gettext("effort %(amount)s on the Borg scale (6-20)") % {
        "amount": _amount(dose.borg_min, dose.borg_max)
    }


def describe_dose(dose: DoseLike) -> list[str]:
    """The dose as short lines, most important first, empty parts left out."""
    lines = [
        describe_sets_and_reps(dose),
        describe_hold(dose),
        describe_rest(dose),
        describe_duration(dose),
        describe_frequency(dose),
        describe_intensity(dose),
    ]
    return [line for line in lines if line]
