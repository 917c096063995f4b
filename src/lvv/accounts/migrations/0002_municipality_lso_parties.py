import lvv.accounts.models
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="municipality",
            name="lso_parties",
            field=models.JSONField(
                blank=True, default=lvv.accounts.models.all_lso_parties, verbose_name="partijen aan tafel bij het LSO"
            ),
        ),
    ]
