"""The PDF report of one matched watch-list profile (spec §2.15), drawn with fpdf2: no Django.

It shows the matched profile (category, risk level, names and aliases, birth dates,
nationalities, list and entry id), the screened person, and how the score came about: which of
the profile's names matched, the name score and its weight, and the birth-date and nationality
points. fpdf2's built-in Helvetica covers Latin-1 only, so every text is printed transliterated
(``anyascii``), a name in another script with its transliteration.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from anyascii import anyascii
from fpdf import FPDF

CATEGORY_NAMES = {
    "PEP": "Politically exposed person",
    "SAN": "Sanctions",
    "REL": "Regulatory enforcement",
    "RRE": "Reputational risk (adverse media)",
    "POI": "Profile of interest",
    "INS": "Insolvency",
    "DD": "Disqualified director",
}
BIRTH_DATE_WORDS = {"exact": "same date", "year": "same year", "missing": "unknown on one side", "different": "differs"}
NATIONALITY_WORDS = {"match": "same", "missing": "unknown on one side", "different": "differs"}


def _latin(text: object) -> str:
    value = str(text or "")
    ascii_value = anyascii(value)
    return value if value == ascii_value else f"{ascii_value} (transliterated)"


class _Report(FPDF):
    def heading(self, text: str) -> None:
        self.ln(3)
        self.set_font("Helvetica", "B", 12)
        self.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")

    def row(self, label: str, value: object) -> None:
        self.set_font("Helvetica", "B", 10)
        self.cell(55, 6, label)
        self.set_font("Helvetica", "", 10)
        self.multi_cell(0, 6, _latin(value) or "-", new_x="LMARGIN", new_y="NEXT")


def aml_report_pdf(
    *, resource_id: str, match: Mapping[str, Any], person: Mapping[str, Any], screening: Mapping[str, Any]
) -> bytes:
    """The report as PDF bytes. ``match`` is one stored match (``category``, ``risk_level``,
    ``score``, ``profile``, ``explanation``), ``person`` the screened person, ``screening`` the
    submission id, the time, the threshold and the list versions."""
    profile, explanation = match["profile"], match["explanation"]
    pdf = _Report()
    pdf.set_title(f"AML report {resource_id}")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, "AML screening report", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(0, 6, f"Resource ID {resource_id}", new_x="LMARGIN", new_y="NEXT")

    pdf.heading("Matched profile")
    category = match["category"]
    pdf.row("Category", f"{category} - {CATEGORY_NAMES.get(category, category)}")
    pdf.row("Risk level", match["risk_level"])
    pdf.row("Name", profile["name"])
    for alias in profile.get("aliases", []):
        pdf.row("Alias", alias)
    pdf.row("Birth dates", ", ".join(profile.get("birth_dates", [])))
    pdf.row("Nationalities", ", ".join(profile.get("nationalities", [])))
    pdf.row("Watch list", f"{profile.get('source', '')}, entry {profile.get('external_id', '')}")

    pdf.heading("Screened person")
    pdf.row("Submission", screening["submission_id"])
    pdf.row("Name", person.get("name", ""))
    pdf.row("Birth date", person.get("birth_date", ""))
    pdf.row("Nationality", person.get("nationality", ""))
    pdf.row("Screened at", screening["screened_at"])

    pdf.heading("Match explanation")
    pdf.row("Score", f"{match['score']} (threshold {screening['threshold']})")
    pdf.row("Matched name", explanation["matched_name"])
    pdf.row("Compared as", explanation["screened_name"])
    weighted = round(explanation["name_weight"] * explanation["name_score"], 1)
    pdf.row("Name score", f"{explanation['name_score']} x {explanation['name_weight']} = {weighted}")
    pdf.row("Birth date", f"+{explanation['birth_date_points']} ({BIRTH_DATE_WORDS[explanation['birth_date']]})")
    pdf.row("Nationality", f"+{explanation['nationality_points']} ({NATIONALITY_WORDS[explanation['nationality']]})")
    versions = ", ".join(f"{name} v{version}" for name, version in sorted(screening["list_versions"].items()))
    pdf.row("Lists screened", versions)
    return bytes(pdf.output())
