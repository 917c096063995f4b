from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_build_chain")]

    operations = [
        migrations.AlterField(
            model_name="accesslogentry",
            name="seq",
            field=models.BigIntegerField(unique=True, verbose_name="volgnummer"),
        ),
    ]
