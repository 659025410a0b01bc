"""Backups: `backup_database` then `restore_database` bring back every program,
revision, tick and access log line, into an empty database and over one with
data, with the log's hash chain intact; and they refuse what would lose data.

The restore lands in a second database beside the test database, reached through
a connection alias of its own: on PostgreSQL a new database on the same server
(dropped at the end), on SQLite a new file. The tests are transactional, since
pg_dump reads through a connection of its own and sees committed rows only.
"""

import copy
import datetime
import errno
import io
import os
import re
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.db.utils import load_backend

from oefenplan.ops import backup
from oefenplan.ops.management.commands.restore_database import CANCELLED
from programs import links, services
from programs.access_log import (
    access_log_append,
    access_log_read,
    access_log_source,
    access_log_verify,
)
from programs.models import (
    AccessAction,
    AccessLogEntry,
    AccessOutcome,
    ExerciseTick,
    Patient,
    Program,
    ProgramRevision,
)
from tests import factories
from tests.factories import MONDAY

pytestmark = pytest.mark.django_db(transaction=True)

RESTORED = "restored"
# What the issue asks a restore to bring back, row by row.
RECORDS = (Program, ProgramRevision, ExerciseTick, AccessLogEntry)


@pytest.fixture
def empty_database(transactional_db, tmp_path):
    """A second, empty database as connection alias RESTORED: on PostgreSQL a new
    database on the test server (from template0, so nothing in it), on SQLite a
    new file.

    Its connection is put in place without an entry in settings.DATABASES: Django's
    test case refuses to connect to a configured alias the test did not declare,
    and declared aliases must exist before the test starts (and are flushed after
    it, when this database is already gone)."""
    default = connections["default"]
    postgresql = default.vendor == "postgresql"
    if postgresql:
        name = f"{default.settings_dict['NAME']}_restore_{secrets.token_hex(4)}"
        with default.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {default.ops.quote_name(name)} TEMPLATE template0")
    else:
        name = str(tmp_path / "restored.sqlite3")
    settings_dict = {**copy.deepcopy(default.settings_dict), "NAME": name}
    backend = load_backend(settings_dict["ENGINE"])
    setattr(connections._connections, RESTORED, backend.DatabaseWrapper(settings_dict, RESTORED))
    try:
        yield RESTORED
    finally:
        connections[RESTORED].close()
        del connections[RESTORED]
        if postgresql:
            with default.cursor() as cursor:
                cursor.execute(
                    f"DROP DATABASE IF EXISTS {default.ops.quote_name(name)} WITH (FORCE)"
                )


@pytest.fixture
def backups(tmp_path) -> Path:
    """The folder the backups go to, holding nothing else."""
    folder = tmp_path / "backups"
    folder.mkdir()
    return folder


def a_practice_at_work():
    """A practice's therapist with two patients: one program published twice, one
    once; ticks from the phone (pain, a note) and typed in from paper; a patient
    link; and the access log all this wrote, with a sign-in from an address and a
    refused link."""
    tess = factories.make_therapist(factories.make_practice(), "tess", admin=True)
    anna = factories.make_program(tess, name="Anna")
    factories.publish(anna, tess)
    services.program_reschedule(program=anna, start_date=MONDAY, weeks=8, user=tess)
    factories.publish(anna, tess)
    bram = factories.make_program(tess, "knee-osteoarthritis", name="Bram")
    factories.publish(bram, tess)

    first, second = anna.items.order_by("pk").values_list("pk", flat=True)[:2]
    services.tick_save(
        program=anna, item_id=first, day=MONDAY, session=1, pain=3, note="Knieën wat stijf"
    )
    services.tick_save(
        program=anna, item_id=second, day=MONDAY, session=1, pain=None, note="", source="later"
    )
    item = bram.items.order_by("pk").values_list("pk", flat=True).first()
    box = (item, MONDAY, 1)
    services.ticks_enter_from_paper(
        program=bram, days=(MONDAY,), allowed={box}, ticked={box}, user=tess
    )
    links.patient_link_create(patient=anna.patient, user=tess)
    with access_log_source("203.0.113.7"):
        access_log_append(user=tess, action=AccessAction.SIGN_IN)
        access_log_read(user=tess, patient=bram.patient, detail="program")
    access_log_append(
        action=AccessAction.LINK_OPEN, outcome=AccessOutcome.REFUSED, detail="wrong link"
    )
    return tess


def rows(model, using: str) -> list[dict]:
    return list(model.objects.using(using).order_by("pk").values())


