"""Turning an upload into a safe, web-sized photo and a thumbnail.

An upload is untrusted, so:
- Pillow must recognise it as one of the few formats we take (the file name
  means nothing), and none of Pillow's other decoders ever sees it;
- the memory its decode will take is worked out from the header before any
  pixel is decoded (a small file can unpack to gigabytes: a decompression
  bomb), and a file that would take more than the limit is refused. A JPEG is
  decoded at 1/2, 1/4 or 1/8 of its size when it is far larger than the web
  size (Pillow's draft mode: the JPEG decoder scales while it decodes), so a
  48-megapixel phone photo costs what a 3-megapixel one does; a PNG or WebP has
  no such mode and must fit in full;
- the photo is shrunk to web size, turned upright by the camera's orientation
  tag, and then its pixels alone are copied into a new image and encoded as a
  new JPEG: no metadata (EXIF with the GPS position or a camera serial, XMP, an
  ICC profile, a JPEG comment, PNG text) and nothing appended to the file (an
  HTML page, a ZIP archive) survives.
"""

import io
import math
import struct
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

PHOTO_NOT_AN_IMAGE = _("This file is not an image. Upload a JPEG, PNG or WebP photo.")
PHOTO_TOO_LARGE = _("This file is too large. The limit is %(limit)s MB.")
PHOTO_TOO_MANY_PIXELS = _(
    "This image has too many pixels (%(megapixels)s megapixels; the limit is %(limit)s)."
)
PHOTO_UNSUPPORTED_FORMAT = _("Upload a JPEG, PNG or WebP photo.")

# The only decoders Pillow may try. A phone's JPEG that carries a second
# picture (a depth map, an HDR gain map) opens as MPO; its first picture is used.
DECODERS = ["JPEG", "PNG", "WEBP"]
ALLOWED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP"}
JPEG_FORMATS = {"JPEG", "MPO"}
WEB_SIZE = 1200
THUMBNAIL_SIZE = 320

# Memory a decode holds at its peak, per pixel, measured with Pillow 13
# (tests/exercises/test_photo_memory.py keeps the whole under 100 MB):
# Pillow keeps a pixel in 4 bytes; shrinking a transparent image makes a
# premultiplied copy of it; WebP's decoder keeps a canvas of its own and hands
# Pillow a copy of that. The limit, EXERCISE_PHOTO_MAX_PIXELS, is in opaque
# pixels: a transparent image may have half as many, a WebP a quarter.
BYTES_PER_PIXEL = 4
BYTES_PER_TRANSPARENT_PIXEL = 8
BYTES_PER_WEBP_PIXEL = 16


@dataclass(frozen=True)
class PreparedPhoto:
    web: ContentFile
    thumbnail: ContentFile
    width: int
    height: int


def prepare_photo(upload: UploadedFile) -> PreparedPhoto:
    max_bytes = settings.EXERCISE_PHOTO_MAX_BYTES
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(
            PHOTO_TOO_LARGE, code="too_large", params={"limit": max_bytes // (1024 * 1024)}
        )
    try:
        with warnings.catch_warnings():
            # Our own limit, checked before any decode, is the one that counts:
            # Pillow would warn about a 108-megapixel phone photo that is then
            # decoded at 1/8. (Above twice its limit Pillow refuses to open.)
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            _open_within_limits(upload).verify()  # the file's structure, no pixels
            image = _open_within_limits(upload)
            image.load()
            web = _web_sized(image)
    except Image.DecompressionBombError as error:
        raise _too_many_pixels(pixels=None, limit=settings.EXERCISE_PHOTO_MAX_PIXELS) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, struct.error) as error:
        raise ValidationError(PHOTO_NOT_AN_IMAGE, code="not_an_image") from error
    thumbnail = web.copy()
    thumbnail.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE), Image.Resampling.LANCZOS)
    return PreparedPhoto(
        web=_encode(web, "photo.jpg"),
        thumbnail=_encode(thumbnail, "thumbnail.jpg"),
        width=web.width,
        height=web.height,
    )


def _open_within_limits(upload: UploadedFile) -> Image.Image:
    """The upload opened (its header read, no pixels decoded) in an allowed
    format, a large JPEG set to decode at a reduced scale, its decode within the
    memory limit."""
    upload.seek(0)
    # WebP's decoder allocates its whole canvas as soon as the file is opened,
    # so its size is read from the first bytes before Pillow sees the file.
    webp_size = _webp_canvas_size(upload.read(30))
    if webp_size is not None:
        _check_decode(webp_size, decode_bytes=_pixels(webp_size) * BYTES_PER_WEBP_PIXEL)
    upload.seek(0)
    image = Image.open(upload, formats=DECODERS)
    if image.format not in ALLOWED_FORMATS:
        raise ValidationError(PHOTO_UNSUPPORTED_FORMAT, code="unsupported_format")
    full_size = image.size
    if image.format in JPEG_FORMATS:
        # The smallest of 1/8, 1/4, 1/2 that still leaves at least the web
        # photo's own size; a photo near the web size decodes in full.
        image.draft("RGB", _fitted(full_size, WEB_SIZE))
    _check_decode(full_size, decode_bytes=_decode_bytes(image, full_size))
    return image


