"""`lvv backup` and `lvv restore`: a database-independent archive of every table (docs/beheer.md).

The archive is a zip file with `manifest.json` and one JSON-lines file per table
(`tabellen/<table>.jsonl`): the first line names the columns, every further line is one row, as
stored (raw column values read with SELECT, so encrypted fields stay encrypted and the access log's
hashes stay exactly as they are). The manifest holds the format version, the lvv version, when
the backup was made, the database kind, the applied migrations per app, and per table the row
count and the SHA-256 of its file.

Restore checks the whole archive first (checksums, row counts, format, database kind, migration
state), then, in ONE transaction, empties every table and inserts the rows with their own ids;
on PostgreSQL it resets the id sequences afterwards. Nothing changes when any check fails.

The keys (LVV_SECRET_KEY, LVV_AUDIT_KEY, LVV_PSEUDONYM_KEY, LVV_DUPLICATE_KEY, LVV_FIELD_KEYS) are
not in the archive; the manifest only holds a check value per key (an HMAC of a fixed text), so
restore can warn when the keys in use differ from those of the backup. Encrypted fields are copied
as the ciphertext they are in the database (rows are read and written with plain SQL): the archive
alone does not reveal notes, minutes or documents without LVV_FIELD_KEYS."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import hashlib
import hmac
import json
import uuid
import zipfile
import zlib
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder

from lvv.core import clock
from lvv.core.exceptions import ApplicationError

FORMAT = "lvv-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
TABLE_DIR = "tabellen"

#: Tables left out: sessions are bound to the server's secret key and end with a restore anyway.
EXCLUDED_TABLES = frozenset({"django_session"})

#: Tables a freshly migrated database already fills (`lvv migrate`: content types, permissions and
#: the reference data). A database with rows only in these counts as empty for a restore.
SCHEMA_MODELS = frozenset(
    {
        "contenttypes.ContentType",
        "auth.Permission",
        "accounts.Region",
        "accounts.Municipality",
        "accounts.Organisation",
        "admissions.CheckKind",
        "admissions.CriterionRule",
        "meetings.ProgressPolicy",
        "meetings.StepTemplate",
        "shelter.Location",
        "trajectories.Instrument",
        "trajectories.OutcomeCategory",
        "trajectories.OutcomeCode",
    }
)

#: Keys kept outside the database; the manifest stores only a check value for each.
KEYS = ("SECRET_KEY", "LVV_AUDIT_KEY", "LVV_PSEUDONYM_KEY", "LVV_DUPLICATE_KEY")
KEY_NAMES = {"SECRET_KEY": "LVV_SECRET_KEY"}

BATCH = 1000


class BackupError(ApplicationError):
    """A backup or restore that cannot go ahead; the message is Dutch and names the cause."""


# --- tables -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    name: str
    label: str
    columns: tuple[str, ...]
    pk: str
    model: type = field(compare=False, repr=False)


def tables(using: str = DEFAULT_DB_ALIAS) -> list[Table]:
    """Every concrete table of the installed models (many-to-many tables included), in dependency
    order as far as it goes (foreign keys are checked at commit anyway), sorted by name otherwise."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    found: dict[str, Table] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in EXCLUDED_TABLES or meta.db_table not in existing:
            continue
        columns = tuple(f.column for f in meta.concrete_fields)
        found[meta.db_table] = Table(meta.db_table, meta.label, columns, meta.pk.column, model)
    return _dependency_order(found)


def _dependency_order(found: dict[str, Table]) -> list[Table]:
    ordered: list[Table] = []
    seen: set[str] = set()

    def visit(name: str, path: tuple[str, ...] = ()) -> None:
        if name in seen or name in path or name not in found:
            return
        for f in found[name].model._meta.concrete_fields:
            if f.is_relation and f.related_model is not None:
                visit(f.related_model._meta.db_table, (*path, name))
        seen.add(name)
        ordered.append(found[name])

    for name in sorted(found):
        visit(name)
    return ordered


# --- values -----------------------------------------------------------------------------------


