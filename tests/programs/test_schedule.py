"""What a program asks on a given day: pure functions on a snapshot, no database."""

import datetime

from django.utils import translation

from programs import schedule
from tests.factories import MONDAY, snapshot_item, snapshot_of


def item(item_id, days="1234567", step=None, **dose):
    return snapshot_item(item_id, days=days, step=step, **dose)


def snapshot(*items, start=MONDAY, weeks=4):
    return snapshot_of(*items, start=start, weeks=weeks)


def test_weekly_step_grows_the_reps_up_to_the_target():
    grows = item(1, step=1, sets_min=3, reps_min=7, reps_max=9)
    assert [schedule.week_dose(grows, week).short for week in (1, 2, 3, 4, 5)] == [
        "3 x 7",
        "3 x 8",
        "3 x 9",
        "3 x 9",
        "3 x 9",
    ]
    with translation.override("nl"):
        assert schedule.week_dose(grows, 2).lines[0] == "3 series van 8 herhalingen"
    start_target = item(2, step=2, reps_start=5, reps_target=10)
    assert [schedule.week_dose(start_target, week).reps for week in (1, 2, 3, 4)] == [5, 7, 9, 10]


def test_without_a_step_the_dose_stays_and_a_range_is_kept():
    steady = item(1, sets_min=2, reps_min=8, reps_max=12)
    assert schedule.week_dose(steady, 1).short == schedule.week_dose(steady, 4).short == "2 x 8-12"
    assert schedule.week_dose(steady, 1).reps is None  # a range, not an exact count
    assert schedule.week_dose(steady, 1).timer_reps == 8


def test_day_plan_follows_the_days_of_the_week_and_the_program_dates():
    plan = snapshot(item(1, days="135"), item(2, days="246"), start=MONDAY, weeks=2)
    monday, tuesday = (
        schedule.day_plan(plan, MONDAY),
        schedule.day_plan(plan, MONDAY.replace(day=24)),
    )
    assert [e.item_id for e in monday.exercises] == [1]
    assert [e.item_id for e in tuesday.exercises] == [2]
    sunday = schedule.day_plan(plan, MONDAY + datetime.timedelta(days=6))
    assert sunday.status == "active" and not sunday.is_training_day
    assert schedule.day_plan(plan, MONDAY - datetime.timedelta(days=1)).status == "before_start"
    assert schedule.day_plan(plan, MONDAY + datetime.timedelta(days=13)).status == "active"
    assert schedule.day_plan(plan, MONDAY + datetime.timedelta(days=14)).status == "ended"
    assert schedule.day_plan(plan, MONDAY + datetime.timedelta(days=8)).week == 2


def test_sessions_per_day_come_from_the_times_a_day():
    plan = snapshot(item(1, times_per_day_min=2, times_per_day_max=3), item(2))
    day = schedule.day_plan(plan, MONDAY)
    assert (day.sessions_planned, day.sessions_max) == (2, 3)
    assert [e.item_id for e in day.session_items(1)] == [1, 2]
    assert [e.item_id for e in day.session_items(3)] == [1]
    with translation.override("nl"):
        assert schedule.day_plan(plan, MONDAY).frequency == "2 tot 3 keer per dag"


def test_a_session_is_done_when_all_its_exercises_are_ticked():
    plan = schedule.day_plan(snapshot(item(1, times_per_day_min=2), item(2)), MONDAY)
    assert schedule.done_sessions(plan, {(1, 1)}) == 0
    assert schedule.done_sessions(plan, {(1, 1), (2, 1)}) == 1
    assert schedule.done_sessions(plan, {(1, 1), (2, 1), (1, 2)}) == 2


def test_adherence_counts_planned_and_done_sessions_per_week_up_to_today():
    plan = snapshot(item(1, days="135", times_per_day_min=2), start=MONDAY, weeks=4)
    wednesday = MONDAY + datetime.timedelta(days=9)  # week 2, Wednesday
    ticks = {
        MONDAY: {(1, 1), (1, 2)},  # both sessions
        MONDAY + datetime.timedelta(days=2): {(1, 1)},  # one of two
        MONDAY + datetime.timedelta(days=7): {(1, 1), (1, 2), (1, 3)},  # a third counts not
    }
    this_week, last_week, *older = schedule.adherence(plan, wednesday, ticks)
    assert (this_week.planned, this_week.done) == (4, 2)  # Mon and Wed so far
    assert (last_week.planned, last_week.done, last_week.percent) == (6, 3, 50)
    assert all(week.planned == 0 and week.percent is None for week in older)
