"""The handout: read back from the PDF (text, pages, metadata), never by its size."""

import io
import os
import re
import subprocess
from email.utils import parsedate_to_datetime

import pytest
import zxingcpp
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from PIL import Image
from pypdf import PdfReader

from exercises.dose import describe_dose
from programs import services
from programs.handout import cache as pdf_cache
from programs.handout.context import handout_for
from programs.handout.fetcher import FetchRefused, HandoutURLFetcher
from programs.handout.render import handout_pdf
from programs.links import link_url, patient_link_create
from programs.models import AccessLogEntry, ProgramItem
from programs.schedule import week_dose
from tests import factories
from tests.factories import make_practice, make_therapist, sign_in

NASTY_NOTE = (
    '<script>alert(1)</script> <img src="http://example.com/x.png"> '
    '<img src="file:///etc/passwd"> Knieën, café, geïnteresseerd.'
)


@pytest.fixture(autouse=True)
def handout_cache(settings, tmp_path):
    settings.HANDOUT_CACHE_DIR = tmp_path / "handouts"
    settings.SITE_URL = "http://testserver"
    return settings.HANDOUT_CACHE_DIR


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _pages(data: bytes) -> list[str]:
    return [_flat(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def _qr_codes_on_the_cover(data: bytes, tmp_path) -> list[str]:
    """What a phone camera reads from the printed cover: render it, decode the QR."""
    pdf = tmp_path / "cover.pdf"
    pdf.write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "cover")],
        check=True,
    )
    [png] = tmp_path.glob("cover*.png")
    return [code.text for code in zxingcpp.read_barcodes(Image.open(png))]


def _published(make_program, practice_user, protocol="amputation-transtibial", **patient):
    program = make_program(protocol)
    if patient:
        for field, value in patient.items():
            setattr(program.patient, field, value)
        program.patient.save()
    factories.publish(program, practice_user)
    return program


def _download(client, program, **headers):
    return client.get(reverse("therapist:handout_pdf", args=[program.pk]), **headers)


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_pdf_has_the_exercises_doses_phone_and_name_in_dutch(
    make_program, practice_user, practice_client
):
    program = _published(make_program, practice_user)
    response = _download(practice_client, program)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pages = _pages(_body(response))
    text = " ".join(pages)
    snapshot = program.revisions.first().content
    for item in snapshot.items:
        assert _flat(item.exercise.title) in text
    with translation.override("nl"):
        lines = {line for item in snapshot.items for line in week_dose(item, 1).lines}
    assert "3 series van 10 herhalingen" in {line.lower() for line in lines}
    for line in lines:
        assert line[0].upper() + line[1:] in text
    assert "050 111 2222" in text
    assert "Oefeningen voor Anna" in text
    assert "Beenamputatie, transtibiaal" in text
    assert "Bron: Beenamputatie - oefeningen" in text
    assert "sets of" not in text
    # A sane length: a cover, a few schedule pages, the exercises two or three a page.
    assert 5 <= len(pages) <= 16


def test_every_page_has_its_number_revision_and_source(
    make_program, practice_user, practice_client
):
    """Depends on the Dutch translations of the handout's new msgids."""
    program = _published(make_program, practice_user)
    pages = _pages(_body(_download(practice_client, program)))
    revision = program.revisions.first()
    for number, page in enumerate(pages, start=1):
        # Every page: its number, the revision and its date, the source leaflet.
        assert f"pagina {number} van {len(pages)}" in page
        assert f"Versie {revision.number} van " in page
        assert "Bron: Beenamputatie - oefeningen" in page


def test_english_patient_gets_english_labels_and_weekly_build_up(
    make_program, practice_user, practice_client
):
    program = _published(make_program, practice_user, "hip-osteoarthritis-home", language="en")
    item = program.items.first()
    item.reps_step_per_week = 2
    services.program_item_update(item=item, user=practice_user)
    factories.publish(program, practice_user)

    pages = _pages(_body(_download(practice_client, program)))
    text = " ".join(pages)
    assert "Exercises for Anna" in text
    assert "Hip osteoarthritis" in text  # the protocol's English name
    assert f"page 1 of {len(pages)}" in pages[0]
    assert "3 repetitions" in text  # week 1 of 3 -> 15, two more each week
    assert "Build up: week 1: 3 · week 2: 5 · week 3: 7" in text
    assert "sets of" in text or "repetitions" in text
    assert "Oefeningen voor Anna" not in text and "Uitvoering" not in text
    assert "Revision 2 of" in text


