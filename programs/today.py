"""A patient's day as the phone shows it: each running program's plan for the
day, and one session of it with what is ticked off.

Pure functions of snapshots, ticks and photos already read: the patient's plan
page and the therapist's preview (which shows the draft) build the same page
from them, so the preview is the patient's page and not a look-alike.
"""

import dataclasses
import datetime
import functools

from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from exercises.models import ExercisePhoto
from programs.models import ExerciseTick, Practice, Program
from programs.pain import pain_is_high
from programs.schedule import (
    DayPlan,
    PatientDay,
    PlannedExercise,
    TickMap,
    WeekPlan,
    WeekProgression,
    day_plan,
    program_week,
    week_days,
    week_plan,
    week_progression,
)
from programs.snapshot import Snapshot

Ticks = dict[tuple[int, int], ExerciseTick]  # by (item id, session)


def by_session(ticks: list[ExerciseTick], day: datetime.date) -> Ticks:
    """The day's ticks by (item id, session)."""
    return {(tick.item_id, tick.session): tick for tick in ticks if tick.date == day}


@dataclasses.dataclass(frozen=True)
class ProgramDay:
    """One running program on the day: its section on the page."""

    program: Program
    snapshot: Snapshot
    plan: DayPlan


@dataclasses.dataclass(frozen=True)
class Today:
    day: PatientDay
    programs: tuple[ProgramDay, ...]

    @property
    def program_list(self) -> list[Program]:
        return [each.program for each in self.programs]

    def program_of(self, item_id: int) -> Program:
        """The program a ticked exercise belongs to (item ids are unique across programs)."""
        for each in self.programs:
            if any(exercise.item_id == item_id for exercise in each.plan.exercises):
                return each.program
        raise LookupError(item_id)


def week_start_of(programs: list[tuple[Program, Snapshot]], day: datetime.date) -> datetime.date:
    """The earliest first day of the programs' current weeks: the ticks from there
    to the day decide which weekly exercises are still asked."""
    return min(
        (week_days(snapshot, program_week(snapshot, day))[0] for _program, snapshot in programs),
        default=day,
    )


def today_of(
    programs: list[tuple[Program, Snapshot]],
    day: datetime.date,
    ticks: dict[int, TickMap] | None = None,
) -> Today:
    """The day across the patient's programs, oldest program first; `ticks` by
    program id, from `week_start_of` on."""
    ticks = ticks or {}
    days = tuple(
        ProgramDay(
            program=program,
            snapshot=snapshot,
            plan=day_plan(snapshot, day, ticks.get(program.pk, {})),
        )
        for program, snapshot in programs
    )
    return Today(day=PatientDay(date=day, plans=tuple(each.plan for each in days)), programs=days)


@dataclasses.dataclass(frozen=True)
class SessionEntry:
    planned: PlannedExercise
    tick: ExerciseTick | None
    photo: ExercisePhoto | None
    high_pain: bool = False  # the tick's pain is above the practice's limit

    # Strings the page prints many times, made once: an id printed as a number
    # would go through the number formatting of the language on every use.
    @functools.cached_property
    def item_key(self) -> str:
        return str(self.planned.item_id)

    @functools.cached_property
    def pain_options(self) -> SafeString:
        """The pain score's <option>s, the tick's own selected (see pain_options)."""
        return pain_options(self.tick.pain if self.tick else None)

    @property
    def weekly_line(self) -> str:
        """How far this week's target is, today's tick counted."""
        weekly = self.planned.weekly
        return weekly.text(done_today=self.tick is not None) if weekly else ""


@dataclasses.dataclass(frozen=True)
class SessionSection:
    program: Program
    snapshot: Snapshot
    plan: DayPlan
    entries: tuple[SessionEntry, ...]


