"""The frozen content of a published revision: everything the patient and the
handout show, copied so later edits to the library or the draft change nothing."""

from exercises.models import DOSE_FIELDS
from programs.models import Program, ProgramItem


def program_snapshot(*, program: Program) -> dict:
    items = program.items.select_related("exercise__leaflet")
    protocol = program.protocol
    return {
        "protocol": {"slug": protocol.slug, "name": protocol.name, "name_en": protocol.name_en},
        "variant": {
            "slug": program.variant.slug,
            "name": program.variant.name,
            "name_en": program.variant.name_en,
        },
        "start_date": program.start_date.isoformat(),
        "weeks": program.weeks,
        "affected_side": program.affected_side,
        "rules": protocol.rules,
        "precautions": protocol.precautions,
        "items": [_item_snapshot(item) for item in items.order_by("order", "pk")],
    }


def _item_snapshot(item: ProgramItem) -> dict:
    exercise = item.exercise
    return {
        # The draft item's id: ticks refer to it, and it survives later drafts.
        "id": item.pk,
        "exercise": {
            "slug": exercise.slug,
            "title": exercise.title,
            "position": exercise.position,
            "steps": exercise.steps,
            "variants": exercise.variants,
            "attention_points": exercise.attention_points,
            "cautions": exercise.cautions,
            "dose_source": exercise.dose_source,
            "source": exercise.leaflet.source_line,
        },
        "dose": {field: getattr(item, field) for field in DOSE_FIELDS},
        "days": item.days,
        "reps_step_per_week": item.reps_step_per_week,
        "note": item.note,
    }
