"""The Celery app and the queue names every task states explicitly.

``pipeline`` carries heavy verification work (few workers, where the CPU/GPU is),
``webhooks`` carries outbound delivery (I/O, many workers), ``default`` the rest. A slow
OCR run therefore never delays a webhook.
"""

from __future__ import annotations

import enum
import logging
import os

import kombu.exceptions
from celery import Celery, Task
from celery.schedules import crontab
from kombu import Queue as KombuQueue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "idcheck.settings")
logger = logging.getLogger("idcheck.tasks")


class Queue(enum.StrEnum):
    DEFAULT = "default"
    PIPELINE = "pipeline"
    WEBHOOKS = "webhooks"


app = Celery("idcheck")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [KombuQueue(queue.value) for queue in Queue]
app.autodiscover_tasks()

# Periodic jobs, declared here and nowhere else; run them with `celery -A idcheck beat`.
app.conf.beat_schedule = {
    # every minute (crontab.guru: "* * * * *"): re-queue verification runs whose worker died
    # and re-send runs whose queue message may have been lost (submissions.services.process).
    "submissions-requeue-stuck": {
        "task": "submissions.tasks.submissions_requeue_stuck_task",
        "schedule": 60.0,
        "options": {"queue": Queue.DEFAULT.value},
    },
    # every minute (crontab.guru: "* * * * *"): re-send Liveform address injections whose
    # checks' queue message may have been lost (submissions.services.injection).
    "injections-requeue-stuck": {
        "task": "submissions.tasks.injections_requeue_stuck_task",
        "schedule": 60.0,
        "options": {"queue": Queue.DEFAULT.value},
    },
    # every five minutes (crontab.guru: "*/5 * * * *"): incomplete submissions past the
    # project's timeout (24 h by default) are rejected `timeout` (spec §3.3, §8.3); a few
    # minutes late is within the spec's "about 24 hours". Also `manage.py expire_incomplete`.
    "submissions-expire-incomplete": {
        "task": "submissions.tasks.submissions_expire_incomplete_task",
        "schedule": 300.0,
        "options": {"queue": Queue.DEFAULT.value},
    },
    # every five minutes (crontab.guru: "*/5 * * * *"), the spec's token cleanup interval
    # (§6.5): private-mode tokens expire by time, old expired ones are deleted.
    "expire-liveform-tokens": {
        "task": "submissions.tasks.liveform_tokens_expire_due_task",
        "schedule": 300.0,
        "options": {"queue": Queue.DEFAULT.value},
    },
    # every 5 seconds (crontab.guru cannot say it; the shortest retry step is 5 s): send the
    # webhook deliveries that are due, including those whose worker died (webhooks.services).
    "webhooks-sweep-due": {
        "task": "webhooks.tasks.webhook_deliveries_sweep_task",
        "schedule": 5.0,
        "options": {"queue": Queue.WEBHOOKS.value},
    },
    # at 00:05 UTC (crontab.guru: "5 0 * * *"): yesterday's webhook summary e-mail per project
    # (sent, failed, dead-lettered per trigger), at most once per project and day.
    "webhooks-daily-summary": {
        "task": "webhooks.tasks.webhook_daily_summaries_send_task",
        "schedule": crontab(minute=5, hour=0),
        "options": {"queue": Queue.DEFAULT.value},
    },
    # at 03:15 UTC (crontab.guru: "15 3 * * *"): delete webhook deliveries delivered over 30
    # days ago and dead letters over 90 days old, with their attempts (webhooks.services).
    "webhooks-prune-deliveries": {
        "task": "webhooks.tasks.webhook_deliveries_prune_task",
        "schedule": crontab(minute=15, hour=3),
        "options": {"queue": Queue.DEFAULT.value},
    },
}


def delay_or_leave_to_sweeper(task: Task, *args: object) -> bool:
    """``task.delay(*args)`` after a commit, for work whose row a sweeper re-queues: with the
    broker down the caller carries on (its rows are committed) and the sweeper queues the work
    once Redis is back (RELIABILITY A7, G15). Returns whether the message was sent."""
    try:
        task.delay(*args)
    except kombu.exceptions.OperationalError as exc:
        logger.warning("could not queue %s%s (%s); its sweeper will", task.name, args, type(exc).__name__)
        return False
    return True
