"""``python -m tests.faults.seed --credits N --webhook URL``: one drill's project, made through the
services in the drills' own database (DATABASE_URL), printed as JSON: its pid, primary key, API
key and webhook secret. Run as a child process because the test process itself is connected to
no database of the drills (pytest-django's test database lives on the shared server)."""

from __future__ import annotations

import argparse
import json
import os
import sys

import django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--credits", type=int, required=True)
    parser.add_argument("--webhook", required=True)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "idcheck.settings")
    django.setup()

    from projects.actors import Actor
    from projects.services import api_key_issue
    from projects.services.projects import project_create
    from webhooks.services import webhook_endpoint_set, webhook_secrets_live

    actor = Actor.system("drill")
    project = project_create(name="fault drill", owner=None, actor=actor, credits=args.credits)
    key = api_key_issue(project=project, actor=actor)
    endpoint = webhook_endpoint_set(project=project, url=args.webhook)
    json.dump({"pid": project.pid, "id": project.pk, "key": key.plaintext,
               "secret": webhook_secrets_live(endpoint)[0]}, sys.stdout)  # fmt: skip


if __name__ == "__main__":
    main()
