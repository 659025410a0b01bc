"""The only way WeasyPrint fetches anything: the project's static and media files.

WeasyPrint only ever sees our own template output (user text escaped by
Django's autoescape), and fetches through `HandoutURLFetcher`, which serves
files under the static directories and MEDIA_ROOT and refuses everything else:
no network, no other local path.
"""

import dataclasses
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from weasyprint.urls import URLFetcher, URLFetcherResponse

from programs.handout.print_figures import print_figure_file
from programs.handout.ticks import PATTERN, TICKS_PATH, tick_png

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
    if not _safe_name(relative):
        return None
    for root in roots:
        root = root.resolve()
        candidate = (root / relative.lstrip("/")).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
    return None


def static_file(relative: str) -> Path | None:
    """One of the project's static files on this machine, by its path under STATIC_URL."""
    return _file_under(static_roots(), relative)


@dataclasses.dataclass(frozen=True)
class StoredMedia:
    """A file of the media storage that is not on this machine's disk (an object store)."""

    name: str


def _media_file(relative: str) -> Path | StoredMedia | None:
    """A media file by its name: on disk under MEDIA_ROOT (symlinks out refused),
    or in the configured storage when it is not the disk (an object store)."""
    if isinstance(default_storage, FileSystemStorage):
        return _file_under([Path(settings.MEDIA_ROOT)], relative)
    if not _safe_name(relative) or not default_storage.exists(relative):
        return None
    return StoredMedia(relative)


def _safe_name(relative: str) -> bool:
    parts = relative.split("/")
    return bool(relative) and "\\" not in relative and "\0" not in relative and ".." not in parts


@dataclasses.dataclass(frozen=True)
class TickPicture:
    """A row of the tick grid, drawn on request (programs.handout.ticks)."""

    pattern: str

    @property
    def name(self) -> str:
        return f"{self.pattern}.png"


class HandoutURLFetcher(URLFetcher):
    """Serves only the project's static and media files; refuses anything else.

    Accepted: `https://handout.invalid/<STATIC_URL>...`, `.../<MEDIA_URL>...`
    (what the templates' relative URLs resolve to), `.../handout-ticks/<pattern>.png`
    (a row of the tick grid, drawn here), and `file:` URLs that lie
    inside those directories. Refused: every other host or scheme (http, ftp,
    data:...), `..` segments, symlinks pointing outside the roots.
    """

    def __init__(self, **kwargs):
        super().__init__(allowed_protocols=["https", "file"], allow_redirects=False, **kwargs)

    def resolve(self, url: str) -> Path | StoredMedia | TickPicture:
        parts = urlsplit(url)
        static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"
        media_prefix = "/" + settings.MEDIA_URL.strip("/") + "/"
        if parts.scheme == "https" and f"https://{parts.netloc}" == INTERNAL_ORIGIN:
            path = unquote(parts.path)
            if path.startswith(static_prefix):
                found = static_file(path.removeprefix(static_prefix))
            elif path.startswith(media_prefix):
                found = _media_file(path.removeprefix(media_prefix))
            elif path.startswith(TICKS_PATH) and path.endswith(".png"):
                pattern = path.removeprefix(TICKS_PATH).removesuffix(".png")
                found = TickPicture(pattern) if PATTERN.match(pattern) else None
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
        found = self.resolve(url)
        content_type = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
        if isinstance(found, TickPicture):
            return URLFetcherResponse(
                url, tick_png(found.pattern), headers={"Content-Type": "image/png"}
            )
        if isinstance(found, StoredMedia):
            with default_storage.open(found.name, "rb") as file:
                return URLFetcherResponse(url, file.read(), headers={"Content-Type": content_type})
        # The exercise figures, drawn with fewer nodes (programs/handout/print_figures.py);
        # only the project's own static files, never a file under MEDIA_ROOT.
        figure = found.suffix == ".svg" and any(
            found.is_relative_to(root.resolve()) for root in static_roots()
        )
        body = print_figure_file(found) if figure else found.read_bytes()
        return URLFetcherResponse(found.as_uri(), body, headers={"Content-Type": content_type})
