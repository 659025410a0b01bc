"""The printed handout: one set of templates for the print view and the PDF.

A handout is built from a program's latest published revision (the frozen
snapshot), in the patient's language, with the practice's own details and,
where the patient has an active link, a QR code to the phone plan. WeasyPrint
turns the same HTML into an A4, tagged PDF; the PDF is rendered once per
cache key and kept on disk (settings.HANDOUT_CACHE_DIR).

Safety: WeasyPrint only ever sees our own template output (user text escaped
by Django's autoescape) and fetches through `HandoutURLFetcher`, which serves
files under the static directories and MEDIA_ROOT and refuses everything else:
no network, no other local path.
"""

import dataclasses
import datetime
import hashlib
import mimetypes
import os
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import segno
from django.conf import settings
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from exercises.models import HoldUnit, Position
from programs.links import link_url, patient_active_link
from programs.models import Program, ProgramRevision
from programs.schedule import WeekDose, item_sessions, program_dates, week_dose
from programs.selectors import exercise_photos

# Bump when the templates or handout.css change, so cached PDFs are re-rendered.
HANDOUT_VERSION = "3"
# The origin WeasyPrint resolves "/static/..." and "/media/..." against. The
# .invalid top-level domain never resolves, and the fetcher maps it to files.
INTERNAL_ORIGIN = "https://handout.invalid"
NOT_PUBLISHED = "This program has no published revision yet."


class HandoutUnavailable(Exception):
    pass


class FetchRefused(ValueError):
    """WeasyPrint logs it as a warning and renders without the resource."""


def _static_roots() -> list[Path]:
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
                found = _file_under(_static_roots(), path.removeprefix(static_prefix))
            elif path.startswith(media_prefix):
                found = _file_under([Path(settings.MEDIA_ROOT)], path.removeprefix(media_prefix))
            else:
                found = None
        elif parts.scheme == "file" and parts.netloc in ("", "localhost"):
            path = Path(url2pathname(parts.path))
            found = None
            for root in [*_static_roots(), Path(settings.MEDIA_ROOT)]:
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


@dataclasses.dataclass(frozen=True)
class Handout:
    """Everything a handout shows that is not in the revision's snapshot."""

    program: Program
    revision: ProgramRevision
    language: str
    therapist: str
    link_id: int | None
    link_url: str | None
    # exercise slug -> (media-relative path, alt text) of its first photo
    photos: dict

    @property
    def cache_key(self) -> str:
        practice = self.program.patient.practice
        # The snapshot is frozen per revision; what else the handout prints is
        # folded into a digest, so a new phone number or photo renders anew.
        varying = [
            HANDOUT_VERSION,
            practice.name,
            practice.phone,
            practice.call_hours,
            self.program.patient.name,
            self.therapist,
            self.link_url or "",
            repr(sorted(self.photos.items())),
        ]
        digest = hashlib.sha256("\x1f".join(varying).encode()).hexdigest()[:16]
        link = self.link_id or "nolink"
        return f"{self.revision.pk}-r{self.revision.number}-{self.language}-{link}-{digest}"

    @property
    def etag(self) -> str:
        return f'"{self.cache_key}"'

    @property
    def filename(self) -> str:
        return f"oefenplan-{self.program.pk}-r{self.revision.number}-{self.language}.pdf"


def handout_for(*, program: Program, user=None, base_url: str | None = None) -> Handout:
    """The handout of the program's latest published revision.

    The therapist named is the one who published it, else `user`. `base_url`
    is the site address for the patient's link (settings.SITE_URL if None).
    """
    revision = program.revisions.select_related("published_by").first()
    if revision is None:
        raise HandoutUnavailable(NOT_PUBLISHED)
    person = revision.published_by or user
    therapist = (person.get_full_name() or person.get_username()) if person else ""
    link = patient_active_link(patient=program.patient)
    url = link_url(link, base_url) if link else None
    first_photos = exercise_photos(
        slugs=[item["exercise"]["slug"] for item in revision.snapshot["items"]]
    )
    photos = {slug: (photo.image.name, photo.alt_text) for slug, photo in first_photos.items()}
    return Handout(
        program=program,
        revision=revision,
        language=program.patient.language or settings.LANGUAGE_CODE,
        therapist=therapist,
        link_id=link.pk if link and url else None,
        link_url=url,
        photos=photos,
    )


def _qr_svg(url: str) -> SafeString:
    # segno writes the SVG itself from a URL we built: no user text goes in.
    qr = segno.make(url, error="m")
    return mark_safe(qr.svg_inline(scale=1, border=2, omitsize=True, svgclass="qr-code"))


