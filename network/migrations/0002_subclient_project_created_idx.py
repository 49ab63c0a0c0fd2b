"""The Preverification pages list a project's clients newest first, keyset-paginated by
(created_at, id): (project, created_at, id) serves that order without sorting every row of the
project (75 ms a page at 100k rows without it; docs/preverification.md).

Built CONCURRENTLY on PostgreSQL so a large table stays writable while it builds, a plain index
on the embedded SQLite demo. It is created outside the migration state (the model's Meta does
not list it) and dropped by the reverse step."""

from django.db import migrations

INDEX = "subclient_project_created_idx"
TABLE = "network_submissionclient"


def create_index(apps, schema_editor):
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"CREATE INDEX {concurrently}IF NOT EXISTS {INDEX} ON {TABLE} (project_id, created_at, id)")


def drop_index(apps, schema_editor):
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"DROP INDEX {concurrently}IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("network", "0001_ip_ranges_and_clients"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
