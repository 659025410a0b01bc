"""The handout as HTML (the print view) and as a tagged A4 PDF (WeasyPrint).

One template and one stylesheet serve both (templates/programs/handout/,
static/css/handout.css); `for_pdf` only leaves out the screen toolbar and the
stylesheet's <link> (WeasyPrint is given it parsed: handout_stylesheet).
"""

import contextlib
import functools
import gc
import re
import threading
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from programs.handout.context import Handout, handout_context
from programs.handout.fetcher import INTERNAL_ORIGIN, HandoutURLFetcher, static_file

TEMPLATE = "programs/handout/handout.html"
STYLESHEET = "css/handout.css"

# Elements handout.css lays out as blocks (or table parts, list items, the
# head's) on paper, never inline: whitespace next to one of their tags is never
# printed, since a block's lines drop their leading and trailing spaces. The
# template's indentation there (a sixth of the handout's HTML) still costs
# WeasyPrint a parse and boxes to build and throw away, 2 % of the render.
# Spaces between inline elements (spans, strong, the inline-block picture and
# text columns) are kept: they print. tests/programs/handout/test_render_input.py
# checks that these tags make block boxes in the rendered handout.
BLOCK_TAGS = [
    *("html", "head", "title", "meta", "link", "body", "main", "header", "footer", "nav"),
    *("section", "article", "h1", "h2", "h3", "h4", "p", "ul", "ol", "li", "dl", "dt", "dd"),
    *("figcaption", "table", "caption", "colgroup", "col", "thead", "tbody", "tr", "th", "td"),
]
_BLOCK_TAG_START = r"</?(?:" + "|".join(BLOCK_TAGS) + r")\b"
# A block tag then spaces, or spaces then a block tag; only spaces between two tags.
_SPACE_BY_A_BLOCK_TAG = re.compile(
    rf"({_BLOCK_TAG_START}[^>]*>)\s+(?=<)|(?<=>)\s+(?={_BLOCK_TAG_START})"
)


def without_layout_whitespace(html: str) -> str:
    """The html without the whitespace between tags that paper never shows (BLOCK_TAGS)."""
    return _SPACE_BY_A_BLOCK_TAG.sub(lambda match: match.group(1) or "", html)


@functools.lru_cache(maxsize=2)
def _stylesheet(path: Path, modified: int, size: int) -> CSS:
    return CSS(
        string=path.read_text(encoding="utf-8"),
        base_url=path.as_uri(),
        url_fetcher=HandoutURLFetcher(),
    )


def handout_stylesheet() -> CSS:
    """handout.css, parsed once per process while the file is unchanged (as the
    figures are: print_figures.print_figure_file): the PDF's template leaves out
    its <link> and the render is given this (parsing it is 13 ms of every
    render). The browser's print view links it."""
    path = static_file(STYLESHEET)
    status = path.stat()
    return _stylesheet(path, status.st_mtime_ns, status.st_size)


def handout_html(handout: Handout, *, for_pdf: bool, extra: dict | None = None) -> str:
    with translation.override(handout.language):
        context = {
            **handout_context(handout),
            "for_pdf": for_pdf,
            # WeasyPrint reads photos through the media storage by name (the
            # fetcher), wherever they are kept: disk or an object store.
            "pdf_media_url": settings.MEDIA_URL,
            **(extra or {}),
        }
        return render_to_string(TEMPLATE, context)


def _css_string(text: str) -> str:
    """A CSS string literal; the text comes from our own catalogue."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _page_number_css(language: str) -> CSS:
    # "pagina 3 van 12": the words come from the catalogue, the numbers from
    # CSS counters, so the sentence keeps each language's own word order.
    with translation.override(language):
        pattern = _("page %(page)s of %(pages)s")
    marker = "\x00"
    parts = (
        pattern % {"page": marker + "page" + marker, "pages": marker + "pages" + marker}
    ).split(marker)
    content = " ".join(
        f"counter({part})" if index % 2 else _css_string(part)
        for index, part in enumerate(parts)
        if part or index % 2
    )
    return CSS(string=f"@page {{ @bottom-right {{ content: {content}; }} }}")


class _CollectorPause:
    """Python's cycle collector held off while WeasyPrint renders, then run once.

    A handout's render makes a few hundred thousand objects that live until the
    PDF is written (boxes, styles, lines), and the collector's default thresholds
    walk all of them, and everything else the process holds, three or four times
    on the way: 15 % of the back handout's render, measured with `gc.callbacks`
    (README, performance). Held off, the render's garbage is freed by one young-
    generation collection at the end, which walks only what the render made.
    Peak memory does not change: the document holds those objects until the PDF
    is written anyway.

    The collector is one switch per process, so renders in several threads
    count themselves in and the last one out switches it back on, and only if
    it was on before the first came in.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._running = 0
        self._was_enabled = False

    @contextlib.contextmanager
    def __call__(self):
        with self._lock:
            if self._running == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._running += 1
        try:
            yield
        finally:
            with self._lock:
                self._running -= 1
                last_out = self._running == 0
                if last_out and self._was_enabled:
                    gc.enable()
            if last_out:
                gc.collect(0)


collector_paused = _CollectorPause()


def _tagged_pdf(
    html: str,
    *,
    language: str,
    identifier: str,
    fetcher: URLFetcher,
    stylesheets: tuple[CSS, ...] = (),
    **options,
):
    """An A4 PDF/UA-1 of the html: tagged, with title and language, numbered pages.
    `stylesheets` come before the page numbers' (WeasyPrint's user origin, above
    its own defaults; these documents have no other author style than ours)."""
    document = HTML(string=html, base_url=INTERNAL_ORIGIN + "/", url_fetcher=fetcher)
    return document.write_pdf(
        stylesheets=[*stylesheets, _page_number_css(language)],
        pdf_variant="pdf/ua-1",
        pdf_identifier=identifier.encode(),
        **options,
    )


def handout_pdf(handout: Handout, *, url_fetcher: URLFetcher | None = None) -> bytes:
    with collector_paused():
        return _tagged_pdf(
            without_layout_whitespace(handout_html(handout, for_pdf=True)),
            language=handout.language,
            identifier=handout.content_key,
            fetcher=url_fetcher or HandoutURLFetcher(),
            stylesheets=(handout_stylesheet(),),
            # Every picture arrives optimised already: photos as the JPEG the
            # upload made (exercises/photos.py), tick rows as optimised PNGs.
            # WeasyPrint's optimize_images would decode and save each again,
            # a photo as a new JPEG at Pillow's default quality of 75, lower
            # than the 85 it was stored with.
            optimize_images=False,
        )


def document_pdf(html: str, *, language: str, identifier: str) -> bytes:
    """Another printed document of the app (a patient's data export, say) with the
    handout's page setup, fonts, fetcher and PDF/UA tagging."""
    with collector_paused():
        return _tagged_pdf(
            html, language=language, identifier=identifier, fetcher=HandoutURLFetcher()
        )
