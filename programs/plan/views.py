"""The patient's pages: the private link, today's plan, ticks and the week view."""

import dataclasses

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
from programs.models import ExerciseTick
from programs.plan.access import link_error, patient_page, remember_link
from programs.plan.forms import PlanSessionDoneForm, PlanTickForm
from programs.plan.throttle import client_address, guess_record_wrong, guesses_exhausted
from programs.today import (
    Ticks,
    Today,
    by_session,
    session_to_show,
    session_view,
    today_of,
    week_start_of,
    week_view,
)

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


@dataclasses.dataclass(frozen=True)
class _Now:
    """Today's plan and the ticks it was made from (this program week's, so far)."""

    today: Today
    ticks: list[ExerciseTick]

    @property
    def todays_ticks(self) -> Ticks:
        return by_session(self.ticks, self.today.day.date)


def _now(request: HtmxHttpRequest) -> _Now:
    """Two queries whatever the program: the running revisions, this week's ticks."""
    day = timezone.localdate()
    revisions = selectors.patient_current_revisions(patient=request.patient_link.patient)
    programs = [(revision.program, revision.content) for revision in revisions]
    ticks = selectors.program_ticks(
        programs=[program for program, _snapshot in programs],
        first=week_start_of(programs, day),
        last=day,
    )
    return _Now(today=today_of(programs, day, selectors.tick_map_of(ticks)), ticks=ticks)


def _plan_url(session: int, item_id: int | None = None) -> str:
    url = f"{reverse('plan:today')}?sessie={session}"
    return url + (f"#oefening-{item_id}" if item_id else "")


@require_GET
@gzip_page  # with Django's BREACH padding; a long plan shrinks to a fifth
@patient_page
def plan_today(request: HtmxHttpRequest) -> HttpResponse:
    now = _now(request)
    today = now.today
    context = _page_context(request, "today")
    if today.programs:
        ticks = now.todays_ticks
        session = session_to_show(request.GET.get("sessie"), today.day, ticks)
        photos = selectors.exercise_photos(
            slugs=[planned.exercise.slug for planned in today.day.exercises]
        )
        context["view"] = session_view(today, session, ticks, photos, context["practice"])
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
    """The posted form checked against today's plan: (now, form, None), or a refusal."""
    now = _now(request)
    if not now.today.programs:
        return None, None, _refused(request, _("There is no plan to tick off yet."))
    form = form_class(request.POST, plan=now.today.day)
    if not form.is_valid():
        return None, None, _refused(request, _first_error(form))
    return now, form, None


@require_POST
@patient_page
def plan_tick(request: HtmxHttpRequest) -> HttpResponse:
    now, form, refusal = _posted_for_today(request, PlanTickForm)
    if refusal:
        return refusal
    today, data = now.today, form.cleaned_data
    day, item_id, session = today.day.date, data["item"], data["session"]
    program = today.program_of(item_id)
    ticks = by_session(now.ticks, day)
    if request.POST.get("action") == "undo":
        services.tick_undo(program=program, item_id=item_id, day=day, session=session)
        ticks.pop((item_id, session), None)
    else:
        ticks[(item_id, session)] = services.tick_save(
            program=program,
            item_id=item_id,
            day=day,
            session=session,
            pain=data["pain"],
            note=data["note"],
        )
    if not request.htmx:
        return redirect(_plan_url(session, item_id))
    practice = request.patient_link.patient.practice
    view = session_view(today, session, ticks, practice=practice)
    context = {"view": view, "entry": view.entry_of(item_id), "saved": True, "practice": practice}
    return render(request, f"{TODAY_TEMPLATE}#tick", context)


@require_POST
@patient_page
def plan_session_done(request: HtmxHttpRequest) -> HttpResponse:
    now, form, refusal = _posted_for_today(request, PlanSessionDoneForm)
    if refusal:
        return refusal
    today, session = now.today, form.cleaned_data["session"]
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
    now = _now(request)
    context = _page_context(request, "week")
    context["sections"] = week_view(now.today, selectors.tick_map_of(now.ticks))
    context["today"] = now.today.day.date
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
