"""Rendered handout PDFs on disk (settings.HANDOUT_CACHE_DIR), and their removal.

A PDF is rendered once per cache key and kept. The key names the printed
content (`Handout.content_key`) and a fingerprint of the layout: the handout's
templates, its stylesheet, the pictograms and the catalogues. Changing any of
them renders anew, with no version number to remember to bump.

A cached PDF carries a patient's name, so none is kept longer than
settings.HANDOUT_CACHE_MAX_AGE seconds: an older file is rendered again rather
than served, and each new render (or `manage.py prune_handouts`, for cron)
removes the old ones.
"""

import hashlib
import os
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import get_template

from programs.handout import context, print_figures, text_lines, ticks
from programs.handout.context import Handout
from programs.handout.render import TEMPLATE, handout_pdf

# What the handout's layout is made of, besides this code.
LAYOUT_TEMPLATES = (TEMPLATE, "programs/partials/exercise.html", "exercises/partials/figure.html")
# Code is layout too: what draws the tick grid's rows, what redraws the figures
# for print, and what decides which weeks start a page (the grid's height estimate).
LAYOUT_CODE = (
    Path(ticks.__file__),
    Path(text_lines.__file__),
    Path(context.__file__),
    Path(print_figures.__file__),
)
LAYOUT_STATIC = ("css/handout.css", "handout", "exercises/pictograms", "exercises/figures")
# A render that died midway leaves its temporary file; any older than this is litter.
ABANDONED_RENDER_AGE = 3600


def _layout_files() -> list[Path]:
    files = [Path(get_template(name).origin.name) for name in LAYOUT_TEMPLATES]
    for name in LAYOUT_STATIC:
        found = Path(finders.find(name))
        files.extend(sorted(found.rglob("*")) if found.is_dir() else [found])
    files.extend(LAYOUT_CODE)
    for locale in settings.LOCALE_PATHS:
        files.extend(sorted(Path(locale).glob("*/LC_MESSAGES/django.po")))
    return [path for path in files if path.is_file()]


_fingerprints: dict[tuple, str] = {}


def _mtime_and_size(path: Path) -> tuple[int, int]:
    status = path.stat()
    return status.st_mtime_ns, status.st_size


def layout_fingerprint() -> str:
    """A digest of every file that shapes the PDF. Each download asks, so the
    digest is kept while no file's size or modification time has changed."""
    files = _layout_files()
    stamp = tuple((str(path), *_mtime_and_size(path)) for path in files)
    if stamp not in _fingerprints:
        digest = hashlib.sha256()
        for path in files:
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        _fingerprints.clear()
        _fingerprints[stamp] = digest.hexdigest()[:12]
    return _fingerprints[stamp]


def handout_cache_key(handout: Handout) -> str:
    return f"{handout.content_key}-{layout_fingerprint()}"


def _expired(path: Path, max_age: float, now: float) -> bool:
    try:
        return now - path.stat().st_mtime > max_age
    except FileNotFoundError:  # removed by another process meanwhile
        return False


def _cache_path(handout: Handout) -> Path:
    return Path(settings.HANDOUT_CACHE_DIR) / f"{handout_cache_key(handout)}.pdf"


def _fresh(path: Path) -> bool:
    return path.is_file() and not _expired(path, settings.HANDOUT_CACHE_MAX_AGE, time.time())


def handout_cached_file(handout: Handout) -> Path | None:
    """The handout's PDF when it is in the cache and not too old; None otherwise."""
    path = _cache_path(handout)
    return path if _fresh(path) else None


def handout_pdf_file(handout: Handout) -> Path:
    """The cached PDF of the handout, rendered first when it is not on disk (or too old)."""
    path = _cache_path(handout)
    if _fresh(path):
        return path
    directory = path.parent
    data = handout_pdf(handout)
    directory.mkdir(parents=True, exist_ok=True)
    # Written beside the target and renamed: a concurrent reader sees the whole
    # file or none, and two renderers of the same key just replace each other.
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".render-", suffix=".pdf")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    handout_cache_prune()
    return path


def handout_cache_prune(*, max_age: float | None = None) -> list[Path]:
    """Remove cached PDFs older than max_age seconds (settings.HANDOUT_CACHE_MAX_AGE)."""
    directory = Path(settings.HANDOUT_CACHE_DIR)
    if not directory.is_dir():
        return []
    max_age = settings.HANDOUT_CACHE_MAX_AGE if max_age is None else max_age
    now = time.time()
    removed = []
    for path in directory.glob("*.pdf"):
        if not path.name.startswith(".") and _expired(path, max_age, now):
            path.unlink(missing_ok=True)
            removed.append(path)
    for path in directory.glob(".render-*"):
        if _expired(path, ABANDONED_RENDER_AGE, now):
            path.unlink(missing_ok=True)
    return removed


def handout_cache_forget(*, revision_ids) -> list[Path]:
    """Remove every cached PDF of these revisions (their names begin with the
    revision's id, see Handout.content_key): erased or expired content."""
    directory = Path(settings.HANDOUT_CACHE_DIR)
    if not directory.is_dir():
        return []
    prefixes = tuple(f"{revision_id}-r" for revision_id in revision_ids)
    removed = []
    for path in directory.glob("*.pdf"):
        if prefixes and path.name.startswith(prefixes):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
