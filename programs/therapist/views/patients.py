"""The patient list and a patient's page (programs, the phone link, progress)."""

import segno
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from oefenplan.http import HtmxHttpRequest
from oefenplan.site_urls import address_completer
from programs import links, selectors, services
from programs.models import Patient
from programs.therapist.access import list_read, patient_for, practice_required, record_read
from programs.therapist.blank_forms import blank_form_fields
from programs.therapist.forms import (
    PatientForm,
    PatientLinkForm,
    PatientSearchForm,
    ProgramStartForm,
)


@require_http_methods(["GET", "POST"])
@practice_required
@vary_on_headers("HX-Request")
def patient_list(request: HtmxHttpRequest) -> HttpResponse:
    form = PatientForm(request.POST) if request.method == "POST" else None
    if form is not None and form.is_valid():
        patient = services.patient_create(
            practice=request.practice,
            name=form.cleaned_data["name"],
            reference=form.cleaned_data["reference"],
            language=form.cleaned_data["language"],
            user=request.user,
        )
        return redirect(patient)
    search = PatientSearchForm(request.GET)
    page = None
    if search.is_valid():
        text = search.cleaned_data["q"]
        page = selectors.patient_list_page(
            practice=request.practice,
            text=text,
            page_number=search.cleaned_data["page"],
            today=timezone.localdate(),
        )
        _words_for_the_list(page.object_list)
        list_read(
            request,
            [row.patient for row in page.object_list],
            detail=f"search page {page.number}" if text else f"list page {page.number}",
        )
    template = "programs/therapist/patient_list.html"
    status = 400 if (form is not None and form.errors) or search.errors else 200
    if request.htmx and request.htmx.target == "patient-results":
        template += "#patient-results"
        status = 422 if search.errors else status  # htmx swaps a 422 in: the error shows
    return render(
        request,
        template,
        {
            "page": page,
            "q": search["q"].value() or "",
            "search": search,
            "form": form,
            # No form to show again: the empty one's fields, kept per language.
            "blank_form_fields": blank_form_fields(PatientForm) if form is None else None,
        },
        status=status,
    )


def _words_for_the_list(rows: list[selectors.PatientRow]) -> None:
    """What each line of the list links to and says of the patient's programs,
    made here: in the template, reverse() (about 55 µs) and the count in words
    were a third of a 25-patient page (bench/pages.py --scale, issue 14). One
    reverse() gives every address (oefenplan.site_urls.address_completer)."""
    patient_url = address_completer("therapist:patient_detail")
    for row in rows:
        patient, count = row.patient, row.patient.program_count
        patient.url = patient_url(patient.pk)
        patient.programs_text = ngettext(
            "%(counter)s active program", "%(counter)s active programs", count
        ) % {"counter": count}


@require_http_methods(["GET", "POST"])
@practice_required
def patient_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    patient = patient_for(request, pk)
    start_form = ProgramStartForm(request.POST or None)
    if request.method == "POST" and start_form.is_valid():
        data = start_form.cleaned_data
        program = services.program_create_from_protocol(
            patient=patient,
            protocol=data["protocol"],
            start_date=data["start_date"],
            weeks=data["weeks"],
            affected_side=data["affected_side"],
            user=request.user,
        )
        return redirect(program)
    return _patient_page(request, patient, start_form=start_form)


def _patient_page(
    request: HtmxHttpRequest, patient: Patient, *, start_form=None, link_form=None
) -> HttpResponse:
    record_read(request, patient)
    start_form = start_form or ProgramStartForm()
    invalid = start_form.errors or (link_form is not None and link_form.errors)
    return render(
        request,
        "programs/therapist/patient_detail.html",
        {
            "patient": patient,
            "programs": selectors.patient_programs(patient=patient),
            "progress": selectors.patient_progress(patient=patient, today=timezone.localdate()),
            "start_form": start_form,
            **_link_context(request, patient, link_form),
        },
        status=400 if invalid else 200,
    )


def _link_context(request: HtmxHttpRequest, patient: Patient, form=None) -> dict:
    link = links.patient_active_link(patient=patient)
    url = link and links.link_url(link, base_url=request.build_absolute_uri("/"))
    qr = None
    if url:
        qr = segno.make(url, error="m").svg_inline(
            scale=5, omitsize=True, title=_("QR code of the link to the plan"), svgclass="qr-code"
        )
    form = form or PatientLinkForm(replacing=link is not None)
    return {"link": link, "link_url": url, "link_qr": qr, "link_form": form}


@require_POST
@practice_required
def patient_link_create(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    patient = patient_for(request, pk)
    replacing = links.patient_active_link(patient=patient) is not None
    form = PatientLinkForm(request.POST, replacing=replacing)
    if not form.is_valid():
        return _patient_page(request, patient, link_form=form)
    links.patient_link_create(patient=patient, user=request.user, expires_at=form.expires_at())
    if replacing:
        messages.success(request, _("A new link was made. The earlier link no longer works."))
    else:
        messages.success(request, _("A link was made: give it to the patient."))
    return redirect(f"{patient.get_absolute_url()}#link-heading")


@require_POST
@practice_required
def patient_link_revoke(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    patient = patient_for(request, pk)
    if links.patient_link_revoke(patient=patient, user=request.user):
        messages.success(request, _("The link was revoked: it stops working at once."))
    return redirect(f"{patient.get_absolute_url()}#link-heading")
