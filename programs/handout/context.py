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
from django.utils.translation import gettext, pgettext

from exercises.models import ExercisePhoto, HoldUnit
from programs.handout.text_lines import POINT_MM, lines_at_most
from programs.handout.ticks import TICKS_PATH, picture_height, tick_alt, tick_pattern
from programs.links import link_url, patient_active_link
from programs.models import Program, ProgramRevision
from programs.schedule import (
    WeekDose,
    WeeklyTarget,
    item_sessions,
    week_days,
    week_dose,
    week_items,
    weekly_target,
)
from programs.selectors import exercise_photos
from programs.snapshot import ExerciseText, Snapshot, shifted_date

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
    link_expires: datetime.datetime | None
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
            self.link_expires.isoformat() if self.link_expires else "",
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
    photos = exercise_photos(
        slugs=[item.exercise.slug for item in revision.content.items],
        practice=program.patient.practice,
    )
    return Handout(
        program=program,
        revision=revision,
        language=program.patient.language or settings.LANGUAGE_CODE,
        therapist=therapist,
        link_id=link.pk if link and url else None,
        link_url=url,
        link_expires=link.expires_at if link and url else None,
        photos=photos,
    )


def _qr_svg(url: str) -> SafeString:
    # segno writes the SVG itself from a URL we built: no user text goes in.
    svg = segno.make(url, error="m").svg_inline(
        scale=1, border=2, omitsize=True, svgclass="qr-code"
    )
    return mark_safe(svg)  # nosec B308, B703  # segno's own markup, drawn from the QR's modules


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
    item_id: int
    number: int
    exercise: ExerciseText
    note: str
    weekly: WeeklyTarget | None  # on days the patient picks; None: on fixed days
    dose: WeekDose  # week 1's
    growth: tuple[DoseGroup, ...]
    sessions: tuple[bool, ...]  # one box per session offered: True if asked for
    photo: ExercisePhoto | None
    next_stage_text: str
    next_stage_week: int | None  # the first week of the harder variant
    kept_reason: str  # a warning the therapist kept on purpose, and why


@dataclasses.dataclass(frozen=True)
class ScheduleRow:
    entry: HandoutExercise
    dose: str  # the week's whole dose, as the phone says it
    grew: bool
    on: tuple[bool, ...]  # the seven days of the week, from the program week's first day
    stage: int
    ticks: str  # the row's boxes as one picture's pattern (programs.handout.ticks)
    ticks_alt: str  # and what it shows, in words


@dataclasses.dataclass(frozen=True)
class ScheduleWeek:
    number: int
    days: tuple[datetime.date, ...]
    rows: tuple[ScheduleRow, ...]

    @property
    def longer_than_a_page(self) -> bool:
        """Whether the week's table cannot fit on one page, by a low estimate of
        its height. Such a week starts on a new page and goes on over the next,
        as it did when WeasyPrint was asked to keep each week whole (and laid
        the table out twice to find it would not fit). A shorter week is still
        kept whole, so the pages stay the same."""
        return sum(_row_height_at_least(row) for row in self.rows) > GRID_PAGE_ROOM


# A low estimate of a grid row's height (millimetres), as handout.css lays it
# out: the dose's and the title's lines at their cells' line heights, plus the
# cell padding; the tick picture sets the least height.
GRID_PAGE_ROOM = 260 - 20  # the A4 page's room (297 - 15 - 22) less caption and header
DOSE_SIZE, TITLE_SIZE, LINE_HEIGHT = 8.5, 9.5, 1.25  # points; table.week's line height
# The text's width in the cells (col.col-dose, and what the day, number and dose
# columns leave of the 180 mm), less their padding.
DOSE_WIDTH, TITLE_WIDTH = 44 - 2, 180 - 7 - 44 - 7 * 11 - 2
CELL_PADDING = 1.8


def _dose_cell_text(row: "ScheduleRow") -> str:
    """The dose cell's words as the template prints them (in the active language)."""
    parts = [row.dose]
    if row.stage == 2:
        parts.insert(0, gettext("Harder variant") + ":")
    if row.entry.weekly:
        parts.append("(" + gettext("you choose the days") + ")")
    if row.grew:
        parts.append("↑")
    return " ".join(parts)


def _row_height_at_least(row: "ScheduleRow") -> float:
    dose_lines = lines_at_most(_dose_cell_text(row), width_mm=DOSE_WIDTH, size_pt=DOSE_SIZE)
    title_lines = lines_at_most(row.entry.exercise.title, width_mm=TITLE_WIDTH, size_pt=TITLE_SIZE)
    return CELL_PADDING + max(
        dose_lines * DOSE_SIZE * LINE_HEIGHT * POINT_MM,
        title_lines * TITLE_SIZE * LINE_HEIGHT * POINT_MM,
        picture_height(row.ticks),
    )


def _exercises(handout: Handout) -> list[HandoutExercise]:
    snapshot = handout.snapshot
    exercises = []
    for number, item in enumerate(snapshot.items, start=1):
        doses = [week_dose(item, week) for week in range(1, snapshot.weeks + 1)]
        planned, most = item_sessions(item)
        stage_weeks = [week for week, dose in enumerate(doses, start=1) if dose.stage == 2]
        exercises.append(
            HandoutExercise(
                item_id=item.id,
                number=number,
                exercise=item.exercise,
                note=item.note,
                weekly=weekly_target(item),
                dose=doses[0],
                growth=tuple(_grouped_doses([short_dose(dose) for dose in doses])),
                sessions=tuple(session <= planned for session in range(1, most + 1)),
                photo=handout.photos.get(item.exercise.slug),
                next_stage_text=item.next_stage_text if stage_weeks else "",
                next_stage_week=stage_weeks[0] if stage_weeks else None,
                kept_reason=item.kept_reason,
            )
        )
    return exercises


def _schedule(snapshot: Snapshot, exercises: list[HandoutExercise]) -> list[ScheduleWeek]:
    """The tick grid: the program's own weeks as the phone plans them, before any tick."""
    before_start = shifted_date(snapshot.start_date, -1)
    weeks = []
    alts: dict[tuple, str] = {}
    for number in range(1, snapshot.weeks + 1):
        days = week_days(snapshot, number)
        weekdays = tuple(day.weekday() for day in days)
        rows = []
        for entry, item in zip(
            exercises, week_items(snapshot, number, {}, before_start), strict=True
        ):
            previous = week_dose(item.item, number - 1) if number > 1 else item.dose
            ticks = tick_pattern(on=item.on, sessions=entry.sessions, weekly=bool(entry.weekly))
            if (ticks, weekdays) not in alts:
                alts[ticks, weekdays] = tick_alt(ticks, days)
            rows.append(
                ScheduleRow(
                    entry=entry,
                    dose=item.dose.text,
                    grew=item.dose.text != previous.text,
                    on=item.on,
                    stage=item.dose.stage,
                    ticks=ticks,
                    ticks_alt=alts[ticks, weekdays],
                )
            )
        weeks.append(ScheduleWeek(number=number, days=days, rows=tuple(rows)))
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
        "ticks_path": TICKS_PATH,
    }
