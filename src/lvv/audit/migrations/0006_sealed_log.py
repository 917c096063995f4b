"""From the hash chain to the sealed log (docs/adr/0004-access-log-sealing.md).

Before: every append locked the chain head and linked the row to the previous one. After: a row is
a plain insert with its own MAC; a sealer numbers rows later and signs Merkle tree heads.

The conversion, in one transaction:
1. checks the old chain as `lvv audit-verify` did, and counts what it finds;
2. strips the query string from every stored path (a search for a V-nummer or a name was stored in
   clear beside the pseudonym; docs/logboek.md says it may not be), and gives every row its MAC;
3. seals all existing rows under one seal whose note records the old chain's state, the number of
   paths stripped and the date: the change to old rows is itself on record, signed.

The UPDATE trigger is replaced: a row may get its `seq` once, from empty, and nothing else; a seal
may not be changed at all."""

import django.utils.timezone
from django.db import migrations, models

ENTRY_COLUMNS = (
    "id",
    "at",
    "end_at",
    "user_id",
    "username",
    "organisation",
    "role",
    "action",
    "subject_pseudonym",
    "subject_id_type",
    "person_id",
    "path",
    "view_name",
    "purpose",
    "processing_activity",
    "fields",
    "trace_id",
    "span_id",
    "status",
    "entry_hash",
)
_CHANGED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in ENTRY_COLUMNS)
MESSAGE = "Het toegangslog is alleen-toevoegen"

