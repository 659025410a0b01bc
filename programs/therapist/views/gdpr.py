"""A patient's rights (GDPR), for the practice's administrators: everything the
app holds about the patient as JSON and as a readable PDF (art. 15 and 20),
and erasure (art. 17). Each is a line in the access log."""

import datetime
import json

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from oefenplan.http import HtmxHttpRequest
from programs import selectors, services
from programs.access_log import access_log_append
from programs.handout.render import document_pdf
from programs.models import AccessAction, AccessOutcome, TickSource
from programs.therapist.access import patient_for, practice_admin_required
from programs.therapist.forms import PatientEraseForm


def _attachment(response: HttpResponse, patient, extension: str) -> HttpResponse:
    stamp = timezone.localdate().isoformat()
    name = f"oefenplan-patient-{patient.pk}-{stamp}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
@practice_admin_required
def patient_export_json(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    patient = patient_for(request, pk)
    data = selectors.patient_data_export(patient=patient)
    access_log_append(
        user=request.user, patient=patient, action=AccessAction.EXPORT, detail="data as JSON"
    )
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return _attachment(
        HttpResponse(body, content_type="application/json; charset=utf-8"), patient, "json"
    )


@require_GET
@practice_admin_required
def patient_export_pdf(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    patient = patient_for(request, pk)
    data = selectors.patient_data_export(patient=patient)
    access_log_append(
        user=request.user, patient=patient, action=AccessAction.EXPORT, detail="data as PDF"
    )
    # In the patient's own language: the document is for them.
    with translation.override(patient.language):
        html = render_to_string(
            "programs/therapist/patient_export.html",
            {"data": _readable(data), "patient": patient, "language": patient.language},
        )
    pdf = document_pdf(html, language=patient.language, identifier=f"export-{patient.pk}")
    return _attachment(HttpResponse(pdf, content_type="application/pdf"), patient, "pdf")


def _readable(data: dict) -> dict:
    """The export's codes and timestamps as a person reads them (in the active language)."""

    def moment(value):
        return timezone.localtime(datetime.datetime.fromisoformat(value)) if value else None

    for line in data["access_log"]:
        line["at"] = moment(line["at"])
        line["event"] = str(AccessAction(line["event"]).label)
        line["outcome"] = str(AccessOutcome(line["outcome"]).label)
    for program in data["programs"]:
        for tick in program["ticks"]:
            tick["source"] = str(TickSource(tick["source"]).label)
    return data


@require_http_methods(["GET", "POST"])
@practice_admin_required
def patient_erase(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Erasure asks the administrator to type the patient's name: it cannot be undone."""
    patient = patient_for(request, pk)
    form = PatientEraseForm(request.POST or None, patient=patient)
    if request.method == "POST" and form.is_valid():
        number = services.patient_erase(patient=patient, user=request.user)
        messages.success(
            request,
            _(
                "The patient's data has been erased. The access log keeps its lines "
                "under number %(number)s, without a name."
            )
            % {"number": number},
        )
        return redirect("therapist:patient_list")
    return render(
        request,
        "programs/therapist/patient_erase.html",
        {"patient": patient, "form": form},
        status=400 if form.errors else 200,
    )
