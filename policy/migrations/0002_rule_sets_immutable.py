"""Published rule sets are immutable in the database itself: an UPDATE fails.

A submission's ``rules_version`` must keep naming the rules it was decided with; a new version
is a new row. DELETE stays possible (a project's removal cascades).
"""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION policy_policyruleset_refuse_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'published policy rule sets are immutable (UPDATE refused); publish a new version'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER policy_policyruleset_immutable
    BEFORE UPDATE ON policy_policyruleset
    FOR EACH ROW EXECUTE FUNCTION policy_policyruleset_refuse_update();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS policy_policyruleset_immutable ON policy_policyruleset;
DROP FUNCTION IF EXISTS policy_policyruleset_refuse_update();
"""
SQLITE_UP = (
    "CREATE TRIGGER policy_policyruleset_no_update BEFORE UPDATE ON policy_policyruleset "
    "BEGIN SELECT RAISE(ABORT, 'published policy rule sets are immutable (UPDATE refused)'); END;"
)
SQLITE_DOWN = "DROP TRIGGER IF EXISTS policy_policyruleset_no_update;"


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("policy", "0001_policy_storage")]
    operations = [migrations.RunPython(install, uninstall)]