def _encode(value):
    """A raw column value as JSON; types JSON lacks are tagged so they come back as they were."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$d": value.isoformat()}
    if isinstance(value, dt.time):
        return {"$t": value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {"$td": [value.days, value.seconds, value.microseconds]}
    if isinstance(value, decimal.Decimal):
        return {"$dec": str(value)}
    if isinstance(value, uuid.UUID):
        return {"$uuid": str(value)}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$b64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict | list):
        return {"$json": json.dumps(value, ensure_ascii=False, sort_keys=True)}
    raise BackupError(f"Waarde van onbekend type {type(value).__name__} kan niet in de reservekopie.")


def _decode(value, vendor: str):
    if not isinstance(value, dict):
        return value
    (tag, raw), *_ = value.items()
    if tag == "$dt":
        return dt.datetime.fromisoformat(raw)
    if tag == "$d":
        return dt.date.fromisoformat(raw)
    if tag == "$t":
        return dt.time.fromisoformat(raw)
    if tag == "$td":
        return dt.timedelta(days=raw[0], seconds=raw[1], microseconds=raw[2])
    if tag == "$dec":
        return decimal.Decimal(raw)
    if tag == "$uuid":
        return uuid.UUID(raw)
    if tag == "$b64":
        return base64.b64decode(raw)
    if tag == "$json":
        if vendor == "postgresql":
            from psycopg.types.json import Jsonb

            return Jsonb(json.loads(raw))
        return raw
    raise BackupError(f"Onbekende waarde in de reservekopie: {tag}.")


# --- state of the database --------------------------------------------------------------------


def migration_state(using: str = DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    """The applied migrations per app, sorted."""
    state: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connections[using]).applied_migrations()):
        state.setdefault(app, []).append(name)
    return state


def _check_value(key: str) -> str:
    return hmac.new(key.encode(), b"lvv-backup-sleutelcontrole", hashlib.sha256).hexdigest()[:16]


def _field_keys() -> list[str]:
    keys = getattr(settings, "LVV_FIELD_KEYS", None) or []
    return [k.strip() for k in (keys.split(",") if isinstance(keys, str) else keys) if k.strip()]


def key_check_values() -> dict[str, str]:
    """Per key a short HMAC of a fixed text: shows whether two installations use the same key
    without revealing it. For LVV_FIELD_KEYS: the key that encrypted the newest rows (the first)."""
    values = {KEY_NAMES.get(name, name): _check_value(getattr(settings, name, "") or "") for name in KEYS}
    field_keys = _field_keys()
    values["LVV_FIELD_KEYS"] = _check_value(field_keys[0]) if field_keys else ""
    return values


def _lvv_version() -> str:
    try:
        return version("lvv")
    except PackageNotFoundError:
        return "onbekend"


def _quote(connection, name: str) -> str:
    return connection.ops.quote_name(name)


def row_counts(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    connection = connections[using]
    counts = {}
    with connection.cursor() as cursor:
        for table in tables(using):
            cursor.execute(f"SELECT COUNT(*) FROM {_quote(connection, table.name)}")  # noqa: S608  # nosec B608 - quoted names from the models
            counts[table.name] = cursor.fetchone()[0]
    return counts


def holds_data(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Labels of the tables outside the schema and reference data that hold rows."""
    by_name = {t.name: t for t in tables(using)}
    return sorted(
        by_name[name].label
        for name, count in row_counts(using).items()
        if count and by_name[name].label not in SCHEMA_MODELS
    )


# --- backup -----------------------------------------------------------------------------------


@dataclass
class Summary:
    path: Path
    tables: int
    rows: int
    manifest: dict


def _dump_table(connection, table: Table, member) -> tuple[str, int]:
    """Stream one table into an archive member; (SHA-256 of what was written, row count)."""
    quoted = ", ".join(_quote(connection, c) for c in table.columns)
    sql = f"SELECT {quoted} FROM {_quote(connection, table.name)} ORDER BY {_quote(connection, table.pk)}"  # noqa: S608  # nosec B608 - quoted names from the models
    digest = hashlib.sha256()

    def write(data: bytes) -> None:
        digest.update(data)
        member.write(data)

    write(json.dumps(list(table.columns)).encode() + b"\n")
    count = 0
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(BATCH):
            write(b"".join(json.dumps([_encode(v) for v in row], ensure_ascii=False).encode() + b"\n" for row in rows))
            count += len(rows)
    return digest.hexdigest(), count


