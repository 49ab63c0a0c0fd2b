"""``policy.aml.report``: the PDF names the matched profile, the screened person and the explanation."""

from __future__ import annotations

import re
import zlib

from policy.aml.matching import Person, Profile, score_profile
from policy.aml.report import aml_report_pdf
from submissions.services.aml import match_json


def pdf_text(pdf: bytes) -> str:
    """The page's drawing operators, inflated (fpdf2 compresses each stream)."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)
    text = b"".join(zlib.decompress(stream) for stream in streams if stream[:1] == b"x").decode("latin-1")
    return text.replace("\\(", "(").replace("\\)", ")")


def test_the_report_shows_the_profile_the_person_and_the_explanation():
    profile = Profile(7, "Ivan Sidorov", ("Иван Сидоров",), ("1952-10-07",), ("RUS",), "SAN", "HIGH", "sample", "row-9")
    person = Person("Иван Сидоров", "1952-10-07", "")
    match = score_profile(person, profile)

    pdf = aml_report_pdf(
        resource_id="abc123",
        match=match_json(match),
        person={"name": person.name, "birth_date": person.birth_date, "nationality": ""},
        screening={"submission_id": "s" * 18, "screened_at": "2026-11-26T07:00:00Z", "threshold": 90,
                   "list_versions": {"sample": 3}},
    )  # fmt: skip

    text = pdf_text(pdf)
    assert pdf.startswith(b"%PDF-")
    for expected in (
        "Resource ID abc123",
        "SAN - Sanctions",
        "Ivan Sidorov (transliterated)",
        "row-9",
        "98 (threshold 90)",
        "100 x 0.8 = 80.0",
        "+15 (same date)",
        "+3 (unknown on one side)",
        "sample v3",
    ):
        assert expected in text, expected
