"""Backups of the database: one file, made while the app runs, that restores the
whole database into an empty server (or over the database it came from).

PostgreSQL: `pg_dump --format=custom` (one compressed file, read in one snapshot
of the database, restored by `pg_restore`). SQLite: SQLite's online backup API,
which copies the live database in one step under a read lock: a consistent
snapshot, however much the app writes meanwhile. Which one runs follows the
configured database; a backup is restored only into the engine it came from
(its first bytes say which).

A backup holds patient data: it is written under a temporary name beside the
target, readable by its owner alone (0600), and renamed into place only when
complete, so a backup that failed halfway never looks like one that succeeded.

A restore replaces every table the backup holds (PostgreSQL: in one transaction,
so a failed restore leaves the database as it was), then walks the access log's
hash chain where it landed: a restore that does not bring the log back whole
(NEN 7513) fails. On PostgreSQL `--clean` drops the log's table with its
append-only trigger (a DROP deletes no rows, so the trigger does not object) and
the dump creates both again, the trigger after the rows.

Media files (uploaded photos) are not in the database, so not in the backup:
docs/backup.md says how to keep them.
"""

import contextlib
import os
import shutil
import sqlite3
import subprocess  # nosec B404  # pg_dump and pg_restore: absolute paths, argument lists, no shell
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.utils.connection import ConnectionDoesNotExist

from programs.access_log import access_log_verify

POSTGRESQL = "PostgreSQL"
SQLITE = "SQLite"
ENGINES = {"postgresql": POSTGRESQL, "sqlite": SQLITE}
# How each kind of backup file begins.
FILE_SIGNATURES = {b"PGDMP": POSTGRESQL, b"SQLite format 3\x00": SQLITE}

UNKNOWN_DATABASE = "There is no database '{alias}' in settings.DATABASES."
ENGINE_UNSUPPORTED = (
    "Database '{alias}' is {vendor}: backup_database and restore_database know "
    "PostgreSQL and SQLite only."
)
FILE_EXISTS = "{path} already exists: choose another name, or pass --force to replace it."
NOT_A_FILE = "{path} is not a file."
FOLDER_MISSING = (
    "The folder {folder} does not exist: create it first, readable by the app's user alone."
)
BACKUP_MISSING = "There is no backup at {path}."
NOT_A_BACKUP = (
    "{path} is not a backup made by backup_database: neither a PostgreSQL custom-format "
    "dump nor a SQLite database."
)
NOT_OUR_DATABASE = "{path} is a {engine} backup, but not of Oefenplan: it has no django_migrations."
OTHER_ENGINE = (
    "{path} is a {found} backup, but database '{alias}' is {engine}: a backup restores "
    "only into the engine it came from. Point DATABASE_URL at a {found} database to restore it."
)
DAMAGED = "{path} is damaged ({problem}): the database was not changed."
CANNOT_WRITE = "Could not write the backup {path}: {problem}. Nothing was left behind."
IN_TRANSACTION = "A restore cannot run inside a transaction on database '{alias}'."
NO_DATABASE_NAME = "Database '{alias}' has no NAME: pg_dump and pg_restore need one."
TOOL_MISSING = (
    "{tool} was not found: install PostgreSQL's client tools (Debian: apt-get install "
    "postgresql-client), of the server's major version or newer."
)
TOOL_FAILED = "{tool} failed (exit status {status}): {output}"
RESTORE_FAILED = (
    "The restore failed ({detail}); it ran in one transaction: the database was not changed."
)
LOG_UNREADABLE = (
    "The backup was restored, but its access log could not be read ({error}). "
    "Run `manage.py migrate`, then `manage.py verify_access_log`."
)
CHAIN_BROKEN = (
    "The backup was restored, but its access log is broken at line {entry_id}: {reason}. "
    "The {checked} lines before it hold. Keep this backup and the one before it, and "
    "find out what changed the log (NEN 7513)."
)

# Django's connection OPTIONS that libpq also reads from the environment.
LIBPQ_ENVIRONMENT = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
}
# A restore must not wait for ever behind the running app's locks: stop the app
# first (docs/backup.md); if it still runs, the restore fails, changing nothing.
RESTORE_LOCK_TIMEOUT = "60s"


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    engine: str
    size: int  # bytes
    tables: int
    rows: int | None  # counted in a SQLite backup; a PostgreSQL dump is not restored to count


