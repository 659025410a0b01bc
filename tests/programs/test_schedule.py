"""What a program asks on a given day: pure functions on a snapshot, no database."""

import datetime

from django.utils import translation

from programs import schedule
from tests.factories import MONDAY, snapshot_item, snapshot_of

DAY = datetime.timedelta(days=1)


def item(item_id, days="1234567", **dose):
    return snapshot_item(item_id, days=days, **dose)


def snapshot(*items, start=MONDAY, weeks=4, **options):
    return snapshot_of(*items, start=start, weeks=weeks, **options)


def ticked(*pairs):
    """{date: {(item, session)}} from (date, item) pairs, session 1."""
    ticks = {}
    for day, item_id in pairs:
        ticks.setdefault(day, set()).add((item_id, 1))
    return ticks


# The dose of the week ---------------------------------------------------------


def test_a_build_up_starts_low_grows_each_week_and_stops_at_its_target():
    grows = item(
        1,
        sets_min=3,
        progression="reps",
        progression_start=7,
        progression_step=1,
        progression_target=9,
    )
    assert [schedule.week_dose(grows, week).short for week in (1, 2, 3, 4, 5)] == [
        "3 x 7",
        "3 x 8",
        "3 x 9",
        "3 x 9",
        "3 x 9",
    ]
    with translation.override("nl"):
        assert schedule.week_dose(grows, 2).lines[0] == "3 series van 8 herhalingen"
        assert schedule.week_dose(grows, 1).goal_line == "Bouw op tot 9."
        assert schedule.week_dose(grows, 3).goal_line == ""  # reached
    two_a_week = item(
        2, progression="reps", progression_start=5, progression_step=2, progression_target=10
    )
    assert [schedule.week_dose(two_a_week, week).reps for week in (1, 2, 3, 4)] == [5, 7, 9, 10]


def test_the_leaflets_target_with_room_above_it():
    """Hip osteoarthritis at home: from 3, until 10 to 15 comes easily."""
    home = item(
        1,
        progression="reps",
        progression_start=3,
        progression_step=2,
        progression_target=10,
        progression_target_max=15,
    )
    with translation.override("nl"):
        week_one = schedule.week_dose(home, 1)
        assert week_one.lines[0] == "3 herhalingen"
        assert week_one.goal_line == "Bouw op tot 10 (tot 15 mag ook)."


def test_the_next_stage_follows_the_target_from_its_own_start():
    stage = {"variant": 0, "start": 3, "step": 2, "target": 10, "target_max": 15}
    home = item(
        1,
        progression="reps",
        progression_start=3,
        progression_step=2,
        progression_target=10,
        next_stage=stage,
        next_stage_text="Zwaarder.",
    )
    weeks = [schedule.week_dose(home, week) for week in range(1, 9)]
    assert [dose.reps for dose in weeks] == [3, 5, 7, 9, 10, 3, 5, 7]
    assert [dose.stage for dose in weeks] == [1, 1, 1, 1, 1, 2, 2, 2]
    steps = item(
        2,
        progression="reps",
        progression_start=5,
        progression_step=2,
        progression_target=10,
        next_stage={"variant": 0, "sets": 3, "start": 10, "target": 10},
    )
    assert [schedule.week_dose(steps, week).short for week in (3, 4, 5, 6)] == [
        "9",
        "10",
        "3 x 10",
        "3 x 10",
    ]


def test_without_a_step_the_dose_stays_and_a_range_is_kept():
    steady = item(1, sets_min=2, reps_min=8, reps_max=12)
    assert schedule.week_dose(steady, 1).short == schedule.week_dose(steady, 4).short == "2 x 8-12"
    assert schedule.week_dose(steady, 1).reps is None  # a range, not an exact count
    assert schedule.week_dose(steady, 1).timer_reps == 8


def test_balance_holds_without_a_number_get_no_timer():
    balance = item(1, sets_min=3, hold_unit="as_long")
    dose = schedule.week_dose(balance, 1)
    assert dose.hold_seconds is None
    with translation.override("nl"):
        assert "30" not in dose.text and "zo lang" in dose.text


# Days ---------------------------------------------------------------------------


def test_fixed_days_follow_the_weekdays_and_the_program_dates():
    plan = snapshot(item(1, days="135"), item(2, days="246"), start=MONDAY, weeks=2)
    monday, tuesday = schedule.day_plan(plan, MONDAY), schedule.day_plan(plan, MONDAY + DAY)
    assert [e.item_id for e in monday.exercises] == [1]
    assert [e.item_id for e in tuesday.exercises] == [2]
    sunday = schedule.day_plan(plan, MONDAY + 6 * DAY)
    assert sunday.status == "active" and not sunday.is_training_day
    assert schedule.day_plan(plan, MONDAY - DAY).status == "before_start"
    assert schedule.day_plan(plan, MONDAY + 13 * DAY).status == "active"
    assert schedule.day_plan(plan, MONDAY + 14 * DAY).status == "ended"
    assert schedule.day_plan(plan, MONDAY + 8 * DAY).week == 2


