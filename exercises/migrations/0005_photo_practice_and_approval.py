# Photos get an owner: the practice that uploaded them, or approval for all.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('exercises', '0004_remove_reps_start_and_target'),
        ('programs', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='exercisephoto',
            name='approved_for_all',
            field=models.BooleanField(default=False, help_text='Only a site administrator approves a photo for every practice.', verbose_name='approved for every practice'),
        ),
        migrations.AddField(
            model_name='exercisephoto',
            name='practice',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='exercise_photos', to='programs.practice', verbose_name='practice'),
        ),
    ]