def backup(path: str | Path, using: str = DEFAULT_DB_ALIAS) -> Summary:
    """Write every table to the archive at `path`, from one consistent snapshot of the database.
    Tables are streamed into the archive, so its size is not limited by memory."""
    path = Path(path)
    connection = connections[using]
    entries: dict[str, dict] = {}
    tmp = path.with_name(path.name + ".deel")
    # One transaction, so every table is read from the same snapshot: SQLite's transaction holds
    # the lock; PostgreSQL needs REPEATABLE READ for that (READ COMMITTED sees each query's own
    # moment). The level can only be set at the start of an outermost transaction.
    outermost = not connection.in_atomic_block
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            with transaction.atomic(using=using):
                if connection.vendor == "postgresql" and outermost:
                    with connection.cursor() as cursor:
                        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                state = migration_state(using)
                for table in tables(using):
                    name = f"{TABLE_DIR}/{table.name}.jsonl"
                    with archive.open(name, "w", force_zip64=True) as member:
                        sha256, count = _dump_table(connection, table, member)
                    entries[table.name] = {"model": table.label, "bestand": name, "rijen": count, "sha256": sha256}
            manifest = {
                "formaat": FORMAT,
                "formaatversie": FORMAT_VERSION,
                "lvv_versie": _lvv_version(),
                "gemaakt_op": clock.now().astimezone(dt.UTC).isoformat(),
                "database": connection.vendor,
                "migraties": state,
                "sleutelcontrole": key_check_values(),
                "tabellen": entries,
            }
            archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(path)
    return Summary(path, len(entries), sum(e["rijen"] for e in entries.values()), manifest)


# --- restore ----------------------------------------------------------------------------------


def _damaged(path, exc) -> BackupError:
    return BackupError(f"Reservekopie {path} is beschadigd of onleesbaar ({exc}).")


_READ_ERRORS = (zipfile.BadZipFile, zlib.error, KeyError, ValueError, TypeError, OSError, EOFError)


def read_archive(path: str | Path) -> dict:
    """The manifest, after checking the format and every table file's checksum and row count
    (read in chunks, nothing kept in memory)."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"Reservekopie {path} bestaat niet.")
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read(MANIFEST))
            if manifest.get("formaat") != FORMAT:
                raise BackupError(f"{path} is geen reservekopie van lvv.")
            if manifest.get("formaatversie") != FORMAT_VERSION:
                raise BackupError(
                    f"Reservekopie heeft formaatversie {manifest.get('formaatversie')}; "
                    f"deze versie van lvv leest alleen versie {FORMAT_VERSION}."
                )
            for name, entry in manifest["tabellen"].items():
                digest, lines = hashlib.sha256(), 0
                with archive.open(entry["bestand"]) as member:
                    while chunk := member.read(1 << 20):
                        digest.update(chunk)
                        lines += chunk.count(b"\n")
                _check_table(name, entry, digest.hexdigest(), lines - 1)
    except BackupError:
        raise
    except _READ_ERRORS as exc:
        raise _damaged(path, exc) from exc
    return manifest


def _check_table(name: str, entry: dict, sha256: str, rows: int) -> None:
    if sha256 != entry["sha256"]:
        raise BackupError(f"Reservekopie is beschadigd: de controlesom van tabel {name} klopt niet.")
    if rows != entry["rijen"]:
        raise BackupError(f"Reservekopie is beschadigd: het aantal rijen van tabel {name} klopt niet.")


@dataclass
class RestoreResult:
    tables: int
    rows: int
    key_warnings: list[str]
    created_at: str


def check_compatible(manifest: dict, using: str = DEFAULT_DB_ALIAS) -> list[Table]:
    """The target's tables, after checking database kind, migration state and table layout."""
    connection = connections[using]
    if manifest["database"] != connection.vendor:
        raise BackupError(
            f"Reservekopie komt uit een {manifest['database']}-database; terugzetten kan alleen in "
            f"hetzelfde soort database (nu: {connection.vendor})."
        )
    here = migration_state(using)
    theirs = manifest["migraties"]
    if here != theirs:
        differ = sorted(app for app in set(here) | set(theirs) if here.get(app) != theirs.get(app))
        raise BackupError(
            "De migratiestand van de database verschilt van die van de reservekopie (apps: "
            + ", ".join(differ)
            + "). Zet de reservekopie terug met de lvv-versie waarmee hij is gemaakt "
            f"({manifest.get('lvv_versie', 'onbekend')}), of migreer eerst naar dezelfde stand."
        )
    target = tables(using)
    names = {t.name for t in target}
    missing = sorted(set(manifest["tabellen"]) - names)
    if missing:
        raise BackupError("Tabellen uit de reservekopie ontbreken in de database: " + ", ".join(missing) + ".")
    return target


