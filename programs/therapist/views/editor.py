"""The program editor: the draft's items, each one line read at a glance that
opens one compact form; the library panel to add from; archiving. (Copying to
another patient has a page of its own: copying.py.)
Each change is one view calling one service. htmx gets the changed part back
with the draft's state ("3 changes not yet published"); a plain browser gets
a redirect to the editor."""

import functools

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from exercises.dose import describe_dose
from exercises.forms import LibraryFilterForm
from exercises.models import Exercise
from oefenplan.http import HtmxHttpRequest
from oefenplan.site_urls import address_completer
from programs import selectors, services
from programs.models import Program, ProgramItem
from programs.safety import item_warnings
from programs.schedule import EVERY_DAY
from programs.therapist import line_cache
from programs.therapist.access import (
    item_for,
    practice_required,
    program_for,
    record_id,
    record_read,
)
from programs.therapist.forms import (
    DAY_CHOICES,
    KeepWarningsForm,
    ProgramItemForm,
    ProgramScheduleForm,
)

TEMPLATE = "programs/therapist/program_edit.html"


def _days_text(item: ProgramItem) -> str:
    if item.days == EVERY_DAY or (not item.days and not item.days_per_week_min):
        return _("every day")
    if item.days:
        return ", ".join(str(label) for value, label in DAY_CHOICES if value in item.days)
    return _("on days the patient picks")


# Each line of the editor links to nine addresses (21 exercises made 190
# reverse() calls a page): each kind is reversed once per response and
# completed per line (oefenplan.site_urls.address_completer).
_ITEM_ADDRESSES = ("edit", "show", "update", "up", "down", "remove", "keep")


class _Addresses:
    """The addresses of a program's lines, from one reverse() per kind."""

    def __init__(self, program: Program) -> None:
        self.editor = program.get_absolute_url()
        self._items = {
            name: address_completer(f"therapist:program_item_{name}", program.pk)
            for name in _ITEM_ADDRESSES
        }
        self._exercise = address_completer("exercises:detail")

    def of(self, item: ProgramItem) -> dict[str, str]:
        pk = str(item.pk)
        urls = {name: complete(pk) for name, complete in self._items.items()}
        urls["open"] = f"{self.editor}?edit={pk}#item-{pk}"  # the form without JavaScript
        urls["line"] = f"{self.editor}#item-{pk}"
        urls["exercise"] = self._exercise(item.exercise.slug)
        return urls


def _editor_item(
    item: ProgramItem,
    program: Program,
    *,
    addresses: _Addresses | None = None,
    form=None,
    keep_form=None,
    editing=False,
) -> dict:
    """One line of the editor, its strings made here once: the template only places them."""
    warnings = item_warnings(dose=item, exercise=item.exercise, variant=program.variant)
    if warnings and keep_form is None:
        keep_form = KeepWarningsForm(prefix=f"keep-{item.pk}")
    return {
        "item": item,
        "id": str(item.pk),
        "title": item.exercise.title,
        "urls": (addresses or _Addresses(program)).of(item),
        "summary": "; ".join(describe_dose(item)),
        "days_text": _days_text(item),
        "form": form or (ProgramItemForm(instance=item) if editing else None),
        "keep_form": keep_form,
        "editing": editing,
        "warnings": warnings,
    }


def _editor_items(
    program: Program, *, editing: str | None = None, form: ProgramItemForm | None = None
) -> list[dict]:
    """Every line; the one whose id is `editing` with its form open (`form`, bound
    to what was typed, or the saved dose)."""
    addresses = _Addresses(program)
    lines = []
    for item in selectors.program_editor_items(program=program):
        opened = str(item.pk) == editing
        lines.append(
            _editor_item(
                item, program, addresses=addresses, editing=opened, form=form if opened else None
            )
        )
    return lines


def _status(program: Program) -> dict:
    """The draft's state against what the patient sees now."""
    state = selectors.program_draft_state(program=program)
    return {"revision": state.revision, "changes": state.changes}


def _library(request: HtmxHttpRequest, program: Program) -> dict:
    """The add panel starts with the program's own variant; "whole library" lifts it."""
    data = request.GET.copy()
    if "variant" not in data:
        data["variant"] = program.variant_id
    form = LibraryFilterForm(data)
    page = selectors.program_library_page(
        filters=form.filters(), page_number=request.GET.get("page")
    )
    whole = not data.get("variant")
    return {
        "library_form": form,
        "library_page": page,
        "whole_library": whole,
        # Absolute: a refused dose re-renders this page at the item's own address.
        "editor_url": program.get_absolute_url(),
    }


@require_http_methods(["GET", "POST"])
@practice_required
@vary_on_headers("HX-Request")
def program_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The editor; a POST changes the program's start date and length. `?edit=<item>`
    opens that item's form (the way in without JavaScript)."""
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
    if request.htmx and request.htmx.target == "library-panel":
        context = {"program": program, **_library(request, program)}
        return render(request, f"{TEMPLATE}#library-panel", context)
    return _editor_page(
        request,
        program,
        schedule_form=schedule_form,
        editing=request.GET.get("edit"),
        status=400 if schedule_form.errors else 200,
    )


