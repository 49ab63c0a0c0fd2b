"""Copy a curated set of the browser tests' Liveform screenshots into docs/screenshots/ and list
them in docs/liveform-screens.md (``make screenshots`` runs the tests, then this).

Each picture is reduced to a 64-colour palette, which keeps text sharp (the pages are flat
colours) and a phone-sized page well under ``MAX_BYTES``; a picture that is still larger, or
missing because no test shot it, fails the run instead of being left out.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
TARGET = DOCS / "screenshots"
PAGE = DOCS / "liveform-screens.md"
START, END = "<!-- screens:start -->", "<!-- screens:end -->"
MAX_BYTES = 60_000
COLOURS = 64
# The screens shown in the docs, with their caption, in the flow's order.
CURATED = {
    "consent": "Consent, on a phone",
    "consent-desktop-qr": "Consent on a computer: the QR code to go on on a phone",
    "in-app-browser": "Opened inside a messenger's browser: how to open it in Safari or Chrome",
    "phone-code": "The SMS code of a link that asks for a verified phone number",
    "details": "Knowledge-Based pipeline: the identity typed in instead of a document",
    "country": "Issuing country",
    "front": "ID front: the camera with its framing guide, and the file input",
    "front-camera": "ID front: the photo the camera took by itself",
    "front-retry": "ID front again: the reason the check sent it back",
    "review": "OCR confirmation: nothing could be read, the details typed in",
    "questions": "The project's additional questions",
    "address": "Proof of address",
    "selfie": "Selfie: the live camera first, a photo as the fallback",
    "processing": "Processing",
    "result-approved": "Result: approved, with the way back to the Return URL",
    "result-rejected": "Result: rejected, with the reason",
    "consent-rtl": "Arabic, right to left",
    "front-dark-theme": "A dark mainColor",
    "front-light-theme": "A light mainColor: links and outlined buttons darkened to read",
    "injection-address": "Address injection: the address and a photo of the bill, added to a finished verification",
    "error-period": "An error page: outside the submission period, with its code",
}


def main(source: Path) -> int:
    from tests.e2e.conftest import LIVEFORM_SCREENS

    TARGET.mkdir(parents=True, exist_ok=True)
    for old in TARGET.glob("liveform-*.png"):
        old.unlink()
    rows, total = [], 0
    for screen, caption in CURATED.items():
        shot = source / f"liveform-{LIVEFORM_SCREENS.index(screen) + 1:02d}-{screen}.png"
        name = f"liveform-{screen}.png"  # no number here: a screen added before it renames nothing
        if not shot.exists():
            sys.stderr.write(f"{shot} is missing: run the Liveform browser tests first (make screenshots)\n")
            return 1
        data = _compressed(shot)
        if len(data) > MAX_BYTES:
            sys.stderr.write(f"{shot.name} is {len(data)} bytes compressed, over {MAX_BYTES}\n")
            return 1
        (TARGET / name).write_bytes(data)
        total += len(data)
        rows.append(f"**{caption}**\n\n![{caption}](screenshots/{name})\n")
        sys.stdout.write(f"{len(data):>7} {name}\n")
    sys.stdout.write(f"{total:>7} bytes in {len(rows)} pictures\n")
    _write_page(rows)
    return 0


def _compressed(path: Path) -> bytes:
    picture = Image.open(path).convert("RGB")
    palette = picture.quantize(colors=COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    palette.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _write_page(rows: list[str]) -> None:
    text = PAGE.read_text(encoding="utf-8")
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    gallery = "\n".join(rows)
    PAGE.write_text(f"{before}{START}\n{gallery}{END}{after}", encoding="utf-8")


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "idcheck.settings")
    django.setup()
    from tests.e2e.conftest import SCREENSHOTS

    sys.exit(main(SCREENSHOTS))
