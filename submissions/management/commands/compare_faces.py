"""``manage.py compare_faces A B [--json]``: match the face on A (the ID document or its portrait)
with the face on B (the selfie). Refusals are reported with their code, never as a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from submissions.pipeline.face.detect import FaceRefused
from submissions.pipeline.face.match import DEFAULT_THRESHOLD, compare_faces
from submissions.pipeline.intake import ImageRejected, decode_image


class Command(BaseCommand):
    help = "Compare the face on an ID document (A) with the face on a selfie (B): similarity 0-100 and a decision."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("a", type=Path, help="The ID document photo (or its portrait).")
        parser.add_argument("b", type=Path, help="The selfie.")
        parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD, help="Decision threshold, 0-100.")
        parser.add_argument("--a-is-selfie", action="store_true", help="Read A as a selfie (refuse several faces).")
        parser.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            images = [self._decode(options[name], name) for name in ("a", "b")]
            result = compare_faces(
                images[0],
                images[1],
                threshold=options["threshold"],
                purposes=("selfie" if options["a_is_selfie"] else "document", "selfie"),
            )
        except (FaceRefused, ImageRejected) as exc:
            image = getattr(exc, "image", None)
            error = {"code": exc.code, "message": exc.message, "image": image}
            if options["json"]:
                self.stdout.write(json.dumps({"error": error}))
                raise SystemExit(1) from None
            raise CommandError(f"{image or ''} {exc.code}: {exc.message}".strip()) from None
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json()))
            return
        verdict = "MATCH" if result.match else "no match"
        self.stdout.write(f"{verdict}: similarity {result.similarity:.1f} (threshold {result.threshold:.1f})")
        for name, face in zip(("A", "B"), result.faces, strict=True):
            self.stdout.write(f"  {name}: {face.as_json()}")
        self.stdout.write(f"  timing: {result.as_json()['timing_ms']}")

    def _decode(self, path: Path, name: str) -> Any:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        try:
            return decode_image(data).image
        except ImageRejected as exc:
            exc.image = name  # type: ignore[attr-defined]
            raise
