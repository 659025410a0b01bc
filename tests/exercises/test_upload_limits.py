"""A request body larger than any photo's form is refused before it is read, or
stopped while it streams in; never a 500, never a file stored."""

import io

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, AsyncClientHandler, FakePayload, encode_multipart
from PIL import Image

from exercises.models import Exercise, ExercisePhoto
from tests.factories import make_practice, make_therapist, sign_in

# The body goes as these bytes: the test client encodes a dict into multipart
# only for its own MULTIPART_CONTENT object, and these tests build their own.
FORM_CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


@pytest.fixture
def exercise(library) -> Exercise:
    return Exercise.objects.get(slug="back-1")


@pytest.fixture
def practice_client(client, db):
    sign_in(client, make_therapist(make_practice(), "tess"))
    return client


def _photo_form(photo_bytes: int) -> bytes:
    """A multipart body as a browser sends it: the photo field holds a real JPEG
    padded to `photo_bytes` (a JPEG decoder ignores what follows its end)."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "green").save(buffer, "JPEG")
    content = buffer.getvalue().ljust(photo_bytes, b"\0")
    photo = SimpleUploadedFile("foto.jpg", content, content_type="image/jpeg")
    return encode_multipart(BOUNDARY, {"alt_text": "Foto", "photo": photo})


def _nothing_stored(media_root) -> bool:
    return not ExercisePhoto.objects.exists() and not any(media_root.rglob("*.jpg"))


def _view_ran(response) -> bool:
    return "exercises/exercise_detail.html" in [t.name for t in response.templates]


def test_a_body_declared_over_the_limit_gets_413_and_is_never_read(
    practice_client, exercise, media_root
):
    # What arrives is small; what the header announces is not: were anything to
    # read the body, it would read past the end of this stream (and fail).
    stream = FakePayload(_photo_form(1000))
    response = practice_client.post(
        exercise.get_absolute_url(),
        data=b"",
        content_type=FORM_CONTENT_TYPE,
        CONTENT_LENGTH=str(settings.REQUEST_BODY_MAX_BYTES + 1),
        **{"wsgi.input": stream},
    )
    assert response.status_code == 413
    assert not stream.read_started
    assert not _view_ran(response)
    page = response.content.decode()
    assert "Te groot om te versturen" in page
    assert "groter dan 12 MB" in page and "hoogstens 10 MB" in page
    assert "<script" not in page and "style=" not in page  # the strict CSP holds
    assert _nothing_stored(media_root)


def test_a_chunked_body_is_refused_unread_with_a_page_that_says_why(
    practice_client, exercise, media_root
):
    """Transfer-Encoding: chunked, so no Content-Length (an empty one here, which
    Django reads the same way as none): Django would read the body as empty."""
    stream = FakePayload(_photo_form(settings.REQUEST_BODY_MAX_BYTES + 1))
    response = practice_client.post(
        exercise.get_absolute_url(),
        data=b"",
        content_type=FORM_CONTENT_TYPE,
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": stream},
    )
    assert response.status_code == 411
    assert not stream.read_started
    assert not _view_ran(response)
    assert "zonder te melden hoe groot het is" in response.content.decode()
    assert _nothing_stored(media_root)


def _post_asgi(client, url: str, body: bytes, declared_length: int):
    """The body through Django's ASGI request, which hands the multipart parser
    everything the server received, whatever the Content-Length header said."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": url,
        "raw_path": url.encode(),
        "query_string": b"",
        "root_path": "",
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 50000),
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", FORM_CONTENT_TYPE.encode()),
            (b"content-length", str(declared_length).encode()),
            (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()),
        ],
        "_body_file": FakePayload(body),
    }
    return async_to_sync(AsyncClientHandler(enforce_csrf_checks=False))(scope)


def test_a_body_longer_than_it_says_is_stopped_at_the_limit_as_it_streams(
    practice_client, exercise, media_root
):
    body = _photo_form(settings.REQUEST_BODY_MAX_BYTES + 1024 * 1024)
    response = _post_asgi(practice_client, exercise.get_absolute_url(), body, 2048)
    assert response.status_code == 413
    assert "Te groot om te versturen" in response.content.decode()
    assert _nothing_stored(media_root)

    # Under the body's limit the stream goes on, and the form has its say: a
    # photo between its own limit (10 MB) and the body's (12 MB) is too large.
    body = _photo_form(settings.EXERCISE_PHOTO_MAX_BYTES + 1024 * 1024)
    response = _post_asgi(practice_client, exercise.get_absolute_url(), body, 2048)
    assert response.status_code == 400
    assert "Dit bestand is te groot. De limiet is 10 MB." in response.content.decode()
    assert _nothing_stored(media_root)
