# Build-up and weekly targets on program items; the practice's pain rule; one
# training type per session for the protocols whose guideline asks it.

import django.core.validators
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('exercises', '0002_dose_build_up_and_weekly_targets'),
        ('programs', '0002_patient_links_and_ticks'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='programitem',
            name='program_item_reps_start_le_reps_target',
        ),
        migrations.AddField(
            model_name='practice',
            name='pain_limit',
            field=models.PositiveSmallIntegerField(default=5, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(9)], verbose_name='highest acceptable pain (0-10)'),
        ),
        migrations.AddField(
            model_name='practice',
            name='pain_rule_source',
            field=models.CharField(default='Pijnmonitoringsmodel (Thomeé 1997), zoals gebruikt in o.a. GLA:D: pijn tot 5 op 10 tijdens het oefenen is aanvaardbaar als die de volgende ochtend weer gezakt is.', max_length=300, verbose_name='source of the pain rule'),
        ),
        migrations.AddField(
            model_name='programitem',
            name='next_stage',
            field=models.JSONField(blank=True, default=None, null=True, verbose_name='next stage'),
        ),
        migrations.AddField(
            model_name='programitem',
            name='progression',
            field=models.CharField(blank=True, choices=[('', 'nothing: the same every week'), ('reps', 'repetitions'), ('hold', 'hold'), ('minutes', 'minutes')], max_length=10, verbose_name='builds up'),
        ),
        migrations.AddField(
            model_name='programitem',
            name='progression_start',
            field=models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(600)], verbose_name='start (week 1)'),
        ),
        migrations.AddField(
            model_name='programitem',
            name='progression_step',
            field=models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(600)], verbose_name='more each week'),
        ),
        migrations.AddField(
            model_name='programitem',
            name='progression_target',
            field=models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(600)], verbose_name='target'),
        ),
        migrations.AddField(
            model_name='programitem',
            name='progression_target_max',
            field=models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(600)], verbose_name='target, up to'),
        ),
        migrations.AddField(
            model_name='protocol',
            name='one_type_per_session',
            field=models.BooleanField(default=False, verbose_name='one training type per session'),
        ),
        migrations.AlterField(
            model_name='programitem',
            name='days',
            field=models.CharField(blank=True, default='', max_length=7, verbose_name='days of the week'),
        ),
        migrations.AlterField(
            model_name='programitem',
            name='hold_unit',
            field=models.CharField(blank=True, choices=[('seconds', 'seconds'), ('counts', 'counts'), ('few_seconds', 'a few seconds'), ('as_long', 'as long as you can')], max_length=12, verbose_name='hold unit'),
        ),
        migrations.AddConstraint(
            model_name='programitem',
            constraint=models.CheckConstraint(condition=models.Q(('progression_target__isnull', True), ('progression_start__isnull', True), ('progression_target__gte', models.F('progression_start')), _connector='OR'), name='program_item_progression_start_le_progression_target'),
        ),
        migrations.AddConstraint(
            model_name='programitem',
            constraint=models.CheckConstraint(condition=models.Q(('progression_target_max__isnull', True), ('progression_target__isnull', True), ('progression_target_max__gte', models.F('progression_target')), _connector='OR'), name='program_item_progression_target_le_progression_target_max'),
        ),
    ]