@dataclasses.dataclass(frozen=True)
class SessionView:
    """One session of the day, across programs: what the plan page lists."""

    day: PatientDay
    session: int
    sections: tuple[SessionSection, ...]
    is_past: bool = False  # an earlier day, ticked off afterwards

    @functools.cached_property
    def date_key(self) -> str:
        """The day as the tick forms post it (ISO)."""
        return self.day.date.isoformat()

    @functools.cached_property
    def session_key(self) -> str:
        return str(self.session)

    def step(self, number: int) -> SessionEntry | None:
        """The session's `number`-th exercise (from 1), for one-at-a-time mode."""
        entries = self.entries
        return entries[number - 1] if 1 <= number <= len(entries) else None

    @property
    def entries(self) -> tuple[SessionEntry, ...]:
        return tuple(entry for section in self.sections for entry in section.entries)

    @property
    def done_count(self) -> int:
        return sum(entry.tick is not None for entry in self.entries)

    @property
    def session_size(self) -> int:
        return len(self.entries)

    @property
    def pain_scale(self) -> range:
        """The choices of the pain score: 0 (none) to 10 (worst)."""
        return PAIN_SCALE

    @property
    def session_numbers(self) -> range:
        return range(1, self.day.sessions_max + 1)

    @property
    def sessions_planned(self) -> int:
        return self.day.sessions_planned

    @property
    def is_extra_session(self) -> bool:
        """A session beyond those asked for ("2 to 3 times a day": the third)."""
        return self.session > self.day.sessions_planned

    def entry_of(self, item_id: int) -> SessionEntry:
        return next(entry for entry in self.entries if entry.planned.item_id == item_id)


PAIN_SCALE = range(11)  # 0 (none) to 10 (worst)


@functools.cache
def pain_options(selected: int | None) -> SafeString:
    """The pain <select>'s score options, `selected` marked, made once per process
    for each score (not 11 options through the template for every exercise)."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((score, " selected" if score == selected else "", score) for score in PAIN_SCALE),
    )


def session_view(
    today: Today,
    session: int,
    ticks: Ticks,
    photos: dict[str, ExercisePhoto] | None = None,
    practice: Practice | None = None,
    is_past: bool = False,
) -> SessionView:
    """The session's exercises with their ticks; with the `practice`, a tick whose
    pain is above its limit is marked (programs.pain)."""
    photos = photos or {}

    def entry(planned: PlannedExercise) -> SessionEntry:
        tick = ticks.get((planned.item_id, session))
        return SessionEntry(
            planned=planned,
            tick=tick,
            photo=photos.get(planned.exercise.slug),
            high_pain=bool(tick and practice and pain_is_high(pain=tick.pain, practice=practice)),
        )

    sections = tuple(
        SessionSection(
            program=each.program,
            snapshot=each.snapshot,
            plan=each.plan,
            entries=tuple(entry(planned) for planned in each.plan.session_items(session)),
        )
        for each in today.programs
    )
    return SessionView(day=today.day, session=session, sections=sections, is_past=is_past)


def session_to_show(requested: str | None, day: PatientDay, ticks: Ticks) -> int:
    """The session asked for (clamped to the day's), else the first one not yet finished."""
    try:
        return min(max(int(requested), 1), day.sessions_max)
    except (TypeError, ValueError):
        pass
    for session in range(1, day.sessions_max + 1):
        if any((e.item_id, session) not in ticks for e in day.session_items(session)):
            return session
    return day.sessions_max


@dataclasses.dataclass(frozen=True)
class WeekSection:
    """One program on the week page: its current program week, day by day, and
    how the doses grow."""

    program: Program
    snapshot: Snapshot
    plan: DayPlan
    week: WeekPlan
    progression: list[WeekProgression]


def week_view(today: Today, ticks: dict[int, TickMap]) -> list[WeekSection]:
    """Each program's current week; `ticks` by program id (selectors.tick_map)."""
    return [
        WeekSection(
            program=each.program,
            snapshot=each.snapshot,
            plan=each.plan,
            week=week_plan(
                each.snapshot, each.plan.week, ticks.get(each.program.pk, {}), today.day.date
            ),
            progression=week_progression(each.snapshot, each.plan.week),
        )
        for each in today.programs
    ]


# A forgotten evening need not count as missed: the patient may tick off the last
# LATE_DAYS days afterwards (marked as added later), never further back.
LATE_DAYS = 2


def days_to_tick(today: datetime.date) -> tuple[datetime.date, ...]:
    """The days a patient may tick off: today and the LATE_DAYS before it."""
    return tuple(today - datetime.timedelta(days=back) for back in range(LATE_DAYS + 1))
