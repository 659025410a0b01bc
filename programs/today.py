"""A patient's day as the phone shows it: each running program's plan for the
day, and one session of it with what is ticked off.

Pure functions of snapshots, ticks and photos already read: the patient's plan
page and the therapist's preview (which shows the draft) build the same page
from them, so the preview is the patient's page and not a look-alike.
"""

import dataclasses
import datetime

from exercises.models import ExercisePhoto
from programs.models import ExerciseTick, Program
from programs.schedule import (
    DayPlan,
    DaySummary,
    PatientDay,
    PlannedExercise,
    TickMap,
    WeekProgression,
    day_plan,
    week_progression,
    week_summary,
)
from programs.snapshot import Snapshot

Ticks = dict[tuple[int, int], ExerciseTick]  # by (item id, session)


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


def today_of(programs: list[tuple[Program, Snapshot]], day: datetime.date) -> Today:
    """The day across the patient's programs, oldest program first."""
    days = tuple(
        ProgramDay(program=program, snapshot=snapshot, plan=day_plan(snapshot, day))
        for program, snapshot in programs
    )
    return Today(day=PatientDay(date=day, plans=tuple(each.plan for each in days)), programs=days)


@dataclasses.dataclass(frozen=True)
class SessionEntry:
    planned: PlannedExercise
    tick: ExerciseTick | None
    photo: ExercisePhoto | None


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
        return range(11)

    @property
    def session_numbers(self) -> range:
        return range(1, self.day.sessions_max + 1)

    def entry_of(self, item_id: int) -> SessionEntry:
        return next(entry for entry in self.entries if entry.planned.item_id == item_id)


def session_view(
    today: Today, session: int, ticks: Ticks, photos: dict[str, ExercisePhoto] | None = None
) -> SessionView:
    photos = photos or {}
    sections = tuple(
        SessionSection(
            program=each.program,
            snapshot=each.snapshot,
            plan=each.plan,
            entries=tuple(
                SessionEntry(
                    planned=planned,
                    tick=ticks.get((planned.item_id, session)),
                    photo=photos.get(planned.exercise.slug),
                )
                for planned in each.plan.session_items(session)
            ),
        )
        for each in today.programs
    )
    return SessionView(day=today.day, session=session, sections=sections)


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
    """One program on the week page: each day's sessions, and how the doses grow."""

    program: Program
    snapshot: Snapshot
    plan: DayPlan
    days: list[DaySummary]
    progression: list[WeekProgression]


def week_view(today: Today, ticks: dict[int, TickMap]) -> list[WeekSection]:
    """Today's week for each program; `ticks` by program id (selectors.tick_map)."""
    return [
        WeekSection(
            program=each.program,
            snapshot=each.snapshot,
            plan=each.plan,
            days=week_summary(each.snapshot, today.day.date, ticks[each.program.pk]),
            progression=week_progression(each.snapshot, each.plan.week),
        )
        for each in today.programs
    ]
