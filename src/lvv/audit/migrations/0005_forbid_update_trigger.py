"""A database trigger that refuses any UPDATE of an access-log row, on SQLite and PostgreSQL.

DELETE is not refused by a trigger: Django's test flush and a restore empty the table, and a removed
row is found by the hash chain (`lvv manage lvv_audit_verify`). On SQLite a later migration that
rebuilds this table drops the trigger; `audit/tests/test_chain.py` fails then, so re-create it."""

from django.db import migrations

SQLITE_CREATE = [
    """CREATE TRIGGER IF NOT EXISTS audit_accesslogentry_no_update BEFORE UPDATE ON audit_accesslogentry
    BEGIN SELECT RAISE(ABORT, 'Het toegangslog is alleen-toevoegen'); END""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS audit_accesslogentry_no_update"]
POSTGRES_CREATE = [
    """CREATE OR REPLACE FUNCTION audit_accesslogentry_no_update() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'Het toegangslog is alleen-toevoegen'; END; $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS audit_accesslogentry_no_update ON audit_accesslogentry",
    """CREATE TRIGGER audit_accesslogentry_no_update BEFORE UPDATE ON audit_accesslogentry
    FOR EACH ROW EXECUTE FUNCTION audit_accesslogentry_no_update()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS audit_accesslogentry_no_update ON audit_accesslogentry",
    "DROP FUNCTION IF EXISTS audit_accesslogentry_no_update()",
]


def _run(sql_by_vendor):
    def run(apps, schema_editor):
        for statement in sql_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_seq_required")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