def test_every_exercise_block_stays_on_one_page(make_program, practice_user):
    program = _published(make_program, practice_user, "back-rehabilitation")
    pages = _pages(handout_pdf(handout_for(program=program)))
    for item in program.revisions.first().content.items:
        exercise = item.exercise
        # Title, every step in order and the last attention point on one page.
        parts = [exercise.title, *exercise.steps, *exercise.attention_points[-1:]]
        pattern = ".*".join(re.escape(_flat(part)) for part in parts)
        assert any(re.search(pattern, page) for page in pages), exercise.title
    assert len(pages) <= 26


class RecordingFetcher(HandoutURLFetcher):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.asked: list[str] = []
        self.served: list[str] = []

    def fetch(self, url, headers=None):
        self.asked.append(url)
        response = super().fetch(url, headers)
        self.served.append(url)
        return response


def test_user_text_is_printed_as_text_and_fetches_nothing(
    make_program, practice_user, practice_client
):
    program = make_program()
    item = program.items.first()
    item.note = NASTY_NOTE
    services.program_item_update(item=item, user=practice_user)
    program.patient.name = "<b>Anna</b>"
    program.patient.save()
    factories.publish(program, practice_user)

    fetcher = RecordingFetcher()
    data = handout_pdf(handout_for(program=program), url_fetcher=fetcher)
    text = " ".join(_pages(data))
    assert "<script>alert(1)</script>" in text
    # Long words wrap at "/": compare without the spaces.
    assert '<imgsrc="http://example.com/x.png">' in text.replace(" ", "")
    assert '<imgsrc="file:///etc/passwd">' in text.replace(" ", "")
    assert "Knieën, café, geïnteresseerd." in text  # embedded font, full diacritics
    assert "<b>Anna</b>" in text
    assert not [url for url in fetcher.asked if "example.com" in url or "passwd" in url]
    # It did serve our stylesheet's day-column rules and the exercises' figures.
    assert any(url.endswith("/static/handout/day-columns.png") for url in fetcher.served)
    assert any("/static/exercises/figures/" in url for url in fetcher.served)

    page = practice_client.get(reverse("therapist:handout_print", args=[program.pk]))
    html = page.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert '<img src="http://example.com' not in html
    assert "&lt;b&gt;Anna&lt;/b&gt;" in html


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.png",
        "https://example.com/static/css/handout.css",
        "file:///etc/passwd",
        "https://handout.invalid/static/../../../etc/passwd",
        "https://handout.invalid/static/%2e%2e/%2e%2e/pyproject.toml",
        "https://handout.invalid/static/css/..%2f..%2fpyproject.toml",
        "https://handout.invalid/media/../db.sqlite3",
        "https://handout.invalid/etc/passwd",
        "data:text/css,body{}",
        "ftp://handout.invalid/static/css/handout.css",
    ],
)
def test_fetcher_refuses_anything_but_static_and_media(url):
    with pytest.raises(FetchRefused):
        HandoutURLFetcher().fetch(url)


def test_fetcher_serves_static_and_media_files(settings):
    fetcher = HandoutURLFetcher()
    response = fetcher.fetch("https://handout.invalid/static/css/handout.css")
    assert response.content_type == "text/css"
    assert b"@page" in response.read()
    photo = settings.MEDIA_ROOT / "exercises" / "photo.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\xff\xd8 not really a jpeg")
    assert (
        fetcher.fetch("https://handout.invalid/media/exercises/photo.jpg")
        .read()
        .startswith(b"\xff\xd8")
    )
    assert fetcher.fetch(photo.as_uri()).content_type == "image/jpeg"
    outside = settings.MEDIA_ROOT.parent / "secret.txt"
    outside.write_text("secret")
    (settings.MEDIA_ROOT / "link.txt").symlink_to(outside)
    with pytest.raises(FetchRefused):
        fetcher.fetch("https://handout.invalid/media/link.txt")


