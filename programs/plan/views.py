"""The patient's pages: the private link, today's plan, ticks and the week view."""

import datetime

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET, require_POST

from oefenplan.http import HtmxHttpRequest
from programs import links, selectors, services
from programs.plan.access import link_error, patient_page, remember_link
from programs.plan.forms import PlanSessionDoneForm, PlanTickForm
from programs.plan.throttle import client_address, guess_record_wrong, guesses_exhausted
from programs.today import Today, session_to_show, session_view, today_of, week_view

TODAY_TEMPLATE = "programs/plan/today.html"


@require_GET
def plan_open(request: HtmxHttpRequest, token: str) -> HttpResponse:
    address = client_address(request)
    if guesses_exhausted(address):
        return link_error(request, status=429)
    link = links.link_for_token(token)
    if link is None:
        guess_record_wrong(address)
        return link_error(request, status=404)
    return remember_link(redirect("plan:today"), link)


def _page_context(request: HtmxHttpRequest, page: str) -> dict:
    link = request.patient_link
    return {"link": link, "patient": link.patient, "practice": link.patient.practice, "page": page}


def _today(request: HtmxHttpRequest) -> Today:
    revisions = selectors.patient_current_revisions(patient=request.patient_link.patient)
    programs = [(revision.program, revision.content) for revision in revisions]
    return today_of(programs, timezone.localdate())


def _plan_url(session: int, item_id: int | None = None) -> str:
    url = f"{reverse('plan:today')}?sessie={session}"
    return url + (f"#oefening-{item_id}" if item_id else "")


@require_GET
@gzip_page  # with Django's BREACH padding; a long plan shrinks to a fifth
@patient_page
def plan_today(request: HtmxHttpRequest) -> HttpResponse:
    today = _today(request)
    context = _page_context(request, "today")
    if today.programs:
        ticks = selectors.day_ticks(programs=today.program_list, day=today.day.date)
        session = session_to_show(request.GET.get("sessie"), today.day, ticks)
        photos = selectors.exercise_photos(
            slugs=[planned.exercise.slug for planned in today.day.exercises]
        )
        context["view"] = session_view(today, session, ticks, photos)
    return render(request, TODAY_TEMPLATE, context)


def _refused(request: HtmxHttpRequest, message: str) -> HttpResponse:
    """Nothing was saved: say why, in the page's alert region or on the reloaded page."""
    if request.htmx:
        response = HttpResponse(message, status=422)
        response["HX-Retarget"] = "#plan-alert"
        response["HX-Reswap"] = "innerHTML"
        return response
    messages.error(request, message)
    return redirect("plan:today")


def _first_error(form) -> str:
    for errors in form.errors.values():
        return errors[0]
    return _("Nothing was saved.")


def _posted_for_today(request: HtmxHttpRequest, form_class):
    """The posted form checked against today's plan: (today, form, None), or a refusal."""
    today = _today(request)
    if not today.programs:
        return None, None, _refused(request, _("There is no plan to tick off yet."))
    form = form_class(request.POST, plan=today.day)
    if not form.is_valid():
        return None, None, _refused(request, _first_error(form))
    return today, form, None


@require_POST
@patient_page
def plan_tick(request: HtmxHttpRequest) -> HttpResponse:
    today, form, refusal = _posted_for_today(request, PlanTickForm)
    if refusal:
        return refusal
    data, day = form.cleaned_data, today.day.date
    item_id, session = data["item"], data["session"]
    program = today.program_of(item_id)
    if request.POST.get("action") == "undo":
        services.tick_undo(program=program, item_id=item_id, day=day, session=session)
    else:
        services.tick_save(
            program=program,
            item_id=item_id,
            day=day,
            session=session,
            pain=data["pain"],
            note=data["note"],
        )
    if not request.htmx:
        return redirect(_plan_url(session, item_id))
    ticks = selectors.day_ticks(programs=today.program_list, day=day)
    view = session_view(today, session, ticks)
    context = {"view": view, "entry": view.entry_of(item_id), "saved": True}
    return render(request, f"{TODAY_TEMPLATE}#tick", context)


@require_POST
@patient_page
def plan_session_done(request: HtmxHttpRequest) -> HttpResponse:
    today, form, refusal = _posted_for_today(request, PlanSessionDoneForm)
    if refusal:
        return refusal
    session = form.cleaned_data["session"]
    for each in today.programs:
        services.session_tick_all(
            program=each.program,
            item_ids=[exercise.item_id for exercise in each.plan.session_items(session)],
            day=today.day.date,
            session=session,
        )
    return redirect(_plan_url(session))


@require_GET
@gzip_page
@patient_page
def plan_week(request: HtmxHttpRequest) -> HttpResponse:
    today = _today(request)
    day = today.day.date
    ticks = selectors.tick_map(
        programs=today.program_list,
        first=day - datetime.timedelta(days=day.weekday()),
        last=day + datetime.timedelta(days=6 - day.weekday()),
    )
    context = _page_context(request, "week")
    context["sections"] = week_view(today, ticks)
    return render(request, "programs/plan/week.html", context)


@require_POST
@patient_page
def plan_language(request: HtmxHttpRequest) -> HttpResponse:
    links.patient_link_set_language(
        link=request.patient_link, language=request.POST.get("language", "")
    )
    target = request.POST.get("next")
    allowed = {reverse("plan:today"), reverse("plan:week")}
    return redirect(target if target in allowed else "plan:today")
