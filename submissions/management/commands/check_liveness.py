"""``manage.py check_liveness IMAGE|FRAMES… [--plan plan.json] --json``: score, decision, cues.

One image without a plan is a lone selfie (``not_performed`` unless a passive cue refuses it).
Frames are JPEG files named ``<t_ms>.jpg`` (the phone's anchored epoch ms) and need the plan;
a ``make_liveness_set`` session folder may be given instead, with its plan and upload.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from submissions.evaluation.liveness import load_session, read_frames
from submissions.pipeline.liveness import ChallengePlan, check_liveness


class Command(BaseCommand):
    help = "Liveness of a selfie, or of challenge frames against their plan."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "paths", nargs="+", type=Path, help="A selfie, frames named <t_ms>.jpg, or a session folder."
        )
        parser.add_argument("--plan", type=Path, help="The ChallengePlan JSON the frames answer.")
        parser.add_argument("--nonce", help="The nonce sent back with the frames.")
        parser.add_argument("--now-ms", type=int, help="Arrival time, epoch ms (default: now).")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        paths: list[Path] = options["paths"]
        now, nonce = options["now_ms"], options["nonce"]
        if len(paths) == 1 and paths[0].is_dir():
            plan, frames, nonce, received = load_session(paths[0])
            result = check_liveness(None, frames, plan, now=now or received, nonce=nonce)
        elif options["plan"]:
            try:
                frames = read_frames(sorted(paths, key=lambda path: int(path.stem)))
            except ValueError as error:
                raise CommandError("frames must be named <t_ms>.jpg") from error
            plan = ChallengePlan.from_json(json.loads(options["plan"].read_text(encoding="utf-8")))
            result = check_liveness(None, frames, plan, now=now or int(time.time() * 1000), nonce=nonce)
        elif len(paths) == 1:
            result = check_liveness(paths[0].read_bytes())
        else:
            raise CommandError("several frames need --plan")
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), indent=2))
            return
        self.stdout.write(f"{result.decision} (score {result.score:.2f}, {result.timing_ms:.0f} ms)")
        for cue in result.cues:
            self.stdout.write(f"  {'ok  ' if cue.passed else 'FAIL'} {cue.code:<26} {cue.value:.4g}")