def test_three_days_a_week_is_asked_three_days_with_rest_days_between():
    """Amputation strength: at least three times a week, on days the patient picks."""
    strength = item(1, days="", days_per_week_min=3)
    plan = snapshot(strength, weeks=1)
    ticks, asked = {}, []
    for offset in range(7):
        day = MONDAY + offset * DAY
        today = schedule.day_plan(plan, day, ticks)
        if today.exercises:
            asked.append(offset)
            ticks.setdefault(day, set()).add((1, 1))  # the patient does it when asked
        else:
            assert [e.item_id for e in today.resting + today.week_done] == [1]
    assert asked == [0, 2, 4]  # Monday, Wednesday, Friday; the week's target met
    week = schedule.week_plan(plan, 1, ticks, MONDAY + 6 * DAY)
    assert (week.planned, week.done) == (3, 3)


def test_a_rest_day_gives_way_when_the_target_needs_it():
    strength = item(1, days="", days_per_week_min=3)
    plan = snapshot(strength, weeks=1)
    thursday, friday = MONDAY + 3 * DAY, MONDAY + 4 * DAY
    # Done on Wednesday: Thursday rests, Friday and Sunday can still make three.
    assert not schedule.day_plan(plan, thursday, ticked((MONDAY + 2 * DAY, 1))).exercises
    # Done only on Thursday: two more are needed in Friday to Sunday, so Friday asks.
    assert [
        e.item_id for e in schedule.day_plan(plan, friday, ticked((thursday, 1))).exercises
    ] == [1]


def test_a_weekly_exercise_without_rest_days_is_offered_until_its_most():
    aerobic = item(1, days="", days_per_week_min=5, days_per_week_max=7, category="aerobic")
    plan = snapshot(aerobic, weeks=1)
    ticks = ticked(*((MONDAY + offset * DAY, 1) for offset in range(6)))
    assert schedule.day_plan(plan, MONDAY + 6 * DAY, ticks).exercises  # a 7th day is fine


def test_a_week_in_progress_never_counts_a_day_not_yet_needed():
    strength = item(1, days="", days_per_week_min=3)
    plan = snapshot(strength, weeks=2)
    # Monday, nothing done: the week can still reach 3, so nothing is missed yet.
    assert schedule.adherence(plan, MONDAY, {})[0].planned == 0
    # Friday, nothing done: only Saturday and Sunday are left, one day is lost.
    friday = schedule.adherence(plan, MONDAY + 4 * DAY, {})[0]
    assert (friday.planned, friday.done) == (1, 0)
    # The week over, done twice: 2 of 3.
    sunday = schedule.adherence(plan, MONDAY + 6 * DAY, ticked((MONDAY, 1), (MONDAY + 2 * DAY, 1)))
    assert (sunday[0].planned, sunday[0].done) == (3, 2)


# Sessions -----------------------------------------------------------------------


def test_sessions_per_day_come_from_the_times_a_day():
    plan = snapshot(item(1, times_per_day_min=2, times_per_day_max=3), item(2))
    day = schedule.day_plan(plan, MONDAY)
    assert (day.sessions_planned, day.sessions_max) == (2, 3)
    assert [e.item_id for e in day.session_items(1)] == [1, 2]
    assert [e.item_id for e in day.session_items(3)] == [1]
    with translation.override("nl"):
        assert schedule.day_plan(plan, MONDAY).frequency == "2 tot 3 keer per dag"


def test_one_training_type_per_session_gives_aerobic_work_its_own_session():
    plan = snapshot(
        item(1), item(2, category="aerobic", duration_minutes=30), one_type_per_session=True
    )
    day = schedule.day_plan(plan, MONDAY)
    assert [e.item_id for e in day.session_items(1)] == [1]
    assert [e.item_id for e in day.session_items(2)] == [2]
    assert day.sessions_planned == 2


def test_a_session_is_done_when_all_its_exercises_are_ticked():
    plan = schedule.day_plan(snapshot(item(1, times_per_day_min=2), item(2)), MONDAY)
    assert schedule.done_sessions(plan, {(1, 1)}) == 0
    assert schedule.done_sessions(plan, {(1, 1), (2, 1)}) == 1
    assert schedule.done_sessions(plan, {(1, 1), (2, 1), (1, 2)}) == 2


# Adherence ---------------------------------------------------------------------------


def test_adherence_counts_planned_and_done_sessions_per_program_week_up_to_today():
    plan = snapshot(item(1, days="135", times_per_day_min=2), start=MONDAY, weeks=4)
    wednesday = MONDAY + 9 * DAY  # week 2, Wednesday
    ticks = {
        MONDAY: {(1, 1), (1, 2)},  # both sessions
        MONDAY + 2 * DAY: {(1, 1)},  # one of two
        MONDAY + 7 * DAY: {(1, 1), (1, 2), (1, 3)},  # a third counts not
    }
    this_week, last_week = schedule.adherence(plan, wednesday, ticks)
    assert (this_week.week, this_week.planned, this_week.done) == (2, 4, 2)  # Mon and Wed so far
    assert (last_week.planned, last_week.done, last_week.percent) == (6, 3, 50)


def test_program_weeks_start_on_the_start_days_weekday():
    thursday = MONDAY + 3 * DAY
    plan = snapshot(item(1), start=thursday, weeks=2)
    assert schedule.week_days(plan, 1)[0] == thursday
    assert schedule.week_days(plan, 2)[6] == thursday + 13 * DAY
    assert schedule.program_week(plan, thursday + 7 * DAY) == 2
