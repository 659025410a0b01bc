"""Real image files for the photo tests, too large to make inline in each test."""

import io
import struct
import zlib

from PIL import Image


def png_chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png_of_39_megapixels() -> bytes:
    """A real RGB PNG of 7296 x 5440 pixels (39.7 megapixels), a grey ramp one
    shade a row, some 130 KB on disk. Written row by row, so making it takes no
    memory; decoding it would take 160 MB."""
    width, height = 7296, 5440
    compressor = zlib.compressobj(9)
    rows = (b"\x00" + bytes([y % 256]) * (width * 3) for y in range(height))
    pixels = b"".join(compressor.compress(row) for row in rows) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", pixels)
        + png_chunk(b"IEND", b"")
    )


def jpeg_of_48_megapixels() -> bytes:
    """A phone-sized photo, 8000 x 6000: the left half red, the right half white."""
    image = Image.new("RGB", (8000, 6000), "white")
    image.paste((255, 0, 0), (0, 0, 4000, 6000))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()
