"""Fill a database with production-scale data: 50 practices, their therapists,
10,000 patients, 20,000 programs with items and published revisions, 2,000,000
ticks and the access log (hash-chained) that such a history leaves.

    DJANGO_SECRET_KEY=... DATABASE_URL=postgres://... .venv/bin/python bench/scale_data.py
    .venv/bin/python bench/scale_data.py --database /tmp/scale.sqlite3   # SQLite file

The database must be empty (it is migrated and the library loaded first); a
database that already holds practices or patients is refused, never mixed.
The demo (`manage.py demo_setup`) is made last, in the first of the 50
practices, so bench/pages.py measures the same demo pages on a small database
and here.

How the history is made (seeded: the same seed on the same day gives the same
rows; the history ends when the day began):
- Each practice has four therapists (the first an administrator) and 200
  patients; a patient has one to several programs, one after another over the
  last 18 months, from the eight shipped protocols.
- The items and the published snapshot come from the app's own code, once per
  protocol (`services.program_create_from_protocol` and
  `selectors.program_draft_snapshot`, in a transaction that is rolled back);
  every program copies them with its own item ids, start, length and side.
- Programs that have started are published (some twice or three times), most
  ended ones archived; a program that ended more than a year ago had its ticks
  and notes removed by the retention period, as `apply_retention` does nightly.
- Ticks: 2,000,000 spread over the programs' days so far, in proportion to
  each program's days, exercises and adherence; a session ticks most of the
  day's exercises; a third carry a pain score, a few a note, some came later
  or from paper.
- The access log holds what the app writes: sign-ins and list pages per
  working day of each therapist, each patient and program made, changed,
  published, viewed, archived, links made and opened. The chain is computed
  here exactly as `programs.access_log` does (`access_log_entry_hash`), so
  `manage.py verify_access_log` passes.

Rows go in with COPY on PostgreSQL and executemany on SQLite, with explicit
ids (sequences are set after), then the tables are analysed on PostgreSQL,
as autovacuum would. SQLite gets no ANALYZE: the app never runs one.
"""

import argparse
import contextlib
import datetime
import json
import math
import os
import random
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _configure() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="a SQLite file to fill (default: DATABASE_URL)")
    parser.add_argument("--seed", type=int, default=7513)
    parser.add_argument("--practices", type=int, default=50)
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--programs", type=int, default=20_000)
    parser.add_argument("--ticks", type=int, default=2_000_000)
    options = parser.parse_args()
    if options.database:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(options.database).resolve()}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oefenplan.settings.app")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret")
    os.environ.setdefault("DJANGO_HTTPS_ONLY", "0")
    if "DATABASE_URL" not in os.environ:
        raise SystemExit("Set DATABASE_URL or pass --database FILE (not the project's database).")
    sys.path.insert(0, str(ROOT))
    return options


OPTIONS = _configure()

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from exercises.models import Exercise  # noqa: E402
from programs import links, selectors, services  # noqa: E402
from programs.access_log import GENESIS  # noqa: E402
from programs.management.commands.demo_setup import DEMO_PRACTICE_NAME  # noqa: E402
from programs.models import (  # noqa: E402
    AccessAction,
    AccessLogEntry,
    ExerciseTick,
    Patient,
    PatientLink,
    Practice,
    Program,
    ProgramItem,
    ProgramRevision,
    Protocol,
    Therapist,
    TickSource,
    access_log_entry_hash,
)

