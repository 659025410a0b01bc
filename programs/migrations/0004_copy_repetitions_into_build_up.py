# Data only, on its own: PostgreSQL refuses to alter a table in the transaction
# that has just updated its rows.

from django.db import migrations


def copy_into_build_up(apps, schema_editor):
    """Draft items keep what they asked: a start and a target of repetitions, or a
    weekly step over a range, become a build-up of repetitions. Their fixed days
    stay fixed (every day before weekly targets existed)."""
    ProgramItem = apps.get_model("programs", "ProgramItem")
    changed = ProgramItem.objects.exclude(
        reps_start=None, reps_target=None, reps_step_per_week=None
    )
    for item in changed:
        low = item.reps_start or item.reps_min
        high = item.reps_target or item.reps_max
        if low is None:
            continue
        item.progression, item.progression_start = "reps", low
        item.progression_target = high if high is not None else low
        item.progression_step = item.reps_step_per_week
        if item.reps_step_per_week:
            # The old plan replaced the repetitions with the week's number.
            item.reps_min = item.reps_max = None
        item.save()


class Migration(migrations.Migration):
    dependencies = [("programs", "0003_dose_build_up_and_weekly_targets")]

    operations = [
        migrations.RunPython(copy_into_build_up, migrations.RunPython.noop),
    ]
