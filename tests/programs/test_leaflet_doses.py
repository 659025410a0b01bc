"""Each protocol's plan asks what its leaflet prescribes, on the phone and on paper:
the start, the weekly build-up and its target, the next stage, the days a week.

The phone is walked through the program's weeks by moving the clock (the plan
follows the date in Amsterdam); every request goes through HTTP.
"""

import datetime
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from programs.handout.context import handout_for
from programs.handout.render import handout_pdf
from tests.factories import MONDAY, make_link, make_program, publish, sign_in

DAY = datetime.timedelta(days=1)


class Phone:
    """A patient's phone on a chosen day: moves the clock, opens the link, reads pages."""

    def __init__(self, client: Client, monkeypatch):
        self.client, self.monkeypatch = client, monkeypatch

    def on(self, day: datetime.date) -> "Phone":
        noon = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
        self.monkeypatch.setattr(timezone, "now", lambda: noon)
        return self

    def open(self, token: str) -> None:
        assert self.client.get(f"/p/{token}/").status_code == 302

    def today(self, session: int | None = None) -> str:
        url = "/plan/" + (f"?sessie={session}" if session else "")
        return self.client.get(url).content.decode()

    def week(self) -> str:
        return self.client.get(reverse("plan:week")).content.decode()

    def tick(self, item_id: int, day: datetime.date, session: int = 1) -> None:
        data = {"item": item_id, "date": day.isoformat(), "session": session}
        assert self.client.post(reverse("plan:tick"), data).status_code == 302

    def session_done(self, day: datetime.date, session: int) -> None:
        data = {"date": day.isoformat(), "session": session}
        assert self.client.post(reverse("plan:session_done"), data).status_code == 302


@pytest.fixture
def phone(client, monkeypatch) -> Phone:
    return Phone(client, monkeypatch)


def _published(user, protocol: str, weeks: int | None = None):
    program = make_program(user, protocol, start_date=MONDAY, weeks=weeks or 6)
    return publish(program, user)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _card(html: str, item_id: int) -> str:
    """One exercise's card on the today page ("" when it is not asked today)."""
    match = re.search(
        rf'<li class="plan-card plan-exercise" id="oefening-{item_id}">(.*?)</li>\s*\n', html, re.S
    )
    if not match:
        return ""
    return _text(html[match.start() : html.index("</article>", match.start())])


def _asked(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'id="oefening-(\d+)"', html)]


# The build-up: where the leaflet starts, how it grows, where it stops ------------

BUILD_UPS = [
    # protocol, exercise, weeks, {program week: the day's first dose line}
    (
        "hip-replacement-posterolateral",
        "hip-replacement-1",
        6,
        {
            1: "3 series van 5 herhalingen",
            2: "3 series van 6 herhalingen",
            6: "3 series van 10 herhalingen",
        },
    ),
    (
        "hip-replacement-anterior",
        "hip-replacement-3",
        8,
        {
            1: "3 series van 5 herhalingen",
            3: "3 series van 7 herhalingen",
            6: "3 series van 10 herhalingen",
            8: "3 series van 10 herhalingen",
        },
    ),
    (
        "hip-osteoarthritis-home",
        "hip-oa-home-3",
        8,
        {
            1: "5 herhalingen",
            2: "7 herhalingen",
            4: "10 herhalingen",
            5: "3 series van 10 herhalingen",
        },
    ),
    (
        "knee-osteoarthritis",
        "oa-strength-1",
        12,
        {
            1: "2 tot 4 series van 8 herhalingen, aan elke kant",
            2: "2 tot 4 series van 9 herhalingen, aan elke kant",
            8: "2 tot 4 series van 15 herhalingen, aan elke kant",
            12: "2 tot 4 series van 15 herhalingen, aan elke kant",
        },
    ),
    (
        "hip-osteoarthritis",
        "oa-strength-3",
        12,
        {
            1: "2 tot 4 series van 8 herhalingen",
            5: "2 tot 4 series van 12 herhalingen",
            10: "2 tot 4 series van 15 herhalingen",
        },
    ),
    (
        "amputation-transtibial",
        "amputation-strength-1",
        6,
        {1: "3 series van 10 herhalingen", 6: "3 series van 10 herhalingen"},
    ),
    (
        "amputation-transfemoral",
        "amputation-strength-4",
        6,
        {1: "3 series van 10 herhalingen", 6: "3 series van 10 herhalingen"},
    ),
    (
        "back-rehabilitation",
        "back-2",
        8,
        {1: "3 series van 10 herhalingen", 8: "3 series van 10 herhalingen"},
    ),
]


