"""The therapist's handout of a program: the PDF download and the print view.

Both show the latest published revision, scoped to the therapist's practice
(another practice's program is a 404), and both are access-logged, a 304 too:
the therapist still opened the patient's handout.
"""

from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_GET

from oefenplan.http import HtmxHttpRequest
from programs import services
from programs.handout import (
    Handout,
    HandoutUnavailable,
    handout_for,
    handout_html,
    handout_pdf_file,
)
from programs.models import AccessAction
from programs.views import _program_for, practice_required


def _handout(request: HtmxHttpRequest, pk: int, detail: str) -> Handout:
    program = _program_for(request, pk)
    try:
        handout = handout_for(
            program=program, user=request.user, base_url=request.build_absolute_uri("/")
        )
    except HandoutUnavailable as error:
        raise Http404(str(error)) from error
    services.access_log_record(
        user=request.user, patient=program.patient, action=AccessAction.VIEW, detail=detail
    )
    return handout


def _validators(response: HttpResponse, handout: Handout, modified: int) -> HttpResponse:
    response["ETag"] = handout.etag
    response["Last-Modified"] = http_date(modified)
    # The browser may keep a copy but asks again each time (and gets a 304).
    response["Cache-Control"] = "private, no-cache"
    return response


@require_GET
@practice_required
def handout_pdf(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    handout = _handout(request, pk, "handout pdf")
    # The cached file is named by everything printed in it, so its modification
    # time is when this content first existed: a new phone number or photo
    # gives a new file and a newer Last-Modified, not only a new ETag.
    pdf = handout_pdf_file(handout)
    modified = int(pdf.stat().st_mtime)
    not_modified = get_conditional_response(request, etag=handout.etag, last_modified=modified)
    if not_modified is not None:
        return _validators(not_modified, handout, modified)
    response = FileResponse(
        pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=handout.filename,
    )
    return _validators(response, handout, modified)


@require_GET
@practice_required
def handout_print(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    handout = _handout(request, pk, "handout print")
    html = handout_html(
        handout,
        for_pdf=False,
        extra={
            "program_url": reverse("programs:program_edit", args=[pk]),
            "pdf_url": reverse("programs:handout_pdf", args=[pk]),
        },
    )
    response = HttpResponse(html)
    response["Cache-Control"] = "private, no-store"
    response["Content-Language"] = handout.language
    return response
