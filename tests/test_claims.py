"""G25: the product never claims an ISO/IEC 30107-3, iBeta, FIDO or NIST IAL2 certification (or
compliance) without naming the lab report: a sentence that does must carry a
``certification_ref``. Read from every text a user or operator sees: the README, docs/, the
templates and the messages of the code (the English side of the catalogues)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.submissions.flow.test_translations import parse_po

ROOT = Path(settings.BASE_DIR)
SCHEMES = re.compile(r"30107|\biBeta\b|\bFIDO\b|\bIAL ?2\b|800-63|\bPAD level\b", re.IGNORECASE)
CLAIMS = re.compile(r"certif|complian|conform|accredit|approved by|passed|level [12] (?:pass|tested)", re.IGNORECASE)
NEGATION = re.compile(r"\b(?:not|never|no|without|nor)\b", re.IGNORECASE)


def unreferenced_claims(text: str) -> list[str]:
    """Sentences naming a certification scheme with a claim word, no negation and no reference."""
    sentences = re.split(r"(?<=[.!?])\s+|\n\s*\n", text)
    return [
        " ".join(sentence.split())
        for sentence in sentences
        if SCHEMES.search(sentence)
        and CLAIMS.search(sentence)
        and not NEGATION.search(sentence)
        and "certification_ref" not in sentence
    ]


def _user_facing_texts() -> dict[str, str]:
    paths = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")), *sorted((ROOT / "templates").rglob("*.html"))]
    texts = {str(path.relative_to(ROOT)): path.read_text(encoding="utf-8") for path in paths}
    catalogue = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    texts[str(catalogue.relative_to(ROOT))] = "\n\n".join(entry.msgid for entry in parse_po(catalogue))
    return texts


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        ("ID Check is iBeta Level 2 certified.", True),
        ("Our liveness is ISO/IEC 30107-3 compliant.", True),
        ("The flow conforms to NIST IAL2.", True),
        ("Certified to FIDO biometric requirements.", True),
        ("iBeta Level 2 certified (certification_ref: iBeta-2031-04).", False),
        ("The figures are not an ISO/IEC 30107-3 certification.", False),
        ("APCER follows the ISO/IEC 30107-3 definitions.", False),
        ("A residency certificate names the holder.", False),
    ],
)
def test_the_checker_tells_a_claim_from_a_mention(sentence, flagged):
    assert bool(unreferenced_claims(sentence)) is flagged


def test_no_user_facing_text_claims_a_certification_without_its_reference():
    texts = _user_facing_texts()
    assert len(texts) > 20
    offenders = {name: claims for name, text in texts.items() if (claims := unreferenced_claims(text))}
    assert offenders == {}
