"""The program editor: the draft's items and their doses, the library panel to add
from, publishing, copying and archiving. Each change is one view calling one
service; htmx gets the changed partial back, a plain browser a redirect."""

import functools

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from exercises.forms import LibraryFilterForm
from exercises.models import Exercise
from exercises.selectors import exercise_library_page
from oefenplan.http import HtmxHttpRequest
from programs import selectors, services
from programs.models import Program, ProgramItem
from programs.safety import item_warnings
from programs.therapist.access import (
    item_for,
    patient_for,
    practice_required,
    program_for,
    record_id,
    record_read,
)
from programs.therapist.forms import ProgramItemForm, ProgramScheduleForm

TEMPLATE = "programs/therapist/program_edit.html"


def _editor_item(item: ProgramItem, program: Program, form: ProgramItemForm | None = None):
    return {
        "item": item,
        "form": form or ProgramItemForm(instance=item),
        "warnings": item_warnings(dose=item, exercise=item.exercise, variant=program.variant),
    }


@require_http_methods(["GET", "POST"])
@practice_required
@vary_on_headers("HX-Request")
def program_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The editor; a POST changes the program's start date and length."""
    program = program_for(request, pk)
    schedule_form = ProgramScheduleForm(request.POST or None, instance=program)
    if request.method == "POST" and schedule_form.is_valid():
        try:
            services.program_reschedule(
                program=program,
                start_date=schedule_form.cleaned_data["start_date"],
                weeks=schedule_form.cleaned_data["weeks"],
                user=request.user,
            )
            messages.success(request, _("Start date and length saved: publish to show them."))
            return redirect(program)
        except ValidationError as error:
            schedule_form.add_error(None, error)
    if schedule_form.errors:
        program.refresh_from_db()  # the page shows what is saved; the form what was typed
    library_form = LibraryFilterForm(request.GET or None)
    library_page = exercise_library_page(
        filters=library_form.filters(), page_number=request.GET.get("page")
    )
    context = {"program": program, "library_form": library_form, "library_page": library_page}
    if request.htmx and request.htmx.target == "library-panel":
        return render(request, f"{TEMPLATE}#library-panel", context)
    record_read(request, program.patient, detail=f"{pk}")
    items = selectors.program_editor_items(program=program)
    context["items"] = [_editor_item(item, program) for item in items]
    context["revision"] = program.revisions.first()
    context["patients"] = request.practice.patients.exclude(pk=program.patient_id)
    context["schedule_form"] = schedule_form
    return render(request, TEMPLATE, context, status=400 if schedule_form.errors else 200)


def _after_change(request: HtmxHttpRequest, program: Program) -> HttpResponse:
    """htmx gets the refreshed item list; a plain browser goes back to the editor."""
    if request.htmx:
        items = selectors.program_editor_items(program=program)
        return render(
            request,
            f"{TEMPLATE}#program-items",
            {"program": program, "items": [_editor_item(item, program) for item in items]},
        )
    return redirect(program)


@require_POST
@practice_required
def program_item_update(request: HtmxHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    program = program_for(request, pk)
    item = item_for(program, item_pk)
    form = ProgramItemForm(request.POST, instance=item)
    if form.is_valid():
        try:
            services.program_item_update(item=form.instance, user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
    if form.errors:
        item.refresh_from_db()  # what is saved stays as it was
        context = {"program": program, **_editor_item(item, program, form)}
        if request.htmx:
            return render(request, f"{TEMPLATE}#program-item", context, status=422)
        messages.error(request, _("The dose was not saved: check the values."))
        return redirect(program)
    if request.htmx:
        item = selectors.program_editor_item(program=program, item_pk=item_pk)
        return render(
            request,
            f"{TEMPLATE}#program-item",
            {"program": program, **_editor_item(item, program), "saved": True},
        )
    return redirect(program)


def _item_change(change):
    """A POST that changes one item and answers with the refreshed item list.

    `change(request, program, item)` calls one service; a refusal (an archived
    program) becomes a message instead of a change.
    """

    @require_POST
    @practice_required
    @functools.wraps(change)
    def view(request: HtmxHttpRequest, pk: int, item_pk: int) -> HttpResponse:
        program = program_for(request, pk)
        item = item_for(program, item_pk)
        try:
            change(request, program, item)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return _after_change(request, program)

    return view


@_item_change
def program_item_remove(request: HtmxHttpRequest, program: Program, item: ProgramItem) -> None:
    services.program_item_remove(item=item, user=request.user)


@_item_change
def program_item_up(request: HtmxHttpRequest, program: Program, item: ProgramItem) -> None:
    services.program_item_move(item=item, offset=-1, user=request.user)


@_item_change
def program_item_down(request: HtmxHttpRequest, program: Program, item: ProgramItem) -> None:
    services.program_item_move(item=item, offset=1, user=request.user)


@_item_change
def program_item_keep(request: HtmxHttpRequest, program: Program, item: ProgramItem) -> None:
    """The therapist saw this item's warnings and keeps it as it is."""
    warnings = item_warnings(dose=item, exercise=item.exercise, variant=program.variant)
    services.program_item_keep_warnings(item=item, warnings=warnings, user=request.user)


@require_POST
@practice_required
def program_add_exercise(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    program = program_for(request, pk)
    exercise = get_object_or_404(Exercise, pk=record_id(request.POST.get("exercise")))
    try:
        services.program_add_exercise(program=program, exercise=exercise, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _after_change(request, program)


@require_POST
@practice_required
def program_publish(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    program = program_for(request, pk)
    try:
        revision = services.program_publish(program=program, user=request.user)
        messages.success(
            request, _("Published as revision %(number)s.") % {"number": revision.number}
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(program)


@require_POST
@practice_required
def program_copy(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    program = program_for(request, pk)
    patient = patient_for(request, request.POST.get("patient"))
    copy = services.program_copy(program=program, patient=patient, user=request.user)
    messages.success(request, _("Program copied to %(name)s.") % {"name": patient.name})
    return redirect(copy)


@require_POST
@practice_required
def program_archive(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    program = program_for(request, pk)
    services.program_archive(program=program, user=request.user)
    messages.success(request, _("The program has been archived."))
    return redirect(program.patient)
