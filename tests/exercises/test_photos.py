"""Photo uploads: only real images, no bombs, no metadata, upright, resized."""

import io
import struct
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms, PngImagePlugin

from exercises.models import Exercise, ExercisePhoto
from tests.exercises.images import jpeg_of_48_megapixels, png_of_39_megapixels
from tests.factories import make_practice, make_therapist, sign_in

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
    sign_in(client, make_therapist(make_practice(), "tess"))
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
    sign_in(client, admin)
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


# Metadata: the stored JPEG and its thumbnail carry pixels only.

BODY_SERIAL = 0xA431
SECRETS = [
    b"SpyCam",
    b"SERIAL-7731",
    b"Anna de Vries",
    b"Kerkstraat",
    b"<script",
    b"xmpmeta",
    b"acsp",  # every ICC profile's signature
    b"PK\x03\x04",  # a ZIP archive's local file header
]
PIXELS_ONLY = {
    0xD8,  # start of image
    0xE0,  # APP0: the JFIF header libjpeg writes (version, pixel density)
    0xDB,  # quantisation tables
    0xC2,  # start of a progressive frame
    0xC4,  # Huffman tables
    0xDA,  # start of a scan
    0xD9,  # end of image
}
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
    b'22-rdf-syntax-ns#"><rdf:Description>Anna de Vries, Kerkstraat 1</rdf:Description>'
    b"</rdf:RDF></x:xmpmeta>"
)


def _jpeg_segments(data: bytes) -> tuple[list[int], int]:
    """The marker of every segment of a JPEG in order, and where the image ends.

    Entropy-coded data after a scan header is skipped up to the next marker (a
    0xFF in the data is followed by 0x00, and restart markers sit inside it)."""
    assert data[:2] == b"\xff\xd8"
    markers, position = [0xD8], 2
    while True:
        assert data[position] == 0xFF, position
        marker = data[position + 1]
        position += 2
        markers.append(marker)
        if marker == 0xD9:
            return markers, position
        position += int.from_bytes(data[position : position + 2], "big")
        if marker == 0xDA:
            while not (
                data[position] == 0xFF
                and data[position + 1] not in range(0xD0, 0xD8)
                and data[position + 1] != 0x00
            ):
                position += 1


def _assert_pixels_only(photo: ExercisePhoto) -> None:
    for field in (photo.image, photo.thumbnail):
        with field.open("rb") as stored:
            data = stored.read()
        markers, end = _jpeg_segments(data)
        assert set(markers) <= PIXELS_ONLY, [hex(marker) for marker in markers]
        assert end == len(data)  # nothing after the image
        for secret in SECRETS:
            assert secret not in data, secret
        with Image.open(io.BytesIO(data)) as image:
            assert dict(image.getexif()) == {}
            assert not {"exif", "icc_profile", "xmp", "comment"} & set(image.info)


def _jpeg_with_every_kind_of_metadata() -> bytes:
    image = Image.new("RGB", (200, 100), "blue")
    exif = Image.Exif()
    exif[MAKE] = "SpyCam"
    exif[BODY_SERIAL] = "SERIAL-7731"
    exif[GPS_INFO] = {1: "N", 2: (52.0, 22.0, 0.0), 3: "E", 4: (6.0, 33.0, 0.0)}
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = io.BytesIO()
    image.save(
        buffer,
        "JPEG",
        exif=exif.tobytes(),
        icc_profile=icc,
        xmp=XMP,
        comment=b"Anna de Vries, Kerkstraat 1",
    )
    data = buffer.getvalue()
    markers, _end = _jpeg_segments(data)
    assert {0xE1, 0xE2, 0xFE} <= set(markers)  # EXIF and XMP, ICC, comment: all there
    with Image.open(io.BytesIO(data)) as check:
        assert check.getexif().get_ifd(GPS_INFO)  # the GPS position is there too
    return data


def test_jpeg_with_gps_exif_xmp_icc_and_a_comment_is_stored_as_pixels_only(
    practice_client, exercise
):
    data = _jpeg_with_every_kind_of_metadata()
    response = _upload(practice_client, exercise, "plank.jpg", data, "image/jpeg")
    assert response.status_code == 302
    _assert_pixels_only(ExercisePhoto.objects.get(exercise=exercise))


def test_png_text_chunks_exif_and_icc_are_not_carried_over(practice_client, exercise):
    """A PNG's text chunk named "comment" is the trap: Pillow reads it into
    info["comment"] and writes that into any JPEG made from the image."""
    info = PngImagePlugin.PngInfo()
    info.add_text("comment", "<script>alert(1)</script> Anna de Vries, Kerkstraat 1")
    info.add_text("Author", "SpyCam SERIAL-7731", zip=True)
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    exif = Image.Exif()
    exif[MAKE] = "SpyCam"
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = io.BytesIO()
    Image.new("RGB", (200, 100), "orange").save(
        buffer, "PNG", pnginfo=info, exif=exif.tobytes(), icc_profile=icc
    )
    response = _upload(practice_client, exercise, "plank.png", buffer.getvalue(), "image/png")
    assert response.status_code == 302
    _assert_pixels_only(ExercisePhoto.objects.get(exercise=exercise))