def _decode_bytes(image: Image.Image, full_size: tuple[int, int]) -> int:
    """Memory the decode and the shrinking hold at their peak (see BYTES_PER_PIXEL)."""
    if image.format == "WEBP":
        return _pixels(full_size) * BYTES_PER_WEBP_PIXEL
    transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    per_pixel = BYTES_PER_TRANSPARENT_PIXEL if transparent else BYTES_PER_PIXEL
    decoded = _pixels(image.size) * per_pixel  # a JPEG's size after draft()
    if image.format in JPEG_FORMATS and image.info.get("progressive"):
        # A progressive JPEG arrives in several passes over the whole picture,
        # so its decoder keeps every DCT coefficient (2 bytes) of the full size
        # whatever the scale: 3 bytes a pixel with a phone's colour
        # subsampling, up to 8 for CMYK without it.
        decoded += _pixels(full_size) * _coefficient_bytes_per_pixel(image)
    return decoded


def _coefficient_bytes_per_pixel(image: Image.Image) -> float:
    # `layer`: (component id, horizontal sampling, vertical sampling, table).
    components = getattr(image, "layer", None) or [(0, 1, 1, 0)] * 4
    largest = max(h * v for _id, h, v, _table in components)
    return 2 * sum(h * v for _id, h, v, _table in components) / largest


def _fitted(size: tuple[int, int], longest: int) -> tuple[int, int]:
    """The size an image of `size` has after thumbnail((longest, longest))."""
    ratio = min(1.0, longest / max(size))
    return max(1, round(size[0] * ratio)), max(1, round(size[1] * ratio))


def _pixels(size: tuple[int, int]) -> int:
    return size[0] * size[1]


def _check_decode(full_size: tuple[int, int], *, decode_bytes: int) -> None:
    """Refuse a file whose decode would hold more than the limit's worth of
    opaque pixels; the message names the limit for a file like this one."""
    budget = settings.EXERCISE_PHOTO_MAX_PIXELS * BYTES_PER_PIXEL
    if decode_bytes > budget:
        pixels = _pixels(full_size)
        raise _too_many_pixels(pixels=pixels, limit=int(pixels * budget / decode_bytes))


def _too_many_pixels(*, pixels: int | None, limit: int) -> ValidationError:
    return ValidationError(
        PHOTO_TOO_MANY_PIXELS,
        code="too_many_pixels",
        params={
            # Rounded up: a file just over a limit of 16 does not read "16.0".
            "megapixels": number_format(math.ceil(pixels / 100_000) / 10, 1) if pixels else "?",
            "limit": number_format(limit // 1_000_000),
        },
    )


def _webp_canvas_size(head: bytes) -> tuple[int, int] | None:
    """A WebP file's canvas size from its first 30 bytes; None if it is no WebP.

    The three kinds of WebP keep it in different places: a lossy "VP8 " frame
    after its start code, a lossless "VP8L" bitstream in two 14-bit fields, an
    extended "VP8X" header in two 24-bit fields (the canvas of every frame).
    A WebP whose size is not where it belongs is refused (ValueError)."""
    if head[:4] != b"RIFF" or head[8:12] != b"WEBP":
        return None
    kind = head[12:16]
    if len(head) < 30:
        raise ValueError("WebP header cut short")
    if kind == b"VP8 " and head[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", head[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if kind == b"VP8L" and head[20] == 0x2F:
        bits = int.from_bytes(head[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if kind == b"VP8X":
        return int.from_bytes(head[24:27], "little") + 1, int.from_bytes(head[27:30], "little") + 1
    raise ValueError("WebP without a readable size")


def _web_sized(image: Image.Image) -> Image.Image:
    """At most WEB_SIZE on its long side, upright, RGB on white, and pixels only."""
    if image.mode in ("1", "P", "PA"):
        # Palette and 1-bit images can only be shrunk by dropping pixels.
        image = image.convert("RGBA" if image.has_transparency_data else "RGB")
    image.thumbnail((WEB_SIZE, WEB_SIZE), Image.Resampling.LANCZOS)
    ImageOps.exif_transpose(image, in_place=True)
    # A new image gets the pixels alone: `info` (EXIF, XMP, ICC profile,
    # comment, PNG text) stays behind with the decoded file. Pillow writes
    # info["comment"] of the image it saves back into a JPEG, for one.
    pixels_only = Image.new("RGB", image.size, "white")
    if image.has_transparency_data:
        rgba = image.convert("RGBA")
        pixels_only.paste(rgba, mask=rgba.getchannel("A"))
    else:
        pixels_only.paste(image.convert("RGB"))
    return pixels_only


def _encode(image: Image.Image, name: str) -> ContentFile:
    buffer = io.BytesIO()
    # The image is fresh from Image.new, and no exif=, icc_profile=, xmp= or
    # comment= is passed: the JPEG carries pixels only.
    image.save(buffer, format="JPEG", quality=85, optimize=True, progressive=True)
    return ContentFile(buffer.getvalue(), name=name)
