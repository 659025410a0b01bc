"""The only way WeasyPrint fetches anything: the project's static and media files.

WeasyPrint only ever sees our own template output (user text escaped by
Django's autoescape), and fetches through `HandoutURLFetcher`, which serves
files under the static directories and MEDIA_ROOT and refuses everything else:
no network, no other local path.
"""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from django.conf import settings
from weasyprint.urls import URLFetcher, URLFetcherResponse

# The origin WeasyPrint resolves "/static/..." and "/media/..." against. The
# .invalid top-level domain never resolves, and the fetcher maps it to files.
INTERNAL_ORIGIN = "https://handout.invalid"


class FetchRefused(ValueError):
    """WeasyPrint logs it as a warning and renders without the resource."""


def static_roots() -> list[Path]:
    roots = [Path(root) for root in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT))
    return roots


def _file_under(roots: list[Path], relative: str) -> Path | None:
    if not relative or "\\" in relative or ".." in relative.split("/") or "\0" in relative:
        return None
    for root in roots:
        root = root.resolve()
        candidate = (root / relative.lstrip("/")).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
    return None


class HandoutURLFetcher(URLFetcher):
    """Serves only the project's static and media files; refuses anything else.

    Accepted: `https://handout.invalid/<STATIC_URL>...`, `.../<MEDIA_URL>...`
    (what the templates' relative URLs resolve to), and `file:` URLs that lie
    inside those directories. Refused: every other host or scheme (http, ftp,
    data:...), `..` segments, symlinks pointing outside the roots.
    """

    def __init__(self, **kwargs):
        super().__init__(allowed_protocols=["https", "file"], allow_redirects=False, **kwargs)

    def resolve(self, url: str) -> Path:
        parts = urlsplit(url)
        static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"
        media_prefix = "/" + settings.MEDIA_URL.strip("/") + "/"
        if parts.scheme == "https" and f"https://{parts.netloc}" == INTERNAL_ORIGIN:
            path = unquote(parts.path)
            if path.startswith(static_prefix):
                found = _file_under(static_roots(), path.removeprefix(static_prefix))
            elif path.startswith(media_prefix):
                found = _file_under([Path(settings.MEDIA_ROOT)], path.removeprefix(media_prefix))
            else:
                found = None
        elif parts.scheme == "file" and parts.netloc in ("", "localhost"):
            path = Path(url2pathname(parts.path))
            found = None
            for root in [*static_roots(), Path(settings.MEDIA_ROOT)]:
                if path.is_absolute() and path.resolve().is_relative_to(root.resolve()):
                    found = _file_under([root], str(path.resolve().relative_to(root.resolve())))
                    break
        else:
            found = None
        if found is None:
            raise FetchRefused(f"handout may not fetch {url[:200]!r}")
        return found

    def fetch(self, url, headers=None):
        path = self.resolve(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), path.read_bytes(), headers={"Content-Type": content_type}
        )
