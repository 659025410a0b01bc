"""Photo uploads: only real images, no bombs, no metadata, upright, resized."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from exercises.models import Exercise, ExercisePhoto
from tests.factories import make_practice, make_therapist

ORIENTATION = 0x0112
GPS_INFO = 0x8825
MAKE = 0x010F


def _jpeg_with_exif_rotated() -> bytes:
    """A 200x100 picture, left half red, right half blue, tagged "rotate 90° CW"."""
    image = Image.new("RGB", (200, 100), "blue")
    image.paste((255, 0, 0), (0, 0, 100, 100))
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[MAKE] = "SpyCam"
    exif[GPS_INFO] = {1: "N", 2: (52.0, 22.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes(), quality=95)
    return buffer.getvalue()


def _png_bomb(width: int = 12_000, height: int = 12_000) -> bytes:
    """A real, valid PNG of 144 megapixels that is only a few kilobytes on disk."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + b"\x00" * ((width + 7) // 8)  # 1-bit greyscale, filter byte 0
    pixels = zlib.compress(row * height, 9)
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _upload(client, exercise: Exercise, name: str, content: bytes, content_type: str):
    photo = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(
        exercise.get_absolute_url(), {"photo": photo, "alt_text": "Plank op de ellebogen"}
    )


@pytest.fixture
def exercise(library) -> Exercise:
    return Exercise.objects.get(slug="back-1")


@pytest.fixture
def practice_client(client, db):
    """A therapist of a practice: only they add photos (to their practice)."""
    client.force_login(make_therapist(make_practice(), "tess"))
    return client


def test_jpeg_comes_back_upright_without_exif(practice_client, exercise):
    response = _upload(
        practice_client, exercise, "plank.jpg", _jpeg_with_exif_rotated(), "image/jpeg"
    )
    assert response.status_code == 302

    photo = ExercisePhoto.objects.get(exercise=exercise)
    with photo.image.open("rb") as stored, Image.open(stored) as image:
        image.load()
        assert image.size == (100, 200)  # turned upright: portrait now
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info
        red, _, blue = image.getpixel((50, 20))
        assert red > 200 and blue < 60  # the red half is on top after the turn
        red, _, blue = image.getpixel((50, 180))
        assert blue > 200 and red < 60
    with photo.thumbnail.open("rb") as stored, Image.open(stored) as thumbnail:
        assert max(thumbnail.size) <= 320
        assert dict(thumbnail.getexif()) == {}
    assert b"SpyCam" not in photo.image.open("rb").read()

    page = practice_client.get(exercise.get_absolute_url()).content.decode()
    assert photo.image.url in page and 'alt="Plank op de ellebogen"' in page
    assert "exercises/pictograms/prone.svg" not in page  # the photo replaces the pictogram


def test_large_photo_is_resized_for_the_web(practice_client, exercise):
    buffer = io.BytesIO()
    Image.new("RGB", (3000, 2000), "green").save(buffer, "PNG")
    _upload(practice_client, exercise, "big.png", buffer.getvalue(), "image/png")
    photo = ExercisePhoto.objects.get(exercise=exercise)
    assert (photo.width, photo.height) == (1200, 800)


def test_text_file_renamed_jpg_is_refused_with_a_message(practice_client, exercise):
    response = _upload(
        practice_client, exercise, "oefening.jpg", b"Dit is geen foto.\n" * 20, "image/jpeg"
    )
    assert response.status_code == 400
    assert "Dit bestand is geen afbeelding" in response.content.decode()
    assert not ExercisePhoto.objects.exists()


def test_decompression_bomb_is_refused_with_a_message(practice_client, exercise):
    bomb = _png_bomb()
    assert len(bomb) < 100_000
    response = _upload(practice_client, exercise, "bomb.png", bomb, "image/png")
    assert response.status_code == 400
    assert "te veel pixels" in response.content.decode()
    assert not ExercisePhoto.objects.exists()


def test_file_over_the_size_limit_is_refused(practice_client, exercise, settings):
    settings.EXERCISE_PHOTO_MAX_BYTES = 1024 * 1024
    buffer = io.BytesIO()
    Image.effect_noise((1200, 1200), 80).convert("RGB").save(buffer, "PNG")
    assert len(buffer.getvalue()) > 1024 * 1024
    response = _upload(practice_client, exercise, "noise.png", buffer.getvalue(), "image/png")
    assert response.status_code == 400
    assert "te groot" in response.content.decode()
    assert not ExercisePhoto.objects.exists()


def test_admin_upload_goes_through_the_same_checks(client, exercise, django_user_model):
    admin = django_user_model.objects.create_superuser("beheer", password="x-secret-123")
    client.force_login(admin)
    url = f"/admin/exercises/exercise/{exercise.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {key: value for key, value in form.initial.items() if value is not None}
    data.update(
        {
            "steps": '["Stap."]',
            "variants": "[]",
            "attention_points": "[]",
            "cautions": "[]",
            "equipment": [item.pk for item in exercise.equipment.all()],
            "applies_to": ["back"],
            "photos-TOTAL_FORMS": "1",
            "photos-INITIAL_FORMS": "0",
            "photos-0-image": SimpleUploadedFile("bomb.png", _png_bomb(), "image/png"),
            "photos-0-order": "0",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 200  # re-rendered with the error, nothing saved
    assert "te veel pixels" in response.content.decode()
    assert not ExercisePhoto.objects.exists()
    exercise.refresh_from_db()
    assert exercise.steps != ["Stap."]
