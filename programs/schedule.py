"""What a program asks of the patient on a given day or week: pure functions.

Everything here works on a published revision's typed `Snapshot`, plain dates
and the ticks already read, with no database access, so the phone's today and
week pages, the printed tick grid and the therapist's adherence figures agree
by construction. The rules, as the leaflets and ../shared/DOMAIN.md give them:

Weeks. Program week n is the seven days from start + 7 (n - 1): the phone's
week page, the handout's grid and adherence all count in these weeks.

Dose of the week. One quantity may build up (repetitions, hold or minutes):
week 1 asks the start, each week adds the step, and growth stops at the target
(the patient may go on to "target, up to"). Without a step the dose reads the
same every week ("start with 5, build up to 10"). When the dose has a next
stage (the leaflet's harder variant), it begins the week after the target was
first asked, again from its own start, growing by its own step to its own target.

Days. An item has fixed weekdays (the therapist's choice, or every day when the
leaflet gives no frequency), or a weekly target: at least `days_per_week_min`
days, on days the patient picks. A weekly exercise is offered each day of the
program week until it has been done on `days_per_week_max` days (the minimum,
when no maximum is given). A strength exercise whose weekly maximum is below
seven rests the day after it was done, as long as the minimum can still be
reached with a rest day between training days. Extra days are welcome; they do
not make up for another week.

Sessions. An item asks for `times_per_day_min` sessions a day and offers up to
`times_per_day_max`. Where the protocol asks for one training type per session
(the osteoarthritis guideline: at least 75 % of a session on one type), the
aerobic exercises form a session of their own after the others.

Adherence. Per program week, up to today, in exercise sessions: a fixed-day item
plans its sessions on each of its days so far; a weekly item plans its minimum
number of days only as far as the rest of the week can no longer provide them,
so a week in progress never counts a day not yet needed. Done counts each
ticked session up to what was planned.
"""

import dataclasses
import datetime

from django.utils.translation import gettext, ngettext

from exercises.dose import DoseValues, describe_dose, describe_frequency
from exercises.models import Category, HoldUnit, Progression
from programs.snapshot import ExerciseText, Snapshot, SnapshotItem, shifted_date

# (item id, session) pairs ticked off, by date.
TickMap = dict[datetime.date, set[tuple[int, int]]]
EVERY_DAY = "1234567"


# Weeks ---------------------------------------------------------------------


def program_week(snapshot: Snapshot, day: datetime.date) -> int:
    """The program week of a day, clamped to the program's weeks."""
    week = (day - snapshot.start_date).days // 7 + 1
    return min(max(week, 1), snapshot.weeks)


def week_days(snapshot: Snapshot, week: int) -> tuple[datetime.date, ...]:
    first = shifted_date(snapshot.start_date, 7 * (week - 1))
    return tuple(shifted_date(first, offset) for offset in range(7))


# Dose of the week ------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class WeekDose:
    """An item's dose in one program week: the numbers the timer counts with."""

    values: DoseValues  # resolved to this week: a build-up reads as this week's number
    sets: int | None
    reps: int | None  # an exact count this week, None for a range ("8 to 12")
    timer_reps: int | None
    hold_seconds: int | None
    rest_seconds: int | None
    stage: int = 1  # 2: the leaflet's harder variant
    goal: int | None = None  # where the build-up stops, while it still grows
    goal_max: int | None = None

    @property
    def lines(self) -> list[str]:
        return describe_dose(self.values)

    @property
    def text(self) -> str:
        """The whole dose on one line, as the handout's grid prints it."""
        return "; ".join(self.lines)

    @property
    def goal_line(self) -> str:
        """ "Build up to 10 (up to 15 is fine too)", while the build-up still grows."""
        if self.goal is None:
            return ""
        if self.goal_max is not None:
            return gettext("Build up to %(target)s (up to %(most)s is fine too).") % {
                "target": self.goal,
                "most": self.goal_max,
            }
        return gettext("Build up to %(target)s.") % {"target": self.goal}

    @property
    def short(self) -> str:
        """ "3 x 7" (sets x reps), "7", or "" when the dose has no counts."""
        reps = self.reps
        if reps is None:
            low, high = self.values.reps_min, self.values.reps_max
            if low is None:
                return ""
            reps = f"{low}-{high}" if high and high != low else low
        low, high = self.values.sets_min, self.values.sets_max
        sets = f"{low}-{high}" if low and high and high != low else low
        return f"{sets} x {reps}" if sets else str(reps)


