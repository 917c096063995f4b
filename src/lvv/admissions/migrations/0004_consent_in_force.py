"""The consent in force (admissions.consent): each declaration names its person, and the person's
latest declaration over all his trajectories is marked `in_force` (one per person). The admission
decision records an LSO decision to admit without consent for every party at the table."""

import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    Consent = apps.get_model("admissions", "Consent")
    latest: dict[int, int] = {}
    for consent in Consent.objects.select_related("trajectory").order_by("signed_on", "id").iterator(chunk_size=2000):
        consent.person_id = consent.trajectory.person_id
        consent.save(update_fields=["person"])
        latest[consent.person_id] = consent.pk  # ordered oldest first: the last one seen is the latest
    ids = list(latest.values())
    for start in range(0, len(ids), 500):
        Consent.objects.filter(pk__in=ids[start : start + 500]).update(in_force=True)


class Migration(migrations.Migration):
    dependencies = [
        ("admissions", "0003_consent_party_withdrawal"),
        ("people", "0006_version"),
        ("trajectories", "0004_documents_visibility_encryption"),
    ]

    operations = [
        migrations.AddField(
            model_name="consent",
            name="person",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="consents",
                to="people.person",
            ),
        ),
        migrations.AddField(
            model_name="consent",
            name="in_force",
            field=models.BooleanField(default=False, verbose_name="van kracht"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="consent",
            name="person",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="consents", to="people.person"
            ),
        ),
        migrations.AddConstraint(
            model_name="consent",
            constraint=models.UniqueConstraint(
                condition=models.Q(("in_force", True)), fields=("person",), name="one_consent_in_force_per_person"
            ),
        ),
        migrations.AddField(
            model_name="admissiondecision",
            name="consent_missing",
            field=models.CharField(blank=True, max_length=100, verbose_name="toestemming ontbrak voor"),
        ),
        migrations.AddField(
            model_name="admissiondecision",
            name="consent_exception_motivation",
            field=models.TextField(blank=True, verbose_name="motivering toelating zonder volledige toestemming"),
        ),
        migrations.AddConstraint(
            model_name="admissiondecision",
            constraint=models.CheckConstraint(
                condition=models.Q(("consent_missing", ""))
                | models.Q(models.Q(("consent_exception_motivation", ""), _negated=True), ("lso_meeting_date__isnull", False)),
                name="consent_exception_needs_motivation_and_meeting",
            ),
        ),
    ]