UTC = datetime.UTC
HISTORY_DAYS = 540  # the first program started about 18 months ago
THERAPISTS_PER_PRACTICE = 4
DEMO_PATIENTS = 5  # demo_setup adds these to the first practice
PROTOCOL_WEIGHTS = {
    "knee-osteoarthritis": 20,
    "back-rehabilitation": 20,
    "hip-osteoarthritis": 15,
    "hip-osteoarthritis-home": 15,
    "hip-replacement-anterior": 10,
    "hip-replacement-posterolateral": 10,
    "amputation-transtibial": 5,
    "amputation-transfemoral": 5,
}
TOWNS = (  # noqa: SIM905 (a list of names reads best as words)
    "Groningen Noord, Assen, Zwolle, Deventer, Apeldoorn, Arnhem, Nijmegen, Utrecht, "
    "Amersfoort, Hilversum, Haarlem, Leiden, Delft, Gouda, Dordrecht, Breda, Tilburg, "
    "Eindhoven, Helmond, Venlo, Roermond, Maastricht, Heerlen, Sittard, Den Bosch, Oss, "
    "Ede, Wageningen, Almere, Lelystad, Emmen, Hoogeveen, Meppel, Sneek, Leeuwarden, "
    "Heerenveen, Drachten, Alkmaar, Hoorn, Enkhuizen, Purmerend, Zaandam, Amstelveen, "
    "Haarlemmermeer, Zoetermeer, Schiedam, Vlaardingen, Middelburg, Goes, Terneuzen"
).split(", ")
FIRST_NAMES = (  # noqa: SIM905
    "Anouk Bas Carmen Daan Eva Femke Gert Hanna Iris Jan Kees Lotte Maarten Noor Olaf "
    "Petra Quinten Roos Sanne Thijs Ugo Vera Wim Xandra Yara Zoë Bram Cor Dina Emma Fleur "
    "Gijs Hein Ilse Joost Karin Lars Mila Nina Otto Pien Ruud Saar Tom Ilona Wout Lieke "
    "Hugo Sem Julia Fenna Rik Mees Loes Ayse Mohammed Fatima Youssef Priya Chen"
).split()
INITIALS = "ABDEGHJKLMNPRSTVWZ"
NOTES = (
    "Ging goed vandaag.",
    "Wat stijf in de ochtend.",
    "Zwaarder dan vorige week.",
    "Knie wat dik na het fietsen.",
    "Niet alle herhalingen gehaald.",
    "Good session.",
    "Pijn zakte na een uur.",
)


def _say(message: str) -> None:
    print(message, flush=True)


@contextlib.contextmanager
def step(name: str) -> Iterator[dict]:
    """Time a step and print its rows: `report["rows"] = n` inside the block."""
    report: dict = {}
    started = time.perf_counter()
    _say(f"{name} ...")
    yield report
    elapsed = time.perf_counter() - started
    rows = f"{report['rows']:,} rows, " if "rows" in report else ""
    _say(f"{name}: {rows}{elapsed:.1f} s")


# Rows into the database -----------------------------------------------------------------


class Loader:
    """Rows into one table at a time: COPY on PostgreSQL, executemany on SQLite.

    Values are Python's (int, str, date, aware datetime, a JSON document as a
    dict or list); each column is turned into what the backend stores, the way
    the model field would, with a cache for the dates and times that repeat."""

    BATCH = 20_000

    def __init__(self) -> None:
        self.vendor = connection.vendor
        self.tables: list[str] = []

    def next_id(self, model: type[models.Model]) -> int:
        highest = model.objects.aggregate(highest=models.Max("pk"))["highest"]
        return (highest or 0) + 1

    def _converter(self, field: models.Field):
        if isinstance(field, models.JSONField):
            return lambda value: None if value is None else json.dumps(value)
        if self.vendor != "sqlite":
            return None
        if isinstance(field, models.DateTimeField):
            # Django's SQLite format: naive UTC, "YYYY-MM-DD HH:MM:SS[.ffffff]".
            return _cached(lambda value: str(value.astimezone(UTC).replace(tzinfo=None)))
        if isinstance(field, models.DateField):
            return _cached(datetime.date.isoformat)
        return None

    def insert(self, model: type[models.Model], columns: list[str], rows: Iterable[tuple]) -> int:
        meta = model._meta
        converters = [
            (index, convert)
            for index, column in enumerate(columns)
            if (convert := self._converter(meta.get_field(column))) is not None
        ]

        def converted() -> Iterator[tuple]:
            for row in rows:
                if converters:
                    row = list(row)
                    for index, convert in converters:
                        if row[index] is not None:
                            row[index] = convert(row[index])
                yield row

        table = meta.db_table
        if table not in self.tables:
            self.tables.append(table)
        names = ", ".join(connection.ops.quote_name(meta.get_field(c).column) for c in columns)
        count = 0
        with transaction.atomic(), connection.cursor() as cursor:
            if self.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # nosec B608
                    for row in converted():
                        copy.write_row(row)
                        count += 1
            else:
                sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"  # nosec B608
                raw = cursor.cursor
                batch = []
                for row in converted():
                    batch.append(row)
                    if len(batch) == self.BATCH:
                        raw.executemany(sql, batch)
                        count += len(batch)
                        batch = []
                raw.executemany(sql, batch)
                count += len(batch)
        return count

    def finish(self) -> None:
        """Sequences after explicit ids (PostgreSQL; SQLite's AUTOINCREMENT follows by
        itself), and fresh statistics, as autovacuum would gather them."""
        if self.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            for table in self.tables:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "  # nosec B608
                    f"(SELECT MAX(id) FROM {table}))",
                    [table],
                )
        # VACUUM cannot run in a transaction block: Django's connection is in autocommit.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def _cached(function):
    cache: dict = {}

    def convert(value):
        try:
            return cache[value]
        except KeyError:
            cache[value] = result = function(value)
            return result

    return convert