def _grown(start: int, step: int | None, target: int, week: int) -> int:
    return min(start + (step or 0) * (week - 1), target) if step else start


def _target_week(start: int, step: int | None, target: int) -> int | None:
    """The first week that asks the target (None when the dose does not grow)."""
    if not step:
        return None
    return 1 + max(0, -(-(target - start) // step))


_GROWING_FIELD = {
    Progression.REPS: ("reps_min", "reps_max"),
    Progression.HOLD: ("hold_min", "hold_max"),
    Progression.MINUTES: ("duration_minutes", None),
}


def _with_value(values: DoseValues, progression: str, value: int, **changes) -> DoseValues:
    low, high = _GROWING_FIELD[progression]
    resolved = {low: value, **({high: None} if high else {})}
    return dataclasses.replace(
        values,
        progression="",
        progression_start=None,
        progression_step=None,
        progression_target=None,
        progression_target_max=None,
        next_stage=None,
        **resolved,
        **changes,
    )


def week_dose(item: SnapshotItem, week: int) -> WeekDose:
    values, stage, goal, goal_max = item.dose, 1, None, None
    start, step, target = (
        values.progression_start,
        values.progression_step,
        values.progression_target,
    )
    if values.progression and start is not None and target is not None and step:
        reached = _target_week(start, step, target)
        next_stage = values.next_stage
        if next_stage is not None and week > reached:
            stage, stage_week = 2, week - reached
            value = _grown(next_stage.start, next_stage.step, next_stage.target, stage_week)
            sets = next_stage.sets if next_stage.sets is not None else values.sets_min
            if next_stage.step and value < next_stage.target:
                goal, goal_max = next_stage.target, next_stage.target_max
            values = _with_value(values, values.progression, value, sets_min=sets, sets_max=None)
        else:
            value = _grown(start, step, target, week)
            if value < target:
                goal, goal_max = target, values.progression_target_max
            values = _with_value(values, values.progression, value)
    low, high = values.reps_min, values.reps_max
    counted = values.hold_unit in ("", HoldUnit.SECONDS, HoldUnit.COUNTS)
    # The timer counts the lower end of a range: the dose to start with. A count
    # is about a second: "hold for 5 counts" times as 5 seconds.
    return WeekDose(
        values=values,
        sets=values.sets_min,
        reps=low if high in (None, low) else None,
        timer_reps=low or (start if values.progression == Progression.REPS else None),
        hold_seconds=values.hold_min if counted else None,
        rest_seconds=values.rest_seconds_min,
        stage=stage,
        goal=goal,
        goal_max=goal_max,
    )


# Days and sessions -------------------------------------------------------------


def item_sessions(item: SnapshotItem) -> tuple[int, int]:
    """Sessions a day: those asked for, and those offered ("2 to 3 times a day")."""
    low = item.dose.times_per_day_min or 1
    return low, item.dose.times_per_day_max or low


@dataclasses.dataclass(frozen=True)
class WeeklyTarget:
    """A weekly exercise's days: at least `least`, offered up to `most`."""

    least: int
    most: int
    rest_between: bool  # a rest day after each training day, where the week allows

    def text(self) -> str:
        if self.most != self.least:
            return gettext("%(least)s to %(most)s days a week, on days you choose") % {
                "least": self.least,
                "most": self.most,
            }
        return ngettext(
            "%(least)s day a week, on a day you choose",
            "%(least)s days a week, on days you choose",
            self.least,
        ) % {"least": self.least}


def weekly_target(item: SnapshotItem) -> WeeklyTarget | None:
    """None for an item on fixed days (the therapist's, or every day)."""
    least = item.dose.days_per_week_min
    if item.days or not least:
        return None
    most = max(item.dose.days_per_week_max or least, least)
    strength = item.exercise.category == Category.STRENGTH
    return WeeklyTarget(least=least, most=most, rest_between=strength and most < 7)


def fixed_days(item: SnapshotItem) -> str:
    """The weekdays of a fixed-day item ("" for a weekly one)."""
    if weekly_target(item) is not None:
        return ""
    return item.days or EVERY_DAY


def _done_on(item_id: int, day: datetime.date, ticks: TickMap) -> int:
    """Sessions of the item ticked on the day."""
    return sum(1 for ticked, _session in ticks.get(day, ()) if ticked == item_id)


@dataclasses.dataclass(frozen=True)
class WeeklyState:
    target: WeeklyTarget
    done_days: int  # days of this program week it was done, before the day
    state: str  # "ask", "rest" (done yesterday) or "week_done"

    def text(self, done_today: bool = False) -> str:
        """ "Done on 1 of 3 days this week.", counting today once it is ticked."""
        return ngettext(
            "Done on %(done)s of %(least)s day this week.",
            "Done on %(done)s of %(least)s days this week.",
            self.target.least,
        ) % {"done": self.done_days + done_today, "least": self.target.least}


def _weekly_state(
    snapshot: Snapshot, item: SnapshotItem, target: WeeklyTarget, day: datetime.date, ticks
) -> WeeklyState:
    days = week_days(snapshot, program_week(snapshot, day))
    earlier = [each for each in days if each < day and _done_on(item.id, each, ticks)]
    if len(earlier) >= target.most:
        return WeeklyState(target, len(earlier), "week_done")
    yesterday = shifted_date(day, -1)
    if target.rest_between and yesterday in earlier:
        still_needed = max(0, target.least - len(earlier))
        days_after = sum(1 for each in days if each > day)
        if still_needed == 0 or days_after >= 2 * still_needed - 1:
            return WeeklyState(target, len(earlier), "rest")
    return WeeklyState(target, len(earlier), "ask")


@dataclasses.dataclass(frozen=True)
class PlannedExercise:
    """An exercise on one day: the leaflet's text and this week's dose."""

    item_id: int
    number: int  # its place in the program, 1..n
    exercise: ExerciseText
    note: str
    days: str
    sessions: int  # sessions offered
    sessions_planned: int
    first_session: int  # 1, or after the other sessions for its own training type
    dose: WeekDose
    next_week_dose: WeekDose | None
    next_stage_text: str = ""
    weekly: WeeklyState | None = None
    kept_reason: str = ""  # the therapist kept a warning on purpose, for this reason

    @property
    def grows_next_week(self) -> bool:
        return self.next_week_dose is not None and self.next_week_dose.short != self.dose.short

    @property
    def stage_text(self) -> str:
        """The harder variant to do now, in its stage."""
        return self.next_stage_text if self.dose.stage == 2 else ""

    @property
    def session_numbers(self) -> range:
        return range(self.first_session, self.first_session + self.sessions)

    def in_session(self, session: int) -> bool:
        return session in self.session_numbers

    def session_is_extra(self, session: int) -> bool:
        return session >= self.first_session + self.sessions_planned


@dataclasses.dataclass(frozen=True)
class DayPlan:
    date: datetime.date
    status: str  # "before_start", "active" or "ended"
    week: int  # 1-based program week (clamped to the program's length)
    weeks: int
    start_date: datetime.date
    end_date: datetime.date
    exercises: tuple[PlannedExercise, ...]  # asked today
    resting: tuple[PlannedExercise, ...]  # weekly ones resting today (done yesterday)
    week_done: tuple[PlannedExercise, ...]  # weekly ones whose week is done
    sessions_planned: int  # sessions the day asks for ("2" of "2 to 3 a day")
    sessions_max: int  # sessions the plan offers
    frequency: str  # "2 to 3 times a day", as written in the dose
    aerobic_session: int | None = None  # the session of its own for aerobic work

    @property
    def is_training_day(self) -> bool:
        return self.status == "active" and bool(self.exercises)

    def session_items(self, session: int) -> tuple[PlannedExercise, ...]:
        return tuple(exercise for exercise in self.exercises if exercise.in_session(session))


def _planned(
    snapshot: Snapshot, item: SnapshotItem, number: int, week: int, weekly, first_session: int
) -> PlannedExercise:
    planned, offered = item_sessions(item)
    return PlannedExercise(
        item_id=item.id,
        number=number,
        exercise=item.exercise,
        note=item.note,
        days=item.days,
        sessions=offered,
        sessions_planned=planned,
        first_session=first_session,
        dose=week_dose(item, week),
        next_week_dose=week_dose(item, week + 1) if week < snapshot.weeks else None,
        next_stage_text=item.next_stage_text,
        weekly=weekly,
        kept_reason=item.kept_reason,
    )


def _own_session(snapshot: Snapshot, item: SnapshotItem) -> bool:
    return snapshot.one_type_per_session and item.exercise.category == Category.AEROBIC


def day_plan(snapshot: Snapshot, day: datetime.date, ticks: TickMap | None = None) -> DayPlan:
    """The day's plan; `ticks` of the day's program week decide the weekly exercises."""
    ticks = ticks or {}
    start, end = snapshot.start_date, snapshot.end_date
    status = "before_start" if day < start else "ended" if day > end else "active"
    week = program_week(snapshot, day)
    asked, resting, week_done = [], [], []
    if status == "active":
        for number, item in enumerate(snapshot.items, start=1):
            target = weekly_target(item)
            weekly = None if target is None else _weekly_state(snapshot, item, target, day, ticks)
            if target is None and str(day.isoweekday()) not in fixed_days(item):
                continue
            state = "ask" if weekly is None else weekly.state
            {"ask": asked, "rest": resting, "week_done": week_done}[state].append(
                (number, item, weekly)
            )
    main = [entry for entry in asked if not _own_session(snapshot, entry[1])]
    main_sessions = max((item_sessions(item)[1] for _n, item, _w in main), default=0)
    main_planned = max((item_sessions(item)[0] for _n, item, _w in main), default=0)

    def plan_of(entries, for_today: bool = True):
        return tuple(
            _planned(
                snapshot,
                item,
                number,
                week,
                weekly,
                first_session=main_sessions + 1
                if for_today and _own_session(snapshot, item)
                else 1,
            )
            for number, item, weekly in entries
        )

    exercises = plan_of(asked)
    own = [exercise for exercise in exercises if exercise.first_session > 1]
    sessions_planned = main_planned + (1 if own else 0) or 1
    sessions_max = max((e.first_session + e.sessions - 1 for e in exercises), default=1)
    frequency = ""
    fixed_today = [item for _n, item, weekly in main if weekly is None]
    if fixed_today:
        busiest = max(fixed_today, key=item_sessions)
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
        exercises=exercises,
        resting=plan_of(resting, for_today=False),
        week_done=plan_of(week_done, for_today=False),
        sessions_planned=max(sessions_planned, 1),
        sessions_max=max(sessions_max, sessions_planned, 1),
        frequency=frequency,
        aerobic_session=own[0].first_session if own else None,
    )


def done_sessions(plan: DayPlan, ticks: set[tuple[int, int]]) -> int:
    """Planned sessions in which every exercise asked in that session was ticked.

    `ticks` holds (item_id, session) pairs for the plan's day.
    """
    done = 0
    for session in range(1, plan.sessions_planned + 1):
        items = [e for e in plan.session_items(session) if not e.session_is_extra(session)]
        if items and all((exercise.item_id, session) in ticks for exercise in items):
            done += 1
    return done


# Weeks: what each day asked and what was done ----------------------------------


@dataclasses.dataclass(frozen=True)
class ItemWeek:
    """One exercise over one program week, up to a day."""

    item: SnapshotItem
    number: int
    dose: WeekDose
    days: str  # fixed weekdays, "" for a weekly target
    weekly: WeeklyTarget | None
    on: tuple[bool, ...]  # the week's seven days: asked (fixed) or open (weekly)
    sessions_planned: int
    sessions_offered: int
    planned: int  # sessions planned so far
    done: int  # sessions done so far, up to what was planned
    done_days: int


@dataclasses.dataclass(frozen=True)
class DaySummary:
    date: datetime.date
    planned: int  # exercise sessions the day asked (weekly ones: on the days they were done)
    done: int
    exercise_count: int  # exercises asked that day (today and later: as the plan stands)
    is_today: bool
    in_program: bool


@dataclasses.dataclass(frozen=True)
class WeekPlan:
    number: int
    days: tuple[datetime.date, ...]
    items: tuple[ItemWeek, ...]
    summaries: tuple[DaySummary, ...]

    @property
    def planned(self) -> int:
        return sum(item.planned for item in self.items)

    @property
    def done(self) -> int:
        return sum(item.done for item in self.items)

    @property
    def weekly_items(self) -> tuple[ItemWeek, ...]:
        return tuple(item for item in self.items if item.weekly is not None)


def _item_week(snapshot, number, item, week, days, ticks, today) -> ItemWeek:
    planned_sessions, offered = item_sessions(item)
    target = weekly_target(item)
    in_program = [snapshot.start_date <= each <= snapshot.end_date for each in days]
    so_far = [each <= today and inside for each, inside in zip(days, in_program, strict=True)]
    done_by_day = [min(_done_on(item.id, each, ticks), planned_sessions) for each in days]
    if target is None:
        weekdays = fixed_days(item)
        on = tuple(
            inside and str(each.isoweekday()) in weekdays
            for each, inside in zip(days, in_program, strict=True)
        )
        planned_days = [i for i in range(7) if on[i] and so_far[i]]
        planned = len(planned_days) * planned_sessions
        done = sum(done_by_day[i] for i in planned_days)
        done_days = sum(1 for i in planned_days if done_by_day[i])
    else:
        on = tuple(in_program)
        done_indexes = [i for i in range(7) if so_far[i] and done_by_day[i]]
        done_days = len(done_indexes)
        days_left = sum(1 for i in range(7) if in_program[i] and days[i] > today)
        open_days = sum(in_program)
        least = min(target.least, open_days)
        due_days = max(min(done_days, least), least - days_left)
        planned = due_days * planned_sessions
        done = sum(done_by_day[i] for i in done_indexes[:least])
        done = min(done, planned)
    return ItemWeek(
        item=item,
        number=number,
        dose=week_dose(item, week),
        days=fixed_days(item),
        weekly=target,
        on=on,
        sessions_planned=planned_sessions,
        sessions_offered=offered,
        planned=planned,
        done=done,
        done_days=done_days,
    )


def week_items(
    snapshot: Snapshot, week: int, ticks: TickMap, today: datetime.date
) -> tuple[ItemWeek, ...]:
    """Every exercise's days and tally in program week `week` as it stands on
    `today`: the week plan without its days' summaries (the printed grid's rows)."""
    days = week_days(snapshot, week)
    return tuple(
        _item_week(snapshot, number, item, week, days, ticks, today)
        for number, item in enumerate(snapshot.items, start=1)
    )


def week_plan(snapshot: Snapshot, week: int, ticks: TickMap, today: datetime.date) -> WeekPlan:
    """Program week `week` as it stands on `today`: every exercise's days and tally,
    and per day what it asked and what was done."""
    days = week_days(snapshot, week)
    items = week_items(snapshot, week, ticks, today)
    summaries = []
    for index, day in enumerate(days):
        plan = day_plan(snapshot, day, ticks)
        planned = done = 0
        for item in items:
            done_today = min(_done_on(item.item.id, day, ticks), item.sessions_planned)
            # A fixed item counts on its days; a weekly one on the days it was done.
            counts = item.on[index] if item.weekly is None else bool(done_today)
            if counts:
                planned += item.sessions_planned
                done += done_today
        summaries.append(
            DaySummary(
                date=day,
                planned=planned,
                done=done,
                exercise_count=len(plan.exercises) if plan.status == "active" else 0,
                is_today=day == today,
                in_program=plan.status == "active",
            )
        )
    return WeekPlan(number=week, days=days, items=items, summaries=tuple(summaries))


@dataclasses.dataclass(frozen=True)
class ExerciseAdherence:
    item_id: int
    title: str
    planned: int
    done: int


@dataclasses.dataclass(frozen=True)
class WeekAdherence:
    week: int  # the program week
    week_start: datetime.date
    planned: int
    done: int
    exercises: tuple[ExerciseAdherence, ...] = ()

    @property
    def percent(self) -> int | None:
        return round(100 * self.done / self.planned) if self.planned else None


def adherence(
    snapshot: Snapshot, today: datetime.date, ticks: TickMap, weeks: int = 4
) -> list[WeekAdherence]:
    """Exercise sessions done of those planned, per program week, newest first, up to today."""
    if today < snapshot.start_date:
        return []
    current = program_week(snapshot, today)
    result = []
    for week in range(current, max(current - weeks, 0), -1):
        plan = week_plan(snapshot, week, ticks, today)
        result.append(
            WeekAdherence(
                week=week,
                week_start=plan.days[0],
                planned=plan.planned,
                done=plan.done,
                exercises=tuple(
                    ExerciseAdherence(
                        item_id=item.item.id,
                        title=item.item.exercise.title,
                        planned=item.planned,
                        done=item.done,
                    )
                    for item in plan.items
                ),
            )
        )
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


# One patient, several programs -------------------------------------------------


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

    @property
    def aerobic_sessions(self) -> set[int]:
        """Sessions that hold only aerobic work (one training type per session)."""
        return {plan.aerobic_session for plan in self.plans if plan.aerobic_session} - {
            session
            for plan in self.plans
            for exercise in plan.exercises
            if exercise.first_session == 1
            for session in exercise.session_numbers
        }
