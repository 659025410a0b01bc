"""Warnings on a program item: a conflict with the variant, or a dose outside
the leaflet's range. The therapist may keep the item; the editor records that.
"""

from django.utils.translation import gettext as _

from exercises.models import Dose, DoseSource, Exercise, ProtocolVariant

# (dose field, upper-bound field of the leaflet's range, label) for the checks.
_CHECKED = (
    ("sets_min", ("sets_min", "sets_max"), "sets"),
    ("reps_min", ("reps_min", "reps_max", "reps_target"), "reps"),
    ("hold_min", ("hold_min", "hold_max"), "hold"),
    ("times_per_day_min", ("times_per_day_min", "times_per_day_max"), "times_per_day"),
)


def _leaflet_range(exercise: Exercise, fields: tuple[str, ...]) -> tuple[int, int] | None:
    values = [getattr(exercise, field) for field in fields if getattr(exercise, field) is not None]
    if exercise.reps_start is not None and fields[0] == "reps_min":
        values.append(exercise.reps_start)
    return (min(values), max(values)) if values else None


def _label(name: str) -> str:
    return {
        "sets": _("Sets"),
        "reps": _("Repetitions"),
        "hold": _("Hold"),
        "times_per_day": _("Times per day"),
    }[name]


def dose_warnings(dose: Dose, exercise: Exercise) -> list[str]:
    if exercise.dose_source != DoseSource.LEAFLET:
        return []
    warnings = []
    for field, range_fields, label in _CHECKED:
        value_fields = (field, field.replace("_min", "_max"))
        values = [getattr(dose, name) for name in value_fields if getattr(dose, name) is not None]
        if field == "reps_min":
            values += [v for v in (dose.reps_start, dose.reps_target) if v is not None]
        allowed = _leaflet_range(exercise, range_fields)
        if not values or allowed is None:
            continue
        if min(values) < allowed[0] or max(values) > allowed[1]:
            low, high = allowed
            warnings.append(
                _("%(label)s outside the leaflet's range (%(range)s).")
                % {"label": _label(label), "range": f"{low}-{high}" if low != high else low}
            )
    return warnings


def variant_warning(exercise: Exercise, variant: ProtocolVariant) -> str:
    applies_to = {item.pk for item in exercise.applies_to.all()}
    if variant.pk in applies_to:
        return ""
    return _("This exercise is not meant for %(variant)s.") % {"variant": variant.display_name}


def item_warnings(*, dose: Dose, exercise: Exercise, variant: ProtocolVariant) -> list[str]:
    warning = variant_warning(exercise, variant)
    return ([warning] if warning else []) + dose_warnings(dose, exercise)
