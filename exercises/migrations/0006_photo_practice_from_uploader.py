# Existing photos belong to the practice of the therapist who uploaded them.
# A photo whose uploader was no practice's therapist (or is gone) keeps no
# practice and stays unapproved: nobody sees it until a site admin approves it.

from django.db import migrations


def photos_to_their_uploaders_practice(apps, schema_editor):
    ExercisePhoto = apps.get_model("exercises", "ExercisePhoto")
    Therapist = apps.get_model("programs", "Therapist")
    practice_of_user = dict(Therapist.objects.values_list("user_id", "practice_id"))
    for photo in ExercisePhoto.objects.filter(uploaded_by__isnull=False, practice__isnull=True):
        practice_id = practice_of_user.get(photo.uploaded_by_id)
        if practice_id is not None:
            photo.practice_id = practice_id
            photo.save(update_fields=["practice"])


class Migration(migrations.Migration):
    dependencies = [
        ("exercises", "0005_photo_practice_and_approval"),
        ("programs", "0001_initial"),
    ]

    operations = [
        # Going back drops the column itself (0005), so there is nothing to undo.
        migrations.RunPython(photos_to_their_uploaders_practice, migrations.RunPython.noop),
    ]
