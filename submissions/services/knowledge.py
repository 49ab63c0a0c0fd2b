"""The Knowledge-Based pipeline's identity (spec §6.3): what the person typed instead of a document.

The Liveform's details page (or the link's ``knowledgePrefill``) gives the four values the spec's
DI needs (name, birth date, gender, nationality) and, when asked, a social security number.
``submission_create(knowledge=…)`` seals them in the submission's metadata (``knowledge``, and
``ssnNumber`` beside the other ``data`` fields); the run reads them back as the evidence's
``DocumentEvidence(kind="knowledge")``, so the DI, the age limit, the blacklist, the third-party
providers and the ``data`` object work on them as on a document's fields.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from policy.evidence import KNOWLEDGE_KIND, DocumentEvidence, IdentityFields
from submissions import vault
from submissions.models import Submission

KNOWLEDGE_KEY = "knowledge"  # in the sealed metadata
SSN_KEY = "ssnNumber"  # in the sealed metadata: a ``data`` field of its own (§3.2)
GENDERS = {"male": "M", "female": "F"}  # §3.2 ``gender`` -> the evidence's sex


@dataclass(frozen=True)
class KnowledgeData:
    first_name: str
    last_name: str
    date_of_birth: dt.date
    gender: str  # male | female (§3.2)
    nationality: str  # ISO 3166-1 alpha-3
    ssn_number: str = ""  # optional: asked only when the link's knowledgeField lists it

    def __post_init__(self) -> None:
        if self.gender not in GENDERS:
            raise ValueError(f"gender {self.gender!r} is not one of {', '.join(GENDERS)}")
        if not (self.first_name.strip() and self.last_name.strip() and len(self.nationality) == 3):
            raise ValueError("first_name, last_name and an alpha-3 nationality are required")

    def sealed_part(self) -> dict[str, str]:
        return {"first_name": self.first_name, "last_name": self.last_name,
                "date_of_birth": self.date_of_birth.isoformat(), "gender": self.gender,
                "nationality": self.nationality}  # fmt: skip

    @classmethod
    def from_sealed(cls, part: Mapping[str, Any], ssn_number: str = "") -> KnowledgeData:
        return cls(first_name=part["first_name"], last_name=part["last_name"],
                   date_of_birth=dt.date.fromisoformat(part["date_of_birth"]), gender=part["gender"],
                   nationality=part["nationality"], ssn_number=ssn_number)  # fmt: skip


def knowledge_load(submission: Submission) -> KnowledgeData | None:
    """The typed identity of a Knowledge-Based submission; None when there is none (an ID
    document, or deleted since)."""
    metadata = vault.open_json(submission, submission.sealed_metadata, context=vault.METADATA_CONTEXT) or {}
    part = metadata.get(KNOWLEDGE_KEY)
    return KnowledgeData.from_sealed(part, metadata.get(SSN_KEY, "")) if part else None


def knowledge_evidence(data: KnowledgeData | None) -> DocumentEvidence:
    """The typed identity as the policy reads a document's fields. Without it (partially deleted
    before the run) the fields are empty: no DI, no age, no nationality to judge."""
    if data is None:
        return DocumentEvidence(kind=KNOWLEDGE_KIND)
    fields = IdentityFields(surname=data.last_name, given_names=data.first_name, nationality=data.nationality,
                            sex=GENDERS[data.gender], birth_date=data.date_of_birth)  # fmt: skip
    return DocumentEvidence(kind=KNOWLEDGE_KIND, fields=fields)