# What each protocol's program looks like, made by the app itself -------------------------


class _Rollback(Exception):
    pass


def protocol_templates() -> dict[str, dict]:
    """For each protocol: its items' field values and the snapshot it publishes,
    made through the services in a transaction that is then rolled back."""
    templates = {}
    item_fields = [
        field.attname
        for field in ProgramItem._meta.concrete_fields
        if field.attname not in {"id", "program_id"}
    ]
    try:
        with transaction.atomic():
            user = get_user_model().objects.create_user("scale-template")
            practice = Practice.objects.create(name="Template", phone="0")
            Therapist.objects.create(user=user, practice=practice)
            patient = services.patient_create(
                practice=practice, name="Template", reference="", user=user
            )
            for protocol in Protocol.objects.all():
                program = services.program_create_from_protocol(
                    patient=patient,
                    protocol=protocol,
                    start_date=timezone.localdate(),
                    weeks=protocol.default_weeks,
                    affected_side="left" if protocol.asks_affected_side else "",
                    user=user,
                )
                items = list(program.items.select_related("exercise").order_by("order", "pk"))
                snapshot = selectors.program_draft_snapshot(program=program).to_json()
                assert [item["id"] for item in snapshot["items"]] == [item.pk for item in items]
                templates[protocol.slug] = {
                    "protocol": protocol,
                    "items": [
                        {field: getattr(item, field) for field in item_fields} for item in items
                    ],
                    "slugs": [item.exercise.slug for item in items],
                    "snapshot": snapshot,
                }
            raise _Rollback
    except _Rollback:
        pass
    return templates


def snapshot_for(template: dict, program: dict, item_ids: list[int]) -> dict:
    """The protocol's published snapshot as this program's: its dates, side and items."""
    snapshot = template["snapshot"]
    return {
        **snapshot,
        "start_date": program["start_date"].isoformat(),
        "weeks": program["weeks"],
        "affected_side": program["affected_side"],
        "items": [
            {**item, "id": item_id}
            for item, item_id in zip(snapshot["items"], item_ids, strict=True)
        ],
    }


# The history ------------------------------------------------------------------------------


def at_time(day: datetime.date, rng: random.Random, first: int = 8, last: int = 18):
    """A moment during working hours of `day`, in the app's time zone."""
    moment = datetime.datetime.combine(
        day,
        datetime.time(rng.randint(first, last - 1), rng.randint(0, 59), rng.randint(0, 59)),
    )
    return timezone.make_aware(moment).replace(microsecond=rng.randint(0, 999_999))


def split_total(total: int, parts: int, rng: random.Random, least: int = 1) -> list[int]:
    """`total` things over `parts` owners, each at least `least`, the rest at random."""
    counts = [least] * parts
    for owner in rng.choices(range(parts), k=total - least * parts):
        counts[owner] += 1
    return counts


