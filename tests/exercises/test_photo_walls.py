"""Photos belong to a practice: another practice never sees one that a site admin
has not approved for all, not in the library, on the exercise page, in the
editor's preview, on the patient's phone or in the handout."""

import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from exercises import library_version
from exercises.models import Exercise, ExercisePhoto
from programs.handout import ticks
from programs.links import link_token, patient_link_create
from tests.factories import (
    PASSWORD,
    make_practice,
    make_program,
    make_therapist,
    publish,
    sign_in,
)


def _jpeg(color: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 90), color).save(buffer, "JPEG")
    return buffer.getvalue()


def _client_of(user) -> Client:
    client = Client()
    sign_in(client, user)
    return client


def _upload(client: Client, exercise: Exercise, name: str = "oefening.jpg") -> ExercisePhoto:
    photo = SimpleUploadedFile(name, _jpeg(), content_type="image/jpeg")
    response = client.post(exercise.get_absolute_url(), {"photo": photo, "alt_text": "Foto"})
    assert response.status_code == 302
    return ExercisePhoto.objects.latest("pk")


@pytest.fixture
def noord(library):
    return make_practice("Fysio Noord")


@pytest.fixture
def zuid(library):
    return make_practice("Fysio Zuid")


@pytest.fixture
def tess(noord):
    """A therapist of Fysio Noord."""
    return make_therapist(noord, "tess")


@pytest.fixture
def bram(zuid):
    """A therapist of Fysio Zuid."""
    return make_therapist(zuid, "bram")


@pytest.fixture
def exercise(library) -> Exercise:
    return Exercise.objects.get(slug="back-1")


def _library_html(client: Client, exercise: Exercise) -> str:
    response = client.get(reverse("exercises:library"), {"q": exercise.title})
    assert response.status_code == 200
    assert exercise.get_absolute_url() in response.content.decode()
    return response.content.decode()


