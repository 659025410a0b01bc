"""The program as the patient sees it: the phone plan's own page, built from the
draft (or the published revision) for a day the therapist picks."""

import dataclasses
import datetime
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from oefenplan.http import HtmxHttpRequest
from programs import links, selectors
from programs.models import ProgramRevision
from programs.snapshot import Snapshot
from programs.therapist.access import practice_required, program_for, record_read
from programs.today import session_to_show, session_view, today_of


@dataclasses.dataclass(frozen=True)
class Preview:
    """What the bar above the previewed page says and links to."""

    draft: bool
    revision: ProgramRevision | None
    day: datetime.date
    previous_day: datetime.date | None
    next_day: datetime.date | None

    def _query(self, **changes) -> str:
        params = {"dag": self.day.isoformat(), **({"draft": "1"} if self.draft else {})}
        params.update(changes)
        return urlencode({key: value for key, value in params.items() if value is not None})

    @property
    def query(self) -> str:
        """This preview's parameters, ready for the page's own "?...sessie=" links."""
        return self._query() + "&"

    @property
    def previous_query(self) -> str:
        return self._query(dag=self.previous_day.isoformat()) if self.previous_day else ""

    @property
    def next_query(self) -> str:
        return self._query(dag=self.next_day.isoformat()) if self.next_day else ""

    @property
    def other_version_query(self) -> str:
        """The published revision from the draft, or the draft from the revision."""
        return self._query(draft=None if self.draft else "1")


def _preview_day(requested: str | None, snapshot: Snapshot) -> datetime.date:
    """The day asked for, else today; always within the program's weeks."""
    try:
        day = datetime.date.fromisoformat(requested or "")
    except ValueError:
        day = timezone.localdate()
    return min(max(day, snapshot.start_date), snapshot.end_date)


@require_GET
@practice_required
def program_preview(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    program = program_for(request, pk)
    record_read(request, program.patient, detail="preview")
    revision = program.revisions.first()
    draft = bool(request.GET.get("draft")) or revision is None
    snapshot = selectors.program_draft_snapshot(program=program) if draft else revision.content
    day = _preview_day(request.GET.get("dag"), snapshot)
    one_day = datetime.timedelta(days=1)
    preview = Preview(
        draft=draft,
        revision=revision,
        day=day,
        previous_day=day - one_day if day > snapshot.start_date else None,
        next_day=day + one_day if day < snapshot.end_date else None,
    )
    today = today_of([(program, snapshot)], day)
    session = session_to_show(request.GET.get("sessie"), today.day, {})
    photos = selectors.exercise_photos(
        slugs=[e.exercise.slug for e in today.day.exercises], practice=request.practice
    )
    # In the language the patient reads: the link's, else the patient's own.
    link = links.patient_active_link(patient=program.patient)
    language = link.language if link else program.patient.language
    with translation.override(language):
        return render(
            request,
            "programs/therapist/program_preview.html",
            {
                "preview": preview,
                "program": program,
                "patient": program.patient,
                "practice": request.practice,
                "view": session_view(today, session, {}, photos),
            },
        )
