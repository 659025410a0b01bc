"""Writes to the exercise library."""

from django.contrib.auth.models import User
from django.db import transaction

from exercises.models import Exercise, ExercisePhoto
from exercises.photos import PreparedPhoto


@transaction.atomic
def exercise_photo_add(
    *,
    exercise: Exercise,
    photo: PreparedPhoto,
    alt_text: str,
    uploaded_by: User,
    practice_id: int,
) -> ExercisePhoto:
    """A therapist's photo, seen by their own practice until a site admin approves
    it for every practice (see ExercisePhoto)."""
    next_order = exercise.photos.count()
    exercise_photo = ExercisePhoto(
        exercise=exercise,
        alt_text=alt_text,
        order=next_order,
        uploaded_by=uploaded_by,
        practice_id=practice_id,
        width=photo.width,
        height=photo.height,
    )
    exercise_photo.image.save(photo.web.name, photo.web, save=False)
    exercise_photo.thumbnail.save(photo.thumbnail.name, photo.thumbnail, save=False)
    exercise_photo.full_clean()
    exercise_photo.save()
    return exercise_photo