def every_table(using: str) -> dict[str, list[dict]]:
    """Every row of every model's table (many-to-many tables too), by model."""
    return {
        model._meta.label: rows(model, using)
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def back_up(file: Path, **options) -> str:
    out = io.StringIO()
    call_command("backup_database", str(file), stdout=out, **options)
    return out.getvalue()


def restore(file: Path, using: str = RESTORED) -> str:
    out = io.StringIO()
    call_command(
        "restore_database", str(file), database=using, interactive=False, stdout=out, stderr=out
    )
    return out.getvalue()


def assert_the_log_refuses_changes(using: str) -> None:
    """On PostgreSQL the append-only trigger came back with the log."""
    if connections[using].vendor != "postgresql":
        return
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(using=using),
        connections[using].cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {AccessLogEntry._meta.db_table}")


def test_a_backup_restored_into_an_empty_database_holds_every_row_and_an_intact_log(
    library, empty_database, backups
):
    a_practice_at_work()
    file = backups / "oefenplan.backup"

    said = back_up(file)
    assert said.startswith(f"Backed up database 'default' ({backup.ENGINES[connection.vendor]}")
    assert re.search(r": [\d.]+ (kB|MB), \d+ tables", said)
    assert stat.S_IMODE(file.stat().st_mode) == 0o600  # health data: its owner alone
    assert list(backups.iterdir()) == [file]  # no temporary file left beside it
    assert connections[RESTORED].introspection.table_names() == []

    said = restore(file)
    lines = AccessLogEntry.objects.count()
    assert f"The access log holds: {lines} lines, chain intact." in said
    for model in RECORDS:
        assert rows(model, "default"), f"the test made no {model.__name__}"
        assert rows(model, RESTORED) == rows(model, "default"), model.__name__
    assert every_table(RESTORED) == every_table("default")
    assert access_log_verify(using=RESTORED) == (lines, None)
    assert_the_log_refuses_changes(RESTORED)


def test_a_restore_replaces_what_the_database_held_so_it_can_be_repeated(
    library, empty_database, backups
):
    tess = a_practice_at_work()
    first = backups / "first.backup"
    back_up(first)
    at_first = every_table("default")
    restore(first)

    # The app moves on: a tick undone, one added, a new patient's program ...
    anna = Program.objects.get(patient__name="Anna")
    tick = anna.ticks.order_by("pk").first()
    services.tick_undo(program=anna, item_id=tick.item_id, day=tick.date, session=tick.session)
    services.tick_save(
        program=anna,
        item_id=tick.item_id,
        day=MONDAY + datetime.timedelta(days=1),
        session=1,
        pain=1,
        note="Beter",
    )
    factories.publish(factories.make_program(tess, "back-rehabilitation", name="Carla"), tess)
    # ... and the restored database gets a row and a table of its own.
    Patient.objects.using(RESTORED).create(practice_id=anna.patient.practice_id, name="Stray")
    with connections[RESTORED].cursor() as cursor:
        cursor.execute("CREATE TABLE leftover_notes (note varchar(20))")
    second = backups / "second.backup"
    back_up(second)

    said = restore(second)
    assert every_table(RESTORED) == every_table("default") != at_first
    assert not Patient.objects.using(RESTORED).filter(name="Stray").exists()
    # pg_restore replaces the tables the backup holds; SQLite's backup, the whole file.
    left = "leftover_notes" in connections[RESTORED].introspection.table_names()
    assert left == (connection.vendor == "postgresql")
    assert ("left as they were: leftover_notes." in said) == left
    restore(first)  # back again: a restore is repeatable either way
    assert every_table(RESTORED) == at_first
    assert access_log_verify(using=RESTORED) == (len(at_first["programs.AccessLogEntry"]), None)
    assert_the_log_refuses_changes(RESTORED)


def test_a_restore_whose_access_log_was_changed_fails(empty_database, backups):
    tess = factories.make_therapist(factories.make_practice(), "tess")
    lines = [access_log_append(user=tess, action=AccessAction.SIGN_IN) for _ in range(3)]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # past the trigger, as replication is
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            f"UPDATE {AccessLogEntry._meta.db_table} SET detail = 'nothing to see' WHERE id = %s",
            [lines[1].pk],
        )
    file = backups / "tampered.backup"
    back_up(file)
    expected = backup.CHAIN_BROKEN.format(
        entry_id=lines[1].pk,
        reason="its contents were changed after it was written",
        checked=1,
    )
    with pytest.raises(CommandError, match=re.escape(expected)):
        restore(file)


def test_a_restore_asks_first_unless_told_not_to(empty_database, backups, monkeypatch):
    file = backups / "oefenplan.backup"
    back_up(file)
    monkeypatch.setattr("builtins.input", lambda question: "no")
    with pytest.raises(CommandError, match=CANCELLED):
        call_command("restore_database", str(file), database=RESTORED, stdout=io.StringIO())
    assert connections[RESTORED].introspection.table_names() == []
    monkeypatch.setattr("builtins.input", lambda question: "yes")
    call_command("restore_database", str(file), database=RESTORED, stdout=io.StringIO())
    assert every_table(RESTORED) == every_table("default")


