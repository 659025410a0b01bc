# The old start/target (and weekly step) fields, now copied into the build-up.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("exercises", "0003_copy_repetitions_into_build_up")]

    operations = [
        migrations.RemoveField(
            model_name='exercise',
            name='reps_start',
        ),
        migrations.RemoveField(
            model_name='exercise',
            name='reps_target',
        ),
    ]
