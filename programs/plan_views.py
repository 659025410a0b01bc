"""The patient's side: the private link, today's plan, ticks and the week view.

No login: opening the link trades its token for a signed cookie that names the
link, and every request checks that link again, so a revoked link stops
working at once, also in a page that is already open. Nothing here tells a
wrong link from a revoked or expired one.
"""

import dataclasses
import datetime
import functools

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET, require_POST

from oefenplan.http import HtmxHttpRequest
from programs import links, schedule, selectors, services
from programs.forms import PlanSessionDoneForm, PlanTickForm
from programs.models import Program, ProgramRevision

PLAN_COOKIE = "oefenplan_plan"
PLAN_COOKIE_SALT = "programs.plan.link"
PLAN_COOKIE_MAX_AGE = 400 * 24 * 3600  # browsers cap cookies at 400 days


def _private(response: HttpResponse, referrer_policy: str = "same-origin") -> HttpResponse:
    """No shared phone or proxy keeps a copy of someone's plan.

    Addresses that carry a token (/p/<token>/, its redirect and its error page)
    send no Referer at all. The plan's own pages have clean addresses and keep
    the app's same-origin policy: with no-referrer a browser sends
    "Origin: null" on form posts, which Django's CSRF check rightly refuses,
    and the plain-form (no JavaScript) ticks would stop working.
    """
    response["Referrer-Policy"] = referrer_policy
    response["Cache-Control"] = "private, no-store"
    return response


def _link_error(request, status: int) -> HttpResponse:
    response = render(
        request,
        "programs/plan_error.html",
        {"too_many": status == 429},
        status=status,
    )
    response.delete_cookie(PLAN_COOKIE)
    return _private(response, referrer_policy="no-referrer")


