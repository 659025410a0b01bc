"""The handout of a program: the PDF download and the print view.

Both show the latest published revision, scoped to the therapist's practice
(another practice's program is a 404), and both are access-logged, a 304 too:
the therapist still opened the patient's handout.

The PDF is rendered by the task worker when what it prints changes, so a
download finds it ready. When it is not (the worker is still on it, or the
cache was emptied), the download queues the render and answers with a page
that says so and asks again (htmx) until the PDF is there. With no worker to
run it (the dummy queue of the tests and of a bare `runserver`), the download
renders it itself, as it always did.
"""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers
from django_tasks.backends.dummy import DummyBackend

from oefenplan.http import HtmxHttpRequest
from programs import links
from programs.handout.cache import handout_cached_file, handout_pdf_file
from programs.handout.context import Handout, HandoutUnavailable, handout_for
from programs.handout.render import handout_html
from programs.handout.tasks import handout_prerender, handout_prerender_queue
from programs.models import Program
from programs.therapist.access import practice_required, program_for, record_read


def _handout(request: HtmxHttpRequest, pk: int, detail: str) -> Handout:
    """The handout, always with a working QR code: a patient without a link gets
    one now (and the therapist is told), so no handout goes out without it."""
    program = program_for(request, pk)
    if program.revisions.exists() and links.patient_active_link(patient=program.patient) is None:
        links.patient_link_create(patient=program.patient, user=request.user)
        messages.info(
            request,
            _(
                "%(name)s had no link to the phone plan: one was made for the handout's "
                "QR code. It is on the patient's page."
            )
            % {"name": program.patient.name},
        )
    handout = _handout_or_404(request, program)
    record_read(request, program.patient, detail=detail)
    return handout


def _handout_or_404(request: HtmxHttpRequest, program: Program) -> Handout:
    try:
        # The QR code's address comes from settings.SITE_URL, as in the task
        # worker's render: both make the same handout, and the same cache key.
        return handout_for(program=program, user=request.user)
    except HandoutUnavailable as error:
        raise Http404(str(error)) from error


def _validators(response: HttpResponse, etag: str, modified: int) -> HttpResponse:
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    # The browser may keep a copy but asks again each time (and gets a 304).
    response["Cache-Control"] = "private, no-cache"
    return response


def _preparing(request: HtmxHttpRequest, pk: int, *, ready: bool) -> HttpResponse:
    template = "programs/handout/preparing.html"
    if request.htmx:
        template += "#handout-status"
    response = render(
        request,
        template,
        {
            "ready": ready,
            "pdf_url": reverse("therapist:handout_pdf", args=[pk]),
            "program_url": reverse("therapist:program_edit", args=[pk]),
        },
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@practice_required
@vary_on_headers("HX-Request")
def handout_pdf(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    if request.htmx:
        # The "being prepared" page asking again: is the file there yet? It shows
        # nothing of the record, so it is not logged; the download itself is.
        handout = _handout_or_404(request, program_for(request, pk))
        return _preparing(request, pk, ready=handout_cached_file(handout) is not None)
    handout = _handout(request, pk, "handout pdf")
    # The cached file is named by everything printed in it (its cache key is
    # the ETag), so its modification time is when this content first existed:
    # a new phone number or photo gives a new file and a newer Last-Modified.
    pdf = handout_cached_file(handout)
    if pdf is None:
        if isinstance(handout_prerender.get_backend(), DummyBackend):
            pdf = handout_pdf_file(handout)  # no worker would ever render it
        else:
            handout_prerender_queue(program_ids=[handout.program.pk])
            pdf = handout_cached_file(handout)  # a queue that runs tasks at once
            if pdf is None:
                return _preparing(request, pk, ready=False)
    etag, modified = f'"{pdf.stem}"', int(pdf.stat().st_mtime)
    not_modified = get_conditional_response(request, etag=etag, last_modified=modified)
    if not_modified is not None:
        return _validators(not_modified, etag, modified)
    response = FileResponse(
        pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=handout.filename,
    )
    return _validators(response, etag, modified)


@require_GET
@practice_required
def handout_print(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    handout = _handout(request, pk, "handout print")
    html = handout_html(
        handout,
        for_pdf=False,
        extra={
            "program_url": reverse("therapist:program_edit", args=[pk]),
            "pdf_url": reverse("therapist:handout_pdf", args=[pk]),
        },
    )
    response = HttpResponse(html)
    response["Cache-Control"] = "private, no-store"
    response["Content-Language"] = handout.language
    return response
