# A dose that builds up (start, weekly step, target, next stage); weekly targets;
# holds without a number; equipment that only a gym has; steps per variant.

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('exercises', '0001_initial'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='exercise',
            name='exercise_reps_start_le_reps_target',
        ),
        migrations.AddField(
            model_name='equipment',
            name='gym_only',
            field=models.BooleanField(default=False, verbose_name='only in a gym or practice'),
        ),
        migrations.AddField(
            model_name='exercise',
            name='dose_note',
            field=models.TextField(blank=True, verbose_name='what the app chose where the leaflet is open'),
        ),
        migrations.AddField(
            model_name='exercise',
            name='next_stage',
            field=models.JSONField(blank=True, default=None, null=True, verbose_name='next stage'),
        ),
        migrations.AddField(
            model_name='exercise',
            name='progression',
            field=models.CharField(blank=True, choices=[('', 'nothing: the same every week'), ('reps', 'repetitions'), ('hold', 'hold'), ('minutes', 'minutes')], max_length=10, verbose_name='builds up'),
        ),
        migrations.AddField(
            model_name='exercise',
            name='progression_start',
            field=models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(600)], verbose_name='start (week 1)'),
        ),
        migrations.AddField(
            model_name='exercise',
            name='progression_step',
            field=models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(600)], verbose_name='more each week'),
        ),
        migrations.AddField(
            model_name='exercise',
            name='progression_target',
            field=models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(600)], verbose_name='target'),
        ),
        migrations.AddField(
            model_name='exercise',
            name='progression_target_max',
            field=models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(600)], verbose_name='target, up to'),
        ),
        migrations.AddField(
            model_name='exercise',
            name='steps_by_variant',
            field=models.JSONField(blank=True, default=dict, verbose_name='steps adapted per variant'),
        ),
        migrations.AlterField(
            model_name='exercise',
            name='hold_unit',
            field=models.CharField(blank=True, choices=[('seconds', 'seconds'), ('counts', 'counts'), ('few_seconds', 'a few seconds'), ('as_long', 'as long as you can')], max_length=12, verbose_name='hold unit'),
        ),
        migrations.AddConstraint(
            model_name='exercise',
            constraint=models.CheckConstraint(condition=models.Q(('progression_target__isnull', True), ('progression_start__isnull', True), ('progression_target__gte', models.F('progression_start')), _connector='OR'), name='exercise_progression_start_le_progression_target'),
        ),
        migrations.AddConstraint(
            model_name='exercise',
            constraint=models.CheckConstraint(condition=models.Q(('progression_target_max__isnull', True), ('progression_target__isnull', True), ('progression_target_max__gte', models.F('progression_target')), _connector='OR'), name='exercise_progression_target_le_progression_target_max'),
        ),
    ]
