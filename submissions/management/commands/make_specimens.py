"""``manage.py make_specimens OUTDIR --count N``: labelled synthetic documents, photographed.

See ``submissions.specimens`` for what is drawn and the format of ``OUTDIR/labels.jsonl``.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from submissions.specimens import CONDITIONS, DEFAULT_CONDITIONS, KINDS, LABELS_FILE, Summary, make_specimens

ROW_ORDER = ("td3", "td1", "td1_front", "td2", "mrva", "mrvb", "dl_back", "dl_front")


def _choices(allowed: tuple[str, ...]) -> Callable[[str], tuple[str, ...]]:
    """An argparse type for a comma-separated subset of ``allowed`` (duplicates dropped)."""

    def parse(text: str) -> tuple[str, ...]:
        values = tuple(value.strip() for value in text.split(",") if value.strip())
        unknown = [value for value in values if value not in allowed]
        if unknown or not values:
            raise argparse.ArgumentTypeError(f"{', '.join(unknown) or text!r}: choose from {','.join(allowed)}")
        return tuple(dict.fromkeys(values))

    return parse


class Command(BaseCommand):
    help = "Generate labelled synthetic passports, ID cards, visas and licence backs photographed on a table."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("outdir", type=Path, help="Directory for the JPEG photos and labels.jsonl.")
        parser.add_argument("--count", type=int, required=True, help="Number of documents.")
        parser.add_argument("--seed", type=int, default=0, help="Same seed, same documents (default 0).")
        parser.add_argument(
            "--kinds", type=_choices(KINDS), default=KINDS, help=f"Comma-separated, from {','.join(KINDS)} (all)."
        )
        parser.add_argument(
            "--conditions",
            type=_choices(CONDITIONS),
            default=DEFAULT_CONDITIONS,
            help=f"Comma-separated, from {','.join(CONDITIONS)} (default {','.join(DEFAULT_CONDITIONS)}).",
        )
        parser.add_argument("--faces", type=Path, help="Directory of face photos to use as portraits, cycled.")
        parser.add_argument(
            "--today", type=dt.date.fromisoformat, help="Reference date for expiry (YYYY-MM-DD, default today)."
        )
        parser.add_argument("--jobs", type=int, default=1, help="Worker processes (default 1).")
        parser.add_argument(
            "--forged",
            type=float,
            default=0.0,
            metavar="SHARE",
            help="Share of documents (0-1) whose printed name or birth date differs from the MRZ/barcode.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count = options["count"]
        if count < 1:
            raise CommandError("--count must be at least 1.")
        faces = options["faces"]
        if faces is not None and not faces.is_dir():
            raise CommandError(f"--faces: {faces} is not a directory.")
        if not 0 <= options["forged"] <= 1:
            raise CommandError("--forged must be a share between 0 and 1.")
        outdir: Path = options["outdir"]
        try:
            summary = make_specimens(
                outdir,
                count=count,
                seed=options["seed"],
                kinds=options["kinds"],
                conditions=options["conditions"],
                faces_dir=faces,
                today=options["today"],
                jobs=max(1, options["jobs"]),
                forged_share=options["forged"],
                progress=self._progress,
            )
        except (ValueError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from None
        self._summary(summary, outdir)

    def _progress(self, done: int, count: int, files: int) -> None:
        self.stdout.write(f"{100 * done // count:3d}%  {done}/{count} documents, {files} images")

    def _summary(self, summary: Summary, outdir: Path) -> None:
        conditions = [c for c in CONDITIONS if any(key[1] == c for key in summary.counts)]
        kinds = [kind for kind in ROW_ORDER if any(key[0] == kind for key in summary.counts)]
        header = f"{'kind':<10}" + "".join(f"{c:>8}" for c in conditions) + f"{'total':>8}"
        self.stdout.write(header)
        for kind in kinds:
            cells = [summary.counts.get((kind, condition), 0) for condition in conditions]
            self.stdout.write(f"{kind:<10}" + "".join(f"{n:>8}" for n in cells) + f"{sum(cells):>8}")
        totals = [sum(n for (_, c), n in summary.counts.items() if c == condition) for condition in conditions]
        self.stdout.write(f"{'total':<10}" + "".join(f"{n:>8}" for n in totals) + f"{sum(totals):>8}")
        per_document = summary.seconds / summary.documents
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary.documents} documents, {summary.files} files written to {outdir} "
                f"(labels in {LABELS_FILE}) in {summary.seconds:.1f} s ({per_document:.3f} s per document)"
            )
        )
