"""What a handout shows: a program's latest published revision (its frozen
snapshot), in the patient's language, with the practice's own details and,
where the patient has an active link, a QR code to the phone plan."""

import dataclasses
import datetime
import hashlib

import segno
from django.conf import settings
from django.contrib.auth.models import User
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import pgettext

from exercises.models import ExercisePhoto, HoldUnit
from programs.links import link_url, patient_active_link
from programs.models import Program, ProgramRevision
from programs.schedule import WeekDose, item_sessions, week_dose
from programs.selectors import exercise_photos
from programs.snapshot import ExerciseText, Snapshot

NOT_PUBLISHED = "This program has no published revision yet."


class HandoutUnavailable(Exception):
    pass


@dataclasses.dataclass(frozen=True)
class Handout:
    """Everything a handout shows that is not in the revision's snapshot."""

    program: Program
    revision: ProgramRevision
    language: str
    therapist: str
    link_id: int | None
    link_url: str | None
    photos: dict[str, ExercisePhoto]  # the first photo of each exercise, by slug

    @property
    def snapshot(self) -> Snapshot:
        return self.revision.content

    @property
    def content_key(self) -> str:
        """Names everything printed: the frozen revision, and (as a digest) what
        else the handout prints, so a new phone number or photo is a new handout."""
        practice = self.program.patient.practice
        varying = [
            practice.name,
            practice.phone,
            practice.call_hours,
            self.program.patient.name,
            self.therapist,
            self.link_url or "",
            repr(sorted((slug, p.image.name, p.alt_text) for slug, p in self.photos.items())),
        ]
        digest = hashlib.sha256("\x1f".join(varying).encode()).hexdigest()[:16]
        link = self.link_id or "nolink"
        return f"{self.revision.pk}-r{self.revision.number}-{self.language}-{link}-{digest}"

    @property
    def filename(self) -> str:
        return f"oefenplan-{self.program.pk}-r{self.revision.number}-{self.language}.pdf"


def handout_for(
    *, program: Program, user: User | None = None, base_url: str | None = None
) -> Handout:
    """The handout of the program's latest published revision.

    The therapist named is the one who published it, else `user`. `base_url`
    is the site address for the patient's link (settings.SITE_URL if None).
    """
    revision = program.revisions.select_related("published_by").first()
    if revision is None:
        raise HandoutUnavailable(NOT_PUBLISHED)
    person = revision.published_by or user
    therapist = (person.get_full_name() or person.get_username()) if person else ""
    link = patient_active_link(patient=program.patient)
    url = link_url(link, base_url) if link else None
    photos = exercise_photos(slugs=[item.exercise.slug for item in revision.content.items])
    return Handout(
        program=program,
        revision=revision,
        language=program.patient.language or settings.LANGUAGE_CODE,
        therapist=therapist,
        link_id=link.pk if link and url else None,
        link_url=url,
        photos=photos,
    )


def _qr_svg(url: str) -> SafeString:
    # segno writes the SVG itself from a URL we built: no user text goes in.
    qr = segno.make(url, error="m")
    return mark_safe(qr.svg_inline(scale=1, border=2, omitsize=True, svgclass="qr-code"))


@dataclasses.dataclass(frozen=True)
class DoseGroup:
    """Weeks first..last share one dose: "weeks 2-3: 3 x 6"."""

    first: int
    last: int
    dose: str


def _grouped_doses(doses: list[str]) -> list[DoseGroup]:
    """["3 x 5", "3 x 6", "3 x 6"] -> week 1: 3 x 5, weeks 2-3: 3 x 6."""
    groups: list[DoseGroup] = []
    for week, dose in enumerate(doses, start=1):
        if groups and groups[-1].dose == dose:
            groups[-1] = dataclasses.replace(groups[-1], last=week)
        else:
            groups.append(DoseGroup(first=week, last=week, dose=dose))
    return groups


def short_dose(dose: WeekDose) -> str:
    """The dose in a table cell: "3 x 10", "3 x 20-30 s", "30 minutes"."""
    if dose.short:
        return dose.short
    values = dose.values
    if values.hold_min is not None:
        low, high = values.hold_min, values.hold_max
        amount = f"{low}-{high}" if high and high != low else str(low)
        if values.hold_unit == HoldUnit.COUNTS:
            hold = pgettext("hold, abbreviated", "%(amount)s counts") % {"amount": amount}
        else:
            hold = pgettext("seconds, abbreviated", "%(amount)s s") % {"amount": amount}
        return f"{dose.sets} x {hold}" if dose.sets else hold
    return dose.lines[0] if dose.lines else ""


@dataclasses.dataclass(frozen=True)
class HandoutExercise:
    number: int
    exercise: ExerciseText
    note: str
    days: str
    dose: WeekDose  # week 1's
    week_doses: tuple[str, ...]  # the table cell of each week
    growth: tuple[DoseGroup, ...]
    sessions: tuple[bool, ...]  # one box per session offered: True if asked for
    photo: ExercisePhoto | None


@dataclasses.dataclass(frozen=True)
class ScheduleRow:
    entry: HandoutExercise
    dose: str
    grew: bool
    on: tuple[bool, ...]  # the seven days of the week, from the program week's first day


@dataclasses.dataclass(frozen=True)
class ScheduleWeek:
    number: int
    days: tuple[datetime.date, ...]
    rows: tuple[ScheduleRow, ...]


def _exercises(handout: Handout) -> list[HandoutExercise]:
    snapshot = handout.snapshot
    exercises = []
    for number, item in enumerate(snapshot.items, start=1):
        doses = [week_dose(item, week) for week in range(1, snapshot.weeks + 1)]
        cells = [short_dose(dose) for dose in doses]
        planned, most = item_sessions(item)
        exercises.append(
            HandoutExercise(
                number=number,
                exercise=item.exercise,
                note=item.note,
                days=item.days,
                dose=doses[0],
                week_doses=tuple(cells),
                growth=tuple(_grouped_doses(cells)),
                sessions=tuple(session <= planned for session in range(1, most + 1)),
                photo=handout.photos.get(item.exercise.slug),
            )
        )
    return exercises


def _schedule(snapshot: Snapshot, exercises: list[HandoutExercise]) -> list[ScheduleWeek]:
    weeks = []
    for week in range(1, snapshot.weeks + 1):
        # Program weeks start on the start date's weekday, as in programs.schedule.
        first = snapshot.start_date + datetime.timedelta(weeks=week - 1)
        days = tuple(first + datetime.timedelta(days=offset) for offset in range(7))
        rows = []
        for entry in exercises:
            dose = entry.week_doses[week - 1]
            previous = entry.week_doses[week - 2] if week > 1 else dose
            on = tuple(str(day.isoweekday()) in entry.days for day in days)
            rows.append(ScheduleRow(entry=entry, dose=dose, grew=dose != previous, on=on))
        weeks.append(ScheduleWeek(number=week, days=days, rows=tuple(rows)))
    return weeks


def handout_context(handout: Handout) -> dict:
    """Template context; call inside translation.override(handout.language)."""
    snapshot = handout.snapshot
    exercises = _exercises(handout)
    return {
        "handout": handout,
        "practice": handout.program.patient.practice,
        "patient_name": handout.program.patient.name,
        "snapshot": snapshot,
        "revision": handout.revision,
        "exercises": exercises,
        "schedule": _schedule(snapshot, exercises),
        "qr_svg": _qr_svg(handout.link_url) if handout.link_url else "",
        "language": handout.language,
    }
