"""Warnings on a program item: a conflict with the variant, or a dose outside
the leaflet's range. The therapist may keep the item; the editor records that.
"""

from django.utils.translation import gettext as _

from exercises.models import Dose, DoseSource, Exercise, Progression, ProtocolVariant

# The fields of each checked part of a dose. An item's values must all fall in
# the range the leaflet's own values for the same fields span (a build-up's
# start and target count as the quantity that builds up).
_CHECKED = (
    ("sets", ("sets_min", "sets_max"), None),
    ("reps", ("reps_min", "reps_max"), Progression.REPS),
    ("hold", ("hold_min", "hold_max"), Progression.HOLD),
    ("times_per_day", ("times_per_day_min", "times_per_day_max"), None),
    ("days_per_week", ("days_per_week_min", "days_per_week_max"), None),
)
_BUILD_UP = ("progression_start", "progression_target", "progression_target_max")


def _values(dose: Dose, fields: tuple[str, ...], grows: str | None) -> list[int]:
    if grows and dose.progression == grows:
        fields = fields + _BUILD_UP
    return [getattr(dose, field) for field in fields if getattr(dose, field) is not None]


def _label(name: str) -> str:
    return {
        "sets": _("Sets"),
        "reps": _("Repetitions"),
        "hold": _("Hold"),
        "times_per_day": _("Times per day"),
        "days_per_week": _("Days per week"),
    }[name]


def dose_warnings(dose: Dose, exercise: Exercise) -> list[str]:
    if exercise.dose_source != DoseSource.LEAFLET:
        return []
    warnings = []
    for label, fields, grows in _CHECKED:
        values, leaflet_values = _values(dose, fields, grows), _values(exercise, fields, grows)
        if not values or not leaflet_values:
            continue
        low, high = min(leaflet_values), max(leaflet_values)
        if min(values) < low or max(values) > high:
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