def test_etag_304_and_a_second_download_is_not_rendered_again(
    make_program, practice_user, practice_client, monkeypatch, handout_cache
):
    program = _published(make_program, practice_user)
    body = _body(_download(practice_client, program))
    [pdf_file] = handout_cache.glob("*.pdf")
    rendered_at = pdf_file.stat().st_mtime - 60  # as if rendered a minute ago
    os.utime(pdf_file, (rendered_at, rendered_at))
    first = _download(practice_client, program)
    etag, modified = first["ETag"], first["Last-Modified"]
    revision = program.revisions.first()
    link = program.patient.links.get()  # made for the handout's QR code
    assert etag.startswith(f'"{revision.pk}-r1-nl-{link.pk}-')
    # Last-Modified: when this content was rendered (the cached file's time).
    assert parsedate_to_datetime(modified).timestamp() == int(rendered_at)
    assert len(list(handout_cache.glob("*.pdf"))) == 1

    def no_rendering(*args, **kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr(pdf_cache, "handout_pdf", no_rendering)
    assert _download(practice_client, program, HTTP_IF_NONE_MATCH=etag).status_code == 304
    not_modified = _download(practice_client, program, HTTP_IF_MODIFIED_SINCE=modified)
    assert not_modified.status_code == 304
    assert not_modified["ETag"] == etag
    again = _download(practice_client, program)
    assert again.status_code == 200
    assert _body(again) == body
    assert _download(practice_client, program, HTTP_IF_NONE_MATCH='"other"').status_code == 200
    monkeypatch.undo()

    # New practice details print differently: a newer Last-Modified, not a 304.
    practice = program.patient.practice
    practice.phone = "050 999 0000"
    practice.save()
    changed = _download(practice_client, program, HTTP_IF_MODIFIED_SINCE=modified)
    assert changed.status_code == 200
    assert parsedate_to_datetime(changed["Last-Modified"]) > parsedate_to_datetime(modified)
    assert changed["ETag"] != etag

    # A new revision is a new handout.
    factories.publish(program, practice_user)
    fresh = _download(practice_client, program, HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200
    assert fresh["ETag"] != etag
    assert fresh["ETag"].startswith(f'"{program.revisions.first().pk}-r2-nl-')


def test_the_patients_link_is_printed_with_a_qr_code(
    make_program, practice_user, practice_client, tmp_path
):
    program = _published(make_program, practice_user, "hip-osteoarthritis-home")
    link = patient_link_create(patient=program.patient, user=practice_user)
    url = link_url(link, "http://testserver/")
    response = _download(practice_client, program)
    assert f"-nl-{link.pk}-" in response["ETag"]
    data = _body(response)
    reader = PdfReader(io.BytesIO(data))
    assert url in _flat(reader.pages[0].extract_text()).replace(" ", "")
    assert _qr_codes_on_the_cover(data, tmp_path) == [url]
    html = practice_client.get(reverse("therapist:handout_print", args=[program.pk])).content
    assert b'<svg viewBox="0 0' in html and b'class="qr-code"' in html
    assert url.encode() in html


def test_metadata_tags_and_fonts(make_program, practice_user, practice_client):
    practice_user.first_name, practice_user.last_name = "Tess", "de Vries"
    practice_user.save()
    program = _published(make_program, practice_user, "hip-osteoarthritis-home")
    reader = PdfReader(io.BytesIO(_body(_download(practice_client, program))))
    assert "Anna" in reader.metadata.title
    assert "Tess de Vries" in reader.metadata.author
    assert "Fysio Noord" in reader.metadata.author
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "nl"
    assert "/StructTreeRoot" in root  # tagged (PDF/UA-1)
    assert root["/MarkInfo"]["/Marked"]
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor  # embedded
            fonts.add(str(font["/BaseFont"]))
    assert any("DejaVu" in font for font in fonts)


def test_other_practice_and_unpublished_programs_are_404(
    make_program, practice_user, client, practice_client
):
    program = _published(make_program, practice_user)
    other = make_therapist(make_practice("Elders"), "other")
    sign_in(client, other)
    for name in ("therapist:handout_pdf", "therapist:handout_print"):
        assert client.get(reverse(name, args=[program.pk])).status_code == 404
    draft = make_program(name="Bert")
    for name in ("therapist:handout_pdf", "therapist:handout_print"):
        assert practice_client.get(reverse(name, args=[draft.pk])).status_code == 404


def test_views_are_access_logged(make_program, practice_user, practice_client):
    program = _published(make_program, practice_user, "hip-osteoarthritis-home")
    assert _download(practice_client, program).status_code == 200
    page = practice_client.get(reverse("therapist:handout_print", args=[program.pk]))
    assert page.status_code == 200
    details = list(
        AccessLogEntry.objects.filter(patient=program.patient, action="view").values_list(
            "detail", flat=True
        )
    )
    assert "handout pdf" in details and "handout print" in details


def test_print_view_uses_the_handout_stylesheet_and_no_inline_style(
    make_program, practice_user, practice_client
):
    program = _published(make_program, practice_user, "hip-osteoarthritis-home")
    response = practice_client.get(reverse("therapist:handout_print", args=[program.pk]))
    html = response.content.decode()
    assert '<html lang="nl">' in html
    assert "/static/css/handout.css" in html
    assert "style=" not in html and "<style" not in html and "<script" not in html
    assert reverse("therapist:handout_pdf", args=[program.pk]) in html
    # The program page links both for a published program.
    editor = practice_client.get(reverse("therapist:program_edit", args=[program.pk]))
    assert reverse("therapist:handout_print", args=[program.pk]).encode() in editor.content


def test_command_writes_the_same_pdf_as_the_view(
    make_program, practice_user, practice_client, tmp_path
):
    program = _published(make_program, practice_user, "hip-osteoarthritis-home")
    viewed = _pages(_body(_download(practice_client, program)))
    target = tmp_path / "out.pdf"
    call_command("handout", str(program.pk), "-o", str(target), stdout=io.StringIO())
    assert _pages(target.read_bytes()) == viewed


def test_command_fails_cleanly(make_program, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("handout", "999999", "-o", str(tmp_path / "x.pdf"))
    draft = make_program()
    with pytest.raises(CommandError, match="no published revision"):
        call_command("handout", str(draft.pk), "-o", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()


def test_dose_lines_in_the_pdf_are_the_week_one_dose(make_program, practice_user):
    program = _published(make_program, practice_user, "hip-osteoarthritis-home")
    snapshot = program.revisions.first().content
    text = " ".join(_pages(handout_pdf(handout_for(program=program))))
    with translation.override("nl"):
        for item in snapshot.items:
            week_one = week_dose(item, 1)
            for line in week_one.lines:
                assert line[0].upper() + line[1:] in text
            assert week_one.goal_line in text  # where the build-up goes
    # A static dose reads as the editor shows it.
    steady = _published(make_program, practice_user, "amputation-transtibial")
    item = ProgramItem.objects.get(program=steady, exercise__slug="amputation-mobility-3")
    with translation.override("nl"):
        lines = describe_dose(item)
    steady_text = " ".join(_pages(handout_pdf(handout_for(program=steady))))
    for line in lines:
        assert line[0].upper() + line[1:] in steady_text


def test_a_handout_downloaded_without_a_link_gets_one_that_opens_the_plan(
    make_program, practice_user, practice_client, tmp_path
):
    program = _published(make_program, practice_user, "hip-osteoarthritis-home")
    assert not program.patient.links.exists()
    response = _download(practice_client, program)
    data = _body(response)
    # The camera reads the QR on the printed cover; the address under it is the same.
    [scanned] = _qr_codes_on_the_cover(data, tmp_path)
    match = re.fullmatch(r"http://testserver/p/([A-Za-z0-9_-]{22})/", scanned)
    assert match, scanned
    cover = _flat(PdfReader(io.BytesIO(data)).pages[0].extract_text()).replace(" ", "")
    assert scanned in cover
    # The therapist is told, on the next page they open.
    editor = practice_client.get(program.get_absolute_url()).content.decode()
    assert "er is er een gemaakt voor de QR-code" in editor
    # The QR's address opens the patient's plan.
    from django.test import Client

    phone = Client()
    assert phone.get(f"/p/{match.group(1)}/").status_code == 302
    assert "Hallo Anna" in phone.get("/plan/").content.decode()


def test_the_handout_says_when_the_link_expires(make_program, practice_user, practice_client):
    import datetime

    from django.utils import timezone

    program = _published(make_program, practice_user, "hip-osteoarthritis-home")
    patient_link_create(
        patient=program.patient,
        user=practice_user,
        expires_at=timezone.make_aware(datetime.datetime(2027, 2, 20, 12)),
    )
    page = practice_client.get(reverse("therapist:handout_print", args=[program.pk]))
    assert "Deze link werkt tot 20 februari 2027." in page.content.decode()


def test_a_photo_kept_in_an_object_store_is_printed(
    make_program, practice_user, practice_client, settings
):
    """Photos are read through Django's storage API, so an object store can
    replace the disk: here a storage that keeps them in memory."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from exercises.models import ExercisePhoto
    from exercises.photos import prepare_photo
    from exercises.services import exercise_photo_add

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    program = _published(make_program, practice_user, "hip-osteoarthritis-home")
    upload = io.BytesIO()
    Image.new("RGB", (1600, 1200), (40, 120, 90)).save(upload, "JPEG")
    exercise_photo_add(
        exercise=program.items.first().exercise,
        photo=prepare_photo(SimpleUploadedFile("mat.jpg", upload.getvalue(), "image/jpeg")),
        alt_text="Anna op de mat",
        uploaded_by=practice_user,
        practice_id=practice_user.therapist.practice_id,
    )
    assert not settings.MEDIA_ROOT.exists()  # nothing on this disk
    data = _body(_download(practice_client, program))
    sizes = [
        image.image.size for page in PdfReader(io.BytesIO(data)).pages for image in page.images
    ]
    assert (1200, 900) in sizes, sizes
    # Embedded as stored (quality 85, optimised at upload), not encoded again.
    stored = ExercisePhoto.objects.get(exercise=program.items.first().exercise)
    with stored.image.open("rb") as file:
        assert file.read() in data
