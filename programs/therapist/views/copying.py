"""Copying a program to another patient of the practice: a page that finds the
patient (search and pages, as the patient list does) and copies on a choice.

A page of its own, not a list in the editor: the editor stays the same size
whatever the practice's, and the names of other patients show only to the
therapist who looks for one, with that look in the access log."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from oefenplan.http import HtmxHttpRequest
from programs import selectors, services
from programs.therapist.access import (
    list_read,
    patient_for,
    practice_required,
    program_for,
    record_read,
)
from programs.therapist.forms import PatientSearchForm

TEMPLATE = "programs/therapist/program_copy.html"


@require_http_methods(["GET", "POST"])
@practice_required
@vary_on_headers("HX-Request")
def program_copy(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    program = program_for(request, pk)
    choice_error = None
    if request.method == "POST":
        if request.POST.get("patient") is not None:
            # Another practice's patient, or no patient number at all, is a 404.
            patient = patient_for(request, request.POST["patient"])
            copy = services.program_copy(program=program, patient=patient, user=request.user)
            messages.success(request, _("Program copied to %(name)s.") % {"name": patient.name})
            return redirect(copy)
        choice_error = _("Choose the patient to copy the program to.")
    search = PatientSearchForm(request.GET)  # a choice posts to the address searched
    page = None
    if search.is_valid():
        text = search.cleaned_data["q"]
        page = selectors.copy_target_page(
            practice=request.practice,
            program=program,
            text=text,
            page_number=search.cleaned_data["page"],
        )
        kind = "search page" if text else "list page"  # the form strips the text
        detail = f"copy of program {program.pk}: {kind} {page.number}"
        list_read(request, page.object_list, detail=detail)
    template, status = TEMPLATE, 200
    if search.errors or choice_error:
        status = 400
    if request.htmx and request.htmx.target == "copy-results":
        template += "#copy-results"
        status = 422 if search.errors else status  # htmx swaps a 422 in: the error shows
    else:
        record_read(request, program.patient, detail=f"{program.pk}: copy")
    program_name = str(program.protocol)
    if str(program.variant) != program_name:  # the back protocol's one variant bears its name
        program_name += f" ({program.variant})"
    context = {
        "program": program,
        "program_name": program_name,
        "page": page,
        "q": search["q"].value() or "",
        "search": search,
        "choice_error": choice_error,
    }
    return render(request, template, context, status=status)
