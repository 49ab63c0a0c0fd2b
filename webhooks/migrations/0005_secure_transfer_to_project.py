"""Secure Data Transfer moves from the webhook endpoint to the project (projects 0012): each
endpoint's switch and cipher are copied to its project. Backwards, each project's values go back
to its endpoint; a project with the switch on but no endpoint has nowhere to keep it then, so
it falls back to off (the old schema could not express it)."""

from django.db import migrations


def forwards(apps, schema_editor):
    WebhookEndpoint = apps.get_model("webhooks", "WebhookEndpoint")
    Project = apps.get_model("projects", "Project")
    rows = WebhookEndpoint.objects.exclude(secure_transfer=False, secure_transfer_cipher="gcm")
    for project_id, switch, cipher in rows.values_list("project_id", "secure_transfer", "secure_transfer_cipher"):
        Project.objects.filter(pk=project_id).update(secure_transfer=switch, secure_transfer_cipher=cipher)


def backwards(apps, schema_editor):
    WebhookEndpoint = apps.get_model("webhooks", "WebhookEndpoint")
    Project = apps.get_model("projects", "Project")
    rows = Project.objects.exclude(secure_transfer=False, secure_transfer_cipher="gcm")
    for project_id, switch, cipher in rows.values_list("pk", "secure_transfer", "secure_transfer_cipher"):
        WebhookEndpoint.objects.filter(project_id=project_id).update(
            secure_transfer=switch, secure_transfer_cipher=cipher
        )


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0012_project_secure_transfer"),
        ("webhooks", "0004_recipients_and_summaries"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