def _detail_html(client: Client, exercise: Exercise) -> str:
    response = client.get(exercise.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_a_practice_sees_its_own_photo_and_another_practice_does_not(tess, bram, exercise):
    photo = _upload(_client_of(tess), exercise)
    assert photo.practice == tess.therapist.practice and not photo.approved_for_all

    own = _client_of(tess)
    assert photo.thumbnail.url in _library_html(own, exercise)
    assert photo.image.url in _detail_html(own, exercise)

    other = _client_of(bram)
    assert photo.thumbnail.url not in _library_html(other, exercise)
    detail = _detail_html(other, exercise)
    assert photo.image.url not in detail
    assert f"exercises/figures/{exercise.slug}" in detail  # as if there were no photo at all


def test_an_approved_photo_is_seen_by_every_practice_and_every_user(
    tess, bram, exercise, django_user_model
):
    photo = _upload(_client_of(tess), exercise)
    photo.approved_for_all = True
    photo.save()
    nobody = django_user_model.objects.create_user("gast", password=PASSWORD)
    for user in (tess, bram, nobody):
        client = _client_of(user)
        assert photo.thumbnail.url in _library_html(client, exercise)
        assert photo.image.url in _detail_html(client, exercise)


def test_a_photo_of_no_practice_is_seen_by_nobody_until_approved(tess, bram, exercise):
    """What the data migration leaves for a photo whose uploader had no practice."""
    photo = _upload(_client_of(tess), exercise)
    photo.practice = None
    photo.save()
    for user in (tess, bram):
        assert photo.image.url not in _detail_html(_client_of(user), exercise)


def test_a_user_of_no_practice_gets_no_upload_form_and_a_post_is_a_404(exercise, django_user_model):
    user = django_user_model.objects.create_user("gast", password=PASSWORD)
    client = _client_of(user)
    page = _detail_html(client, exercise)
    assert 'enctype="multipart/form-data"' not in page and 'name="photo"' not in page

    photo = SimpleUploadedFile("oefening.jpg", _jpeg(), content_type="image/jpeg")
    response = client.post(exercise.get_absolute_url(), {"photo": photo, "alt_text": "Foto"})
    assert response.status_code == 404
    assert not ExercisePhoto.objects.exists()


def test_a_therapist_gets_the_upload_form(tess, exercise):
    page = _detail_html(_client_of(tess), exercise)
    assert 'enctype="multipart/form-data"' in page and 'name="photo"' in page
    assert "De therapeuten en patiënten van uw praktijk zien de foto's" in page


def test_stored_file_names_say_nothing_and_cannot_be_guessed(tess, exercise):
    client = _client_of(tess)
    first = _upload(client, exercise, name="anna-de-vries-knie.jpg")
    second = _upload(client, exercise, name="anna-de-vries-knie.jpg")
    names = [first.image.name, first.thumbnail.name, second.image.name, second.thumbnail.name]
    for name in names:
        assert re.fullmatch(r"exercises/photos/[0-9a-f]{32}\.jpg", name), name
    assert len(set(names)) == 4


# The patient's side: the phone plan, the therapist's preview of it, the handout.


def _program_with_link(therapist):
    """A published program starting today, and a phone that opened its link."""
    program = make_program(therapist, start_date=timezone.localdate())
    publish(program, therapist)
    link = patient_link_create(patient=program.patient, user=therapist)
    phone = Client()
    assert phone.get(f"/p/{link_token(link)}/").status_code == 302
    return program, phone


def _first_planned_exercise(phone: Client) -> Exercise:
    """The first exercise on today's plan (its card is the first one on the page)."""
    html = phone.get("/plan/").content.decode()
    titles = Exercise.objects.values_list("title", flat=True)
    first = min((html.index(title), title) for title in titles if title in html)
    return Exercise.objects.get(title=first[1])


def _patient_pages(program, phone: Client, therapist) -> dict[str, str]:
    therapist_client = _client_of(therapist)
    return {
        "plan": phone.get("/plan/").content.decode(),
        "step": phone.get(reverse("plan:step"), {"sessie": 1, "nr": 1}).content.decode(),
        "preview": therapist_client.get(
            reverse("therapist:program_preview", args=[program.pk])
        ).content.decode(),
        "handout": therapist_client.get(
            reverse("therapist:handout_print", args=[program.pk])
        ).content.decode(),
    }


def _pictures_in_handout_pdf(program, therapist) -> set[tuple[int, int]]:
    """The sizes of the raster pictures the PDF embeds (its drawings are vectors),
    but for the tick grid's own, as wide as its seven day columns."""
    response = _client_of(therapist).get(reverse("therapist:handout_pdf", args=[program.pk]))
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    grid_width = 7 * ticks.DAY_WIDTH / 25.4 * ticks.DPI
    sizes = {picture.image.size for page in reader.pages for picture in page.images}
    return {size for size in sizes if abs(size[0] - grid_width) > 2}


def test_patients_see_their_practices_photo_and_never_another_practices(
    tess, bram, settings, tmp_path
):
    settings.HANDOUT_CACHE_DIR = tmp_path / "handouts"
    own_program, own_phone = _program_with_link(tess)
    other_program, other_phone = _program_with_link(bram)
    exercise = _first_planned_exercise(own_phone)
    assert exercise == _first_planned_exercise(other_phone)
    photo = _upload(_client_of(tess), exercise)
    urls = (photo.image.url, photo.thumbnail.url)

    own = _patient_pages(own_program, own_phone, tess)
    for page, html in own.items():
        assert any(url in html for url in urls), page

    other = _patient_pages(other_program, other_phone, bram)
    for page, html in other.items():
        assert not any(url in html for url in urls), page
    assert _pictures_in_handout_pdf(other_program, bram) == set()

    photo.approved_for_all = True
    photo.save()
    other = _patient_pages(other_program, other_phone, bram)
    for page, html in other.items():
        assert any(url in html for url in urls), page
    assert _pictures_in_handout_pdf(other_program, bram) == {(photo.width, photo.height)}


# Approval: a site admin's alone.


def test_a_site_admin_approves_a_photo_for_every_practice(admin_client, tess, exercise):
    photo = _upload(_client_of(tess), exercise)
    changelist = reverse("admin:exercises_exercisephoto_changelist")
    listing = admin_client.get(changelist, {"approved_for_all__exact": "0"}).content.decode()
    assert photo.thumbnail.url in listing and "Fysio Noord" in listing

    before = library_version.library_version()
    response = admin_client.post(
        changelist, {"action": "approve_for_all", "_selected_action": [photo.pk]}, follow=True
    )
    assert "1 foto goedgekeurd voor alle praktijken." in response.content.decode()
    photo.refresh_from_db()
    assert photo.approved_for_all
    # A queryset update sends no signal: the pages that keep photos get a new key anyway.
    assert library_version.library_version() != before


def test_staff_who_is_no_site_admin_cannot_approve(client, tess, exercise, django_user_model):
    photo = _upload(_client_of(tess), exercise)
    staff = django_user_model.objects.create_user("redacteur", password=PASSWORD, is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(codename__endswith="exercisephoto"))
    sign_in(client, staff)
    change = reverse("admin:exercises_exercisephoto_change", args=[photo.pk])
    page = client.get(change).content.decode()
    assert 'name="approved_for_all"' not in page  # shown, not editable

    response = client.post(
        change,
        {
            "exercise": exercise.pk,
            "alt_text": "Nieuwe beschrijving",
            "order": 0,
            "practice": photo.practice_id,
            "approved_for_all": "on",
        },
    )
    assert response.status_code == 302
    photo.refresh_from_db()
    assert photo.alt_text == "Nieuwe beschrijving" and not photo.approved_for_all

    changelist = reverse("admin:exercises_exercisephoto_changelist")
    assert "approve_for_all" not in client.get(changelist).content.decode()
    client.post(changelist, {"action": "approve_for_all", "_selected_action": [photo.pk]})
    photo.refresh_from_db()
    assert not photo.approved_for_all


# Photos from before ownership.


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_photos_go_to_their_uploaders_practice_or_to_nobody():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    programs = [node for node in latest if node[0] == "programs"]
    try:
        apps = _migrate([("exercises", "0004_remove_reps_start_and_target"), *programs])
        leaflet = apps.get_model("exercises", "Leaflet").objects.create(
            slug="l", title="L", source_file="l.txt"
        )
        exercise = apps.get_model("exercises", "Exercise").objects.create(
            slug="e",
            leaflet=leaflet,
            number="1",
            title="E",
            category="strength",
            body_region="hip",
            position="supine",
            steps=["Stap."],
        )
        users = apps.get_model("auth", "User").objects
        therapist, other = users.create(username="tess"), users.create(username="gast")
        practice = apps.get_model("programs", "Practice").objects.create(name="P", phone="1")
        apps.get_model("programs", "Therapist").objects.create(user=therapist, practice=practice)
        photos = apps.get_model("exercises", "ExercisePhoto").objects
        fields = {"exercise": exercise, "image": "a.jpg", "thumbnail": "b.jpg"}
        by_therapist = photos.create(uploaded_by=therapist, width=1, height=1, **fields)
        by_other = photos.create(uploaded_by=other, width=1, height=1, **fields)
        by_nobody = photos.create(uploaded_by=None, width=1, height=1, **fields)

        apps = _migrate([("exercises", "0006_photo_practice_from_uploader"), *programs])
        photos = apps.get_model("exercises", "ExercisePhoto").objects
        assert photos.get(pk=by_therapist.pk).practice_id == practice.pk
        for photo in (by_other, by_nobody):
            assert photos.get(pk=photo.pk).practice_id is None
        assert not photos.filter(approved_for_all=True).exists()
    finally:
        _migrate(latest)