def _grouped_doses(doses: list[str]) -> list[dict]:
    """["3 x 5", "3 x 6", "3 x 6"] -> week 1: 3 x 5, weeks 2-3: 3 x 6."""
    groups: list[dict] = []
    for week, dose in enumerate(doses, start=1):
        if groups and groups[-1]["dose"] == dose:
            groups[-1]["last"] = week
        else:
            groups.append({"first": week, "last": week, "dose": dose})
    return groups


def _short(dose: WeekDose) -> str:
    """The dose in a table cell: "3 x 10", "3 x 20-30 s", "30 minutes"."""
    if dose.short:
        return dose.short
    fields = dose.fields
    if fields.get("hold_min") is not None:
        low, high = fields["hold_min"], fields.get("hold_max")
        amount = f"{low}-{high}" if high and high != low else str(low)
        if fields.get("hold_unit") == HoldUnit.COUNTS:
            hold = pgettext("hold, abbreviated", "%(amount)s counts") % {"amount": amount}
        else:
            hold = pgettext("seconds, abbreviated", "%(amount)s s") % {"amount": amount}
        return f"{dose.sets} x {hold}" if dose.sets else hold
    return dose.lines[0] if dose.lines else ""


def handout_context(handout: Handout) -> dict:
    """Template context; call inside translation.override(handout.language)."""
    snapshot = handout.revision.snapshot
    start, end = program_dates(snapshot)
    weeks = snapshot["weeks"]
    positions = dict(Position.choices)
    exercises = []
    for number, item in enumerate(snapshot["items"], start=1):
        exercise = item["exercise"]
        doses = [week_dose(item, week) for week in range(1, weeks + 1)]
        planned, most = item_sessions(item)
        photo = handout.photos.get(exercise["slug"])
        exercises.append(
            {
                "number": number,
                "exercise": exercise,
                "note": item["note"],
                "days": item["days"],
                "dose_lines": doses[0].lines,
                "week_doses": [_short(dose) for dose in doses],
                "growth": _grouped_doses([_short(dose) for dose in doses]),
                "sessions": [session <= planned for session in range(1, most + 1)],
                "photo": default_storage.url(photo[0]) if photo else None,
                "photo_alt": photo[1] if photo else "",
                "pictogram": f"exercises/pictograms/{exercise['position']}.svg",
                "position": positions.get(exercise["position"], ""),
            }
        )
    schedule = []
    for week in range(1, weeks + 1):
        # Program weeks start on the start date's weekday, as in programs.schedule.
        first = start + datetime.timedelta(weeks=week - 1)
        days = [first + datetime.timedelta(days=offset) for offset in range(7)]
        rows = []
        for entry in exercises:
            dose = entry["week_doses"][week - 1]
            previous = entry["week_doses"][week - 2] if week > 1 else dose
            on = [str(day.isoweekday()) in entry["days"] for day in days]
            rows.append({"entry": entry, "dose": dose, "grew": dose != previous, "on": on})
        schedule.append({"number": week, "days": days, "rows": rows})
    sources = list(dict.fromkeys(item["exercise"]["source"] for item in snapshot["items"]))
    protocol = snapshot["protocol"]
    variant = snapshot["variant"]
    english = handout.language == "en"
    return {
        "handout": handout,
        "practice": handout.program.patient.practice,
        "patient_name": handout.program.patient.name,
        "program_name": protocol["name_en"] if english else protocol["name"],
        "variant_name": variant["name_en"] if english else variant["name"],
        "snapshot": snapshot,
        "revision": handout.revision,
        "start": start,
        "end": end,
        "weeks": weeks,
        "exercises": exercises,
        "schedule": schedule,
        "sources": sources,
        "qr_svg": _qr_svg(handout.link_url) if handout.link_url else "",
        "language": handout.language,
    }


def handout_html(handout: Handout, *, for_pdf: bool, extra: dict | None = None) -> str:
    with translation.override(handout.language):
        context = {**handout_context(handout), "for_pdf": for_pdf, **(extra or {})}
        return render_to_string("programs/handout/handout.html", context)


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


def handout_pdf(handout: Handout, *, url_fetcher: URLFetcher | None = None) -> bytes:
    html = handout_html(handout, for_pdf=True)
    fetcher = url_fetcher or HandoutURLFetcher()
    document = HTML(string=html, base_url=INTERNAL_ORIGIN + "/", url_fetcher=fetcher)
    return document.write_pdf(
        stylesheets=[_page_number_css(handout.language)],
        pdf_variant="pdf/ua-1",  # tagged, with title and language (PDF/UA-1)
        pdf_identifier=handout.cache_key.encode(),
        optimize_images=True,
    )


def handout_pdf_file(handout: Handout) -> Path:
    """The cached PDF of the handout, rendered first when it is not on disk yet."""
    directory = Path(settings.HANDOUT_CACHE_DIR)
    path = directory / f"{handout.cache_key}.pdf"
    if path.is_file():
        return path
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
    return path