def _closed_line_html(program: Program, line: dict, *, token: str) -> str:
    return line_cache.closed_line_html(
        program, line, template=f"{TEMPLATE}#program-item", token=token
    )


def _closed_lines_html(program: Program) -> list[str]:
    """Every line closed, with the token's hole (line_cache keeps the list)."""
    return [
        _closed_line_html(program, line, token=line_cache.TOKEN_HOLE)
        for line in _editor_items(program)
    ]


def _editor_page(
    request: HtmxHttpRequest,
    program: Program,
    *,
    schedule_form: ProgramScheduleForm | None = None,
    editing: str | None = None,
    form: ProgramItemForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The whole editor, at most one line's form open. A fixed number of queries
    however many exercises the program holds; with none open, the lines come
    from line_cache's list for this draft version (no query for the items)."""
    record_read(request, program.patient, detail=f"{program.pk}")
    token = get_token(request)
    if editing is None and form is None:
        lines = [
            {"html": html}
            for html in line_cache.program_lines_html(
                program, build=lambda: _closed_lines_html(program), token=token
            )
        ]
    else:
        lines = _editor_items(program, editing=editing, form=form)
        for line in lines:
            if line["editing"]:  # the keyboard starts in the form: its first refused field
                opened = line["form"]
                first = next((name for name in opened.fields if name in opened.errors), "sets_min")
                opened.fields[first].widget.attrs["autofocus"] = True
            else:
                line["html"] = _closed_line_html(program, line, token=token)
    context = {
        "program": program,
        **_library(request, program),
        "items": lines,
        "schedule_form": schedule_form or ProgramScheduleForm(instance=program),
        **_status(program),
    }
    return render(request, TEMPLATE, context, status=status)


def _item_response(
    request: HtmxHttpRequest,
    program: Program,
    item_pk: int,
    status: int = 200,
    *,
    saved: bool = False,
    focus: bool = False,
    **options,
) -> HttpResponse:
    """One item (with the draft's state, out of band) for htmx. `focus` puts the
    keyboard back on the item's button: editing by keyboard alone goes on there."""
    item = selectors.program_editor_item(program=program, item_pk=item_pk)
    entry = _editor_item(item, program, **options)
    if focus and entry["editing"]:
        entry["form"].fields["sets_min"].widget.attrs["data-focus"] = True
    context = {"program": program, **entry, **_status(program), "saved": saved, "focus": focus}
    return render(request, f"{TEMPLATE}#item-response", context, status=status)


def _after_change(request: HtmxHttpRequest, program: Program) -> HttpResponse:
    """htmx gets the refreshed item list and state; a plain browser goes back to the editor."""
    if request.htmx:
        context = {
            "program": program,
            "items": _editor_items(program),
            **_status(program),
        }
        return render(request, f"{TEMPLATE}#items-response", context)
    return redirect(program)


@require_GET
@practice_required
def program_item_edit(request: HtmxHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """The item's compact form (htmx), or the editor with it open."""
    program = program_for(request, pk)
    item = item_for(program, item_pk)
    if not request.htmx:
        editor = reverse("therapist:program_edit", args=[pk])
        return redirect(f"{editor}?edit={item.pk}#item-{item.pk}")
    return _item_response(request, program, item.pk, editing=True, focus=True)


@require_GET
@practice_required
def program_item_show(request: HtmxHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """The item's line again: "Cancel" in its form."""
    program = program_for(request, pk)
    item = item_for(program, item_pk)
    if not request.htmx:
        return redirect(f"{program.get_absolute_url()}#item-{item.pk}")
    return _item_response(request, program, item.pk, focus=True)


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
        form.instance = item
        if request.htmx:
            return _item_response(request, program, item.pk, status=422, form=form, editing=True)
        # Without JavaScript: the whole editor, this form open with what was typed.
        messages.error(request, _("The dose was not saved: check the values."))
        return _editor_page(request, program, editing=str(item.pk), form=form, status=422)
    if request.htmx:
        return _item_response(request, program, item.pk, saved=True, focus=True)
    messages.success(request, _("Saved: publish to show the patient."))
    return redirect(f"{program.get_absolute_url()}#item-{item.pk}")


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


@require_POST
@practice_required
def program_item_keep(request: HtmxHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """The therapist saw this item's warnings and keeps it as it is, saying why."""
    program = program_for(request, pk)
    item = item_for(program, item_pk)
    form = KeepWarningsForm(request.POST, prefix=f"keep-{item.pk}")
    if form.is_valid():
        warnings = item_warnings(dose=item, exercise=item.exercise, variant=program.variant)
        try:
            services.program_item_keep_warnings(
                item=item, warnings=warnings, reason=form.cleaned_data["reason"], user=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
    if form.errors:
        if request.htmx:
            return _item_response(request, program, item.pk, status=422, keep_form=form)
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    if request.htmx:
        return _item_response(request, program, item.pk, focus=True)
    return redirect(f"{program.get_absolute_url()}#item-{item.pk}")


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
def program_archive(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    program = program_for(request, pk)
    services.program_archive(program=program, user=request.user)
    messages.success(request, _("The program has been archived."))
    return redirect(program.patient)
