"""Bring the entries written before issue 7 into the new shape: the pseudonym recomputed with the
deployment's pseudonymisation key (it used to fall back to the secret key), the processing activity
derived from the page, and every entry numbered and linked into the hash chain in id order."""

from django.db import migrations


def build_chain(apps, schema_editor):
    from lvv.audit.activities import activity_for
    from lvv.audit.legacy_chain import entry_hash
    from lvv.audit.records import subject_pseudonym

    Entry = apps.get_model("audit", "AccessLogEntry")
    Chain = apps.get_model("audit", "AccessLogChain")
    prev, seq, last_id = "", 0, None
    for entry in Entry.objects.order_by("id").iterator(chunk_size=2000):
        seq += 1
        entry.seq = seq
        if entry.person_id is not None:
            entry.subject_pseudonym = subject_pseudonym(entry.person_id)
        entry.processing_activity = activity_for(entry.view_name).id
        entry.prev_hash = prev
        entry.entry_hash = prev = entry_hash(prev, entry)
        entry.save(update_fields=["seq", "subject_pseudonym", "processing_activity", "prev_hash", "entry_hash"])
        last_id = entry.pk
    Chain.objects.update_or_create(pk=1, defaults={"last_seq": seq, "last_hash": prev, "last_id": last_id})


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_ldv_fields_and_chain")]

    operations = [migrations.RunPython(build_chain, migrations.RunPython.noop)]
