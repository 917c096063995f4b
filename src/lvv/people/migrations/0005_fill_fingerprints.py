"""Fingerprints for every person registered before the national duplicate check became pseudonymous
(issue 7 §3). The key comes from the settings (`LVV_DUPLICATE_KEY`, outside the database)."""

from django.conf import settings
from django.db import migrations


def fill(apps, schema_editor):
    from lvv.people.fingerprints import fingerprints_rebuild

    fingerprints_rebuild(
        person_model=apps.get_model("people", "Person"),
        alias_model=apps.get_model("people", "Alias"),
        fingerprint_model=apps.get_model("people", "PersonFingerprint"),
        key=settings.LVV_DUPLICATE_KEY,
    )


def empty(apps, schema_editor):
    apps.get_model("people", "PersonFingerprint").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0004_person_fingerprint"),
    ]

    operations = [
        migrations.RunPython(fill, empty),
    ]