@pytest.mark.parametrize(("protocol", "slug", "weeks", "doses"), BUILD_UPS)
def test_each_week_asks_the_leaflets_dose_on_the_phone_and_in_the_handout(
    phone, library, practice_user, protocol, slug, weeks, doses
):
    program = _published(practice_user, protocol, weeks)
    item = program.items.get(exercise__slug=slug)
    _link, token = make_link(program.patient, practice_user)
    phone.on(MONDAY).open(token)
    for week, line in doses.items():
        # The first day of the week: a weekly exercise is offered, nothing done yet.
        card = _card(phone.on(MONDAY + (week - 1) * 7 * DAY).today(), item.pk)
        assert card, (slug, week)
        assert re.search(rf"\b{re.escape(line)}\b", card, re.I), (week, card[:400])
    pdf = _pdf_text(program)
    for week, line in doses.items():
        assert re.search(rf"Week {week}: .*?{re.escape(line)}", pdf, re.I | re.S), week


def _pdf_text(program) -> str:
    reader = PdfReader(io.BytesIO(handout_pdf(handout_for(program=program))))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_the_next_stage_begins_when_the_target_is_reached_from_its_own_start(
    phone, library, practice_user
):
    """Leaflet 003: from 3, a little more each week until 10 to 15 comes easily,
    then the harder variant, "again from 3"."""
    program = _published(practice_user, "hip-osteoarthritis-home", 8)
    bridge = program.items.get(exercise__slug="hip-oa-home-1")
    _link, token = make_link(program.patient, practice_user)
    phone.on(MONDAY).open(token)
    reps = {}
    for week in range(1, 9):
        html = phone.on(MONDAY + (week - 1) * 7 * DAY).today()
        card = _card(html, bridge.pk)
        reps[week] = int(re.search(r"(\d+) herhalingen", _dose_line(html, bridge.pk)).group(1))
        harder = "Nu de zwaardere variant" in card
        assert harder == (week >= 6), week
    assert reps == {1: 3, 2: 5, 3: 7, 4: 9, 5: 10, 6: 3, 7: 5, 8: 7}
    assert "Bouw op tot 10 (tot 15 mag ook)." in _card(phone.on(MONDAY).today(), bridge.pk)
    assert "afwisselend uw linker- en rechterbeen uit te strekken" in _card(
        phone.on(MONDAY + 35 * DAY).today(), bridge.pk
    )
    assert "Vanaf week 6 de zwaardere variant:" in _pdf_text(program)


# Days a week: asked and counted as the leaflet says --------------------------------

WEEKLY = [
    # protocol, exercise, days asked in a week when done whenever asked, counted as
    ("amputation-transtibial", "amputation-strength-1", [0, 2, 4], 3),
    ("back-rehabilitation", "back-2", [0, 2, 4], 3),
    ("hip-osteoarthritis-home", "hip-oa-home-1", [0, 2, 4, 6], 3),  # 3 to 5, rest between
    ("knee-osteoarthritis", "oa-aerobic-1", [0, 1, 2, 3, 4, 5, 6], 5),  # 5 to 7, no rest rule
]


@pytest.mark.parametrize(("protocol", "slug", "asked_days", "counted"), WEEKLY)
def test_a_weekly_exercise_is_asked_and_counted_as_the_leaflet_says(
    phone, practice_client, library, practice_user, protocol, slug, asked_days, counted
):
    program = _published(practice_user, protocol, 6)
    item = program.items.get(exercise__slug=slug)
    _link, token = make_link(program.patient, practice_user)
    phone.on(MONDAY).open(token)
    asked = []
    for offset in range(7):
        day = MONDAY + offset * DAY
        phone.on(day)
        # Aerobic work may have a session of its own: find the one that asks it.
        session = next((s for s in (1, 2) if item.pk in _asked(phone.today(session=s))), None)
        if session:
            asked.append(offset)
            phone.tick(item.pk, day, session=session)
    assert asked == asked_days
    week = _text(phone.on(MONDAY + 6 * DAY).week())
    assert f"deze week gedaan, op {len(asked_days)} dagen" in week
    # The therapist's adherence counts the leaflet's days, no more, no fewer.
    sign_in(practice_client, practice_user)  # a session lasts 12 hours; the clock moved on
    page = practice_client.get(program.patient.get_absolute_url()).content.decode()
    assert _weekly_figures(page, program, week=1)[item.pk] == (counted, counted)


