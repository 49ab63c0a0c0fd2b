"""The Event Log is append-only in the database itself (G23): UPDATE and DELETE fail.

A database superuser can still disable the trigger; ``manage.py verify_audit_chain`` then
finds any edited or removed row through the hash chain.
"""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION projects_auditevent_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the Event Log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER projects_auditevent_append_only
    BEFORE UPDATE OR DELETE ON projects_auditevent
    FOR EACH ROW EXECUTE FUNCTION projects_auditevent_refuse_change();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS projects_auditevent_append_only ON projects_auditevent;
DROP FUNCTION IF EXISTS projects_auditevent_refuse_change();
"""
SQLITE_UP = [
    "CREATE TRIGGER projects_auditevent_no_update BEFORE UPDATE ON projects_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'the Event Log is append-only (UPDATE refused)'); END;",
    "CREATE TRIGGER projects_auditevent_no_delete BEFORE DELETE ON projects_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'the Event Log is append-only (DELETE refused)'); END;",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS projects_auditevent_no_update;",
    "DROP TRIGGER IF EXISTS projects_auditevent_no_delete;",
]


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("projects", "0002_initial")]
    operations = [migrations.RunPython(install, uninstall)]
