"""A returned paper schedule, typed in: the handout's own grid for one program
week, with a box per session the grid asks for. Ticks from the phone show and
stay; paper ticks are marked as such and follow what the therapist types."""

import dataclasses
import datetime

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from oefenplan.http import HtmxHttpRequest
from programs import selectors, services
from programs.models import TickSource
from programs.schedule import ItemWeek, program_week, week_plan
from programs.therapist.access import practice_required, program_for, record_read


@dataclasses.dataclass(frozen=True)
class PaperBox:
    name: str  # the checkbox's field name
    label: str  # for screen readers: exercise, day, session
    checked: bool
    fixed: bool  # ticked on the phone: shown, not changed here
    open: bool  # a day up to today


@dataclasses.dataclass(frozen=True)
class PaperRow:
    item: ItemWeek
    cells: tuple[tuple[PaperBox, ...], ...]  # per day of the week


def _key(item_id: int, day: datetime.date, session: int) -> str:
    return f"t-{item_id}-{day.isoformat()}-{session}"


def _rows(plan, ticks: dict, today: datetime.date) -> list[PaperRow]:
    rows = []
    for item in plan.items:
        cells = []
        for index, day in enumerate(plan.days):
            boxes = []
            if item.on[index]:
                for session in range(1, item.sessions_offered + 1):
                    tick = ticks.get((item.item.id, day, session))
                    boxes.append(
                        PaperBox(
                            name=_key(item.item.id, day, session),
                            label=_("%(title)s, %(day)s, session %(session)s")
                            % {
                                "title": item.item.exercise.title,
                                "day": day.strftime("%d-%m"),
                                "session": session,
                            },
                            checked=tick is not None,
                            fixed=tick is not None and tick.source != TickSource.PAPER,
                            open=day <= today,
                        )
                    )
            cells.append(tuple(boxes))
        rows.append(PaperRow(item=item, cells=tuple(cells)))
    return rows


@require_http_methods(["GET", "POST"])
@practice_required
def program_paper(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    program = program_for(request, pk)
    revision = program.revisions.first()
    if revision is None:
        raise Http404
    snapshot, today = revision.content, timezone.localdate()
    try:
        week = int(request.GET.get("week") or program_week(snapshot, today))
    except ValueError:
        week = 1
    week = min(max(week, 1), snapshot.weeks)
    plan = week_plan(snapshot, week, {}, today)
    ticks = {
        (tick.item_id, tick.date, tick.session): tick
        for tick in selectors.program_ticks(
            programs=[program], first=plan.days[0], last=plan.days[6]
        )
    }
    rows = _rows(plan, ticks, today)
    if request.method == "POST":
        boxes = {
            (row.item.item.id, day, session): box
            for row in rows
            for day, cell in zip(plan.days, row.cells, strict=True)
            for session, box in enumerate(cell, start=1)
        }
        allowed = {key for key, box in boxes.items() if box.open and not box.fixed}
        ticked = {key for key, box in boxes.items() if request.POST.get(box.name)}
        added, removed = services.ticks_enter_from_paper(
            program=program,
            days=plan.days,
            allowed=allowed,
            ticked=ticked,
            user=request.user,
        )
        messages.success(
            request,
            _("Week %(week)s typed in: %(added)s added, %(removed)s removed.")
            % {"week": week, "added": added, "removed": removed},
        )
        return redirect(f"{reverse('therapist:program_paper', args=[pk])}?week={week}")
    record_read(request, program.patient, detail=f"paper week {week}")
    return render(
        request,
        "programs/therapist/program_paper.html",
        {"program": program, "plan": plan, "rows": rows, "week": week, "weeks": snapshot.weeks},
    )