def test_admin_upload_is_stored_as_pixels_only(admin_client, exercise):
    photo = SimpleUploadedFile("plank.jpg", _jpeg_with_every_kind_of_metadata(), "image/jpeg")
    response = admin_client.post(
        "/admin/exercises/exercisephoto/add/",
        {"exercise": exercise.pk, "image": photo, "alt_text": "Plank", "order": 0},
    )
    assert response.status_code == 302
    _assert_pixels_only(ExercisePhoto.objects.get(exercise=exercise))


# Polyglots: a file that is an image and something else at once.


def test_polyglot_jpeg_is_stored_without_its_html_or_zip(practice_client, exercise):
    """A valid JPEG whose comment segment is an HTML page, with a ZIP archive
    after its end: a browser sniffing it, or an unzip tool, would find either."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("evil.html", "<script>alert(document.cookie)</script>")
    buffer = io.BytesIO()
    Image.new("RGB", (200, 100), "purple").save(
        buffer, "JPEG", comment=b"<html><script>alert(document.cookie)</script></html>"
    )
    polyglot = buffer.getvalue() + archive.getvalue()
    assert zipfile.is_zipfile(io.BytesIO(polyglot))

    response = _upload(practice_client, exercise, "plank.jpg", polyglot, "image/jpeg")
    assert response.status_code == 302
    photo = ExercisePhoto.objects.get(exercise=exercise)
    _assert_pixels_only(photo)
    with photo.image.open("rb") as stored:
        assert not zipfile.is_zipfile(stored)

    # An HTML page named .jpg is no image at all.
    page = b"<!doctype html><html><script>alert(document.cookie)</script></html>"
    response = _upload(practice_client, exercise, "plank.jpg", page, "image/jpeg")
    assert response.status_code == 400
    assert "Dit bestand is geen afbeelding" in response.content.decode()
    assert ExercisePhoto.objects.count() == 1


# Pixels: the decode's memory stays under its limit (see also test_photo_memory.py).


def test_png_over_the_pixel_limit_is_refused_naming_megapixels(practice_client, exercise):
    png = png_of_39_megapixels()
    response = _upload(practice_client, exercise, "groot.png", png, "image/png")
    assert response.status_code == 400
    assert "te veel pixels (39,7 megapixel; de limiet is 16)" in response.content.decode()
    assert not ExercisePhoto.objects.exists()


def test_webp_costs_more_per_pixel_so_its_limit_is_lower(practice_client, exercise):
    """WebP's decoder keeps its own canvas and hands Pillow a copy: 12 megapixels
    of WebP would take 200 MB to decode."""
    buffer = io.BytesIO()
    Image.new("RGB", (4000, 3000), "teal").save(buffer, "WEBP", quality=80)
    response = _upload(practice_client, exercise, "plank.webp", buffer.getvalue(), "image/webp")
    assert response.status_code == 400
    assert "te veel pixels (12,0 megapixel; de limiet is 4)" in response.content.decode()
    assert not ExercisePhoto.objects.exists()


def test_a_48_megapixel_phone_photo_is_decoded_small_and_accepted(practice_client, exercise):
    photo = jpeg_of_48_megapixels()
    response = _upload(practice_client, exercise, "telefoon.jpg", photo, "image/jpeg")
    assert response.status_code == 302
    stored = ExercisePhoto.objects.get(exercise=exercise)
    assert (stored.width, stored.height) == (1200, 900)
    with stored.image.open("rb") as file, Image.open(file) as web:
        red, _green, blue = web.getpixel((300, 450))
        assert red > 200 and blue < 60
        assert min(web.getpixel((900, 450))) > 200  # the white half


def test_a_phone_photo_with_a_second_picture_is_taken_as_a_jpeg(practice_client, exercise):
    """Phones add a depth map or HDR gain map after the photo (MPO): the photo counts."""
    buffer = io.BytesIO()
    photo, depth_map = Image.new("RGB", (400, 300), "red"), Image.new("RGB", (400, 300), "blue")
    photo.save(buffer, "MPO", save_all=True, append_images=[depth_map])
    with Image.open(io.BytesIO(buffer.getvalue())) as check:
        assert check.format == "MPO" and check.n_frames == 2
    response = _upload(practice_client, exercise, "telefoon.jpg", buffer.getvalue(), "image/jpeg")
    assert response.status_code == 302
    stored = ExercisePhoto.objects.get(exercise=exercise)
    _assert_pixels_only(stored)
    with stored.image.open("rb") as file, Image.open(file) as web:
        red, _green, blue = web.getpixel((200, 150))
        assert red > 200 and blue < 60