def make_history(options, templates, rng: random.Random, today: datetime.date, now) -> dict:
    """Every row to insert, ids included (ticks are made later, program by program)."""
    loader = LOADER
    start_of_history = today - datetime.timedelta(days=HISTORY_DAYS)
    ids = {
        model: loader.next_id(model)
        for model in (
            get_user_model(),
            Practice,
            Therapist,
            Patient,
            Program,
            ProgramItem,
            ProgramRevision,
            PatientLink,
        )
    }

    def new_id(model) -> int:
        ids[model] += 1
        return ids[model] - 1

    password = make_password(None)  # unusable: nobody signs in as these therapists
    users, practices, therapists, patients = [], [], [], []
    programs, items, revisions, patient_links = [], [], [], []
    staff: dict[int, list[int]] = {}
    practice_names: dict[int, str] = {}
    practice_address: dict[int, str] = {}

    patient_counts = [options.patients // options.practices] * options.practices
    for index in range(options.patients % options.practices):
        patient_counts[index] += 1
    patient_counts[0] -= DEMO_PATIENTS
    new_patients = sum(patient_counts)
    program_counts = split_total(options.programs - DEMO_PATIENTS, new_patients, rng)
    program_counts_iter = iter(program_counts)

    protocol_slugs = list(PROTOCOL_WEIGHTS)
    protocol_weights = [PROTOCOL_WEIGHTS[slug] for slug in protocol_slugs]

    for number in range(options.practices):
        practice_id = new_id(Practice)
        town = TOWNS[number % len(TOWNS)]
        name = DEMO_PRACTICE_NAME if number == 0 else f"Fysiotherapie {town}"
        practice_names[practice_id] = name
        practice_address[practice_id] = f"192.0.2.{number + 1}"
        practices.append(
            (
                practice_id,
                name,
                f"0{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                "ma-vr 08.00-09.00 uur",
                f"Dorpsstraat {number + 1}, {town}",
                5,
                Practice._meta.get_field("pain_rule_source").default,
            )
        )
        staff[practice_id] = []
        for k in range(THERAPISTS_PER_PRACTICE):
            user_id = new_id(get_user_model())
            first = rng.choice(FIRST_NAMES)
            users.append(
                (
                    user_id,
                    password,
                    False,
                    f"fysio{number + 1:02d}-{k + 1}",
                    first,
                    f"{rng.choice(INITIALS)}.",
                    f"fysio{number + 1:02d}-{k + 1}@example.org",
                    False,
                    True,
                    at_time(start_of_history - datetime.timedelta(days=30), rng),
                )
            )
            therapists.append((new_id(Therapist), user_id, practice_id, k == 0))
            staff[practice_id].append(user_id)

        for n in range(patient_counts[number]):
            patient_id = new_id(Patient)
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(INITIALS)}."
            reference = "" if rng.random() < 0.2 else f"P{number + 1:02d}-{n + 1:05d}"
            language = "en" if rng.random() < 0.08 else "nl"
            count = next(program_counts_iter)
            # One program after another (a second may overlap the first), the last
            # starting by next week; the first no earlier than the history's start.
            lengths = []
            for _ in range(count):
                slug = rng.choices(protocol_slugs, protocol_weights)[0]
                protocol = templates[slug]["protocol"]
                weeks = max(1, min(52, protocol.default_weeks + rng.choice((0, 0, 0, -2, 2, 4))))
                gap = rng.choice((-21, 0, 7, 14, 30, 60, 120))
                lengths.append((slug, weeks, gap))
            span = sum(7 * weeks + gap for _slug, weeks, gap in lengths[:-1])
            latest_first = today + datetime.timedelta(days=7) - datetime.timedelta(days=span)
            room = max(0, (latest_first - start_of_history).days)
            start = start_of_history + datetime.timedelta(days=rng.randint(0, room))
            created = at_time(start - datetime.timedelta(days=rng.randint(0, 14)), rng)
            patients.append((patient_id, practice_id, name, reference, language, created))
            patient_programs = []
            for slug, weeks, gap in lengths:
                template = templates[slug]
                protocol = template["protocol"]
                program_id = new_id(Program)
                end = start + datetime.timedelta(days=7 * weeks - 1)
                program = {
                    "id": program_id,
                    "patient_id": patient_id,
                    "practice_id": practice_id,
                    "slug": slug,
                    "start_date": start,
                    "weeks": weeks,
                    "affected_side": (
                        rng.choice(("left", "right")) if protocol.asks_affected_side else ""
                    ),
                    "created_at": max(
                        created, at_time(start - datetime.timedelta(days=rng.randint(0, 6)), rng)
                    ),
                    "archived_at": None,
                    "data_removed_at": None,
                    "revisions": [],
                    "therapist": rng.choice(staff[practice_id]),
                }
                if end < today and rng.random() < 0.7:
                    archived = at_time(end + datetime.timedelta(days=rng.randint(0, 30)), rng)
                    program["archived_at"] = min(archived, now - datetime.timedelta(hours=1))
                ended_on = end
                if program["archived_at"] is not None:
                    ended_on = min(end, timezone.localdate(program["archived_at"]))
                program["ended_on"] = ended_on
                retention_day = ended_on + datetime.timedelta(
                    days=settings.PROGRAM_DATA_RETENTION_DAYS + 1
                )
                if retention_day <= today:
                    program["data_removed_at"] = timezone.make_aware(
                        datetime.datetime.combine(retention_day, datetime.time(3, 0))
                    )
                item_ids = [new_id(ProgramItem) for _ in template["items"]]
                program["item_ids"] = item_ids
                for item_id, values in zip(item_ids, template["items"], strict=True):
                    values = dict(values)
                    if program["data_removed_at"] is not None:
                        values["note"] = ""
                    items.append((item_id, program_id, values))
                published = start <= today or rng.random() < 0.5
                if published:
                    moments = [program["created_at"] + datetime.timedelta(hours=1)]
                    for _ in range(rng.choices((0, 1, 2), (75, 20, 5))[0]):
                        later = start + datetime.timedelta(days=rng.randint(7, 7 * weeks))
                        if later < min(today, ended_on):
                            moments.append(at_time(later, rng))
                    snapshot = snapshot_for(template, program, item_ids)
                    for number_, moment in enumerate(sorted(moments), start=1):
                        revision_id = new_id(ProgramRevision)
                        program["revisions"].append((number_, moment))
                        revisions.append(
                            (
                                revision_id,
                                program_id,
                                number_,
                                snapshot,
                                moment,
                                program["therapist"],
                            )
                        )
                program["has_draft_changes"] = not published or rng.random() < 0.1
                programs.append(program)
                patient_programs.append(program)
                start = end + datetime.timedelta(days=gap + 1)
            # A link for a patient with a program running or to come; one that ended
            # keeps its revoked link.
            if any(p["ended_on"] >= today and p["revisions"] for p in patient_programs):
                revoked = None
            elif rng.random() < 0.3:
                revoked = at_time(patient_programs[-1]["ended_on"], rng)
                revoked = min(revoked, now - datetime.timedelta(hours=1))
            else:
                continue
            nonce = f"{rng.getrandbits(128):032x}"
            first = patient_programs[0]
            # The token as the app makes it (programs.links), so a link works for this key.
            token = links._token_from_nonce(nonce, settings.SECRET_KEY)
            patient_links.append(
                (
                    new_id(PatientLink),
                    patient_id,
                    links.token_hash(token),
                    nonce,
                    language,
                    None,
                    revoked,
                    first["created_at"] + datetime.timedelta(hours=2),
                    first["therapist"],
                )
            )
    return {
        "users": users,
        "practices": practices,
        "therapists": therapists,
        "patients": patients,
        "programs": programs,
        "items": items,
        "revisions": revisions,
        "links": patient_links,
        "staff": staff,
        "practice_names": practice_names,
        "practice_address": practice_address,
    }