def _insert_table(connection, cursor, table: Table, member, entry: dict) -> int:
    """Insert one table's rows from its archive member; checks the checksum again on the way (the
    file could have changed since it was checked), so a mismatch rolls everything back."""
    digest = hashlib.sha256()
    header = member.readline()
    digest.update(header)
    columns = json.loads(header)
    if tuple(columns) != table.columns:
        raise BackupError(f"De kolommen van tabel {table.name} in de reservekopie passen niet bij de database.")
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608  # nosec B608 - quoted names from the models
        _quote(connection, table.name),
        ", ".join(_quote(connection, c) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    rows, batch = 0, []
    for line in member:
        digest.update(line)
        batch.append([_decode(v, connection.vendor) for v in json.loads(line)])
        if len(batch) >= BATCH:
            cursor.executemany(sql, batch)
            rows, batch = rows + len(batch), []
    if batch:
        cursor.executemany(sql, batch)
        rows += len(batch)
    _check_table(table.name, entry, digest.hexdigest(), rows)
    return rows


def restore(path: str | Path, *, replace: bool = False, using: str = DEFAULT_DB_ALIAS) -> RestoreResult:
    """Put the archive back: everything or nothing. Refuses a database that already holds data
    unless `replace` (`--ja`) is given."""
    manifest = read_archive(path)
    connection = connections[using]
    target = check_compatible(manifest, using)
    entries = manifest["tabellen"]
    rows = 0
    try:
        with zipfile.ZipFile(path) as archive, transaction.atomic(using=using):
            for table in target:
                if table.name in entries:
                    with archive.open(entries[table.name]["bestand"]) as member:
                        if tuple(json.loads(member.readline())) != table.columns:
                            raise BackupError(
                                f"De kolommen van tabel {table.name} in de reservekopie passen niet bij de database."
                            )
            occupied = holds_data(using)
            if occupied and not replace:
                raise BackupError(
                    "De database bevat al gegevens ("
                    + ", ".join(occupied[:5])
                    + (", …" if len(occupied) > 5 else "")
                    + "). Terugzetten vervangt alles: geef --ja om dat te bevestigen."
                )
            with connection.cursor() as cursor:
                # Empty every table (children first). DELETE, not an ORM delete: the access log
                # refuses the ORM's deletes, and its database trigger only refuses UPDATE.
                for table in reversed(target):
                    cursor.execute(f"DELETE FROM {_quote(connection, table.name)}")  # noqa: S608  # nosec B608 - quoted names from the models
                for table in target:
                    if table.name in entries:
                        with archive.open(entries[table.name]["bestand"]) as member:
                            rows += _insert_table(connection, cursor, table, member, entries[table.name])
                for statement in connection.ops.sequence_reset_sql(no_style(), [t.model for t in target]):
                    cursor.execute(statement)
            # Foreign keys are deferred; check them now so a broken archive fails inside the
            # transaction with a clear message instead of at commit.
            try:
                connection.check_constraints(table_names=[t.name for t in target])
            except Exception as exc:
                raise BackupError(f"Reservekopie is niet consistent: {exc}") from exc
    except BackupError:
        raise
    except _READ_ERRORS as exc:
        raise _damaged(path, exc) from exc
    here = key_check_values()
    theirs = manifest.get("sleutelcontrole", {})
    warnings = [
        name for name, value in here.items() if name != "LVV_FIELD_KEYS" and theirs.get(name) not in (None, value)
    ]
    # Field keys rotate: the backup's encrypting key must be among the keys in use (any position).
    if theirs.get("LVV_FIELD_KEYS") and theirs["LVV_FIELD_KEYS"] not in {_check_value(k) for k in _field_keys()}:
        warnings.append("LVV_FIELD_KEYS")
    return RestoreResult(len(entries), rows, warnings, manifest.get("gemaakt_op", ""))
