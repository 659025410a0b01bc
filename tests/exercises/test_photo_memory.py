"""The upload validation decodes any photo it accepts in under 100 MB of memory,
and refuses one that would take more before decoding it.

Each file goes through the real upload form in a fresh Python process, so the
peak resident memory (ru_maxrss) belongs to that one validation alone: the
peak after it, less the memory in use just before it. Linux only (/proc)."""

import io
import json
import subprocess
import sys

import pytest
from django.conf import settings
from PIL import Image

from tests.exercises.images import jpeg_of_48_megapixels, png_of_39_megapixels

MEMORY_LIMIT_MB = 100

# Run from the project folder with the test settings; prints one JSON line.
VALIDATE_ONE_UPLOAD = """
import io, json, os, resource, sys

import django

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from PIL import Image

from exercises.forms import ExercisePhotoUploadForm


def validate(upload):
    form = ExercisePhotoUploadForm(data={"alt_text": ""}, files={"photo": upload})
    return form.is_valid(), [error.code for error in form.errors.as_data().get("photo", [])]


# Every decoder and encoder loaded and warmed up on tiny files first.
for kind, mode in (("JPEG", "RGB"), ("PNG", "RGBA"), ("WEBP", "RGBA")):
    buffer = io.BytesIO()
    Image.new(mode, (64, 64)).save(buffer, kind)
    assert validate(SimpleUploadedFile("tiny", buffer.getvalue()))[0]

# As Django's upload handler leaves a large upload: in a temporary file.
path = sys.argv[1]
upload = TemporaryUploadedFile("photo", "application/octet-stream", os.path.getsize(path), None)
with open(path, "rb") as source:
    upload.write(source.read())
upload.flush()

# A process started with exec keeps the peak of the process that started it
# (the test runner's, which made a 48-megapixel image) as its own ru_maxrss;
# a forked one starts from what it holds. So the validation runs in a fork.
child = os.fork()
if child:
    os._exit(os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]))


def resident_kb(field):
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))


in_use_kb = resident_kb("VmRSS")
peak_before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
valid, errors = validate(upload)
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({
    "valid": valid,
    "errors": errors,
    "growth_mb": (peak_kb - in_use_kb) / 1024,
    "peak_before_over_in_use_mb": (peak_before_kb - in_use_kb) / 1024,
}))
"""


def _largest_opaque_png() -> bytes:
    """Just under the limit of 16 megapixels."""
    buffer = io.BytesIO()
    Image.linear_gradient("L").resize((4600, 3470)).convert("RGB").save(buffer, "PNG")
    return buffer.getvalue()


def _webp(size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.linear_gradient("L").resize(size).convert("RGBA").save(buffer, "WEBP", lossless=True)
    return buffer.getvalue()


def _validate_in_a_fresh_process(content: bytes, tmp_path) -> dict:
    path = tmp_path / "upload"
    path.write_bytes(content)
    result = subprocess.run(
        [sys.executable, "-c", VALIDATE_ONE_UPLOAD, str(path)],
        cwd=settings.BASE_DIR,
        env={"DJANGO_SETTINGS_MODULE": "oefenplan.settings.test", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    measured = json.loads(result.stdout)
    print(f"{len(content) // 1024} KB: {measured}")
    assert measured["peak_before_over_in_use_mb"] < 5  # the measure starts where it should
    return measured


@pytest.mark.parametrize(
    ("make", "valid", "errors"),
    [
        (png_of_39_megapixels, False, ["too_many_pixels"]),
        (jpeg_of_48_megapixels, True, []),
        (_largest_opaque_png, True, []),
    ],
    ids=["png-39.7-megapixels", "jpeg-48-megapixels", "png-16-megapixels"],
)
def test_validating_an_upload_stays_under_100_mb(tmp_path, make, valid, errors):
    result = _validate_in_a_fresh_process(make(), tmp_path)
    assert (result["valid"], result["errors"]) == (valid, errors)
    assert result["growth_mb"] < MEMORY_LIMIT_MB


def test_a_webp_is_decoded_under_100_mb_or_refused_before_decoding(tmp_path):
    """WebP's decoder costs four times what Pillow's pixels do: 4 megapixels pass."""
    largest = _validate_in_a_fresh_process(_webp((2300, 1730)), tmp_path)
    assert largest["valid"] and largest["growth_mb"] < MEMORY_LIMIT_MB
    larger = _validate_in_a_fresh_process(_webp((4000, 3000)), tmp_path)
    assert larger["errors"] == ["too_many_pixels"] and larger["growth_mb"] < 10
