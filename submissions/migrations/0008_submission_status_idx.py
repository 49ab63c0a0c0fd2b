"""The dashboard's status filter and review queue: (project, status, created_at, id), built
CONCURRENTLY on PostgreSQL so a large submissions table stays writable while it builds (a plain
index on the embedded SQLite demo)."""

from django.db import migrations, models

from idcheck.lib.migrations import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("submissions", "0007_reviewer_email"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="submission",
            index=models.Index(fields=["project", "status", "created_at", "id"], name="submission_status_idx"),
        ),
    ]
