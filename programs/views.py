"""Thin views: look the object up scoped to the therapist's practice (another
practice's records are a 404), call one selector or service, render."""

import functools
from types import SimpleNamespace

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from exercises.dose import describe_dose
from exercises.forms import LibraryFilterForm
from exercises.models import Exercise
from exercises.selectors import exercise_library_page
from oefenplan.http import HtmxHttpRequest
from programs import links, selectors, services
from programs.forms import (
    PatientForm,
    PatientLinkForm,
    ProgramItemForm,
    ProgramScheduleForm,
    ProgramStartForm,
)
from programs.models import AccessAction, Patient, Program, ProgramItem, Therapist
from programs.safety import item_warnings
from programs.snapshot import program_snapshot


def practice_required(view):
    """Logged in, and a therapist of a practice: sets request.practice/therapist."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        therapist = Therapist.objects.select_related("practice").filter(user=request.user).first()
        if therapist is None:
            raise Http404
        request.therapist, request.practice = therapist, therapist.practice
        return view(request, *args, **kwargs)

    return wrapper


def _program_for(request, pk: int) -> Program:
    return get_object_or_404(
        Program.objects.select_related("patient", "protocol", "variant"),
        pk=pk,
        patient__practice=request.practice,
    )


def _item_for(request, program: Program, item_pk: int) -> ProgramItem:
    return get_object_or_404(
        ProgramItem.objects.select_related("exercise"), pk=item_pk, program=program
    )


@require_http_methods(["GET", "POST"])
@practice_required
@vary_on_headers("HX-Request")
def patient_list(request: HtmxHttpRequest) -> HttpResponse:
    form = PatientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        patient = services.patient_create(
            practice=request.practice,
            name=form.cleaned_data["name"],
            reference=form.cleaned_data["reference"],
            language=form.cleaned_data["language"],
            user=request.user,
        )
        return redirect(patient)
    text = request.GET.get("q", "")
    page = selectors.patient_list_page(
        practice=request.practice, text=text, page_number=request.GET.get("page")
    )
    template = "programs/patient_list.html"
    if request.htmx and request.htmx.target == "patient-results":
        template += "#patient-results"
    return render(
        request,
        template,
        {"page": page, "q": text, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@practice_required
def patient_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=pk, practice=request.practice)
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
    services.access_log_record(user=request.user, patient=patient, action=AccessAction.VIEW)
    return render(
        request,
        "programs/patient_detail.html",
        {
            "patient": patient,
            "programs": selectors.patient_programs(patient=patient),
            "progress": selectors.patient_progress(patient=patient, today=timezone.localdate()),
            "start_form": start_form,
            "link_form": PatientLinkForm(),
            **_link_context(request, patient),
        },
        status=400 if start_form.errors else 200,
    )


def _link_context(request, patient: Patient) -> dict:
    link = links.patient_active_link(patient=patient)
    url = link and links.link_url(link, base_url=request.build_absolute_uri("/"))
    qr = None
    if url:
        qr = segno.make(url, error="m").svg_inline(
            scale=5, omitsize=True, title=_("QR code of the link to the plan"), svgclass="qr-code"
        )
    return {"link": link, "link_url": url, "link_qr": qr}


@require_POST
@practice_required
def patient_link_create(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=pk, practice=request.practice)
    form = PatientLinkForm(request.POST)
    if form.is_valid():
        links.patient_link_create(patient=patient, user=request.user, expires_at=form.expires_at())
        messages.success(request, _("A new link was made. An earlier link no longer works."))
    else:
        messages.error(request, _("Choose how long the link stays valid."))
    return redirect(f"{patient.get_absolute_url()}#link-heading")


@require_POST
@practice_required
def patient_link_revoke(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=pk, practice=request.practice)
    if links.patient_link_revoke(patient=patient, user=request.user):
        messages.success(request, _("The link was revoked: it stops working at once."))
    return redirect(f"{patient.get_absolute_url()}#link-heading")


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
    program = _program_for(request, pk)
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
        return render(request, "programs/program_edit.html#library-panel", context)
    services.access_log_record(
        user=request.user, patient=program.patient, action=AccessAction.VIEW, detail=f"{pk}"
    )
    items = selectors.program_editor_items(program=program)
    context["items"] = [_editor_item(item, program) for item in items]
    context["revision"] = program.revisions.first()
    context["patients"] = request.practice.patients.exclude(pk=program.patient_id)
    context["schedule_form"] = schedule_form
    return render(
        request, "programs/program_edit.html", context, status=400 if schedule_form.errors else 200
    )


def _after_change(request: HtmxHttpRequest, program: Program) -> HttpResponse:
    """htmx gets the refreshed item list; a plain browser goes back to the editor."""
    if request.htmx:
        items = selectors.program_editor_items(program=program)
        return render(
            request,
            "programs/program_edit.html#program-items",
            {"program": program, "items": [_editor_item(item, program) for item in items]},
        )
    return redirect(program)


@require_POST
@practice_required
def program_item_update(request: HtmxHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    program = _program_for(request, pk)
    item = _item_for(request, program, item_pk)
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
            return render(request, "programs/program_edit.html#program-item", context, status=422)
        messages.error(request, _("The dose was not saved: check the values."))
        return redirect(program)
    if request.htmx:
        item = selectors.program_editor_item(program=program, item_pk=item_pk)
        return render(
            request,
            "programs/program_edit.html#program-item",
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
        program = _program_for(request, pk)
        item = _item_for(request, program, item_pk)
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
    program = _program_for(request, pk)
    exercise = get_object_or_404(Exercise, pk=request.POST.get("exercise"))
    try:
        services.program_add_exercise(program=program, exercise=exercise, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _after_change(request, program)


@require_POST
@practice_required
def program_publish(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    program = _program_for(request, pk)
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
    program = _program_for(request, pk)
    patient = get_object_or_404(Patient, pk=request.POST.get("patient"), practice=request.practice)
    copy = services.program_copy(program=program, patient=patient, user=request.user)
    messages.success(request, _("Program copied to %(name)s.") % {"name": patient.name})
    return redirect(copy)


@require_POST
@practice_required
def program_archive(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    program = _program_for(request, pk)
    services.program_archive(program=program, user=request.user)
    messages.success(request, _("The program has been archived."))
    return redirect(program.patient)


@require_GET
@practice_required
def program_preview(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The latest published revision as the patient will see it (or the draft)."""
    program = _program_for(request, pk)
    services.access_log_record(
        user=request.user, patient=program.patient, action=AccessAction.VIEW, detail="preview"
    )
    revision = program.revisions.first()
    if request.GET.get("draft") or revision is None:
        snapshot = program_snapshot(program=program)
    else:
        snapshot = revision.snapshot
    entries = [
        {"item": item, "dose_lines": describe_dose(SimpleNamespace(**item["dose"]))}
        for item in snapshot["items"]
    ]
    return render(
        request,
        "programs/program_preview.html",
        {"program": program, "snapshot": snapshot, "revision": revision, "entries": entries},
    )


@require_GET
@practice_required
def access_log(request: HtmxHttpRequest) -> HttpResponse:
    if not request.therapist.is_practice_admin:
        raise Http404
    entries = selectors.access_log_for_practice(practice=request.practice)[:500]
    return render(request, "programs/access_log.html", {"entries": entries})
