"""``manage.py soak [--seconds S]``: the load and soak of issue 11 (``make soak``; RELIABILITY.md G13).

Starts gunicorn, a pipeline worker, a default+webhooks worker with the periodic sweeps and a
signature-checking webhook receiver on 127.0.0.1, then Locust headless for S seconds (70 %
reads, 30 % creations with generated passport photos). Meanwhile the RSS of every process is
sampled. After the load it waits for every run and webhook to finish, runs ``manage.py
reconcile`` on the soak's project, prints the summary table, writes the request log, the samples
and two plots into ``--out``, and with ``--docs`` the page (plots beside it). Exits 1 on any
5xx, reconcile offenders, 15 % or more growth of a process's memory, or a process that died.

Needs PostgreSQL and Redis (``make soak`` gives it a database of its own): the embedded mode runs
tasks in-process and has no worker to measure.
"""

from __future__ import annotations

import datetime as dt
import shutil
import signal
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from submissions.management.commands.bench_report import machine
from submissions.soak.report import GROWTH_LIMIT, docs_page, plot_latency, plot_rss, table
from submissions.soak.run import Settings, Soak

MIN_SECONDS = 10


class Command(BaseCommand):
    help = "Soak gunicorn and the workers under Locust for --seconds, then check errors, reconcile and memory."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seconds", type=int, default=600, help="Length of the load (default 600).")
        parser.add_argument("--users", type=int, default=4, help="Locust users, each one integrator (default 4).")
        parser.add_argument("--pace", type=float, default=0.5, help="Requests per second per user (default 0.5).")
        parser.add_argument("--sample-seconds", type=float, default=5.0, help="RSS sampling interval (default 5).")
        parser.add_argument("--drain-seconds", type=float, default=600.0,
                            help="Most to wait after the load for runs and webhooks (default 600).")  # fmt: skip
        parser.add_argument("--max-growth", type=float, default=GROWTH_LIMIT * 100,
                            help="Most growth of a process's memory, in %% (default 15, issue 11).")  # fmt: skip
        parser.add_argument("--out", type=Path, default=Path(settings.VAR_DIR) / "soak",
                            help="Folder for the request log, samples and plots (default var/soak).")  # fmt: skip
        parser.add_argument("--note", default="", help="A line under the machine on the docs page.")
        parser.add_argument("--docs", type=Path, default=None, help="Write the docs page here (e.g. docs/soak.md).")

    def handle(self, *args: Any, **options: Any) -> None:
        self._refuse_unsafe(options)
        options["out"].mkdir(parents=True, exist_ok=True)
        soak_settings = Settings(
            seconds=options["seconds"], users=options["users"], pace=options["pace"],
            sample_seconds=options["sample_seconds"], drain_seconds=options["drain_seconds"], folder=options["out"],
            max_growth=options["max_growth"] / 100,
        )  # fmt: skip
        # A stopped soak (kill, a CI timeout) still stops what it started: SIGTERM unwinds like an error.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit("soak: stopped by SIGTERM"))
        started = dt.datetime.now(dt.UTC)
        result, sampler, load_end = Soak(soak_settings, progress=self.stdout.write).run()
        warm_up_end = soak_settings.warm_up
        plots = [
            plot_latency(result, options["out"] / "soak_latency.png"),
            plot_rss(list(sampler.series.values()), warm_up_end=warm_up_end, load_end=load_end,
                     path=options["out"] / "soak_rss.png"),
        ]  # fmt: skip
        (options["out"] / "rss.tsv").write_text(
            "".join(f"{s.name}\t{s.pid}\t{at:.1f}\t{rss}\n" for s in sampler.series.values() for at, rss in s.points)
        )
        self.stdout.write("\n".join(["", *table(result), ""]))
        self.stdout.write(f"request log, RSS samples and plots in {options['out']}")
        if options["docs"] is not None:
            self._write_docs(options["docs"], result, plots, started, note=options["note"])
        if failures := result.failures():
            raise CommandError("soak failed: " + "; ".join(failures))
        self.stdout.write(self.style.SUCCESS("soak passed: no 5xx, reconcile clean, memory flat"))

    def _refuse_unsafe(self, options: dict[str, Any]) -> None:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            raise CommandError("soak needs workers: set DATABASE_URL and REDIS_URL (make soak).")
        if getattr(settings, "IDCHECK_PRODUCTION", False):
            raise CommandError(
                "soak loads the site and sends webhooks to 127.0.0.1: never on a production installation."
            )
        if options["seconds"] < MIN_SECONDS or options["users"] < 1 or options["pace"] <= 0:
            raise CommandError(f"--seconds must be at least {MIN_SECONDS}, --users at least 1 and --pace above 0.")
        if options["max_growth"] <= 0:
            raise CommandError("--max-growth must be above 0 (a percentage).")
        if options["users"] > 16 or options["sample_seconds"] <= 0 or options["drain_seconds"] < 0:
            raise CommandError("--users is at most 16 (2 cores), --sample-seconds above 0, --drain-seconds 0 or more.")

    def _write_docs(self, path: Path, result: Any, plots: list[Path], started: dt.datetime, *, note: str) -> None:
        figures = path.parent / "soak"
        figures.mkdir(parents=True, exist_ok=True)
        for plot in plots:
            shutil.copy(plot, figures / plot.name)
        about = machine() + ([("note", note)] if note else [])
        path.write_text(docs_page(result, when=started, about=about, plots=plots))
        self.stdout.write(f"wrote {path} and its plots in {figures}")
