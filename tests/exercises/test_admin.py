"""The admin edits an exercise's texts as lines, not as raw JSON."""

from exercises.admin import ExerciseAdminForm
from exercises.models import Exercise


def test_exercise_texts_are_edited_one_per_line(admin_client, library):
    exercise = Exercise.objects.get(slug="back-1")
    page = admin_client.get(f"/admin/exercises/exercise/{exercise.pk}/change/").content.decode()
    assert exercise.steps[0] in page
    assert "[&quot;" not in page  # no JSON syntax to get wrong

    form = ExerciseAdminForm(instance=exercise)
    data = {name: form[name].value() for name in form.fields}
    data["steps"] = "  Eerste stap.\n\nTweede stap.  \n"
    data["variants"] = "Met een opgeheven been.\n+ Met één been.\n- Met steun van de muur."
    data["attention_points"] = ""
    data["equipment"] = [e.pk for e in exercise.equipment.all()]
    data["applies_to"] = [v.pk for v in exercise.applies_to.all()]
    bound = ExerciseAdminForm(data, instance=exercise)
    assert bound.is_valid(), bound.errors
    bound.save()
    exercise.refresh_from_db()
    assert exercise.steps == ["Eerste stap.", "Tweede stap."]
    assert exercise.variants == [
        {"kind": "variant", "text": "Met een opgeheven been."},
        {"kind": "harder", "text": "Met één been."},
        {"kind": "easier", "text": "Met steun van de muur."},
    ]
    # Shown again, every kind keeps its prefix, so saving unchanged loses nothing.
    assert ExerciseAdminForm(instance=exercise)["variants"].value() == (
        "Met een opgeheven been.\n+ Met één been.\n- Met steun van de muur."
    )
    assert exercise.attention_points == []


def test_an_exercise_needs_at_least_one_step(library):
    exercise = Exercise.objects.get(slug="back-1")
    form = ExerciseAdminForm(instance=exercise)
    data = {name: form[name].value() for name in form.fields}
    data.update(steps="  \n ", equipment=[], applies_to=[])
    assert "steps" in ExerciseAdminForm(data, instance=exercise).errors
