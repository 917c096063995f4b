"""Access log after issue 7: Logboek Dataverwerkingen attributes, the hash chain and its head."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="accesslogentry",
            name="seq",
            field=models.BigIntegerField(null=True, verbose_name="volgnummer"),
        ),
        migrations.AddField(
            model_name="accesslogentry",
            name="end_at",
            field=models.DateTimeField(null=True, verbose_name="eindtijd"),
        ),
        migrations.AddField(
            model_name="accesslogentry",
            name="subject_id_type",
            field=models.CharField(default="lvv-persoon-hmac-sha256", max_length=40),
        ),
        migrations.AddField(
            model_name="accesslogentry",
            name="processing_activity",
            field=models.CharField(default="lvv-begeleiding", max_length=40, verbose_name="verwerkingsactiviteit"),
        ),
        migrations.AddField(
            model_name="accesslogentry",
            name="fields",
            field=models.TextField(blank=True, verbose_name="velden"),
        ),
        migrations.AddField(
            model_name="accesslogentry",
            name="trace_id",
            field=models.CharField(blank=True, max_length=32),
        ),
        migrations.AddField(
            model_name="accesslogentry",
            name="span_id",
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AddField(
            model_name="accesslogentry",
            name="status",
            field=models.CharField(
                choices=[("unset", "Niet gezet"), ("ok", "Uitgevoerd"), ("error", "Fout")], default="ok", max_length=10
            ),
        ),
        migrations.AddField(
            model_name="accesslogentry",
            name="prev_hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="accesslogentry",
            name="entry_hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.CreateModel(
            name="AccessLogChain",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("last_seq", models.BigIntegerField(default=0)),
                ("last_id", models.BigIntegerField(null=True)),
                ("last_hash", models.CharField(blank=True, max_length=64)),
                ("rebuilt_at", models.DateTimeField(null=True)),
            ],
            options={"verbose_name": "kop van de logketen"},
        ),
    ]
