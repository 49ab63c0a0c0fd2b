"""The dashboard's status filter and review queue: (project, status, created_at, id), built
CONCURRENTLY so a large submissions table stays writable while it builds."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("submissions", "0007_reviewer_email"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="submission",
            index=models.Index(fields=["project", "status", "created_at", "id"], name="submission_status_idx"),
        ),
    ]
