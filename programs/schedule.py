"""What a program asks of the patient on a given day or week: pure functions.

Everything here works on a published revision's typed `Snapshot` and plain
dates, with no database access, so the phone plan, the week view, the
therapist's adherence figures and the printed handout agree by construction.

Weekly progression: an item with `reps_step_per_week` starts at its lowest
repetitions (`reps_start`, else `reps_min`) and adds the step each week, up to
its highest (`reps_target`, else `reps_max`). Without a step the dose is the
same every week.
"""

import dataclasses
import datetime

from exercises.dose import DoseValues, describe_dose, describe_frequency
from programs.snapshot import ExerciseText, Snapshot, SnapshotItem

# (item id, session) pairs ticked off, by date.
TickMap = dict[datetime.date, set[tuple[int, int]]]


@dataclasses.dataclass(frozen=True)
class WeekDose:
    """An item's dose in one program week: the numbers the timer counts with."""

    values: DoseValues
    sets: int | None
    reps: int | None  # an exact count this week, None for a range ("8 to 12")
    timer_reps: int | None
    hold_seconds: int | None
    rest_seconds: int | None

    @property
    def lines(self) -> list[str]:
        return describe_dose(self.values)

    @property
    def short(self) -> str:
        """ "3 x 7" (sets x reps), "7", or "" when the dose has no counts."""
        reps = self.reps
        if reps is None:
            low, high = self.values.reps_min, self.values.reps_max
            if low is None:
                return ""
            reps = f"{low}-{high}" if high and high != low else low
        sets = self.values.sets_min
        return f"{sets} x {reps}" if sets else str(reps)


@dataclasses.dataclass(frozen=True)
class PlannedExercise:
    """An exercise on one day: the leaflet's text and this week's dose."""

    item_id: int
    number: int  # its place in the program, 1..n
    exercise: ExerciseText
    note: str
    days: str
    sessions: int
    dose: WeekDose
    next_week_dose: WeekDose | None

    @property
    def grows_next_week(self) -> bool:
        return self.next_week_dose is not None and self.next_week_dose.short != self.dose.short


@dataclasses.dataclass(frozen=True)
class DayPlan:
    date: datetime.date
    status: str  # "before_start", "active" or "ended"
    week: int  # 1-based program week (clamped to the program's length)
    weeks: int
    start_date: datetime.date
    end_date: datetime.date
    exercises: tuple[PlannedExercise, ...]
    sessions_planned: int  # sessions the therapist asks for ("2" of "2 to 3 a day")
    sessions_max: int  # sessions the plan offers
    frequency: str  # "2 to 3 times a day", as written in the dose

    @property
    def is_training_day(self) -> bool:
        return self.status == "active" and bool(self.exercises)

    def session_items(self, session: int) -> tuple[PlannedExercise, ...]:
        return tuple(exercise for exercise in self.exercises if exercise.sessions >= session)


@dataclasses.dataclass(frozen=True)
class PatientDay:
    """One day across the patient's running programs, each with its own DayPlan.

    Sessions are shared: session 2 is the second round of the day in every
    program. Item ids are unique across programs (they are the draft items'
    database ids), so a tick names its exercise without naming the program.
    """

    date: datetime.date
    plans: tuple[DayPlan, ...]

    @property
    def exercises(self) -> tuple[PlannedExercise, ...]:
        return tuple(exercise for plan in self.plans for exercise in plan.exercises)

    @property
    def is_training_day(self) -> bool:
        return any(plan.is_training_day for plan in self.plans)

    @property
    def sessions_planned(self) -> int:
        return max((plan.sessions_planned for plan in self.plans if plan.exercises), default=1)

    @property
    def sessions_max(self) -> int:
        return max((plan.sessions_max for plan in self.plans if plan.exercises), default=1)

    def session_items(self, session: int) -> tuple[PlannedExercise, ...]:
        return tuple(exercise for plan in self.plans for exercise in plan.session_items(session))


@dataclasses.dataclass(frozen=True)
class DaySummary:
    date: datetime.date
    planned_sessions: int
    done_sessions: int
    exercise_count: int
    ticked: int
    expected_ticks: int
    is_today: bool
    in_program: bool


@dataclasses.dataclass(frozen=True)
class WeekAdherence:
    week_start: datetime.date
    planned: int
    done: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.done / self.planned) if self.planned else None


def program_week(snapshot: Snapshot, day: datetime.date) -> int:
    week = (day - snapshot.start_date).days // 7 + 1
    return min(max(week, 1), snapshot.weeks)


def week_dose(item: SnapshotItem, week: int) -> WeekDose:
    values = item.dose
    step = item.reps_step_per_week
    if step:
        low = values.reps_start or values.reps_min
        high = values.reps_target or values.reps_max
        if low is not None:
            reps = low + step * (week - 1)
            if high is not None:
                reps = min(reps, high)
            values = dataclasses.replace(
                values, reps_min=reps, reps_max=None, reps_start=None, reps_target=None
            )
    low, high = values.reps_min, values.reps_max
    # The timer counts the lower end of a range: the dose to start with.
    return WeekDose(
        values=values,
        sets=values.sets_min,
        reps=low if high in (None, low) else None,
        timer_reps=low or values.reps_start,
        # A count is about a second: "hold for 5 counts" times as 5 seconds.
        hold_seconds=values.hold_min,
        rest_seconds=values.rest_seconds_min,
    )