def patient_page(view):
    """A page behind the patient cookie, in the language chosen for that link."""

    @functools.wraps(view)
    def wrapper(request: HtmxHttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            link_id = request.get_signed_cookie(PLAN_COOKIE, salt=PLAN_COOKIE_SALT)
            link = links.active_link(int(link_id))
        except (KeyError, ValueError, signing.BadSignature):
            link = None
        if link is None:
            if request.htmx:
                # An open page whose link was revoked: reload it into the error page.
                response = HttpResponse(status=403)
                response["HX-Refresh"] = "true"
                return _private(response)
            return _link_error(request, status=404)
        request.patient_link = link
        with translation.override(link.language):
            request.LANGUAGE_CODE = link.language
            return _private(view(request, *args, **kwargs))

    return wrapper


def client_address(request) -> str:
    """The address wrong guesses are counted for (see TRUSTED_PROXY_COUNT)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


@require_GET
def plan_open(request: HtmxHttpRequest, token: str) -> HttpResponse:
    address = client_address(request)
    if links.guesses_exhausted(address):
        return _link_error(request, status=429)
    link = links.link_for_token(token)
    if link is None:
        links.guess_record_wrong(address)
        return _link_error(request, status=404)
    response = redirect("programs:plan_today")
    response.set_signed_cookie(
        PLAN_COOKIE,
        str(link.pk),
        salt=PLAN_COOKIE_SALT,
        max_age=PLAN_COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return _private(response, referrer_policy="no-referrer")


def _page_context(link, page: str) -> dict:
    return {"link": link, "patient": link.patient, "practice": link.patient.practice, "page": page}


@dataclasses.dataclass(frozen=True)
class _Today:
    """Today for the patient: the running programs' revisions and their day plans."""

    revisions: list[ProgramRevision]
    day: schedule.PatientDay

    @property
    def sections(self) -> list[tuple[ProgramRevision, schedule.DayPlan]]:
        return list(zip(self.revisions, self.day.plans, strict=True))

    def program_of(self, item_id: int) -> Program:
        for revision, plan in self.sections:
            if any(exercise.item_id == item_id for exercise in plan.exercises):
                return revision.program
        raise LookupError(item_id)


def _today(request) -> _Today:
    day = timezone.localdate()
    revisions = selectors.patient_current_revisions(patient=request.patient_link.patient)
    plans = tuple(schedule.day_plan(revision.snapshot, day) for revision in revisions)
    return _Today(revisions=revisions, day=schedule.PatientDay(date=day, plans=plans))


def _session_number(raw, day: schedule.PatientDay, ticks) -> int:
    """The session asked for, else the first one not yet finished."""
    try:
        return min(max(int(raw), 1), day.sessions_max)
    except (TypeError, ValueError):
        pass
    for session in range(1, day.sessions_max + 1):
        if any((e.item_id, session) not in ticks for e in day.session_items(session)):
            return session
    return day.sessions_max


def _entry(exercise, session: int, ticks, photos) -> dict:
    return {
        "exercise": exercise,
        "tick": ticks.get((exercise.item_id, session)),
        "photo": photos.get(exercise.slug),
    }


def _session_context(today: _Today, session: int, ticks, photos=None) -> dict:
    """What the page (or a tick's partial) shows of one session of today."""
    photos = photos or {}
    sections = [
        {
            "revision": revision,
            "snapshot": revision.snapshot,
            "plan": plan,
            "entries": [_entry(e, session, ticks, photos) for e in plan.session_items(session)],
        }
        for revision, plan in today.sections
    ]
    # The overview and the progress line count the session across all programs.
    entries = [entry for section in sections for entry in section["entries"]]
    return {
        "day": today.day,
        "session": session,
        "sections": sections,
        "entries": entries,
        "done_count": sum(entry["tick"] is not None for entry in entries),
        "pain_scale": range(11),
        "session_size": len(entries),
    }


def _plan_url(session: int, item_id: int | None = None) -> str:
    url = f"{reverse('programs:plan_today')}?sessie={session}"
    return url + (f"#oefening-{item_id}" if item_id else "")


@require_GET
@gzip_page  # with Django's BREACH padding; a long plan shrinks to a fifth
@patient_page
def plan_today(request: HtmxHttpRequest) -> HttpResponse:
    today = _today(request)
    context = _page_context(request.patient_link, "today")
    if today.revisions:
        ticks = selectors.day_ticks(
            programs=[r.program for r in today.revisions], day=today.day.date
        )
        session = _session_number(request.GET.get("sessie"), today.day, ticks)
        photos = selectors.exercise_photos(slugs=[e.slug for e in today.day.exercises])
        context.update(
            sessions=range(1, today.day.sessions_max + 1),
            **_session_context(today, session, ticks, photos),
        )
    return render(request, "programs/plan_today.html", context)


def _refused(request: HtmxHttpRequest, message: str) -> HttpResponse:
    """Nothing was saved: say why, in the page's alert region or on the reloaded page."""
    if request.htmx:
        response = HttpResponse(message, status=422)
        response["HX-Retarget"] = "#plan-alert"
        response["HX-Reswap"] = "innerHTML"
        return response
    messages.error(request, message)
    return redirect("programs:plan_today")


def _first_error(form) -> str:
    for errors in form.errors.values():
        return errors[0]
    return _("Nothing was saved.")


def _posted_for_today(request: HtmxHttpRequest, form_class):
    """The posted form checked against today's plan: (today, form, None), or a refusal."""
    today = _today(request)
    if not today.revisions:
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
    ticks = selectors.day_ticks(programs=[r.program for r in today.revisions], day=day)
    context = _session_context(today, session, ticks)
    context["entry"] = next(
        entry for entry in context["entries"] if entry["exercise"].item_id == item_id
    )
    context["saved"] = True
    return render(request, "programs/plan_today.html#tick", context)


@require_POST
@patient_page
def plan_session_done(request: HtmxHttpRequest) -> HttpResponse:
    today, form, refusal = _posted_for_today(request, PlanSessionDoneForm)
    if refusal:
        return refusal
    session = form.cleaned_data["session"]
    for revision, plan in today.sections:
        services.session_tick_all(
            program=revision.program,
            item_ids=[exercise.item_id for exercise in plan.session_items(session)],
            day=today.day.date,
            session=session,
        )
    return redirect(_plan_url(session))


def _progression(snapshot: dict, week: int) -> list[dict]:
    last_week = week >= snapshot["weeks"]
    return [
        {
            "title": item["exercise"]["title"],
            "this_week": schedule.week_dose(item, week),
            "next_week": None if last_week else schedule.week_dose(item, week + 1),
        }
        for item in snapshot["items"]
    ]


@require_GET
@gzip_page
@patient_page
def plan_week(request: HtmxHttpRequest) -> HttpResponse:
    today = _today(request)
    day = today.day.date
    ticks = selectors.tick_map(
        programs=[revision.program for revision in today.revisions],
        first=day - datetime.timedelta(days=day.weekday()),
        last=day + datetime.timedelta(days=6 - day.weekday()),
    )
    sections = []
    for revision, plan in today.sections:
        snapshot = revision.snapshot
        sections.append(
            {
                "revision": revision,
                "snapshot": snapshot,
                "plan": plan,
                "days": schedule.week_summary(snapshot, day, ticks[revision.program_id]),
                "progression": _progression(snapshot, plan.week),
            }
        )
    context = _page_context(request.patient_link, "week")
    context["sections"] = sections
    return render(request, "programs/plan_week.html", context)


@require_POST
@patient_page
def plan_language(request: HtmxHttpRequest) -> HttpResponse:
    links.patient_link_set_language(
        link=request.patient_link, language=request.POST.get("language", "")
    )
    target = request.POST.get("next")
    allowed = {reverse("programs:plan_today"), reverse("programs:plan_week")}
    return redirect(target if target in allowed else "programs:plan_today")
