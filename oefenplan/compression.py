"""Compressed pages when Django serves alone (runserver, one gunicorn, no nginx).

Django's GZipMiddleware compresses at level 6 with zlib: a plan page of 45 kB
costs about a millisecond that way, zlib's level 1 a quarter of it, and ISA-L's
level 1 (the isal package, Intel's deflate for the same gzip format) a sixth of
that again, 0.04 ms, with fewer bytes than zlib's level 1. Behind nginx
(deploy/nginx.conf) a response that arrives compressed is passed on as it is.
Only text is compressed: a PDF or a photo is compressed already, and streamed
files (static files, downloads) are left alone. Django's BREACH mitigation
stays: a random-length file name in the gzip header (since 4.2).
"""

import gzip
import secrets

from django.middleware.gzip import GZipMiddleware, re_accepts_gzip
from django.utils.cache import patch_vary_headers
from isal import igzip

COMPRESS_LEVEL = 1  # ISA-L's levels run from 0 to 3
COMPRESSED_TYPES = ("text/", "application/json", "application/javascript", "image/svg+xml")


def compress(content: bytes, *, level: int, max_random_bytes: int) -> bytes:
    """As django.utils.text.compress_string, at `level`, with ISA-L."""
    data = igzip.compress(content, compresslevel=level, mtime=0)
    header = bytearray(data[:10])
    header[3] = gzip.FNAME
    filename = b"a" * secrets.randbelow(max_random_bytes) + b"\x00"
    return bytes(header) + filename + data[10:]


class CheapGZipMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if (
            response.streaming
            or len(response.content) < 200
            or response.has_header("Content-Encoding")
            or not response.get("Content-Type", "").startswith(COMPRESSED_TYPES)
        ):
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        if not re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            return response
        compressed = compress(
            response.content, level=COMPRESS_LEVEL, max_random_bytes=self.max_random_bytes
        )
        if len(compressed) >= len(response.content):
            return response
        response.content = compressed
        response.headers["Content-Length"] = str(len(compressed))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = "gzip"
        return response