def item_sessions(item: SnapshotItem) -> tuple[int, int]:
    """Sessions a day: those asked for, and those offered ("2 to 3 times a day")."""
    low = item.dose.times_per_day_min or 1
    return low, item.dose.times_per_day_max or low


def _on_day(item: SnapshotItem, day: datetime.date) -> bool:
    return str(day.isoweekday()) in item.days


def day_plan(snapshot: Snapshot, day: datetime.date) -> DayPlan:
    start, end = snapshot.start_date, snapshot.end_date
    status = "before_start" if day < start else "ended" if day > end else "active"
    week = program_week(snapshot, day)
    todays_items = [item for item in snapshot.items if _on_day(item, day)]
    exercises = []
    if status == "active":
        for number, item in enumerate(snapshot.items, start=1):
            if not _on_day(item, day):
                continue
            exercises.append(
                PlannedExercise(
                    item_id=item.id,
                    number=number,
                    exercise=item.exercise,
                    note=item.note,
                    days=item.days,
                    sessions=item_sessions(item)[1],
                    dose=week_dose(item, week),
                    next_week_dose=week_dose(item, week + 1) if week < snapshot.weeks else None,
                )
            )
    planned = max((item_sessions(item)[0] for item in todays_items), default=1)
    offered = max((exercise.sessions for exercise in exercises), default=1)
    frequency = ""
    if exercises:
        busiest = max(todays_items, key=item_sessions)
        # The day's frequency only: which days is the plan's business, not a sentence's.
        frequency = describe_frequency(
            dataclasses.replace(busiest.dose, days_per_week_min=None, days_per_week_max=None)
        )
    return DayPlan(
        date=day,
        status=status,
        week=week,
        weeks=snapshot.weeks,
        start_date=start,
        end_date=end,
        exercises=tuple(exercises),
        sessions_planned=planned,
        sessions_max=max(offered, planned),
        frequency=frequency,
    )


def done_sessions(plan: DayPlan, ticks: set[tuple[int, int]]) -> int:
    """Sessions in which every exercise of that session was ticked.

    `ticks` holds (item_id, session) pairs for the plan's day.
    """
    done = 0
    for session in range(1, plan.sessions_max + 1):
        items = plan.session_items(session)
        if items and all((exercise.item_id, session) in ticks for exercise in items):
            done += 1
    return done


def week_summary(snapshot: Snapshot, today: datetime.date, ticks: TickMap) -> list[DaySummary]:
    """Monday to Sunday of today's week, each day with what was planned and done."""
    monday = today - datetime.timedelta(days=today.weekday())
    days = []
    for offset in range(7):
        day = monday + datetime.timedelta(days=offset)
        plan = day_plan(snapshot, day)
        day_ticks = ticks.get(day, set())
        days.append(
            DaySummary(
                date=day,
                planned_sessions=plan.sessions_planned if plan.is_training_day else 0,
                done_sessions=done_sessions(plan, day_ticks),
                exercise_count=len(plan.exercises),
                ticked=len(day_ticks),
                expected_ticks=sum(exercise.sessions for exercise in plan.exercises),
                is_today=day == today,
                in_program=plan.status == "active",
            )
        )
    return days


def adherence(
    snapshot: Snapshot,
    today: datetime.date,
    ticks: TickMap,
    weeks: int = 4,
) -> list[WeekAdherence]:
    """Sessions done of sessions planned, per calendar week, newest first, up to today."""
    monday = today - datetime.timedelta(days=today.weekday())
    result = []
    for back in range(weeks):
        week_start = monday - datetime.timedelta(weeks=back)
        planned = done = 0
        for offset in range(7):
            day = week_start + datetime.timedelta(days=offset)
            if day > today:
                break
            plan = day_plan(snapshot, day)
            if not plan.is_training_day:
                continue
            planned += plan.sessions_planned
            done += min(done_sessions(plan, ticks.get(day, set())), plan.sessions_planned)
        result.append(WeekAdherence(week_start=week_start, planned=planned, done=done))
    return result


@dataclasses.dataclass(frozen=True)
class WeekProgression:
    title: str
    this_week: WeekDose
    next_week: WeekDose | None  # None in the program's last week


def week_progression(snapshot: Snapshot, week: int) -> list[WeekProgression]:
    """How each exercise's dose goes from this week to the next."""
    last_week = week >= snapshot.weeks
    return [
        WeekProgression(
            title=item.exercise.title,
            this_week=week_dose(item, week),
            next_week=None if last_week else week_dose(item, week + 1),
        )
        for item in snapshot.items
    ]