def _weekly_figures(page: str, program, week: int) -> dict[int, tuple[int, int]]:
    """Done and planned per exercise of one program week on the patient page."""
    section = page[page.index(f'id="progress-{program.pk}"') :]
    rows = re.findall(
        r'<tr data-week="(\d+)" data-item="(\d+)"><td>[^<]*</td><td>(\d+)</td><td>(\d+)</td>',
        section,
    )
    return {
        int(item): (int(done), int(planned))
        for number, item, done, planned in rows
        if int(number) == week
    }


# One day, four places: the phone, the week page, the paper grid, the adherence -----------


def test_six_weeks_read_the_same_on_every_page(phone, practice_client, library, practice_user):
    """Transtibial amputation, with a build-up on the first strength exercise: daily
    mobility (prone lying twice a day), strength three days a week. The patient does
    everything the phone asks, every day, for six weeks."""
    program = make_program(practice_user, "amputation-transtibial", start_date=MONDAY, weeks=6)
    grows = program.items.get(exercise__slug="amputation-strength-1")
    grows.progression, grows.progression_start = "reps", 5
    grows.progression_step, grows.progression_target = 1, 10
    grows.reps_min = None
    grows.save()
    publish(program, practice_user)
    _link, token = make_link(program.patient, practice_user)
    phone.on(MONDAY).open(token)
    sign_in(practice_client, practice_user)  # a session lasts 12 hours; the clock moved on
    grid = _grid(
        practice_client.get(reverse("therapist:handout_print", args=[program.pk])).content.decode()
    )
    asked_per_week = {}
    for offset in range(42):
        day = MONDAY + offset * DAY
        week = offset // 7 + 1
        html = phone.on(day).today()
        asked = _asked(html)
        ticks = len(asked)
        if "Sessie 2" in _text(html):
            ticks += len(_asked(phone.today(session=2)))
            phone.session_done(day, 2)
        phone.session_done(day, 1)
        # The week page says the same of the day...
        card = _week_day(phone.week(), day)
        assert f"{ticks} van {ticks} oefeningen afgevinkt" in card, (day, card)
        # ...the paper grid has that week's dose for every exercise asked, word for word,
        # and a box on that day for the fixed ones...
        for item_id in asked:
            dose = _dose_line(html, item_id)
            row = grid[week][item_id]
            assert row["dose"].startswith(dose), (week, item_id, row["dose"], dose)
            assert row["days"][offset % 7], (day, item_id)
        asked_per_week.setdefault(week, 0)
        asked_per_week[week] += ticks
        if offset % 7 == 6:
            # ...and the therapist's adherence counts exactly those, all done.
            sign_in(practice_client, practice_user)  # the clock has moved on
            page = practice_client.get(program.patient.get_absolute_url()).content.decode()
            figures = _weekly_figures(page, program, week)
            assert sum(done for done, _planned in figures.values()) == asked_per_week[week], (
                week,
                figures,
            )
            assert all(done == planned for done, planned in figures.values()), figures
    assert grid[1][grows.pk]["dose"].startswith("3 series van 5 herhalingen")
    assert grid[6][grows.pk]["dose"].startswith("3 series van 10 herhalingen")


def _week_day(html: str, day: datetime.date) -> str:
    card = re.search(rf'data-date="{day.isoformat()}">(.*?)</li>', html, re.S)
    assert card, day
    return _text(card.group(1))


def _dose_line(html: str, item_id: int) -> str:
    card = html[html.index(f'id="oefening-{item_id}"') :]
    dose = card[
        card.index('<ul class="exercise-dose">') : card.index(
            "</ul>", card.index('<ul class="exercise-dose">')
        )
    ]
    return "; ".join(_text(line).strip() for line in re.findall(r"<li>(.*?)</li>", dose))


def _grid(html: str) -> dict[int, dict[int, dict]]:
    """{week: {item id: {"dose": text, "days": [box on day 1..7]}}} from the print view."""
    weeks = {}
    for number, table in re.findall(
        r'<table class="week" data-week="(\d+)">(.*?)</table>', html, re.S
    ):
        rows = {}
        for item_id, dose, cells in re.findall(
            r'<tr data-item="(\d+)">.*?<td class="dose[^"]*">(.*?)</td>(.*?)</tr>', table, re.S
        ):
            days = [
                "box" in cell
                for cell in re.findall(r'<td class="tick[^"]*">(.*?)</td>', cells, re.S)
            ]
            rows[int(item_id)] = {"dose": _text(dose).strip(), "days": days}
        weeks[int(number)] = rows
    return weeks
