"""``manage.py evaluate_liveness DIR``: APCER per attack kind and BPCER (ISO/IEC 30107-3) on a
``make_liveness_set`` folder, the cues that refused, and timings; ``--plots`` writes the score
and cue histograms as PNG."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from submissions.evaluation.liveness import (
    bpcer_at_apcer,
    cue_ranges,
    error_rates,
    evaluate,
    timings,
    worst_apcer,
    write_plots,
)
from submissions.evaluation.liveness_set import LABELS
from submissions.pipeline.liveness.passive import THRESHOLDS


class Command(BaseCommand):
    help = "APCER per attack kind and BPCER of check_liveness on a labelled liveness set."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument("--plots", type=Path, help="Folder for the PNG histograms.")
        parser.add_argument("--json", action="store_true", help="Print the table as JSON.")
        parser.add_argument("--cues", action="store_true", help="Also print each passive cue's range per kind.")
        parser.add_argument("--apcer", type=float, default=5.0,
                            help="The APCER (%%) of the score operating point whose BPCER is reported (default 5).")  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]
        if not 0 <= options["apcer"] <= 100:
            raise CommandError("--apcer is a percentage from 0 to 100.")
        if not (directory / LABELS).is_file():
            raise CommandError(f"{directory / LABELS} not found: run make_liveness_set first.")
        marks: set[int] = set()

        def progress(done: int, total: int) -> None:
            marks.update(max(1, round(total * tenth / 10)) for tenth in range(1, 11))
            if done in marks and not options["json"]:
                self.stdout.write(f"{100 * done // total:3d}%  {done}/{total} sessions")

        scored = evaluate(directory, progress)
        table, timing = error_rates(scored), timings(scored)
        worst, operating = worst_apcer(table), bpcer_at_apcer(scored, apcer=options["apcer"] / 100)
        ranges = cue_ranges(scored, list(THRESHOLDS)) if options["cues"] else []
        if options["json"]:
            point = None
            if operating is not None:
                point = {"apcer_pct": options["apcer"], "threshold": operating[0], "bpcer_pct": 100 * operating[1]}
            summary = {"worst_apcer": worst, "bpcer_at_apcer": point}
            self.stdout.write(json.dumps({"rates": table, "timings": timing, "cues": ranges, **summary}, indent=2))
        else:
            self.stdout.write(f"{'kind':<11}{'metric':<7}{'n':>5}{'errors':>8}{'rate':>9}  refused most by")
            for row in table:
                top = ", ".join(f"{code} {count}" for code, count in row["deciding"])
                self.stdout.write(
                    f"{row['kind']:<11}{row['metric']:<7}{row['n']:>5}{row['errors']:>8}{row['rate_pct']:>8.1f}%  {top}"
                )
            if worst is not None:
                self.stdout.write(f"worst APCER: {worst['kind']} {worst['rate_pct']:.1f}%")
            if operating is not None:
                self.stdout.write(f"BPCER at APCER <= {options['apcer']:g}%: {100 * operating[1]:.1f}% "
                                  f"(score threshold {operating[0]:.4g})")  # fmt: skip
            self.stdout.write(
                f"timing: {timing['ms_per_frame_p50']:.1f} ms per frame (p50), {timing['ms_per_frame_p95']:.1f} (p95); "
                f"{timing['ms_per_session_p50']:.0f} ms per session (p50)"
            )
            for row in ranges:
                numbers = "  ".join(f"{key} {row[key]:.4g}" for key in ("min", "p10", "median", "p90", "max"))
                self.stdout.write(f"  {row['cue']:<16}{row['kind']:<11}n {row['n']:<4}{numbers}")
        if options["plots"]:
            for path in write_plots(options["plots"], scored, list(THRESHOLDS)):
                self.stdout.write(f"wrote {path}")
