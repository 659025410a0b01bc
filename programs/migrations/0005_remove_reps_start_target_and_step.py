# The old start/target (and weekly step) fields, now copied into the build-up.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("programs", "0004_copy_repetitions_into_build_up")]

    operations = [
        migrations.RemoveField(
            model_name='programitem',
            name='reps_start',
        ),
        migrations.RemoveField(
            model_name='programitem',
            name='reps_step_per_week',
        ),
        migrations.RemoveField(
            model_name='programitem',
            name='reps_target',
        ),
    ]