SQLITE_DROP_OLD = ["DROP TRIGGER IF EXISTS audit_accesslogentry_no_update"]
POSTGRES_DROP_OLD = [
    "DROP TRIGGER IF EXISTS audit_accesslogentry_no_update ON audit_accesslogentry",
    "DROP FUNCTION IF EXISTS audit_accesslogentry_no_update()",
]
SQLITE_CREATE = [
    "DROP TRIGGER IF EXISTS audit_accesslogentry_no_update",
    f"""CREATE TRIGGER audit_accesslogentry_no_update BEFORE UPDATE ON audit_accesslogentry
    WHEN OLD.seq IS NOT NULL OR NEW.seq IS NULL OR {_CHANGED}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    "DROP TRIGGER IF EXISTS audit_accesslogseal_no_update",
    f"""CREATE TRIGGER audit_accesslogseal_no_update BEFORE UPDATE ON audit_accesslogseal
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_accesslogentry_no_update",
    "DROP TRIGGER IF EXISTS audit_accesslogseal_no_update",
]
POSTGRES_CREATE = [
    f"""CREATE OR REPLACE FUNCTION audit_accesslogentry_no_update() RETURNS trigger AS $$
    BEGIN
        IF OLD.seq IS NULL AND NEW.seq IS NOT NULL AND (to_jsonb(NEW) - 'seq') = (to_jsonb(OLD) - 'seq') THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION '{MESSAGE}';
    END; $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS audit_accesslogentry_no_update ON audit_accesslogentry",
    """CREATE TRIGGER audit_accesslogentry_no_update BEFORE UPDATE ON audit_accesslogentry
    FOR EACH ROW EXECUTE FUNCTION audit_accesslogentry_no_update()""",
    f"""CREATE OR REPLACE FUNCTION audit_accesslogseal_no_update() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS audit_accesslogseal_no_update ON audit_accesslogseal",
    """CREATE TRIGGER audit_accesslogseal_no_update BEFORE UPDATE ON audit_accesslogseal
    FOR EACH ROW EXECUTE FUNCTION audit_accesslogseal_no_update()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS audit_accesslogentry_no_update ON audit_accesslogentry",
    "DROP FUNCTION IF EXISTS audit_accesslogentry_no_update()",
    "DROP TRIGGER IF EXISTS audit_accesslogseal_no_update ON audit_accesslogseal",
    "DROP FUNCTION IF EXISTS audit_accesslogseal_no_update()",
]


def _run(sql_by_vendor):
    def run(apps, schema_editor):
        for statement in sql_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


def convert(apps, schema_editor):
    from lvv.audit import legacy_chain, merkle
    from lvv.audit.records import canonical, entry_mac
    from lvv.audit.sealing import _signing_key, encode_ids, signed_content

    Entry = apps.get_model("audit", "AccessLogEntry")
    Chain = apps.get_model("audit", "AccessLogChain")
    Seal = apps.get_model("audit", "AccessLogSeal")
    if not Entry.objects.exists():
        return
    problems, expected, prev, stripped, count = 0, 1, "", 0, 0
    tree, ids = merkle.Frontier(), []
    for entry in Entry.objects.order_by("seq", "id").iterator(chunk_size=2000):
        # 1. the old chain, as `lvv audit-verify` checked it
        if entry.seq != expected or entry.prev_hash != prev or entry.entry_hash != legacy_chain.entry_hash(
            entry.prev_hash, entry
        ):
            problems += 1
        prev, expected = entry.entry_hash, entry.seq + 1
        # 2. no query string; numbered again without gaps; the row's own MAC
        if "?" in entry.path:
            entry.path = entry.path.split("?", 1)[0]
            stripped += 1
        count += 1
        entry.seq = count
        entry.entry_hash = entry_mac(entry)
        entry.save(update_fields=["seq", "path", "entry_hash"])
        tree.append(canonical(entry))
        ids.append(entry.pk)
    head = Chain.objects.filter(pk=1).first()
    if head is None or head.last_seq != expected - 1 or head.last_hash != prev:
        problems += 1
    now = django.utils.timezone.now()
    state = "in orde" if not problems else f"NIET in orde ({problems} afwijking(en); zie de uitvoer van de oude controle)"
    note = (
        f"Overgezet uit de hashketen (migratie audit.0006) op {now:%Y-%m-%d %H:%M} UTC: {count} regels. "
        f"Oude keten bij het overzetten: {state}. Uit {stripped} paden is de querystring verwijderd "
        "(zoektermen horen niet in het log); daarna kreeg elke regel zijn eigen MAC."
    )
    seal = Seal(
        tree_size=count,
        first_seq=1,
        root_hash=tree.root().hex(),
        frontier=tree.hex(),
        entry_ids=encode_ids(ids),
        sealed_at=now,
        note=note,
    )
    seal.signature = _signing_key().sign(signed_content(seal)).hex()
    seal.save()


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_forbid_update_trigger")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_DROP_OLD, "postgresql": POSTGRES_DROP_OLD}), migrations.RunPython.noop
        ),
        migrations.AlterField(
            model_name="accesslogentry",
            name="seq",
            field=models.BigIntegerField(blank=True, null=True, unique=True, verbose_name="volgnummer"),
        ),
        migrations.CreateModel(
            name="AccessLogSeal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("tree_size", models.BigIntegerField(unique=True, verbose_name="aantal verzegelde regels")),
                ("first_seq", models.BigIntegerField(verbose_name="eerste volgnummer")),
                ("root_hash", models.CharField(max_length=64)),
                ("frontier", models.JSONField(default=list)),
                ("entry_ids", models.TextField(blank=True)),
                ("sealed_at", models.DateTimeField(verbose_name="verzegeld op")),
                ("note", models.TextField(blank=True, verbose_name="toelichting")),
                ("signature", models.CharField(max_length=128)),
            ],
            options={
                "verbose_name": "zegel van het toegangslog",
                "verbose_name_plural": "zegels van het toegangslog",
                "ordering": ["tree_size"],
            },
        ),
        migrations.RunPython(convert, migrations.RunPython.noop),
        migrations.RemoveField(model_name="accesslogentry", name="prev_hash"),
        migrations.DeleteModel(name="AccessLogChain"),
        migrations.AddIndex(
            model_name="accesslogentry",
            index=models.Index(condition=models.Q(("seq__isnull", True)), fields=["id"], name="audit_entry_unsealed"),
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        ),
    ]
