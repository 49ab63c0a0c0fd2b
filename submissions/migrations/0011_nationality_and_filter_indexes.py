"""The document's nationality as a plain code for the dashboard's filter, and indexes that keep
the nationality, issuing-country and ID-type filters keyset-paged: (project, value, created_at,
id), partial (rows without the value are never asked for), built CONCURRENTLY on PostgreSQL so
a large submissions table stays writable while they build."""

from django.db import migrations, models

from idcheck.lib.migrations import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("submissions", "0010_memo_and_lookups"),
    ]

    operations = [
        migrations.AddField(model_name="submission", name="nationality",
                            field=models.CharField(blank=True, max_length=3)),
        AddIndexConcurrentlyOnPostgres(
            model_name="submission",
            index=models.Index(condition=models.Q(("nationality", ""), _negated=True),
                               fields=["project", "nationality", "created_at", "id"],
                               name="submission_nationality_idx"),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="submission",
            index=models.Index(condition=models.Q(("claimed_issuing_country", ""), _negated=True),
                               fields=["project", "claimed_issuing_country", "created_at", "id"],
                               name="submission_country_idx"),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="submission",
            index=models.Index(condition=models.Q(("claimed_id_type", ""), _negated=True),
                               fields=["project", "claimed_id_type", "created_at", "id"],
                               name="submission_id_type_idx"),
        ),
    ]
