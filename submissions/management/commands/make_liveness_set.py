"""``manage.py make_liveness_set OUTDIR``: the labelled liveness set (see evaluation/liveness_set.py).

The face photos come from package test assets fetched once into ``var/cache/liveness``
(git-ignored; never committed): ``pip download --no-deps --no-binary :all:
face_recognition==1.3.0``, plus matplotlib's grace_hopper.jpg and skimage's astronaut if
installed.
"""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from submissions.evaluation.liveness_faces import source_photos
from submissions.evaluation.liveness_set import KINDS, LABELS, make_session

_photos: list = []


def _cache() -> Path:
    return Path(settings.BASE_DIR) / "var" / "cache" / "liveness"


def _start(cache: Path) -> None:
    _photos.extend(source_photos(cache))


def _one(task: tuple[Path, int, str, int]) -> dict:
    outdir, number, kind, seed = task
    return make_session(outdir, number, kind, _photos, seed)


class Command(BaseCommand):
    help = "Write bona-fide liveness sessions and print, screen and replay attacks, with labels."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("outdir", type=Path)
        parser.add_argument("--count", type=int, default=100, help="Sessions per kind (default 100).")
        parser.add_argument("--kinds", default=",".join(KINDS), help=f"Comma-separated, of {', '.join(KINDS)}.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--jobs", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        kinds = [kind for kind in options["kinds"].split(",") if kind]
        if unknown := set(kinds) - set(KINDS):
            raise CommandError(f"unknown kinds: {', '.join(sorted(unknown))}")
        outdir: Path = options["outdir"]
        outdir.mkdir(parents=True, exist_ok=True)
        source_photos(_cache())  # fetch once, before the workers start
        tasks = [(outdir, number, kind, options["seed"]) for number in range(options["count"]) for kind in kinds]
        marks = {max(1, round(len(tasks) * tenth / 10)) for tenth in range(1, 11)}
        rows = []
        with multiprocessing.get_context("spawn").Pool(options["jobs"], _start, (_cache(),)) as pool:
            for done, row in enumerate(pool.imap(_one, tasks), start=1):
                rows.append(row)
                if done in marks:
                    self.stdout.write(f"{100 * done // len(tasks):3d}%  {done}/{len(tasks)} sessions")
        (outdir / LABELS).write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
        self.stdout.write(f"{len(rows)} sessions in {outdir} ({LABELS} lists them)")