@dataclass(frozen=True)
class RestoreResult:
    path: Path
    engine: str
    size: int
    tables: int
    rows: int
    log_lines: int  # access log lines whose chain was checked
    unapplied_migrations: tuple[str, ...]  # the backup is older than the code
    # PostgreSQL: tables the database had and the backup does not (a newer
    # version's), left as they were. SQLite replaces the whole file.
    tables_left: tuple[str, ...]


def database_backup(
    *, path: Path, using: str = DEFAULT_DB_ALIAS, force: bool = False
) -> BackupResult:
    """Back up database `using` to the file `path`, replacing it only when `force`."""
    connection = _connection(using)
    engine = _engine(connection, using)
    path = Path(path).absolute()
    if path.exists() and not path.is_file():
        raise BackupError(NOT_A_FILE.format(path=path))
    if path.exists() and not force:
        raise BackupError(FILE_EXISTS.format(path=path))
    if not path.parent.is_dir():
        raise BackupError(FOLDER_MISSING.format(folder=path.parent))
    try:
        with _written_in_place(path) as partial:
            if engine == POSTGRESQL:
                _pg_dump(connection, using, partial)
                tables, rows = len(_dump_tables(partial)), None
            else:
                connection.ensure_connection()
                _sqlite_copy(source=connection.connection, target_path=partial)
                tables, rows = _sqlite_file_counts(partial)
    except (OSError, sqlite3.Error) as error:
        problem = getattr(error, "strerror", None) or error
        raise BackupError(CANNOT_WRITE.format(path=path, problem=problem)) from error
    return BackupResult(
        path=path, engine=engine, size=path.stat().st_size, tables=tables, rows=rows
    )


def database_restore(*, path: Path, using: str = DEFAULT_DB_ALIAS) -> RestoreResult:
    """Replace database `using` with the backup at `path`, then check the access
    log's chain there; raises BackupError when the chain does not hold."""
    connection = _connection(using)
    path = Path(path).absolute()
    engine = database_restore_check(path=path, using=using)
    if connection.in_atomic_block:
        raise BackupError(IN_TRANSACTION.format(alias=using))
    if engine == POSTGRESQL:
        tables_left = tuple(
            sorted(set(connection.introspection.table_names()) - _dump_tables(path))
        )
        _pg_restore(connection, using, path)
    else:
        tables_left = ()
        _sqlite_restore(connection, path)

    tables, rows = _count_rows(connection)
    unapplied = _unapplied_migrations(connection)
    try:
        checked, broken = access_log_verify(using=using)
    except DatabaseError as error:
        raise BackupError(LOG_UNREADABLE.format(error=error)) from error
    if broken is not None:
        raise BackupError(
            CHAIN_BROKEN.format(entry_id=broken.entry_id, reason=broken.reason, checked=checked)
        )
    return RestoreResult(
        path=path,
        engine=engine,
        size=path.stat().st_size,
        tables=tables,
        rows=rows,
        log_lines=checked,
        unapplied_migrations=unapplied,
        tables_left=tables_left,
    )


def database_restore_check(*, path: Path, using: str = DEFAULT_DB_ALIAS) -> str:
    """Refuse, before anything changes, a file that is no backup of this app, a
    damaged one, or one of the other engine; returns the engine."""
    engine = _engine(_connection(using), using)
    path = Path(path).absolute()
    if not path.exists():
        raise BackupError(BACKUP_MISSING.format(path=path))
    if not path.is_file():
        raise BackupError(NOT_A_FILE.format(path=path))
    found = backup_engine(path)
    if found is None:
        raise BackupError(NOT_A_BACKUP.format(path=path))
    if found != engine:
        raise BackupError(OTHER_ENGINE.format(path=path, found=found, alias=using, engine=engine))
    if engine == SQLITE:
        _sqlite_check(path)
    elif "django_migrations" not in _dump_tables(path):
        raise BackupError(NOT_OUR_DATABASE.format(path=path, engine=engine))
    return engine


