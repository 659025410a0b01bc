"""Cached handout PDFs: a new layout renders anew by itself, and old PDFs go away."""

import io
import os
import shutil
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.urls import reverse

from programs.handout.cache import handout_cache_key, handout_pdf_file
from programs.handout.context import handout_for
from tests.factories import make_program, publish

DAY = 24 * 3600


@pytest.fixture
def program(library, practice_user):
    return publish(make_program(practice_user, "hip-osteoarthritis-home"), practice_user)


def _download(client, program):
    response = client.get(reverse("therapist:handout_pdf", args=[program.pk]))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    return response


def _age(path: Path, days: float) -> None:
    then = time.time() - days * DAY
    os.utime(path, (then, then))


def test_a_changed_template_renders_a_new_pdf_without_a_version_bump(
    program, practice_client, settings, tmp_path
):
    first = _download(practice_client, program)["ETag"]
    # The same handout template, one comment longer, found before the project's own.
    override = tmp_path / "templates" / "programs" / "handout"
    override.mkdir(parents=True)
    original = Path(django_settings.BASE_DIR) / "templates/programs/handout/handout.html"
    (override / "handout.html").write_text(original.read_text() + "{# a new layout #}\n")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates", *settings.TEMPLATES[0]["DIRS"]]}
    ]
    second = _download(practice_client, program)["ETag"]
    assert second != first
    assert len(list(settings.HANDOUT_CACHE_DIR.glob("*.pdf"))) == 2


def test_a_changed_stylesheet_renders_a_new_pdf(program, practice_client, settings, tmp_path):
    first = _download(practice_client, program)["ETag"]
    static = tmp_path / "static"
    shutil.copytree(Path(django_settings.BASE_DIR) / "static", static)
    with (static / "css" / "handout.css").open("a") as css:
        css.write("\nh1 { letter-spacing: 0.01em; }\n")
    settings.STATICFILES_DIRS = [static]
    assert _download(practice_client, program)["ETag"] != first


def test_the_same_layout_and_content_keep_their_key(program):
    assert handout_cache_key(handout_for(program=program)) == handout_cache_key(
        handout_for(program=program)
    )


def test_a_pdf_past_its_age_is_rendered_again_not_served(program, practice_client, settings):
    settings.HANDOUT_CACHE_MAX_AGE = 7 * DAY
    _download(practice_client, program)
    [pdf] = settings.HANDOUT_CACHE_DIR.glob("*.pdf")
    _age(pdf, 8)
    old_time = pdf.stat().st_mtime
    again = handout_pdf_file(handout_for(program=program))
    assert again == pdf and again.stat().st_mtime > old_time + 7 * DAY


def test_a_new_render_removes_pdfs_past_their_age(program, settings):
    settings.HANDOUT_CACHE_MAX_AGE = 7 * DAY
    directory = settings.HANDOUT_CACHE_DIR
    directory.mkdir(parents=True)
    old, recent = directory / "1-r1-nl-nolink-old.pdf", directory / "2-r1-nl-nolink-new.pdf"
    for path, days in ((old, 30), (recent, 2)):
        path.write_bytes(b"%PDF-1.7 Anna")
        _age(path, days)
    handout_pdf_file(handout_for(program=program))
    assert not old.exists() and recent.exists()
    assert len(list(directory.glob("*.pdf"))) == 2  # the recent one and the new render


def test_the_prune_command_removes_old_pdfs_for_cron(settings):
    directory = settings.HANDOUT_CACHE_DIR
    directory.mkdir(parents=True)
    old, recent = directory / "old.pdf", directory / "recent.pdf"
    abandoned = directory / ".render-abc.pdf"  # a render that died two hours ago
    for path, days in ((old, 3), (recent, 0.5), (abandoned, 2 / 24)):
        path.write_bytes(b"%PDF")
        _age(path, days)
    out = io.StringIO()
    call_command("prune_handouts", "--max-age-days", "1", stdout=out)
    assert not old.exists() and recent.exists() and not abandoned.exists()
    assert "1" in out.getvalue()
