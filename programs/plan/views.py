"""The patient's pages: the private link, today's plan, ticks and the week view."""

import dataclasses
import datetime

from django.contrib import messages
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from oefenplan.http import HtmxHttpRequest, client_address
from programs import links, selectors, services
from programs.access_log import access_log_link_opened, access_log_refused
from programs.models import AccessAction, ExerciseTick, TickSource
from programs.plan import page_cache, reads
from programs.plan.access import link_error, patient_page, remember_link
from programs.plan.forms import PlanSessionDoneForm, PlanTickForm
from programs.plan.throttle import guess_record_wrong, guesses_exhausted
from programs.today import (
    Ticks,
    Today,
    by_session,
    days_to_tick,
    session_to_show,
    session_view,
    today_of,
    week_start_of,
    week_view,
)

TODAY_TEMPLATE = "programs/plan/today.html"


@require_GET
def plan_open(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """A valid link always opens, whatever else came from the same address (a care
    home behind one address, a patient who mistyped it from paper first); wrong
    guesses stay throttled per address."""
    link = links.link_for_token(token)
    if link is not None:
        access_log_link_opened(link=link)
        return remember_link(redirect("plan:today"), link)
    address = client_address(request)
    if guesses_exhausted(address):
        return link_error(request, status=429)  # not logged again: the guesses before were
    guess_record_wrong(address)
    access_log_refused(
        user=None, action=AccessAction.LINK_OPEN, detail="wrong, revoked or expired link"
    )
    return link_error(request, status=404)


def _page_context(request: HtmxHttpRequest, page: str) -> dict:
    link = request.patient_link
    return {"link": link, "patient": link.patient, "practice": link.patient.practice, "page": page}


@dataclasses.dataclass(frozen=True)
class _Now:
    """A day's plan (today's, or one still to be ticked off) and the ticks it was
    made from (that program week's, up to today)."""

    today: Today
    ticks: list[ExerciseTick]
    real_today: datetime.date
    version: str  # of the plan page's cache (page_cache)
    revision_ids: tuple[int, ...]

    @property
    def todays_ticks(self) -> Ticks:
        return by_session(self.ticks, self.today.day.date)

    @property
    def is_past(self) -> bool:
        return self.today.day.date < self.real_today

    @property
    def source(self) -> str:
        return TickSource.LATER if self.is_past else TickSource.PHONE


def _day_asked(raw: str | None, today: datetime.date) -> datetime.date:
    """The day asked for, if it may still be ticked off; else today."""
    try:
        day = datetime.date.fromisoformat(raw or "")
    except ValueError:
        return today
    return day if day in days_to_tick(today) else today


def _now(request: HtmxHttpRequest, day: datetime.date | None = None) -> _Now:
    """One query whatever the program, the week's ticks: the link check read the
    running revisions' ids, and this process keeps their parsed snapshots."""
    today = timezone.localdate()
    day = day or today
    version = page_cache.cache_version()
    running = page_cache.current_programs(
        patient=request.patient_link.patient,
        version=version,
        revision_ids=request.running_revision_ids,
    )
    programs = [(program, snapshot) for program, snapshot, _revision in running]
    ticks = reads.week_ticks(
        programs=[program for program, _snapshot in programs],
        first=week_start_of(programs, day),
        last=today,
    )
    revision_ids = tuple(revision for _program, _snapshot, revision in running)
    plan = page_cache.today_of_cached(
        (version, revision_ids, day, page_cache.earlier_ticks(ticks, day)),
        lambda: today_of(programs, day, selectors.tick_map_of(ticks)),
    )
    return _Now(
        today=plan,
        ticks=ticks,
        real_today=today,
        version=version,
        revision_ids=revision_ids,
    )


def _plan_url(session: int, item_id: int | None = None, day: datetime.date | None = None) -> str:
    url = f"{reverse('plan:today')}?sessie={session}"
    url += f"&dag={day.isoformat()}" if day else ""
    return url + (f"#oefening-{item_id}" if item_id else "")


def _past_days(now: _Now) -> list[datetime.date]:
    """Earlier days that may still be ticked off, when a program ran on them."""
    return [
        day
        for day in days_to_tick(now.real_today)[1:]
        if any(
            each.snapshot.start_date <= day <= each.snapshot.end_date for each in now.today.programs
        )
    ]


@require_GET
@patient_page
def plan_today(request: HtmxHttpRequest) -> HttpResponse:
    """Today's plan; `?dag=` one of the last two days, to tick it off afterwards.

    Rendered once per revision, day, session and language and then filled per
    request (page_cache), unless there is a message to show."""
    now = _now(request, _day_asked(request.GET.get("dag"), timezone.localdate()))
    today = now.today
    context = _page_context(request, "today")
    if not today.programs:
        return render(request, TODAY_TEMPLATE, context)
    ticks = now.todays_ticks
    session = session_to_show(request.GET.get("sessie"), today.day, ticks)
    practice = context["practice"]
    context["query"] = f"dag={today.day.date.isoformat()}&" if now.is_past else ""
    context["past_days"] = [] if now.is_past else _past_days(now)

    def whole_page(ticks: Ticks, **extra) -> HttpResponse:
        photos = selectors.exercise_photos(
            slugs=[planned.exercise.slug for planned in today.day.exercises], practice=practice
        )
        view = session_view(today, session, ticks, photos, practice, is_past=now.is_past)
        return render(request, TODAY_TEMPLATE, {**context, "view": view, **extra})

    if not page_cache.enabled() or messages.get_messages(request):
        return whole_page(ticks)
    patient = context["patient"]
    key = page_cache.page_key(
        version=now.version,
        parts=(
            request.LANGUAGE_CODE,
            patient.pk,
            patient.name,
            practice.pk,
            practice.name,
            practice.phone,
            practice.call_hours,
            now.revision_ids,
            now.real_today.toordinal(),
            today.day.date.toordinal(),
            session,
            now.is_past,
            tuple(day.toordinal() for day in context["past_days"]),
            page_cache.earlier_ticks(now.ticks, today.day.date),
        ),
    )

    def skeleton() -> tuple:
        page = whole_page({}, holes=page_cache.HOLES, csrf_token=page_cache.CSRF_HOLE)
        return page_cache.parse(page.content.decode())

    def filled() -> tuple[str, ...]:
        html = page_cache.fill(
            page_cache.cached(key, skeleton),
            view=session_view(today, session, ticks, practice=practice, is_past=now.is_past),
            token=page_cache.CSRF_HOLE,
            context={"practice": practice},
        )
        return tuple(html.split(page_cache.CSRF_HOLE))

    # The page as filled with this session's ticks is kept too: the next request
    # with the same ticks (until the patient ticks again) only adds its CSRF token.
    # Only in this process's memory: it holds the patient's pain scores and notes,
    # which have no business in a shared cache.
    state = page_cache.session_ticks(ticks, session, pain_limit=practice.pain_limit)
    parts = page_cache.cached(
        page_cache.page_key(version=now.version, parts=(key, state)), filled, shared=False
    )
    return HttpResponse(get_token(request).join(parts))


@require_GET
@patient_page
def plan_step(request: HtmxHttpRequest) -> HttpResponse:
    """One exercise at a time, big, with its timer: `?sessie=` and `?nr=` (from 1);
    past the last one, "ready for today"."""
    now = _now(request)
    today = now.today
    if not today.day.is_training_day:
        return redirect("plan:today")
    ticks = now.todays_ticks
    session = session_to_show(request.GET.get("sessie"), today.day, ticks)
    practice = request.patient_link.patient.practice
    photos = selectors.exercise_photos(
        slugs=[planned.exercise.slug for planned in today.day.exercises], practice=practice
    )
    view = session_view(today, session, ticks, photos, practice)
    try:
        number = max(1, int(request.GET.get("nr", 1)))
    except ValueError:
        number = 1
    number = min(number, view.session_size + 1)  # one past the last: the end

    def step_url(step: int) -> str:
        return f"{reverse('plan:step')}?sessie={session}&nr={step}"

    entry = view.step(number)
    context = _page_context(request, "today")
    context.update(
        view=view,
        number=number,
        entry=entry,
        # The program's snapshot: its variant picks the exercise's figure.
        snapshot=next((s.snapshot for s in view.sections if entry in s.entries), None),
        previous_url=step_url(number - 1) if number > 1 else None,
        next_url=step_url(number + 1),
        next=step_url(number + 1),
        later_session=session + 1 if session < today.day.sessions_planned else None,
    )
    return render(request, "programs/plan/step.html", context)


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
    """The posted form checked against its day's plan: (now, form, None), or a refusal.
    Only today and the last two days have a plan to check against."""
    now = _now(request, _day_asked(request.POST.get("date"), timezone.localdate()))
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
            source=now.source,
        )
    if not request.htmx:
        return redirect(_next(request) or _plan_url(session, item_id, day if now.is_past else None))
    practice = request.patient_link.patient.practice
    view = session_view(today, session, ticks, practice=practice, is_past=now.is_past)
    context = {
        "view": view,
        "entry": view.entry_of(item_id),
        "saved": True,
        "practice": practice,
        "next": _next(request),  # one exercise at a time: that page has no overview
    }
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
            source=now.source,
        )
    messages.success(request, _("Well done: the whole session is ticked off."))
    return redirect(_plan_url(session, day=today.day.date if now.is_past else None))


def _next(request: HtmxHttpRequest) -> str | None:
    """Where a plain form goes after a tick, if it is one of the plan's own pages."""
    target = request.POST.get("next", "")
    plan = reverse("plan:today")
    if target.startswith(plan) and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return target
    return None


@require_GET
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
