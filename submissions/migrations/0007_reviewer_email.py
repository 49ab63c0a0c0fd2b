"""A manual review records who decided: the admin's e-mail, up to 254 characters (spec §3.1 ``reviewer``)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("submissions", "0006_liveness_capture"),
    ]

    operations = [
        migrations.AlterField(
            model_name="submission",
            name="reviewer",
            field=models.CharField(blank=True, max_length=254),
        ),
    ]
