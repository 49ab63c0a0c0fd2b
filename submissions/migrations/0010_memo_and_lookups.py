"""The reviewers' sealed memo and the e-mail / userid blind indexes (keyed hashes) that let the
dashboard and the API find a person's submissions without storing the values in clear. The
indexes are built CONCURRENTLY on PostgreSQL so a large table stays writable."""

from django.db import migrations, models

from idcheck.lib.migrations import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("submissions", "0009_liveform_handoff"),
    ]

    operations = [
        migrations.AddField(model_name="submission", name="sealed_memo",
                            field=models.BinaryField(editable=False, null=True)),
        migrations.AddField(model_name="submission", name="email_lookup",
                            field=models.CharField(blank=True, max_length=64)),
        migrations.AddField(model_name="submission", name="userid_lookup",
                            field=models.CharField(blank=True, max_length=64)),
        AddIndexConcurrentlyOnPostgres(
            model_name="submission",
            index=models.Index(condition=models.Q(("email_lookup", ""), _negated=True),
                               fields=["project", "email_lookup"], name="submission_email_lookup_idx"),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="submission",
            index=models.Index(condition=models.Q(("userid_lookup", ""), _negated=True),
                               fields=["project", "userid_lookup"], name="submission_userid_lookup_idx"),
        ),
    ]
