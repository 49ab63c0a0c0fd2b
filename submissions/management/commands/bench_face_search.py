"""``manage.py bench_face_search [--sizes 10000,100000,1000000] [--plots DIR]``: 1:N search speed.

For each size, builds the exact and the HNSW face index over synthetic 128-d unit vectors and
reports build time, resident-memory growth, search latency p50/p95 (one query at a time, k=5)
and recall@1 of planted near-duplicates (``submissions.pipeline.face_index.bench``). The target
is a 1:N search within 100 ms at one million templates. At 1M the bench holds the generated
vectors (512 MB) plus one index at a time (exact 512 MB, HNSW ~640 MB): about 1.5 GB at peak.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from submissions.pipeline.face_index import CROSSOVER_SIZE
from submissions.pipeline.face_index import bench as fb


class Command(BaseCommand):
    help = "Benchmark exact and HNSW 1:N face search on synthetic templates."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--sizes", default="10000,100000,1000000", help="Comma-separated template counts.")
        parser.add_argument("--kinds", default="exact,hnsw", help="Index kinds to run (exact, hnsw).")
        parser.add_argument("--queries", type=int, default=500, help="Planted-duplicate queries per size.")
        parser.add_argument("--seed", type=int, default=20261126)
        parser.add_argument("--plots", type=Path, metavar="OUTDIR", help="Write face_search_latency.png here.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            sizes = [int(part.replace("_", "")) for part in options["sizes"].split(",") if part.strip()]
        except ValueError:
            raise CommandError(f"--sizes must be integers, got {options['sizes']!r}") from None
        kinds = tuple(kind.strip() for kind in options["kinds"].split(",") if kind.strip())
        if not sizes or min(sizes) < 2 or not kinds or set(kinds) - set(fb.KINDS):
            raise CommandError(f"need sizes >= 2 and kinds among {', '.join(fb.KINDS)}")
        rows = fb.run_bench(
            sizes, kinds=kinds, queries=options["queries"], seed=options["seed"], progress=self.stdout.write
        )
        self.stdout.write("")
        self.stdout.write(fb.table(rows))
        self.stdout.write(f"\nchoose_index: exact below {CROSSOVER_SIZE:,} templates, HNSW from there on")
        if options["plots"] is not None:
            self.stdout.write(f"wrote {fb.write_latency_plot(options['plots'], rows)}")