def backup_engine(path: Path) -> str | None:
    """PostgreSQL or SQLite, as the file's first bytes say; None for anything else."""
    with open(path, "rb") as file:
        head = file.read(16)
    return next(
        (engine for signature, engine in FILE_SIGNATURES.items() if head.startswith(signature)),
        None,
    )


def database_description(*, using: str = DEFAULT_DB_ALIAS) -> str:
    """Which database `using` is, for messages: engine, name, and server."""
    connection = _connection(using)
    settings = connection.settings_dict
    engine = ENGINES.get(connection.vendor, connection.vendor)
    if connection.vendor == "postgresql":
        server = f"{settings.get('HOST') or 'local socket'}:{settings.get('PORT') or 5432}"
        return f"'{using}' ({engine} {settings['NAME']} on {server})"
    return f"'{using}' ({engine} {settings['NAME']})"


def human_size(size: int) -> str:
    """1234567 -> "1.2 MB" (decimal units, as `ls -h --si` shows)."""
    if size < 1000:
        return f"{size} bytes"
    for unit in ("kB", "MB", "GB"):
        size /= 1000
        if size < 1000 or unit == "GB":
            break
    return f"{size:.1f} {unit}"


# Files -----------------------------------------------------------------------------------


@contextlib.contextmanager
def _written_in_place(path: Path) -> Iterator[Path]:
    """A new file at `path`, mode 0600, that appears only once complete: the block
    writes a temporary file beside it (same file system), which is then synced and
    renamed over `path`. On failure nothing is left behind."""
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    os.close(handle)
    partial = Path(name)
    try:
        yield partial
        os.chmod(partial, 0o600)
        with open(partial, "rb") as file:
            os.fsync(file.fileno())
        os.replace(partial, path)
    except BaseException:
        for leftover in (
            partial,
            *(Path(f"{partial}{end}") for end in ("-journal", "-wal", "-shm")),
        ):
            leftover.unlink(missing_ok=True)
        raise
    with contextlib.suppress(OSError):  # not every file system syncs a folder
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


# SQLite ----------------------------------------------------------------------------------


def _sqlite_copy(*, source: sqlite3.Connection, target_path: Path) -> None:
    """Copy the whole database `source` into a new file with the online backup API.

    All pages in one step (`pages=-1`) under one read lock: a snapshot of one
    moment. Writers wait for the copy (or, in WAL mode, not at all); a page-by-page
    copy would start over whenever another connection wrote."""
    target = sqlite3.connect(target_path)
    try:
        source.backup(target, pages=-1)
    finally:
        target.close()


def _sqlite_restore(connection: BaseDatabaseWrapper, path: Path) -> None:
    """Copy the backup over the configured database with the same API, in one
    step under SQLite's own lock: the database is replaced whole or not at all."""
    backup = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        connection.ensure_connection()
        backup.backup(connection.connection, pages=-1)
    except sqlite3.Error as error:
        raise BackupError(RESTORE_FAILED.format(detail=error)) from error
    finally:
        backup.close()


def _sqlite_check(path: Path) -> None:
    """A SQLite backup is whole (SQLite's quick check) and holds Oefenplan's tables."""
    try:
        backup = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            problem = backup.execute("PRAGMA quick_check").fetchone()[0]
            ours = backup.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
            ).fetchone()
        finally:
            backup.close()
    except sqlite3.Error as error:
        raise BackupError(DAMAGED.format(path=path, problem=error)) from error
    if problem != "ok":
        raise BackupError(DAMAGED.format(path=path, problem=problem))
    if ours is None:
        raise BackupError(NOT_OUR_DATABASE.format(path=path, engine=SQLITE))