def tick_quotas(programs: list[dict], total: int, rng: random.Random, today) -> None:
    """How many ticks each program gets (`program["ticks"]`), `total` in all: in
    proportion to its days so far, its exercises and its patient's adherence,
    never more than every exercise every day."""
    weights, capacity = [], []
    for program in programs:
        days = 0
        if program["revisions"] and program["data_removed_at"] is None:
            days = max(0, (min(today, program["ended_on"]) - program["start_date"]).days + 1)
        program["days"] = days
        program["adherence"] = rng.betavariate(1.5, 2)
        capacity.append(days * len(program["item_ids"]))
        weights.append(capacity[-1] * program["adherence"])
    scale = total / sum(weights)
    quotas = [min(cap, int(weight * scale)) for weight, cap in zip(weights, capacity, strict=True)]
    short = total - sum(quotas)
    open_ = [index for index, quota in enumerate(quotas) if quota < capacity[index]]
    while short > 0:
        index = rng.choice(open_)
        if quotas[index] < capacity[index]:
            quotas[index] += 1
            short -= 1
    for program, quota in zip(programs, quotas, strict=True):
        program["ticks"] = quota


def ticks_of(programs: list[dict], staff, rng: random.Random, first_id: int) -> Iterator[tuple]:
    """The ticks, program by program: whole sessions on days of the program so far
    (an early part of it for a patient who stopped), then a few left out."""
    tick_id = first_id
    for program in programs:
        quota = program["ticks"]
        if not quota:
            continue
        item_ids = program["item_ids"]
        per_day = len(item_ids)
        needed_days = math.ceil(quota / per_day)
        span = max(needed_days, math.ceil(program["days"] * rng.uniform(0.4, 1.0)))
        days = sorted(rng.sample(range(span), needed_days))
        cells = [(day, item) for day in days for item in item_ids]
        for _ in range(len(cells) - quota):
            cells.pop(rng.randrange(len(cells)))
        baseline = rng.choice((0, 1, 2, 2, 3, 3, 4, 6))
        for day, item_id in cells:
            date = program["start_date"] + datetime.timedelta(days=day)
            pain = None
            if rng.random() < 0.33:
                pain = max(0, min(10, baseline + rng.randint(-1, 2)))
            source = TickSource.PHONE
            entered_by = None
            roll = rng.random()
            if roll < 0.05:
                source, entered_by = TickSource.PAPER, rng.choice(staff[program["practice_id"]])
            elif roll < 0.15:
                source = TickSource.LATER
            note = rng.choice(NOTES) if rng.random() < 0.015 else ""
            yield (tick_id, program["id"], item_id, date, 1, pain, note, source, entered_by)
            tick_id += 1