# Refusals ------------------------------------------------------------------------------


def test_a_backup_replaces_an_existing_file_only_when_forced(backups):
    file = backups / "oefenplan.backup"
    file.write_text("yesterday's backup")
    with pytest.raises(CommandError, match=re.escape(backup.FILE_EXISTS.format(path=file))):
        back_up(file)
    assert file.read_text() == "yesterday's backup"

    back_up(file, force=True)
    assert backup.backup_engine(file) == backup.ENGINES[connection.vendor]
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert list(backups.iterdir()) == [file]


def test_a_backup_into_a_folder_that_does_not_exist_is_refused(tmp_path):
    file = tmp_path / "nowhere" / "oefenplan.backup"
    with pytest.raises(
        CommandError, match=re.escape(backup.FOLDER_MISSING.format(folder=file.parent))
    ):
        back_up(file)


def test_a_backup_that_fails_halfway_leaves_nothing_behind(backups, monkeypatch):
    def disk_full(*args, target=None, target_path=None, **kwargs):
        (target or target_path).write_bytes(b"half a backup")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(
        backup, "_pg_dump", lambda connection, using, target: disk_full(target=target)
    )
    monkeypatch.setattr(backup, "_sqlite_copy", disk_full)
    file = backups / "oefenplan.backup"
    with pytest.raises(CommandError, match="No space left on device. Nothing was left behind."):
        back_up(file)
    assert list(backups.iterdir()) == []


def test_a_restore_of_a_missing_file_is_refused(tmp_path):
    file = tmp_path / "oefenplan.backup"
    with pytest.raises(CommandError, match=re.escape(backup.BACKUP_MISSING.format(path=file))):
        restore(file, using="default")


def test_a_restore_of_the_other_engines_backup_or_of_no_backup_is_refused(backups):
    engine = backup.ENGINES[connection.vendor]
    other, signature = next(
        (found, signature) for signature, found in backup.FILE_SIGNATURES.items() if found != engine
    )
    file = backups / "other.backup"
    file.write_bytes(signature + b"\x00" * 100)
    refusal = backup.OTHER_ENGINE.format(path=file, found=other, alias="default", engine=engine)
    before = every_table("default")
    with pytest.raises(CommandError, match=re.escape(refusal)):
        restore(file, using="default")

    file.write_text("name,pain\nAnna,3\n")
    with pytest.raises(CommandError, match=re.escape(backup.NOT_A_BACKUP.format(path=file))):
        restore(file, using="default")
    assert every_table("default") == before


def test_a_backup_of_another_database_is_not_restored_over_ours(empty_database, backups):
    """A real backup, but of a database without Oefenplan's tables."""
    with connections[RESTORED].cursor() as cursor:
        cursor.execute("CREATE TABLE shopping (item varchar(20))")
    file = backups / "shopping.backup"
    back_up(file, database=RESTORED)
    before = every_table("default")
    engine = backup.ENGINES[connection.vendor]
    refusal = backup.NOT_OUR_DATABASE.format(path=file, engine=engine)
    with pytest.raises(CommandError, match=re.escape(refusal)):
        restore(file, using="default")
    assert every_table("default") == before


def test_a_damaged_sqlite_backup_is_refused(backups):
    if connection.vendor != "sqlite":
        pytest.skip("a SQLite backup restores into SQLite only")
    file = backups / "damaged.backup"
    back_up(file)
    data = bytearray(file.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the first page's schema, overwritten
    file.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="is damaged"):
        restore(file, using="default")


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_without_pg_dump_the_refusal_says_what_to_install(backups, monkeypatch):
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    message = backup.TOOL_MISSING.format(tool="pg_dump")
    with pytest.raises(CommandError, match=re.escape(message)):
        back_up(backups / "oefenplan.backup")
    assert list(backups.iterdir()) == []


def test_a_refusal_is_a_nonzero_exit_with_the_reason(tmp_path):
    """As cron and a shell see it: manage.py itself."""
    file = tmp_path / "oefenplan.backup"
    result = subprocess.run(
        [sys.executable, "manage.py", "restore_database", str(file), "--no-input"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "oefenplan.settings.test"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert backup.BACKUP_MISSING.format(path=file) in result.stderr


def test_sizes_are_printed_for_people():
    assert backup.human_size(512) == "512 bytes"
    assert backup.human_size(1_234_567) == "1.2 MB"
    assert backup.human_size(42_000_000_000) == "42.0 GB"
