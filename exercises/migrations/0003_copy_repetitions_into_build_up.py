# Data only, on its own: PostgreSQL refuses to alter a table in the transaction
# that has just updated its rows.

from django.db import migrations


def copy_into_build_up(apps, schema_editor):
    """A start and a target of repetitions become a build-up of repetitions."""
    Exercise = apps.get_model("exercises", "Exercise")
    for exercise in Exercise.objects.exclude(reps_start=None, reps_target=None):
        exercise.progression = "reps"
        exercise.progression_start = exercise.reps_start or exercise.reps_min
        exercise.progression_target = exercise.reps_target or exercise.reps_max
        exercise.save(update_fields=["progression", "progression_start", "progression_target"])


class Migration(migrations.Migration):
    dependencies = [("exercises", "0002_dose_build_up_and_weekly_targets")]

    operations = [
        migrations.RunPython(copy_into_build_up, migrations.RunPython.noop),
    ]
