"""Turning an upload into a safe, web-sized photo and a thumbnail.

Why each step: an upload is untrusted, so Pillow must recognise it as an image
(not trust the file name), its pixel count is checked from the header before any
pixel is decoded (a small file can unpack to gigabytes: a decompression bomb),
the camera's orientation tag is applied and then every bit of metadata (EXIF with
GPS position, camera serial, ICC, comments) is dropped by re-encoding only the
pixels.
"""

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

PHOTO_NOT_AN_IMAGE = _("This file is not an image. Upload a JPEG, PNG or WebP photo.")
PHOTO_TOO_LARGE = _("This file is too large. The limit is %(limit)s MB.")
PHOTO_TOO_MANY_PIXELS = _(
    "This image has too many pixels (%(megapixels)s megapixels; the limit is %(limit)s)."
)
PHOTO_UNSUPPORTED_FORMAT = _("Upload a JPEG, PNG or WebP photo.")

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
WEB_SIZE = 1200
THUMBNAIL_SIZE = 320


@dataclass(frozen=True)
class PreparedPhoto:
    web: ContentFile
    thumbnail: ContentFile
    width: int
    height: int


def _encode(image: Image.Image, name: str) -> ContentFile:
    buffer = io.BytesIO()
    # No exif=, icc_profile= or comment: the JPEG carries pixels only.
    image.save(buffer, format="JPEG", quality=85, optimize=True, progressive=True)
    return ContentFile(buffer.getvalue(), name=name)


def prepare_photo(upload: UploadedFile) -> PreparedPhoto:
    max_bytes = settings.EXERCISE_PHOTO_MAX_BYTES
    max_pixels = settings.EXERCISE_PHOTO_MAX_PIXELS
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(
            PHOTO_TOO_LARGE, code="too_large", params={"limit": max_bytes // (1024 * 1024)}
        )
    upload.seek(0)
    data = upload.read()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))  # reads the header only
            width, height = probe.size
            if width * height > max_pixels:
                raise ValidationError(
                    PHOTO_TOO_MANY_PIXELS,
                    code="too_many_pixels",
                    params={
                        "megapixels": (width * height) // 1_000_000,
                        "limit": max_pixels // 1_000_000,
                    },
                )
            if probe.format not in ALLOWED_FORMATS:
                raise ValidationError(PHOTO_UNSUPPORTED_FORMAT, code="unsupported_format")
            probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ValidationError(
            PHOTO_TOO_MANY_PIXELS,
            code="too_many_pixels",
            params={"megapixels": "?", "limit": max_pixels // 1_000_000},
        ) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(PHOTO_NOT_AN_IMAGE, code="not_an_image") from error

    upright = ImageOps.exif_transpose(image)
    if upright.mode != "RGB":
        background = Image.new("RGB", upright.size, "white")
        rgba = upright.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        upright = background
    web = upright.copy()
    web.thumbnail((WEB_SIZE, WEB_SIZE), Image.Resampling.LANCZOS)
    thumbnail = upright.copy()
    thumbnail.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE), Image.Resampling.LANCZOS)
    return PreparedPhoto(
        web=_encode(web, "photo.jpg"),
        thumbnail=_encode(thumbnail, "thumbnail.jpg"),
        width=web.width,
        height=web.height,
    )
