"""``manage.py bench_webhooks``: deliveries per second per worker and first-attempt latency
(issue 7), with a real Celery worker and a signature-checking receiver (``webhooks.bench``).

Needs PostgreSQL and Redis (``make bench-webhooks`` starts them); the embedded mode runs tasks
in-process, which measures no worker. Leaves nothing behind but the plot.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from webhooks.bench import DeliveryBench, Throughput


class Command(BaseCommand):
    help = "Measure webhook deliveries per second (one worker) and first-attempt latency."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--latency-events", type=int, default=200, help="Events sent one by one (default 200).")
        parser.add_argument("--events", type=int, default=1000, help="Events per throughput run (default 1000).")
        parser.add_argument("--plots", type=Path, default=None, help="Write the latency histogram PNG here.")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            raise CommandError("bench_webhooks needs a worker: set DATABASE_URL and REDIS_URL (make bench-webhooks).")
        if getattr(settings, "IDCHECK_PRODUCTION", False):
            raise CommandError("bench_webhooks talks to a receiver on 127.0.0.1: never on a production installation.")
        if options["latency_events"] < 1 or options["events"] < 10:
            raise CommandError("--latency-events must be at least 1 and --events at least 10.")
        bench = DeliveryBench(progress=self.stdout.write)
        try:
            bench.setup()
            bench.warm_up()
            latencies = bench.first_attempt_latencies(options["latency_events"])
            runs = [
                bench.throughput("independent", events=options["events"], per_resource=1),
                bench.throughput("ordered", events=options["events"], per_resource=10),
            ]
        except RuntimeError as exc:
            raise CommandError(str(exc)) from None
        finally:
            bench.teardown()
        if bench.receiver.forged:
            raise CommandError(f"{bench.receiver.forged} deliveries failed signature verification")
        self._summary(latencies, runs)
        if options["plots"] is not None:
            self.stdout.write(f"wrote {self._plot(latencies, options['plots'])}")

    def _summary(self, latencies: list[float], runs: list[Throughput]) -> None:
        write = self.stdout.write
        p50, p95, p99 = np.percentile(latencies, [50, 95, 99])
        write("")
        write(f"{'first-attempt latency':28} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'events':>7}")
        write(f"{'commit → verified at receiver':28} {p50:8.1f} {p95:8.1f} {p99:8.1f} {len(latencies):7d}")
        write("")
        write(f"{'throughput, 1 worker (solo)':28} {'events':>8} {'resources':>9} {'seconds':>8} {'per s':>8}")
        for run in runs:
            write(f"{run.name:28} {run.events:8d} {run.resources:9d} {run.seconds:8.2f} {run.per_second:8.1f}")
        write("every delivery verified with standardwebhooks; the throw-away project was deleted.")

    def _plot(self, latencies: list[float], folder: Path) -> Path:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot as plt

        folder.mkdir(parents=True, exist_ok=True)
        figure, axes = plt.subplots(figsize=(7, 4))
        axes.hist(latencies, bins=40, color="tab:blue")
        axes.set_xlabel("commit → verified at the receiver (ms)")
        axes.set_ylabel("events")
        axes.set_title(f"Webhook first-attempt latency, one worker ({len(latencies)} events)")
        path = folder / "webhook_first_attempt_latency.png"
        figure.tight_layout()
        figure.savefig(path, dpi=110)
        plt.close(figure)
        return path
