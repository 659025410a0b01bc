"""The patient's side: the private link, today's plan, ticks and the week view.

No login: opening the link trades its token for a signed cookie that names the
link, and every request checks that link again, so a revoked link stops
working at once, also in a page that is already open. Nothing here tells a
wrong link from a revoked or expired one.
"""

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


def _today_and_revision(request):
    today = timezone.localdate()
    revision = selectors.patient_current_revision(patient=request.patient_link.patient)
    return today, revision


def _session_number(raw, plan: schedule.DayPlan, ticks) -> int:
    """The session asked for, else the first one not yet finished."""
    try:
        return min(max(int(raw), 1), plan.sessions_max)
    except (TypeError, ValueError):
        pass
    for session in range(1, plan.sessions_max + 1):
        if any((e.item_id, session) not in ticks for e in plan.session_items(session)):
            return session
    return plan.sessions_max


def _session_context(plan, session: int, ticks, photos=None) -> dict:
    items = plan.session_items(session)
    return {
        "plan": plan,
        "session": session,
        "entries": [
            {
                "exercise": exercise,
                "tick": ticks.get((exercise.item_id, session)),
                "photo": (photos or {}).get(exercise.slug),
            }
            for exercise in items
        ],
        "done_count": sum((exercise.item_id, session) in ticks for exercise in items),
        "pain_scale": range(11),
        "session_size": len(items),
    }


def _plan_url(session: int, item_id: int | None = None) -> str:
    url = f"{reverse('programs:plan_today')}?sessie={session}"
    return url + (f"#oefening-{item_id}" if item_id else "")


@require_GET
@gzip_page  # with Django's BREACH padding; a long plan shrinks to a fifth
@patient_page
def plan_today(request: HtmxHttpRequest) -> HttpResponse:
    link = request.patient_link
    today, revision = _today_and_revision(request)
    context = _page_context(link, "today")
    if revision is None:
        return render(request, "programs/plan_today.html", context)
    plan = schedule.day_plan(revision.snapshot, today)
    ticks = selectors.day_ticks(program=revision.program, day=today)
    session = _session_number(request.GET.get("sessie"), plan, ticks)
    photos = selectors.exercise_photos(slugs=[exercise.slug for exercise in plan.exercises])
    context.update(
        revision=revision,
        snapshot=revision.snapshot,
        sessions=range(1, plan.sessions_max + 1),
        **_session_context(plan, session, ticks, photos),
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
    """The posted form checked against today's plan: (revision, form, None), or a refusal."""
    today, revision = _today_and_revision(request)
    if revision is None:
        return None, None, _refused(request, _("There is no plan to tick off yet."))
    form = form_class(request.POST, plan=schedule.day_plan(revision.snapshot, today))
    if not form.is_valid():
        return None, None, _refused(request, _first_error(form))
    return revision, form, None


@require_POST
@patient_page
def plan_tick(request: HtmxHttpRequest) -> HttpResponse:
    revision, form, refusal = _posted_for_today(request, PlanTickForm)
    if refusal:
        return refusal
    plan, today, data = form.plan, form.plan.date, form.cleaned_data
    program, item_id, session = revision.program, data["item"], data["session"]
    if request.POST.get("action") == "undo":
        services.tick_undo(program=program, item_id=item_id, day=today, session=session)
    else:
        services.tick_save(
            program=program,
            item_id=item_id,
            day=today,
            session=session,
            pain=data["pain"],
            note=data["note"],
        )
    if not request.htmx:
        return redirect(_plan_url(session, item_id))
    ticks = selectors.day_ticks(program=program, day=today)
    context = _session_context(plan, session, ticks)
    context["entry"] = next(
        entry for entry in context["entries"] if entry["exercise"].item_id == item_id
    )
    context["saved"] = True
    return render(request, "programs/plan_today.html#tick", context)


@require_POST
@patient_page
def plan_session_done(request: HtmxHttpRequest) -> HttpResponse:
    revision, form, refusal = _posted_for_today(request, PlanSessionDoneForm)
    if refusal:
        return refusal
    session = form.cleaned_data["session"]
    services.session_tick_all(
        program=revision.program,
        item_ids=[exercise.item_id for exercise in form.plan.session_items(session)],
        day=form.plan.date,
        session=session,
    )
    return redirect(_plan_url(session))


@require_GET
@gzip_page
@patient_page
def plan_week(request: HtmxHttpRequest) -> HttpResponse:
    link = request.patient_link
    today, revision = _today_and_revision(request)
    context = _page_context(link, "week")
    if revision is not None:
        snapshot = revision.snapshot
        week = schedule.program_week(snapshot, today)
        days = schedule.week_summary(
            snapshot,
            today,
            selectors.tick_map(
                programs=[revision.program],
                first=today - datetime.timedelta(days=today.weekday()),
                last=today + datetime.timedelta(days=6 - today.weekday()),
            )[revision.program.pk],
        )
        progression = [
            {
                "title": item["exercise"]["title"],
                "this_week": schedule.week_dose(item, week),
                "next_week": schedule.week_dose(item, week + 1)
                if week < snapshot["weeks"]
                else None,
            }
            for item in snapshot["items"]
        ]
        context.update(
            revision=revision,
            snapshot=snapshot,
            week=week,
            days=days,
            progression=progression,
            plan=schedule.day_plan(snapshot, today),
        )
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