def access_log_events(history: dict, rng: random.Random, today, now) -> list[tuple]:
    """The lines the app would have written for this history, oldest first, not yet
    chained: (at, practice, user, on_behalf_of, patient, action, source, detail)."""
    events = []
    names, addresses, staff = (
        history["practice_names"],
        history["practice_address"],
        history["staff"],
    )

    def therapist(at, practice_id, action, patient=None, detail="", user=None, behalf=True):
        """A line of a therapist of the practice, from the practice's address."""
        user = user or rng.choice(staff[practice_id])
        on_behalf_of = names[practice_id] if behalf else ""
        source = addresses[practice_id]
        events.append((at, practice_id, user, on_behalf_of, patient, action, source, detail))

    by_practice = defaultdict(list)
    for patient_id, practice_id, name, _ref, _lang, created in history["patients"]:
        by_practice[practice_id].append((name, patient_id))
        therapist(created, practice_id, AccessAction.CREATE, patient_id)

    slugs_of = {slug: template["slugs"] for slug, template in TEMPLATES.items()}
    for program in history["programs"]:
        practice_id, patient_id, number = (
            program["practice_id"],
            program["patient_id"],
            program["id"],
        )
        created = program["created_at"]
        therapist(created, practice_id, AccessAction.CREATE, patient_id, f"program {number}")
        for _ in range(rng.randint(0, 6)):
            moment = created + datetime.timedelta(minutes=rng.randint(1, 50))
            detail = f"dose {rng.choice(slugs_of[program['slug']])}"
            therapist(moment, practice_id, AccessAction.CHANGE, patient_id, detail)
        for revision, moment in program["revisions"]:
            therapist(moment, practice_id, AccessAction.PUBLISH, patient_id, f"r{revision}")
        # The patient page about weekly while it runs, the editor now and then.
        days = max(1, (min(today, program["ended_on"]) - program["start_date"]).days)
        views = [""] * (2 + days // 7) + [f"{number}"] * rng.randint(1, 4)
        for detail in views:
            day = program["start_date"] + datetime.timedelta(days=rng.randint(0, days))
            if day <= today:
                therapist(at_time(day, rng), practice_id, AccessAction.VIEW, patient_id, detail)
        if program["archived_at"] is not None:
            moment = program["archived_at"]
            therapist(moment, practice_id, AccessAction.ARCHIVE, patient_id, f"{number}")
        if program["data_removed_at"] is not None:
            detail = f"program {number}: notes, ticks and handouts removed"
            events.append(
                (
                    program["data_removed_at"],
                    practice_id,
                    None,
                    "retention period",
                    patient_id,
                    AccessAction.RETENTION,
                    None,
                    detail,
                )
            )

    practice_of = {patient[0]: patient[1] for patient in history["patients"]}
    for link in history["links"]:
        link_id, patient_id, revoked, created, user = (link[0], link[1], *link[6:])
        practice_id = practice_of[patient_id]
        therapist(created, practice_id, AccessAction.CHANGE, patient_id, "link made", user)
        opened = created
        for _ in range(rng.randint(1, 3)):
            opened += datetime.timedelta(days=rng.randint(0, 20), minutes=rng.randint(5, 600))
            if opened >= now or (revoked and opened >= revoked):
                break
            phone = f"100.64.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
            behalf = f"patient (link {link_id})"
            events.append(
                (opened, practice_id, None, behalf, patient_id, AccessAction.LINK_OPEN, phone, "")
            )
        if revoked:
            therapist(revoked, practice_id, AccessAction.CHANGE, patient_id, "link revoked", user)

    # Each therapist's working days: a sign-in, the patient list a few times, often
    # a sign-out; the list line names the first page's patients.
    day = today - datetime.timedelta(days=HISTORY_DAYS)
    working_days = []
    while day < today:
        if day.weekday() < 5:
            working_days.append(day)
        day += datetime.timedelta(days=1)
    for practice_id, users in staff.items():
        first_page = sorted(by_practice[practice_id])[:25]
        shown = " ".join(f"#{patient_id}" for _name, patient_id in first_page)
        for user in users:
            for day in working_days:
                if rng.random() >= 0.6:
                    continue
                moment = at_time(day, rng, 8, 9)
                therapist(moment, practice_id, AccessAction.SIGN_IN, user=user, behalf=False)
                for _ in range(rng.randint(1, 4)):
                    moment += datetime.timedelta(minutes=rng.randint(5, 90))
                    detail = f"list page 1: {shown}"[:200]
                    therapist(moment, practice_id, AccessAction.LIST, detail=detail, user=user)
                if rng.random() < 0.5:
                    moment += datetime.timedelta(hours=rng.randint(1, 8))
                    therapist(moment, practice_id, AccessAction.SIGN_OUT, user=user, behalf=False)
    events = [event for event in events if event[0] < now]  # before the demo's own lines
    events.sort(key=lambda event: event[0])
    return events


class _Entry:
    """What `access_log_entry_hash` reads, without a model instance per line."""

    __slots__ = (
        "previous_hash",
        "at",
        "practice_id",
        "user_id",
        "on_behalf_of",
        "patient_id",
        "action",
        "outcome",
        "source_address",
        "detail",
    )


def chained(events: list[tuple], first_id: int, previous: str) -> Iterator[tuple]:
    """The lines with ids and the hash chain, exactly as programs.access_log appends."""
    entry = _Entry()
    for offset, (at, practice_id, user, behalf, patient, action, source, detail) in enumerate(
        events
    ):
        entry.previous_hash = previous
        entry.at = at
        entry.practice_id = practice_id
        entry.user_id = user
        entry.on_behalf_of = behalf
        entry.patient_id = patient
        entry.action = str(action)
        entry.outcome = "allowed"
        entry.source_address = source or None
        entry.detail = detail
        digest = access_log_entry_hash(entry)
        yield (
            first_id + offset,
            at,
            practice_id,
            user,
            behalf,
            patient,
            entry.action,
            "allowed",
            entry.source_address,
            detail,
            previous,
            digest,
        )
        previous = digest


# The whole fill -------------------------------------------------------------------------


def refuse_unless_empty() -> None:
    practices, patients = Practice.objects.count(), Patient.objects.count()
    if practices or patients:
        raise SystemExit(
            f"This database already holds {practices} practices and {patients} patients. "
            "scale_data fills an empty database only: make a new one "
            "(SQLite: a new --database file; PostgreSQL: createdb) and run it there."
        )


def main() -> None:
    options = OPTIONS
    began = time.perf_counter()
    database = settings.DATABASES["default"]
    _say(f"Database: {connection.vendor} {database['NAME']}")
    with step("migrate"):
        call_command("migrate", verbosity=0)
    refuse_unless_empty()
    if not Exercise.objects.exists():
        with step("library fixtures"):
            call_command(
                "loaddata",
                *sorted(str(path) for path in (ROOT / "fixtures").glob("*.yaml")),
                verbosity=0,
            )
    rng = random.Random(options.seed)
    # The history ends when today began: the same seed on the same day gives the same rows.
    today = timezone.localdate()
    now = timezone.make_aware(datetime.datetime.combine(today, datetime.time()))
    global TEMPLATES
    with step("one program per protocol through the services (rolled back)"):
        TEMPLATES = protocol_templates()
    with step("history in memory"):
        history = make_history(options, TEMPLATES, rng, today, now)
        tick_quotas(history["programs"], options.ticks, rng, today)

    loader = LOADER
    user_model = get_user_model()
    with step("users and therapists") as report:
        report["rows"] = loader.insert(
            user_model,
            [
                "id",
                "password",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
            ],
            history["users"],
        )
        loader.insert(
            Practice,
            ["id", "name", "phone", "call_hours", "address", "pain_limit", "pain_rule_source"],
            history["practices"],
        )
        report["rows"] += loader.insert(
            Therapist, ["id", "user_id", "practice_id", "is_practice_admin"], history["therapists"]
        )
    with step("patients") as report:
        report["rows"] = loader.insert(
            Patient,
            ["id", "practice_id", "name", "reference", "language", "created_at"],
            history["patients"],
        )
    with step("programs") as report:
        report["rows"] = loader.insert(
            Program,
            [
                "id",
                "patient_id",
                "protocol_id",
                "variant_id",
                "start_date",
                "weeks",
                "affected_side",
                "has_draft_changes",
                "archived_at",
                "created_at",
                "data_removed_at",
                "draft_version",
            ],
            (
                (
                    p["id"],
                    p["patient_id"],
                    p["slug"],
                    TEMPLATES[p["slug"]]["protocol"].variant_id,
                    p["start_date"],
                    p["weeks"],
                    p["affected_side"],
                    p["has_draft_changes"],
                    p["archived_at"],
                    p["created_at"],
                    p["data_removed_at"],
                    0,  # no draft has changed yet
                )
                for p in history["programs"]
            ),
        )
    item_columns = list(next(iter(TEMPLATES.values()))["items"][0])
    with step("program items") as report:
        report["rows"] = loader.insert(
            ProgramItem,
            ["id", "program_id", *item_columns],
            (
                (item_id, program_id, *(values[column] for column in item_columns))
                for item_id, program_id, values in history["items"]
            ),
        )
    with step("published revisions") as report:
        report["rows"] = loader.insert(
            ProgramRevision,
            ["id", "program_id", "number", "snapshot", "published_at", "published_by_id"],
            history["revisions"],
        )
    with step("patient links") as report:
        report["rows"] = loader.insert(
            PatientLink,
            [
                "id",
                "patient_id",
                "token_hash",
                "nonce",
                "language",
                "expires_at",
                "revoked_at",
                "created_at",
                "created_by_id",
            ],
            history["links"],
        )
    with step("ticks") as report:
        first_id = loader.next_id(ExerciseTick)  # not during the COPY: one query at a time

        def with_times(rows):
            # created_at and updated_at: during the day, a day later when added
            # later, a week later from paper.
            for row in rows:
                date, source = row[3], row[7]
                late = 0 if source == "phone" else 1 if source == "later" else 7
                hour = 7 + row[0] % 15
                moment = datetime.datetime.combine(
                    date + datetime.timedelta(days=late), datetime.time(hour), tzinfo=UTC
                )
                yield (*row, moment, moment)

        report["rows"] = loader.insert(
            ExerciseTick,
            [
                "id",
                "program_id",
                "item_id",
                "date",
                "session",
                "pain",
                "note",
                "source",
                "entered_by_id",
                "created_at",
                "updated_at",
            ],
            with_times(ticks_of(history["programs"], history["staff"], rng, first_id)),
        )
    with step("access log (hash-chained)") as report:
        events = access_log_events(history, rng, today, now)
        last = AccessLogEntry.objects.order_by("-pk").values_list("pk", "entry_hash").first()
        first_id, previous = (last[0] + 1, last[1]) if last else (1, GENESIS)
        report["rows"] = loader.insert(
            AccessLogEntry,
            [
                "id",
                "at",
                "practice_id",
                "user_id",
                "on_behalf_of",
                "patient_id",
                "action",
                "outcome",
                "source_address",
                "detail",
                "previous_hash",
                "entry_hash",
            ],
            chained(events, first_id, previous),
        )
    with step("sequences and statistics"):
        loader.finish()
    with step("demo practice, login and patients (demo_setup)"):
        call_command("demo_setup")
    _say(
        f"Done in {time.perf_counter() - began:.0f} s: {Practice.objects.count():,} practices, "
        f"{Therapist.objects.count():,} therapists, {Patient.objects.count():,} patients, "
        f"{Program.objects.count():,} programs, {ProgramItem.objects.count():,} items, "
        f"{ProgramRevision.objects.count():,} revisions, {ExerciseTick.objects.count():,} ticks, "
        f"{AccessLogEntry.objects.count():,} access-log lines."
    )


LOADER = Loader()
TEMPLATES: dict[str, dict] = {}

if __name__ == "__main__":
    main()