def _sqlite_file_counts(path: Path) -> tuple[int, int]:
    """Tables and rows in a SQLite backup file, read from the file itself."""
    database = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        tables = [
            name
            for (name,) in database.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        rows = sum(
            database.execute(f"SELECT COUNT(*) FROM {quoted}").fetchone()[0]  # nosec B608  # a name from the file's own catalogue, quoted
            for quoted in ('"' + table.replace('"', '""') + '"' for table in tables)
        )
    finally:
        database.close()
    return len(tables), rows


# PostgreSQL ------------------------------------------------------------------------------


def _pg_dump(connection: BaseDatabaseWrapper, using: str, target: Path) -> None:
    arguments, environment = _pg_connection(connection, using)
    _run(
        [_tool("pg_dump"), "--format=custom", "--no-password", *arguments, f"--file={target}"],
        environment,
    )


def _pg_restore(connection: BaseDatabaseWrapper, using: str, path: Path) -> None:
    """Drop what the backup holds and restore it, in one transaction. `--no-owner`
    and `--no-acl`: the tables belong to the user who restores (the app's, on an
    empty server), whatever roles the old server had."""
    arguments, environment = _pg_connection(connection, using)
    environment["PGOPTIONS"] = (
        f"{environment.get('PGOPTIONS', '')} -c lock_timeout={RESTORE_LOCK_TIMEOUT}".strip()
    )
    # Our own idle session holds nothing, but must not be the one left waiting.
    connection.close()
    try:
        _run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-acl",
                "--single-transaction",
                "--exit-on-error",
                "--no-password",
                *arguments,
                str(path),
            ],
            environment,
        )
    except BackupError as error:
        raise BackupError(RESTORE_FAILED.format(detail=error)) from error


def _dump_tables(path: Path) -> set[str]:
    """The tables whose rows a custom-format dump holds (from its table of contents,
    which `pg_restore --list` reads without a database)."""
    listing = _run([_tool("pg_restore"), "--list", str(path)], dict(os.environ)).stdout
    tables = set()
    for line in listing.splitlines():
        # "233; 0 16506 TABLE DATA public account_emailaddress postgres"
        words = line.split()
        if not line.startswith(";") and words[3:5] == ["TABLE", "DATA"]:
            tables.add(words[6])
    return tables


def _pg_connection(connection: BaseDatabaseWrapper, using: str) -> tuple[list[str], dict]:
    """pg_dump's and pg_restore's connection, as Django's: host, port, user and
    database as options; the password (never on a command line, where `ps` shows
    it) and the TLS options in the environment."""
    settings = connection.settings_dict
    if not settings.get("NAME"):
        raise BackupError(NO_DATABASE_NAME.format(alias=using))
    arguments = []
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings.get(key):
            arguments.append(f"{option}={settings[key]}")
    arguments.append(f"--dbname={settings['NAME']}")
    environment = dict(os.environ)
    if settings.get("PASSWORD"):
        environment["PGPASSWORD"] = str(settings["PASSWORD"])
    for option, variable in LIBPQ_ENVIRONMENT.items():
        if settings.get("OPTIONS", {}).get(option) is not None:
            environment[variable] = str(settings["OPTIONS"][option])
    return arguments, environment


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(TOOL_MISSING.format(tool=name))
    return str(Path(found).absolute())


def _run(command: list[str], environment: dict) -> subprocess.CompletedProcess:
    result = subprocess.run(  # nosec B603  # an absolute path and an argument list, no shell
        command,
        env=environment,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        output = " ".join(result.stderr.split())[-2000:] or "no message"
        raise BackupError(
            TOOL_FAILED.format(tool=Path(command[0]).name, status=result.returncode, output=output)
        )
    return result


# The restored database -------------------------------------------------------------------


def _connection(using: str) -> BaseDatabaseWrapper:
    try:
        return connections[using]
    except ConnectionDoesNotExist as error:
        raise BackupError(UNKNOWN_DATABASE.format(alias=using)) from error


def _engine(connection: BaseDatabaseWrapper, using: str) -> str:
    if connection.vendor not in ENGINES:
        raise BackupError(ENGINE_UNSUPPORTED.format(alias=using, vendor=connection.vendor))
    return ENGINES[connection.vendor]


def _count_rows(connection: BaseDatabaseWrapper) -> tuple[int, int]:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        rows = 0
        for table in tables:
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT COUNT(*) FROM {quoted}")  # nosec B608  # a table name from the database's catalogue, quoted
            rows += cursor.fetchone()[0]
    return len(tables), rows


def _unapplied_migrations(connection: BaseDatabaseWrapper) -> tuple[str, ...]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return tuple(f"{migration.app_label}.{migration.name}" for migration, _backwards in plan)
